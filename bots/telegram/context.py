"""What every handler shares: the bot's context, the chat's language, and sending that survives a
user who blocked the bot."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden
from telegram.ext import ContextTypes

from assistant.db.database import Database
from assistant.service import AssistantService
from assistant.settings import Settings
from bots.rate_limits import RateLimiter
from bots.telegram.chats import ChatStore
from bots.telegram.formatting import pack
from bots.telegram.texts import say

log = logging.getLogger(__name__)
KEY = "cnht"


@dataclass
class BotContext:
    """What the handlers share, kept in `application.bot_data[KEY]`."""

    settings: Settings
    service: AssistantService
    database: Database
    chats: ChatStore
    limiter: RateLimiter


def bot_context(context: ContextTypes.DEFAULT_TYPE) -> BotContext:
    return context.application.bot_data[KEY]


def chat_lang(bot: BotContext, update: Update) -> str:
    """The chat's chosen language, else the user's Telegram language, else Vietnamese."""
    chosen = bot.chats.lang(update.effective_chat.id) if update.effective_chat else None
    if chosen:
        return chosen
    code = (update.effective_user.language_code or "") if update.effective_user else ""
    return "en" if code and not code.startswith("vi") else "vi"


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("🇻🇳 Tiếng Việt", callback_data="lang:vi"), InlineKeyboardButton("🇬🇧 English", callback_data="lang:en")]]
    )


async def send(context: ContextTypes.DEFAULT_TYPE, chat_id: int, texts: list[str], markup=None) -> bool:
    """Send messages (the keyboard on the last); False when the user blocked the bot or left."""
    try:
        for i, text in enumerate(texts):
            await context.bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup if i == len(texts) - 1 else None
            )
    except Forbidden:
        log.info("chat %s blocked the bot or removed it; not writing to it again until it comes back", chat_id)
        await asyncio.to_thread(bot_context(context).chats.set_blocked, chat_id, True)
        return False
    return True


async def tell(context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str, key: str, markup=None, **values) -> bool:
    """Send one of the bot's sentences (see `texts.py`), escaped and split like any message."""
    return await send(context, chat_id, pack([(say(lang, key, **values), "")]), markup)
