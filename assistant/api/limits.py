"""Per-client rate limiting and the request body cap."""
from __future__ import annotations

import asyncio
import math
import threading
import time
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import JSONResponse

from assistant.sqlite import open_shared


class RateLimiter:
    """A token bucket per client: `per_minute` requests, refilled continuously. The buckets live in a
    SQLite file, so every worker process of one server counts the same requests."""

    def __init__(self, per_minute: int, path: Path, name: str):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.name = name
        self._db = open_shared(path, synchronous="OFF")  # counters: losing the last second of them costs nothing
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS buckets (name TEXT NOT NULL, client TEXT NOT NULL, tokens REAL NOT NULL,"
            " stamp REAL NOT NULL, PRIMARY KEY (name, client))"
        )
        self._lock = threading.Lock()
        self._takes = 0

    def take(self, client: str) -> float:
        """0 if the request may go ahead, else the seconds to wait."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT tokens, stamp FROM buckets WHERE name = ? AND client = ?", (self.name, client)
                ).fetchone()
                tokens, stamp = row if row else (self.capacity, now)
                tokens = min(self.capacity, tokens + max(0.0, now - stamp) * self.rate)
                wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
                if not wait:
                    tokens -= 1
                self._db.execute("INSERT OR REPLACE INTO buckets VALUES (?, ?, ?, ?)", (self.name, client, tokens, now))
                self._takes += 1
                if self._takes % 1000 == 0:  # a bucket untouched for an hour is full again: forget it
                    self._db.execute("DELETE FROM buckets WHERE stamp < ?", (now - 3600,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return wait


def error(status: int, code: str, message: str, headers: dict | None = None, **extra) -> JSONResponse:
    """The API's one error shape: {"error": {"code", "message", ...}}."""
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status, headers=headers)


class BodyRefused(Exception):
    """Raised into the app when a request body goes over its cap or arrives too slowly."""


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
        state = {"received": 0, "done": False, "refusal": None, "started": False, "ours": False}
        deadline = loop.time() + timeout

        async def limited_receive():
            if state["refusal"] is not None:
                return {"type": "http.disconnect"}
            if state["done"]:  # the body is in: what follows is the wait for a disconnect
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                state["refusal"] = error(408, "body_timeout", f"the request body did not arrive within {timeout:g} s")
                raise BodyRefused from None
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > cap:
                    state["refusal"] = _too_large(cap)
                    raise BodyRefused
                state["done"] = not message.get("more_body", False)
            return message

        async def guarded_send(message):
            # Once the body is refused, whatever the app answers (it saw a failed read) gives way to the refusal.
            if state["refusal"] is not None and not state["started"]:
                state["started"] = state["ours"] = True
                await state["refusal"](scope, receive, send)
                return
            if state["ours"]:
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyRefused:
            pass
        if state["refusal"] is not None and not state["started"]:
            await state["refusal"](scope, receive, send)


def _too_large(cap: int) -> JSONResponse:
    return error(413, "body_too_large", f"request body over {cap} bytes")


def retry_after(seconds: float) -> dict[str, str]:
    """The Retry-After header for a wait."""
    return {"Retry-After": str(max(1, math.ceil(seconds)))}
