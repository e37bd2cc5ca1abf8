"""The API's error shape and the request body cap."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.responses import JSONResponse


def error(status: int, code: str, message: str, headers: dict | None = None, **extra) -> JSONResponse:
    """The API's one error shape: {"error": {"code", "message", ...}}."""
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status, headers=headers)


class BodyRefused(Exception):
    """Raised into the app when a request body goes over its cap or arrives too slowly."""


@dataclass
class _BodyProgress:
    """How far one request's body has come and whether it was refused (and answered by us)."""

    received: int = 0
    done: bool = False
    refusal: JSONResponse | None = None
    started: bool = False
    ours: bool = False


class BodyLimit:
    """Caps every request body while it streams in (413 as soon as the cap is passed, whether or not a
    Content-Length was sent) and gives a body a deadline to arrive (408). Paths in `uploads` (document
    uploads) get their own cap and deadline. Pure ASGI: nothing is buffered here, the app reads as usual."""

    def __init__(self, app, max_bytes: int, timeout: float, uploads: dict[str, tuple[int, float]] | None = None):
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.uploads = uploads or {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        cap, timeout = self.uploads.get(scope["path"], (self.max_bytes, self.timeout))
        length = Headers(scope=scope).get("content-length")
        if length is not None:
            if not length.isdigit():
                return await error(400, "bad_content_length", "Content-Length is not a number")(scope, receive, send)
            if int(length) > cap:
                return await _too_large(cap)(scope, receive, send)
        loop = asyncio.get_running_loop()
        state = _BodyProgress()
        deadline = loop.time() + timeout

        async def limited_receive():
            if state.refusal is not None:
                return {"type": "http.disconnect"}
            if state.done:  # the body is in: what follows is the wait for a disconnect
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                state.refusal = error(408, "body_timeout", f"the request body did not arrive within {timeout:g} s")
                raise BodyRefused from None
            if message["type"] == "http.request":
                state.received += len(message.get("body", b""))
                if state.received > cap:
                    state.refusal = _too_large(cap)
                    raise BodyRefused
                state.done = not message.get("more_body", False)
            return message

        async def guarded_send(message):
            # Once the body is refused, whatever the app answers (it saw a failed read) gives way to the refusal.
            if state.refusal is not None and not state.started:
                state.started = state.ours = True
                await state.refusal(scope, receive, send)
                return
            if state.ours:
                return
            if message["type"] == "http.response.start":
                state.started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyRefused:
            pass
        if state.refusal is not None and not state.started:
            await state.refusal(scope, receive, send)


def _too_large(cap: int) -> JSONResponse:
    return error(413, "body_too_large", f"request body over {cap} bytes")
