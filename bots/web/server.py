"""The server: the API, the workspace, the web chat, the widget (and the Telegram webhook) in one ASGI app."""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from assistant.runtime import Runtime, build_runtime
from assistant.settings import Settings
from assistant.workspace.uploads import UploadQueue
from bots.web.admin import router as admin_router
from bots.web.app import create_app
from bots.web.limits import error
from bots.web.pages import STATIC, static_page
from bots.web.vendor import plotly_css, plotly_js, plotly_style_guard


def server_from_environment() -> FastAPI:
    """App factory for `uvicorn --factory` worker processes: settings from CNHT_* variables."""
    return create_server(build_runtime(Settings(), warm=True))


def create_server(runtime: Runtime) -> FastAPI:
    """API + workspace + pages (+ the Telegram webhook when a bot token is set) over one runtime."""
    settings, service, database = runtime.settings, runtime.service, runtime.database
    app = create_app(service, database, settings)
    app.state.uploads = UploadQueue(service.kb, settings, database)  # the workspace's uploads, ingested off the event loop
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    ancestors = " ".join(["'self'", *settings.allowed_origins()])

    @app.get("/", include_in_schema=False)
    def index():
        """The chat page (framable only by the configured origins)."""
        return static_page("index.html", ancestors)

    @app.get("/eligibility", include_in_schema=False)
    def eligibility_page():
        """The eligibility check, one question at a time."""
        return static_page("eligibility.html", ancestors)

    @app.get("/widget.js", include_in_schema=False)
    def widget():
        """The embeddable widget script."""
        return FileResponse(STATIC / "widget.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    app.include_router(admin_router)

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def charting_library():
        """The charting library of the workspace, from the installed plotly package (no CDN)."""
        return Response(plotly_js(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    @app.get("/vendor/plotly.css", include_in_schema=False)
    def charting_styles():
        """The charting library's own styles as a stylesheet, so the page's CSP need not allow inline styles."""
        return Response(plotly_css(), media_type="text/css", headers={"Cache-Control": "max-age=86400"})

    @app.get("/vendor/plotly-styles.js", include_in_schema=False)
    def charting_style_guard():
        """Run before the charting library: tells it that the styles it bundles are already served."""
        return Response(plotly_style_guard(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    if settings.telegram_token:
        _add_telegram(app, settings, service, database)
    return app


def _add_telegram(app: FastAPI, settings, service, database) -> None:
    """The bot inside the server: it connects in the background (the web serves meanwhile, whatever
    Telegram does); updates arrive on the webhook route, checked against the secret."""
    from bots.telegram.app import (  # noqa: PLC0415 — the bot runs only when a token is set
        SECRET_HEADER,
        WEBHOOK_PATH,
        bot_status,
        build_bot,
        feed_webhook,
        run_webhook_bot,
        secret_matches,
        stop_webhook_bot,
    )

    bot = build_bot(settings, service, database, webhook=True)
    app.state.telegram = bot
    app.state.telegram_status = bot_status(bot)

    @asynccontextmanager
    async def lifespan(_app):
        task = asyncio.create_task(run_webhook_bot(bot, settings))
        try:
            yield
        finally:
            await stop_webhook_bot(bot, task)

    app.router.lifespan_context = lifespan

    @app.post(WEBHOOK_PATH, include_in_schema=False)
    async def telegram_webhook(request: Request):
        """Updates from Telegram; anything without the secret token is refused, and while the bot is
        not running Telegram is asked to deliver again later (503)."""
        if not secret_matches(settings, request.headers.get(SECRET_HEADER)):
            return error(403, "forbidden", "wrong or missing secret token")
        try:
            data = await request.json()
        except ValueError:
            return error(400, "malformed_json", "the update is not valid JSON")
        invalid = error(422, "invalid_update", "not a Telegram update")
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            return invalid
        if not bot.running:
            status = bot_status(bot)
            return error(503, "bot_unavailable", f"the bot is {status.state}")
        try:
            await feed_webhook(bot, data)
        except (AttributeError, KeyError, TypeError, ValueError):  # a field of the wrong shape inside the update
            return invalid
        return {"ok": True}
