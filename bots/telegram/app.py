"""The bot's factory, and its two ways to run: long polling, or a webhook inside `cnht serve`."""
from __future__ import annotations

import asyncio
import hmac
import logging

from telegram import Update
from telegram.ext import Application, ApplicationBuilder

from bots.rate_limits import RateLimiter
from bots.telegram.announcements import (
    announce_programs,
    start_background,
    stop_background,
)
from bots.telegram.chats import ChatStore
from bots.telegram.context import KEY, BotContext
from bots.telegram.handlers import register, register_commands

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramNotConfigured(RuntimeError):
    """No bot token is set."""


def build_bot(settings, service, database, webhook: bool = False) -> Application:
    """The bot for one data directory: handlers registered, state under `settings.data_dir`.
    With `webhook`, updates come from `feed_webhook` instead of polling."""
    if not settings.telegram_token:
        raise TelegramNotConfigured("CNHT_TELEGRAM_TOKEN is not set: create a bot with @BotFather and set its token")
    api = settings.telegram_api_url.rstrip("/")
    builder: ApplicationBuilder = (
        Application.builder()
        .token(settings.telegram_token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .concurrent_updates(True)
        .connection_pool_size(64)
        .post_init(startup)
        .post_stop(stop_background)
    )
    if webhook:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data[KEY] = BotContext(
        settings=settings,
        service=service,
        database=database,
        chats=ChatStore(settings.data_dir / "telegram.sqlite"),
        limiter=RateLimiter(settings.telegram_rate_per_minute, settings.data_dir / "limits.sqlite", "telegram"),
    )
    register(application)
    return application


async def startup(application: Application) -> None:
    """Once the bot is up: the command menu, programs new to the catalogue announced, announcements sent."""
    await register_commands(application)
    await asyncio.to_thread(announce_programs, application)
    start_background(application)


async def start_webhook(application: Application, settings) -> None:
    """Start processing webhook updates; register the webhook with Telegram when a URL is set."""
    await application.initialize()
    await application.start()
    await startup(application)
    if settings.telegram_webhook_url:
        await application.bot.set_webhook(
            settings.telegram_webhook_url, secret_token=settings.webhook_secret(), allowed_updates=Update.ALL_TYPES
        )
        log.info("Telegram webhook registered at %s", settings.telegram_webhook_url)


async def stop_webhook(application: Application) -> None:
    """Stop processing and release the bot's connections."""
    await stop_background(application)
    await application.stop()
    await application.shutdown()


def secret_matches(settings, header: str | None) -> bool:
    """Whether a webhook request carries the configured secret token."""
    return header is not None and hmac.compare_digest(header.encode(), settings.webhook_secret().encode())


async def feed_webhook(application: Application, data: dict) -> None:
    """Queue one update received on the webhook."""
    await application.update_queue.put(Update.de_json(data, application.bot))
