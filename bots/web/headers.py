"""Security headers on every response (pages set their own Content-Security-Policy; everything else —
JSON, CSV, scripts, errors — gets one that allows nothing), and who may read /metrics."""
from __future__ import annotations

from starlette.datastructures import MutableHeaders

DEFAULT_POLICY = "default-src 'none'; frame-ancestors 'none'"
LOOPBACK = ("127.0.0.1", "::1", "localhost")


class SecurityHeaders:
    """Adds Referrer-Policy, X-Content-Type-Options: nosniff and (unless the response set one) a
    Content-Security-Policy to every HTTP response. Pure ASGI: bodies stream through untouched."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Content-Security-Policy", DEFAULT_POLICY)
            await send(message)

        await self.app(scope, receive, with_headers)


def metrics_allowed(mode: str, peer: str) -> bool:
    """Whether /metrics answers a client: CNHT_METRICS=on (anyone), local (the loopback peer only; a
    forwarded address never counts) or off."""
    return mode == "on" or (mode == "local" and peer in LOOPBACK)
