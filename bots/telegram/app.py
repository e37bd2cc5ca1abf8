"""The bot's factory, and its two ways to run: long polling (`cnht telegram`), or a webhook inside
`cnht serve`. Neither lets Telegram's absence stop it: the bot connects with backoff (see connection.py)."""
from __future__ import annotations

import asyncio
import hmac
import logging
from concurrent.futures import ThreadPoolExecutor

from telegram import Update
from telegram.error import InvalidToken
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bots.rate_limits import RateLimiter
from bots.telegram.announcements import announce_programs, schedule_announcements
from bots.telegram.chats import ChatStore
from bots.telegram.connection import BotStatus, with_backoff
from bots.telegram.context import CONTEXT_TYPES, KEY, BotContext
from bots.telegram.handlers import register, register_commands

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
STATUS_KEY = "cnht_status"


class TelegramNotConfigured(RuntimeError):
    """No bot token is set."""


def build_bot(settings, service, database, webhook: bool = False) -> Application:
    """The bot for one data directory: handlers registered, its state in the database.
    With `webhook`, updates come from `feed_webhook` instead of polling."""
    if not settings.telegram_token:
        raise TelegramNotConfigured("CNHT_TELEGRAM_TOKEN is not set: create a bot with @BotFather and set its token")
    api = settings.telegram_api_url.rstrip("/")
    builder: ApplicationBuilder = (
        Application.builder()
        .token(settings.telegram_token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .context_types(CONTEXT_TYPES)
        .rate_limiter(AIORateLimiter(max_retries=2))
        .concurrent_updates(True)
        .connection_pool_size(64)
        .post_init(startup)
    )
    if webhook:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data[KEY] = BotContext(
        settings=settings,
        service=service,
        database=database,
        chats=ChatStore(database),
        limiter=RateLimiter(settings.telegram_rate_per_minute, database, "telegram"),
        store_threads=ThreadPoolExecutor(max_workers=4, thread_name_prefix="cnht-telegram-store"),
    )
    application.bot_data[STATUS_KEY] = BotStatus()
    register(application)
    return application


def bot_status(application: Application) -> BotStatus:
    """Where the bot stands (what /readyz reports)."""
    return application.bot_data[STATUS_KEY]


async def startup(application: Application) -> None:
    """Once the bot is up: the command menu, programs new to the catalogue announced, announcements sent."""
    await register_commands(application)
    await asyncio.to_thread(announce_programs, application)
    schedule_announcements(application)


async def connect(application: Application) -> None:
    """Initialise the bot (Telegram's getMe), retrying with backoff while Telegram cannot be reached;
    InvalidToken when Telegram refuses the token."""
    settings = application.bot_data[KEY].settings
    status = bot_status(application)
    status.move("connecting")
    await with_backoff(application.initialize, status, "connecting", settings.telegram_api_url)


async def run_webhook_bot(application: Application, settings) -> None:
    """The bot inside `cnht serve`, run as a background task: connect, start processing updates,
    register the command menu and the webhook (when a URL is set). Returns when running, or when the
    token is invalid (the web goes on without the bot)."""
    status = bot_status(application)
    try:
        await connect(application)
        await application.start()
        await startup(application)
        if settings.telegram_webhook_url:
            await with_backoff(
                lambda: application.bot.set_webhook(
                    settings.telegram_webhook_url, secret_token=settings.webhook_secret(), allowed_updates=Update.ALL_TYPES
                ),
                status, "registering the webhook", settings.telegram_api_url,
            )
            log.info("Telegram webhook registered at %s", settings.telegram_webhook_url)
    except InvalidToken:
        return
    status.move("running")
    log.info("Telegram bot @%s is running", application.bot.username)


async def stop_webhook_bot(application: Application, task: asyncio.Task | None) -> None:
    """Stop connecting (if still trying), stop processing and release the bot's connections."""
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    if application.running:
        await application.stop()
    await application.shutdown()
    bot_status(application).move("stopped")


def run_polling_bot(application: Application, poll_interval: float) -> bool:
    """`cnht telegram`: connect with backoff, then poll until interrupted. False (at once) when
    Telegram refuses the token."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(connect(application))
    except InvalidToken:
        loop.close()
        return False
    bot_status(application).move("running")
    application.run_polling(poll_interval=poll_interval, allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1)
    return True


def secret_matches(settings, header: str | None) -> bool:
    """Whether a webhook request carries the configured secret token."""
    return header is not None and hmac.compare_digest(header.encode(), settings.webhook_secret().encode())


async def feed_webhook(application: Application, data: dict) -> bool:
    """Queue one update received on the webhook, unless some replica (this one included) took the same
    update_id before; returns whether it was queued here."""
    update = Update.de_json(data, application.bot)
    context: BotContext = application.bot_data[KEY]
    if not await context.call(context.chats.claim_update, update.update_id):
        log.info("Telegram update %d was taken already (another replica, or delivered again)", update.update_id)
        return False
    await application.update_queue.put(update)
    return True
