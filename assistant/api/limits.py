"""Per-client rate limiting and the request body cap."""
from __future__ import annotations

import math
import threading
import time

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse


class RateLimiter:
    """A token bucket per client: `per_minute` requests, refilled continuously."""

    def __init__(self, per_minute: int, max_clients: int = 50_000):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._max_clients = max_clients

    def take(self, client: str) -> float:
        """0 if the request may go ahead, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - stamp) * self.rate)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                if len(self._buckets) > self._max_clients:
                    self._buckets.pop(next(iter(self._buckets)))
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate


def error(status: int, code: str, message: str, headers: dict | None = None, **extra) -> JSONResponse:
    """The API's one error shape: {"error": {"code", "message", ...}}."""
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status, headers=headers)


class BodyLimit(BaseHTTPMiddleware):
    """Refuse request bodies over the cap (413) before reading them; `uploads` gives paths (document
    uploads) their own, larger cap."""

    def __init__(self, app, max_bytes: int, uploads: dict[str, int] | None = None):
        super().__init__(app)
        self.max_bytes = max_bytes
        self.uploads = uploads or {}

    async def dispatch(self, request: Request, call_next):
        cap = self.uploads.get(request.url.path, self.max_bytes)
        length = request.headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                return error(400, "bad_content_length", "Content-Length is not a number")
            if int(length) > cap:
                return error(413, "body_too_large", f"request body over {cap} bytes")
        elif request.method in ("POST", "PUT", "PATCH"):
            body = await request.body()
            if len(body) > cap:
                return error(413, "body_too_large", f"request body over {cap} bytes")
        return await call_next(request)


def retry_after(seconds: float) -> dict[str, str]:
    """The Retry-After header for a wait."""
    return {"Retry-After": str(max(1, math.ceil(seconds)))}
