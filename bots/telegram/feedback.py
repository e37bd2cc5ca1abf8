"""👍/👎 under an answer: one vote per user per answer, which the user may change; stored as feedback
like the web's, and shown on the message (the buttons carry the counts)."""
from __future__ import annotations

import asyncio
import logging
import threading
import weakref

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from assistant.db.records import change_feedback, record_feedback
from bots.telegram.context import BotContext, CnhtContext, chat_lang, query_of, user_of
from bots.telegram.texts import say

log = logging.getLogger(__name__)
MARKS = {"up": "👍", "down": "👎"}


_VOTING = threading.Lock()  # a double press must not store two feedback rows
# One user's presses on one answer are handled one at a time, in the order they arrived (asyncio locks
# queue their waiters first come, first served): updates run concurrently, and a quick 👎 then 👍 must end
# as 👍, with the counts shown for it.
_PRESSES: weakref.WeakValueDictionary[tuple[str, int], asyncio.Lock] = weakref.WeakValueDictionary()


def _store_vote(bot: BotContext, answer_id: str, user_id: int, rating: str) -> str | None:
    """Store a user's vote (blocking): their first vote on an answer as feedback, a changed one by
    changing that feedback. Returns the user's previous rating (None for a first vote)."""
    with _VOTING:
        previous, feedback_id = bot.chats.vote(answer_id, user_id, rating)
        if previous == rating:
            return previous
        if feedback_id is None:
            feedback_id = record_feedback(bot.database, answer_id, rating)
            if feedback_id is not None:
                bot.chats.set_vote_feedback(answer_id, user_id, feedback_id)
        else:
            change_feedback(bot.database, feedback_id, rating)
    return previous


def feedback_row(answer_id: str, tally: dict[str, int]) -> list[InlineKeyboardButton]:
    """The two feedback buttons of an answer, each with its count once someone voted."""
    return [
        InlineKeyboardButton(f"{mark} {tally[rating]}" if tally[rating] else mark, callback_data=f"fb:{answer_id}:{rating}")
        for rating, mark in MARKS.items()
    ]


def _with_tally(markup: InlineKeyboardMarkup | None, answer_id: str, tally: dict[str, int]) -> InlineKeyboardMarkup:
    """The message's keyboard with its feedback row showing `tally`."""
    rows = [list(row) for row in (markup.inline_keyboard if markup else ())]
    rows = [row for row in rows if not any(isinstance(b.callback_data, str) and b.callback_data.startswith("fb:") for b in row)]
    return InlineKeyboardMarkup([*rows, feedback_row(answer_id, tally)])


async def vote(update: Update, context: CnhtContext) -> None:
    """A 👍 or 👎 pressed: store (or change) this user's vote and show the counts on the message."""
    parts = (query_of(update).data or "").split(":")
    answer_id, rating = (parts[1], parts[2]) if len(parts) == 3 else ("", "")
    lock = _PRESSES.setdefault((answer_id, user_of(update).id), asyncio.Lock())
    async with lock:  # taken before the first await: presses keep their order
        await _vote(update, context, answer_id, rating)


async def _vote(update: Update, context: CnhtContext, answer_id: str, rating: str) -> None:
    bot = context.cnht
    query = query_of(update)
    lang = await chat_lang(bot, update)
    if rating not in MARKS:
        await query.answer()
        return
    user_id = user_of(update).id
    previous = await asyncio.to_thread(_store_vote, bot, answer_id, user_id, rating)
    if previous == rating:
        await query.answer(say(lang, "vote_kept", mark=MARKS[rating]))
        return
    await query.answer(say(lang, "vote_saved", mark=MARKS[rating]))
    if not isinstance(query.message, Message):  # gone, or too old for the bot to edit
        return
    tally = await bot.call(bot.chats.tally, answer_id)
    try:
        await query.edit_message_reply_markup(_with_tally(query.message.reply_markup, answer_id, tally))
    except TelegramError as exc:
        log.debug("could not show the votes on message %s: %s", query.message.message_id, exc)
