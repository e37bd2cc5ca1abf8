"""The composition root: the API, the web chat and the widget in one ASGI app."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "web" / "static"


def server_from_environment() -> FastAPI:
    """App factory for `uvicorn --factory` worker processes: settings from CNHT_* variables."""
    from assistant.settings import Settings

    return create_server(Settings())


def create_server(settings, service=None, database=None) -> FastAPI:
    """API + pages for one data directory; a test passes its own service and database."""
    from assistant.api.app import create_app
    from assistant.db.database import open_database
    from assistant.service import build_services

    service = service or build_services(settings)
    database = database or open_database(settings)
    app = create_app(service, database, settings)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    ancestors = " ".join(["'self'", *settings.allowed_origins()])

    @app.get("/", include_in_schema=False)
    def index():
        """The chat page (framable only by the configured origins)."""
        return FileResponse(
            STATIC / "index.html",
            headers={"Content-Security-Policy": f"frame-ancestors {ancestors}; default-src 'self'; style-src 'self'",
                     "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
        )

    @app.get("/widget.js", include_in_schema=False)
    def widget():
        """The embeddable widget script."""
        return FileResponse(STATIC / "widget.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    return app
