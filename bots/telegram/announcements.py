"""/subscribe and /unsubscribe, and the loop that sends announcements from the outbox to subscribers
within Telegram's limits (under 30 messages a second overall)."""
from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from assistant.workspace import notices
from bots.telegram.asking import answer
from bots.telegram.context import KEY, bot_context, chat_lang, tell
from bots.telegram.formatting import pack
from bots.telegram.texts import say

log = logging.getLogger(__name__)
SEND_INTERVAL = 1 / 25  # seconds between two messages: Telegram allows about 30 a second


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/subscribe: announcements of new notices, plans and programs."""
    bot = bot_context(context)
    await asyncio.to_thread(bot.chats.subscribe, update.effective_chat.id)
    await tell(context, update.effective_chat.id, chat_lang(bot, update), "subscribed")


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unsubscribe."""
    bot = bot_context(context)
    await asyncio.to_thread(bot.chats.unsubscribe, update.effective_chat.id)
    await tell(context, update.effective_chat.id, chat_lang(bot, update), "unsubscribed")


def announce_programs(application: Application) -> None:
    """Queue an announcement for every open or upcoming program of the catalogue not announced yet."""
    bot = application.bot_data[KEY]
    today = date.today()
    for program in bot.service.programs:
        if program.status(today) != "closed":
            notices.announce(bot.database, "program", f"program:{program.id}", program.name.vi + " / " + program.name.en)


async def _deliver(application: Application, notice: dict) -> None:
    bot = application.bot_data[KEY]
    for chat_id, lang in await asyncio.to_thread(bot.chats.subscribers):
        title = notice["title"].split(" / ")[0 if lang == "vi" else -1]
        text = pack([(say(lang, f"announce_{notice['kind']}", title=title), "b"), (say(lang, "announce_ask"), "")])[0]
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(say(lang, "ask_about"), callback_data=f"nt:{notice['id']}")]])
        for _attempt in range(3):
            try:
                await application.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)
                break
            except RetryAfter as exc:
                delay = exc.retry_after
                await asyncio.sleep(delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay))
            except Forbidden:
                await asyncio.to_thread(bot.chats.set_blocked, chat_id, True)
                break
            except TelegramError as exc:
                log.warning("announcement %s to chat %s failed: %s", notice["id"], chat_id, exc)
                break
        await asyncio.sleep(SEND_INTERVAL)
    await asyncio.to_thread(notices.mark_sent, bot.database, notice["id"])


async def deliver_forever(application: Application) -> None:
    """Send what the outbox holds, then look again every `telegram_notice_seconds`."""
    bot = application.bot_data[KEY]
    worker = f"{socket.gethostname()}:{os.getpid()}"
    while True:
        try:
            for notice in await asyncio.to_thread(notices.claim, bot.database, worker):
                await _deliver(application, notice)
        except Exception:  # the loop must outlive a database hiccup
            log.exception("sending announcements failed; trying again later")
        await asyncio.sleep(bot.settings.telegram_notice_seconds)


def start_background(application: Application) -> None:
    """Start sending announcements (stopped by `stop_background`)."""
    application.bot_data["cnht_announcer"] = asyncio.create_task(deliver_forever(application))


async def stop_background(application: Application) -> None:
    """Stop sending announcements."""
    task = application.bot_data.pop("cnht_announcer", None)
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def ask_about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The button under an announcement: answer a question about the announced document or program."""
    bot = bot_context(context)
    await update.callback_query.answer()
    notice_id = (update.callback_query.data or "").partition(":")[2]
    title = await asyncio.to_thread(notices.title_of, bot.database, int(notice_id)) if notice_id.isdigit() else None
    if title:
        lang = chat_lang(bot, update)
        await answer(update, context, title.split(" / ")[0 if lang == "vi" else -1])
