"""What every handler shares: the bot's context, the chat's language, and sending that survives a
user who blocked the bot."""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from telegram import CallbackQuery, Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ParseMode
from telegram.error import Forbidden
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

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
    store_threads: ThreadPoolExecutor

    async def call(self, function, *args):
        """A blocking store call (the chat store's or the rate limiter's database) run off the event loop on
        the bot's own threads, so it never waits behind answers being worked out on the default ones."""
        return await asyncio.get_running_loop().run_in_executor(self.store_threads, partial(function, *args))


class CnhtContext(CallbackContext[ExtBot, dict, dict, dict]):
    """The context every handler receives (registered through `CONTEXT_TYPES`): PTB's, plus `cnht`,
    the assistant's services."""

    @property
    def cnht(self) -> BotContext:
        """The bot's shared services."""
        return self.bot_data[KEY]


CONTEXT_TYPES = ContextTypes(context=CnhtContext)


def bot_context(context: CallbackContext) -> BotContext:
    """The bot's shared services, from any handler's context."""
    return context.application.bot_data[KEY]


def application_context(application: Application) -> BotContext:
    """The bot's shared services, from the application (jobs, startup)."""
    return application.bot_data[KEY]


def chat_of(update: Update) -> Chat:
    """The chat an update happened in. Every update the bot's handlers take has one: messages, commands,
    membership changes and presses of buttons under the bot's own messages (the bot takes no inline-mode
    updates, the only ones without a chat)."""
    if update.effective_chat is None:
        raise ValueError(f"update {update.update_id} has no chat")
    return update.effective_chat


def user_of(update: Update) -> User:
    """The user who sent an update: every button press has one, and every message except a channel's post
    (the handlers that need a sender are for users' commands and buttons)."""
    if update.effective_user is None:
        raise ValueError(f"update {update.update_id} has no sender")
    return update.effective_user


def message_of(update: Update) -> Message:
    """The message of an update taken by a `MessageHandler` or `CommandHandler` (which take no other)."""
    if update.effective_message is None:
        raise ValueError(f"update {update.update_id} has no message")
    return update.effective_message


def query_of(update: Update) -> CallbackQuery:
    """The button press of an update taken by a `CallbackQueryHandler` (which takes no other)."""
    if update.callback_query is None:
        raise ValueError(f"update {update.update_id} is not a button press")
    return update.callback_query


async def chat_lang(bot: BotContext, update: Update) -> str:
    """The chat's chosen language, else the user's Telegram language, else Vietnamese."""
    chosen = await bot.call(bot.chats.lang, update.effective_chat.id) if update.effective_chat else None
    if chosen:
        return chosen
    code = (update.effective_user.language_code or "") if update.effective_user else ""
    return "en" if code and not code.startswith("vi") else "vi"


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("🇻🇳 Tiếng Việt", callback_data="lang:vi"), InlineKeyboardButton("🇬🇧 English", callback_data="lang:en")]]
    )


async def send(context: CallbackContext, chat_id: int, texts: list[str], markup=None,
               reply_to: int | None = None) -> Message | None:
    """Send messages (the keyboard on the last; the first as a reply to message `reply_to`, if given).
    Returns the last message sent; None when the user blocked the bot or left."""
    sent = None
    try:
        for i, text in enumerate(texts):
            sent = await context.bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup if i == len(texts) - 1 else None,
                reply_to_message_id=reply_to if i == 0 else None, allow_sending_without_reply=True,
            )
    except Forbidden:
        log.info("chat %s blocked the bot or removed it; not writing to it again until it comes back", chat_id)
        bot = bot_context(context)
        await bot.call(bot.chats.set_blocked, chat_id, True)
        return None
    return sent


async def tell(context: CallbackContext, chat_id: int, lang: str, key: str, markup=None, **values) -> Message | None:
    """Send one of the bot's sentences (see `texts.py`), escaped and split like any message."""
    return await send(context, chat_id, pack([(say(lang, key, **values), "")]), markup)
