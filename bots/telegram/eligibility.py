"""The eligibility check on Telegram: an explicit state machine whose state lives in the chat store
(see the README's design notes for why not PTB's ConversationHandler).

The state of one check is kept per (chat, user): a version, the steps so far (one profile per answered
question; None when no check is in progress) and the message asking the current question. Every
transition moves the version on with a compare-and-set, so with several workers or replicas a stale or
concurrent update loses instead of being applied twice:

  /eligibility, or the offer under an answer → steps [{}]; the first question
  a choice button of the current version    → a step more; the next question, or the verdicts (end)
  a typed answer (private chat; in a group, a reply to the bot) → the same, read like the web's
  ⬅️ back                                   → a step less; the question asked again
  ✖ cancel, or /cancel                       → end
  a message that reads as a question        → answered, then the current question again (no transition)
  a button of another version               → "this check has moved on"; its message loses the keyboard
  a button of another member's check        → "this check belongs to someone else"
"""
from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from assistant.eligibility.check import BadProfile, EligibilityReport
from assistant.eligibility.intent import reads_as_question
from assistant.eligibility.parsing import UnreadableAnswer
from assistant.workspace.analytics import record_check
from bots.telegram.asking import answer
from bots.telegram.context import CnhtContext, chat_lang, chat_of, message_of, query_of, send, tell, user_of
from bots.telegram.formatting import pack
from bots.telegram.texts import say

log = logging.getLogger(__name__)
STATUS_MARK = {"eligible": "✅", "not_eligible": "❌", "unknown": "❔", "closed": "⏹"}
NO_KEYBOARD = InlineKeyboardMarkup([])


def _encode(value) -> str:
    return {True: "true", False: "false"}.get(value, str(value)) if isinstance(value, bool) else str(value)


def _decode(text: str):
    return {"true": True, "false": False}.get(text, text)


def _data(owner: int, version: int, action: str) -> str:
    """A button of one step of one user's check: `el:OWNER:VERSION:ACTION` (under Telegram's 64 bytes)."""
    return f"el:{owner}:{version}:{action}"


async def _assess(context: CnhtContext, profile: dict, lang: str, field: str | None = None, text: str | None = None) -> EligibilityReport:
    return await asyncio.to_thread(context.cnht.service.eligibility, profile, lang, field, text)


async def _load(context: CnhtContext, chat_id: int, user_id: int) -> tuple[int, list[dict] | None, int | None]:
    return await context.cnht.call(context.cnht.chats.check, chat_id, user_id)


async def _save(context: CnhtContext, chat_id: int, user_id: int, version: int, history: list[dict] | None) -> int | None:
    return await context.cnht.call(context.cnht.chats.save_check, chat_id, user_id, version, history)


async def retire(context: CnhtContext, chat_id: int, message_id: int | None) -> None:
    """Take the buttons off a message of the check (best effort: it may be gone or unchanged)."""
    if message_id is None:
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=NO_KEYBOARD)
    except TelegramError as exc:
        log.debug("could not take the buttons off message %s in chat %s: %s", message_id, chat_id, exc)


def _in_group(update: Update) -> bool:
    return chat_of(update).type != ChatType.PRIVATE


async def start_check(update: Update, context: CnhtContext) -> None:
    """/eligibility (or the offer button under an answer): a new check for this user in this chat."""
    chat_id, user_id = chat_of(update).id, user_of(update).id
    if update.callback_query:
        await query_of(update).answer()
    lang = await chat_lang(context.cnht, update)
    for _attempt in range(3):  # another update may move the check on in between: read it again
        version, _history, message_id = await _load(context, chat_id, user_id)
        new_version = await _save(context, chat_id, user_id, version, [{}])
        if new_version is not None:
            break
    else:
        return
    await retire(context, chat_id, message_id)
    await tell(context, chat_id, lang, "check_intro")
    await present(update, context, new_version, [{}], await _assess(context, {}, lang))


async def present(update: Update, context: CnhtContext, version: int, history: list[dict], report: EligibilityReport,
                  problem: str = "", lead: str = "") -> None:
    """Ask the next question of the check at `version` whose steps are `history` and whose latest
    assessment is `report` (after `lead`, a line that says why it is asked again, and `problem`, why the
    last answer was not taken), or send the verdicts and end the check."""
    chat_id, user = chat_of(update).id, user_of(update)
    lang = report["lang"]
    question = report["next_question"]
    if question is None:
        if await _save(context, chat_id, user.id, version, None) is None:
            return  # another update ended or moved the check on; it answers instead
        await retire(context, chat_id, (await _load(context, chat_id, user.id))[2])
        await asyncio.to_thread(record_check, context.cnht.database, "telegram", lang, report["programs"])
        await send(context, chat_id, summary(report, lang))
        return
    lines = [(lead, "i")] if lead else []
    if _in_group(update):
        lines.append((say(lang, "check_for", name=user.first_name or user.username or str(user.id)), "i"))
    if problem:
        lines.append((problem, "i"))
    lines += [(say(lang, "check_step", n=len(history)), "i"), (question["text"], "b")]
    rows = [[InlineKeyboardButton(c["label"], callback_data=_data(user.id, version, f"a:{question['field']}:{_encode(c['value'])}"))]
            for c in question["choices"]]
    if not question["choices"]:
        lines.append((say(lang, "check_reply" if _in_group(update) else "check_type"), ""))
        if question["example"]:
            lines.append((say(lang, "example", example=question["example"]), "i"))
    controls = [InlineKeyboardButton(say(lang, "cancel"), callback_data=_data(user.id, version, "c"))]
    if len(history) > 1:
        controls.insert(0, InlineKeyboardButton(say(lang, "back"), callback_data=_data(user.id, version, "b")))
    reply_to = update.message.message_id if _in_group(update) and update.message else None
    sent = await send(context, chat_id, pack(lines), InlineKeyboardMarkup(rows + [controls]), reply_to=reply_to)
    if sent is not None:
        previous = await context.cnht.call(context.cnht.chats.set_check_message, chat_id, user.id, sent.message_id)
        if previous != sent.message_id:
            await retire(context, chat_id, previous)


async def _advance(update: Update, context: CnhtContext, version: int, history: list[dict], report: EligibilityReport) -> bool:
    """Store the step an answer made and ask the next question; False when the check had moved on."""
    history = [*history, report["profile"]]
    new_version = await _save(context, chat_of(update).id, user_of(update).id, version, history)
    if new_version is None:
        return False
    await present(update, context, new_version, history, report)
    return True


async def _moved_on(update: Update, context: CnhtContext, lang: str) -> None:
    """A stale button: say so, and take the buttons off its message."""
    query = query_of(update)
    await query.answer(say(lang, "check_moved_on"), show_alert=False)
    if query.message is not None:
        await retire(context, chat_of(update).id, query.message.message_id)


async def check_button(update: Update, context: CnhtContext) -> None:
    """A choice, back or cancel pressed under a question of the check (or the offer to start one)."""
    query = query_of(update)
    parts = (query.data or "").split(":", 3)
    if parts[1:2] == ["start"]:
        await start_check(update, context)
        return
    lang = await chat_lang(context.cnht, update)
    if len(parts) != 4 or not parts[1].lstrip("-").isdigit() or not parts[2].isdigit():
        await _moved_on(update, context, lang)
        return
    owner, pressed_version, action = int(parts[1]), int(parts[2]), parts[3]
    chat_id = chat_of(update).id
    if owner != user_of(update).id:
        await query.answer(say(lang, "not_your_check"), show_alert=True)
        return
    version, history, _message = await _load(context, chat_id, owner)
    if history is None or version != pressed_version:
        await _moved_on(update, context, lang)
        return
    if action == "c":
        if await _save(context, chat_id, owner, version, None) is None:
            await _moved_on(update, context, lang)
            return
        await query.answer()
        await retire(context, chat_id, query.message.message_id if query.message else None)
        await tell(context, chat_id, lang, "check_cancelled")
        return
    if action == "b":
        steps = history[:-1] if len(history) > 1 else history
        new_version = await _save(context, chat_id, owner, version, steps)
        if new_version is None:
            await _moved_on(update, context, lang)
            return
        await query.answer()
        await present(update, context, new_version, steps, await _assess(context, steps[-1], lang))
        return
    field, _, value = action.removeprefix("a:").partition(":")
    try:
        report = await _assess(context, {**history[-1], field: _decode(value)}, lang)
    except BadProfile:  # a button whose field or value this step does not take
        await _moved_on(update, context, lang)
        return
    await query.answer()
    if not await _advance(update, context, version, history, report):
        await tell(context, chat_id, lang, "check_moved_on")


async def typed_answer(update: Update, context: CnhtContext) -> bool:
    """A text message from a user whose check is in progress in this chat (in a group: a reply to the
    bot): a question is answered and the check's question asked again; anything else is read as the
    answer to the current question. False when no check is waiting for this user."""
    message = message_of(update)
    if _in_group(update):
        reply = message.reply_to_message
        if reply is None or reply.from_user is None or reply.from_user.id != context.bot.id:
            return False
    if update.effective_user is None:  # a channel's post: nobody's check
        return False
    chat_id, user_id = chat_of(update).id, update.effective_user.id
    version, history, _message = await _load(context, chat_id, user_id)
    if history is None:
        return False
    lang = await chat_lang(context.cnht, update)
    text = message.text or ""
    current = await _assess(context, history[-1], lang)
    if reads_as_question(text):
        await answer(update, context, text)
        await present(update, context, version, history, current, lead=say(lang, "check_back"))
        return True
    question = current["next_question"]
    if question is None:  # nothing left to ask: finish
        await present(update, context, version, history, current)
        return True
    try:
        report = await _assess(context, history[-1], lang, question["field"], text)
    except UnreadableAnswer as exc:
        await present(update, context, version, history, current, problem=str(exc))
        return True
    if not await _advance(update, context, version, history, report):
        await tell(context, chat_id, lang, "check_moved_on")
    return True


async def cancel_command(update: Update, context: CnhtContext) -> None:
    """/cancel: leave the check in progress (or say there is nothing to cancel)."""
    chat_id, user_id = chat_of(update).id, user_of(update).id
    lang = await chat_lang(context.cnht, update)
    version, history, message_id = await _load(context, chat_id, user_id)
    if history is None or await _save(context, chat_id, user_id, version, None) is None:
        await tell(context, chat_id, lang, "nothing_to_cancel")
        return
    await retire(context, chat_id, message_id)
    await tell(context, chat_id, lang, "check_cancelled")


def summary(report: EligibilityReport, lang: str) -> list[str]:
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
                answered = f" ({say(lang, 'your_answer', value=reason['your_answer'])})" if reason["your_answer"] else ""
                lines.append((f"{mark} {reason['explain']}{answered} [{where}]", ""))
        if status == "eligible":
            lines.append((say(lang, "prepare"), "i"))
            lines += [(f"• {d}", "") for d in program["documents"]]
            lines.append((say(lang, "apply_at", where=program["apply"]), ""))
    return pack(lines)
