"""/subscribe and /unsubscribe, and the JobQueue job that sends announcements from the outbox to
subscribers within Telegram's limits (under 30 messages a second overall)."""
from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from assistant.workspace import notices
from bots.telegram.asking import answer
from bots.telegram.context import CnhtContext, application_context, chat_lang, chat_of, query_of, tell
from bots.telegram.formatting import pack
from bots.telegram.texts import say

log = logging.getLogger(__name__)
SEND_INTERVAL = 1 / 25  # seconds between two messages: Telegram allows about 30 a second


async def subscribe(update: Update, context: CnhtContext) -> None:
    """/subscribe: announcements of new notices, plans and programs."""
    bot = context.cnht
    await bot.call(bot.chats.subscribe, chat_of(update).id)
    await tell(context, chat_of(update).id, await chat_lang(bot, update), "subscribed")


async def unsubscribe(update: Update, context: CnhtContext) -> None:
    """/unsubscribe."""
    bot = context.cnht
    await bot.call(bot.chats.unsubscribe, chat_of(update).id)
    await tell(context, chat_of(update).id, await chat_lang(bot, update), "unsubscribed")


def announce_programs(application: Application) -> None:
    """Queue an announcement for every open or upcoming program of the catalogue not announced yet."""
    bot = application_context(application)
    today = date.today()
    for program in bot.service.programs:
        if program.status(today) != "closed":
            notices.announce(bot.database, "program", f"program:{program.id}", program.name.vi + " / " + program.name.en)


async def _deliver(application: Application, notice: dict) -> None:
    bot = application_context(application)
    for chat_id, lang in await bot.call(bot.chats.subscribers):
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
                await bot.call(bot.chats.set_blocked, chat_id, True)
                break
            except TelegramError as exc:
                log.warning("announcement %s to chat %s failed: %s", notice["id"], chat_id, exc)
                break
        await asyncio.sleep(SEND_INTERVAL)
    await asyncio.to_thread(notices.mark_sent, bot.database, notice["id"])


async def deliver_announcements(context: CnhtContext) -> None:
    """The JobQueue job, every `telegram_notice_seconds`: send what the outbox holds (claimed, so one
    worker or replica sends each announcement)."""
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        for notice in await asyncio.to_thread(notices.claim, context.cnht.database, worker):
            await _deliver(context.application, notice)
    except Exception:  # the job must outlive a database hiccup
        log.exception("sending announcements failed; trying again later")


def schedule_announcements(application: Application) -> None:
    """Send announcements from the JobQueue (started and stopped with the application)."""
    if application.job_queue is None:
        raise RuntimeError("the Telegram bot needs PTB's job queue: install python-telegram-bot[job-queue]")
    application.job_queue.run_repeating(
        deliver_announcements, interval=application_context(application).settings.telegram_notice_seconds, first=0,
        name="announcements", job_kwargs={"max_instances": 1, "coalesce": True},
    )


async def ask_about(update: Update, context: CnhtContext) -> None:
    """The button under an announcement: answer a question about the announced document or program."""
    bot = context.cnht
    query = query_of(update)
    await query.answer()
    notice_id = (query.data or "").partition(":")[2]
    title = await asyncio.to_thread(notices.title_of, bot.database, int(notice_id)) if notice_id.isdigit() else None
    if title:
        lang = await chat_lang(bot, update)
        await answer(update, context, title.split(" / ")[0 if lang == "vi" else -1])
