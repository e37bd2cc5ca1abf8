"""The eligibility check on Telegram: one question at a time (inline keyboards for choices, typed
numbers read like the web's), back and cancel, a summary with reasons and citations at the end. Each
step is stored, so a check interrupted by a restart resumes where it stopped."""
from __future__ import annotations

import asyncio

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from assistant.eligibility.check import BadProfile
from assistant.eligibility.parsing import UnreadableAnswer
from assistant.workspace.analytics import record_check
from bots.telegram.context import bot_context, chat_lang, send, tell
from bots.telegram.formatting import pack
from bots.telegram.texts import say

STATUS_MARK = {"eligible": "✅", "not_eligible": "❌", "unknown": "❔", "closed": "⏹"}


def _encode(value) -> str:
    return {True: "true", False: "false"}.get(value, str(value)) if isinstance(value, bool) else str(value)


def _decode(text: str):
    return {"true": True, "false": False}.get(text, text)


async def _assess(bot, profile: dict, lang: str, field: str | None = None, text: str | None = None) -> dict:
    return await asyncio.to_thread(bot.service.eligibility, profile, lang, field, text)


async def start_check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/eligibility (or the offer button under an answer): a new check."""
    bot = bot_context(context)
    chat_id = update.effective_chat.id
    if update.callback_query:
        await update.callback_query.answer()
    lang = chat_lang(bot, update)
    await asyncio.to_thread(bot.chats.save_check, chat_id, [{}])
    await tell(context, chat_id, lang, "check_intro")
    await present(update, context, [{}], await _assess(bot, {}, lang))


async def present(update: Update, context: ContextTypes.DEFAULT_TYPE, history: list[dict], report: dict,
                  problem: str = "") -> None:
    """Ask the next question of the check whose steps are `history` and whose latest assessment is
    `report`, or send the summary and end the check."""
    bot = bot_context(context)
    chat_id = update.effective_chat.id
    lang = report["lang"]
    question = report["next_question"]
    if question is None:
        await asyncio.to_thread(bot.chats.end_check, chat_id)
        await asyncio.to_thread(record_check, bot.database, "telegram", lang, report["programs"])
        await send(context, chat_id, summary(report, lang))
        return
    lines = [(problem, "i")] if problem else []
    lines += [(say(lang, "check_step", n=len(history)), "i"), (question["text"], "b")]
    rows = [[InlineKeyboardButton(c["label"], callback_data=f"el:{question['field']}:{_encode(c['value'])}")]
            for c in question["choices"]]
    if not question["choices"]:
        lines.append((say(lang, "check_type"), ""))
        if question["example"]:
            lines.append((say(lang, "example", example=question["example"]), "i"))
    controls = [InlineKeyboardButton(say(lang, "cancel"), callback_data="el:cancel")]
    if len(history) > 1:
        controls.insert(0, InlineKeyboardButton(say(lang, "back"), callback_data="el:back"))
    await send(context, chat_id, pack(lines), InlineKeyboardMarkup(rows + [controls]))


async def _advance(update: Update, context: ContextTypes.DEFAULT_TYPE, history: list[dict], report: dict) -> None:
    """Store the step an answer made and ask the next question."""
    history = [*history, report["profile"]]
    await asyncio.to_thread(bot_context(context).chats.save_check, update.effective_chat.id, history)
    await present(update, context, history, report)


async def check_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A choice, back or cancel pressed under a question of the check."""
    bot = bot_context(context)
    query = update.callback_query
    chat_id = update.effective_chat.id
    _, _, rest = (query.data or "").partition(":")
    await query.answer()
    if rest == "start":
        await start_check(update, context)
        return
    history = await asyncio.to_thread(bot.chats.check, chat_id)
    if history is None:  # a button of a check that ended: start again
        await start_check(update, context)
        return
    lang = chat_lang(bot, update)
    if rest == "cancel":
        await asyncio.to_thread(bot.chats.end_check, chat_id)
        await tell(context, chat_id, lang, "check_cancelled")
        return
    if rest == "back":
        if len(history) > 1:
            history.pop()
            await asyncio.to_thread(bot.chats.save_check, chat_id, history)
        await present(update, context, history, await _assess(bot, history[-1], lang))
        return
    field, _, value = rest.partition(":")
    try:
        report = await _assess(bot, {**history[-1], field: _decode(value)}, lang)
    except BadProfile:  # a button from an older question: ask the current one
        await present(update, context, history, await _assess(bot, history[-1], lang))
        return
    await _advance(update, context, history, report)


async def typed_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Read a private message as the answer to the check's current question; False when no check is
    waiting for a typed answer (the message is then a question for the assistant)."""
    if update.effective_chat.type != ChatType.PRIVATE:
        return False
    bot = bot_context(context)
    history = await asyncio.to_thread(bot.chats.check, update.effective_chat.id)
    if history is None:
        return False
    lang = chat_lang(bot, update)
    current = await _assess(bot, history[-1], lang)
    question = current["next_question"]
    if question is None or question["choices"]:
        return False
    try:
        report = await _assess(bot, history[-1], lang, question["field"], update.effective_message.text or "")
    except UnreadableAnswer as exc:
        await present(update, context, history, current, problem=str(exc))
        return True
    await _advance(update, context, history, report)
    return True


def summary(report: dict, lang: str) -> list[str]:
    """The verdicts as messages: each program with its status, the reasons that decided it and their
    citations; for an eligible one, what to prepare and where to apply."""
    lines: list[tuple[str, str]] = [(say(lang, "check_title"), "b")]
    for program in report["programs"]:
        status = program["status"]
        lines += [("", ""), (f"{STATUS_MARK[status]} {program['name']} — {say(lang, status)}", "b")]
        for reason in program["reasons"]:
            if status == "eligible" or reason["met"] is not True:
                mark = {True: "✓", False: "✗", None: "?"}[reason["met"]]
                cite = reason["citation"]
                where = ", ".join(x for x in (cite["doc_number"] or cite["title"] or cite["doc_id"], cite["section"]) if x)
                answer = f" ({say(lang, 'your_answer', value=reason['your_answer'])})" if reason["your_answer"] else ""
                lines.append((f"{mark} {reason['explain']}{answer} [{where}]", ""))
        if status == "eligible":
            lines.append((say(lang, "prepare"), "i"))
            lines += [(f"• {d}", "") for d in program["documents"]]
            lines.append((say(lang, "apply_at", where=program["apply"]), ""))
    return pack(lines)
