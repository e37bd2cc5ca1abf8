"""The HTML pages, served from bots/web/static under a strict Content-Security-Policy."""
from __future__ import annotations

from pathlib import Path

from fastapi.responses import FileResponse

STATIC = Path(__file__).parent / "static"


def static_page(name: str, frame_ancestors: str, cache: str = "no-cache") -> FileResponse:
    """A page that loads only its own scripts and styles and may be framed only by `frame_ancestors`."""
    return FileResponse(STATIC / name, headers={
        "Content-Security-Policy": f"frame-ancestors {frame_ancestors}; default-src 'self'; style-src 'self'",
        "X-Content-Type-Options": "nosniff", "Cache-Control": cache})
