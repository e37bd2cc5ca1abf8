"""A question answered on Telegram: rate limit (told once per window), typing indicator, the
assistant's answer as HTML with its citations, source and feedback buttons, and the offer of an
eligibility check when it fits."""
from __future__ import annotations

import asyncio
import math
import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.error import Forbidden, TelegramError
from telegram.ext import CallbackContext

from assistant.conversation.sessions import telegram_conversation_id
from assistant.db.records import citation_dicts
from bots.telegram.context import bot_context, chat_lang, chat_of, log, send, tell
from bots.telegram.feedback import feedback_row
from bots.telegram.formatting import answer_messages
from bots.telegram.texts import say

MAX_SOURCE_BUTTONS = 5


def conversation_id(update: Update) -> str:
    """The conversation a chat's questions belong to: the assistant reads each follow-up against all
    of its recent turns (a group's members share one conversation, as they share the chat)."""
    return telegram_conversation_id(chat_of(update).id)


async def answer(update: Update, context: CallbackContext, question: str) -> None:
    """Answer a question with its citations, source buttons and feedback buttons."""
    bot = bot_context(context)
    chat_id = chat_of(update).id
    question = " ".join(question.split())
    if not question:
        return
    lang = await chat_lang(bot, update)
    if len(question) > bot.settings.max_question_chars:
        await tell(context, chat_id, lang, "too_long", limit=bot.settings.max_question_chars)
        return
    client = f"telegram:{update.effective_user.id if update.effective_user else chat_id}"
    wait = await bot.call(bot.limiter.take, client)
    if wait:
        if await bot.call(bot.chats.first_notice, client, time.time() + wait):
            await tell(context, chat_id, lang, "rate_limited", seconds=math.ceil(wait))
        return
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    except Forbidden:
        await bot.call(bot.chats.set_blocked, chat_id, True)
        return
    except TelegramError as exc:  # the indicator is a courtesy; the answer matters
        log.debug("typing indicator failed: %s", exc)
    session_id = conversation_id(update)
    reply = await asyncio.to_thread(bot.service.ask, question, session_id, None, "telegram")  # stores the turn
    answer_id = reply.answer_id
    citations = citation_dicts(reply)
    buttons = [
        InlineKeyboardButton(say(reply.lang, "source_button", n=c["n"]), callback_data=f"src:{answer_id}:{c['n']}")
        for c in citations[:MAX_SOURCE_BUTTONS]
    ]
    feedback = feedback_row(answer_id, {"up": 0, "down": 0})
    rows = [buttons, feedback] if buttons else [feedback]
    if "eligibility" in reply.offers:
        rows.insert(0, [InlineKeyboardButton(say(reply.lang, "check_offer"), callback_data="el:start")])
    markup = InlineKeyboardMarkup(rows)
    await send(context, chat_id, answer_messages(reply.answer, citations, reply.lang), markup)
