"""What the bot does with each kind of update. Every handler is registered in `register`:

- group 0 (`CHECK_GROUP`): a text message from a user whose eligibility check is in progress goes to
  the check, which stops the update there (`ApplicationHandlerStop`);
- group 1 (`MAIN_GROUP`): commands (unknown ones included), one `CallbackQueryHandler` per callback
  prefix, questions, anything that is not text, and membership changes.
"""
from __future__ import annotations

import asyncio
import logging
import re
from datetime import date

from telegram import (
    BotCommand,
    ChatMember,
    Update,
)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from assistant.db.records import stored_citations
from bots.telegram.announcements import ask_about, subscribe, unsubscribe
from bots.telegram.asking import answer
from bots.telegram.context import (
    CnhtContext,
    chat_lang,
    chat_of,
    language_keyboard,
    message_of,
    query_of,
    send,
    tell,
)
from bots.telegram.eligibility import cancel_command, check_button, start_check, typed_answer
from bots.telegram.feedback import vote
from bots.telegram.formatting import pack, source_messages
from bots.telegram.texts import say

log = logging.getLogger(__name__)
COMMANDS = ("start", "ask", "eligibility", "programs", "subscribe", "unsubscribe", "lang", "help", "cancel")
CHECK_GROUP, MAIN_GROUP = 0, 1


async def start(update: Update, context: CnhtContext) -> None:
    """Greet and offer the language."""
    bot = context.cnht
    await bot.call(bot.chats.set_blocked, chat_of(update).id, False)
    lang = await chat_lang(bot, update)
    agency = bot.settings.agency_name_vi if lang == "vi" else bot.settings.agency_name_en
    await tell(context, chat_of(update).id, lang, "greeting", language_keyboard(), agency=agency)


async def choose_language(update: Update, context: CnhtContext) -> None:
    """/lang: offer the two languages."""
    lang = await chat_lang(context.cnht, update)
    await tell(context, chat_of(update).id, lang, "choose_lang", language_keyboard())


async def help_command(update: Update, context: CnhtContext) -> None:
    """/help: how to ask."""
    lang = await chat_lang(context.cnht, update)
    await tell(context, chat_of(update).id, lang, "help", username=context.bot.username)


async def programs_command(update: Update, context: CnhtContext) -> None:
    """/programs: the support programs with their status today."""
    bot = context.cnht
    lang = await chat_lang(bot, update)
    if not bot.service.programs:
        await tell(context, chat_of(update).id, lang, "programs_none")
        return
    today = date.today()
    lines: list[tuple[str, str]] = [(say(lang, "programs_title"), "b")]
    for program in bot.service.programs:
        status = program.status(today)
        detail = say(lang, f"status_{status}")
        if status == "upcoming" and program.opens:
            detail += ", " + say(lang, "from", date=program.opens.strftime("%d/%m/%Y"))
        elif program.closes:
            detail += ", " + say(lang, "until", date=program.closes.strftime("%d/%m/%Y"))
        if program.sample:
            detail += f" ({say(lang, 'sample')})"
        lines += [("", ""), (f"• {program.name.get(lang)}", "b"), (detail, "i"), (program.summary.get(lang), "")]
    await send(context, chat_of(update).id, pack(lines))


def _mentioned(update: Update, username: str) -> str | None:
    """In a group: the text without the bot's @mention when the bot is mentioned or replied to, else None."""
    message = message_of(update)
    text = message.text or ""
    reply = message.reply_to_message
    mention = re.compile(rf"@{re.escape(username)}\b", re.IGNORECASE)
    if mention.search(text):
        return mention.sub(" ", text)
    if reply is not None and reply.from_user is not None and reply.from_user.username == username:
        return text
    return None


async def continue_check(update: Update, context: CnhtContext) -> None:
    """Group 0: a text message that belongs to the sender's eligibility check stops here."""
    if await typed_answer(update, context):
        raise ApplicationHandlerStop


async def text_message(update: Update, context: CnhtContext) -> None:
    """Any plain text is a question; in a group only when the bot is mentioned or replied to."""
    text = message_of(update).text or ""
    if chat_of(update).type != ChatType.PRIVATE:
        mentioned = _mentioned(update, context.bot.username)
        if mentioned is None:
            return
        text = mentioned
    await answer(update, context, text)


def _addressed(update: Update, context: CnhtContext) -> bool:
    """Whether a message is for the bot: any in a private chat; in a group, a reply to the bot or a
    command naming it."""
    if chat_of(update).type == ChatType.PRIVATE:
        return True
    message = message_of(update)
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == context.bot.id:
        return True
    command = (message.text or "").split(maxsplit=1)[:1]
    return bool(command) and command[0].lower().endswith(f"@{context.bot.username}".lower())


async def not_text(update: Update, context: CnhtContext) -> None:
    """A sticker, photo, document, voice message, location…: say what the bot reads."""
    if _addressed(update, context):
        await tell(context, chat_of(update).id, await chat_lang(context.cnht, update), "not_text")


async def unknown_command(update: Update, context: CnhtContext) -> None:
    """A command the bot does not have: the list of those it has."""
    if _addressed(update, context):
        await tell(context, chat_of(update).id, await chat_lang(context.cnht, update), "unknown_command")


async def ask_command(update: Update, context: CnhtContext) -> None:
    """/ask QUESTION (how groups ask without a mention)."""
    question = " ".join(context.args or [])
    if not question.strip():
        lang = await chat_lang(context.cnht, update)
        await tell(context, chat_of(update).id, lang, "ask_usage")
        return
    await answer(update, context, question)


async def language_chosen(update: Update, context: CnhtContext) -> None:
    """A language button (under /start or /lang)."""
    query = query_of(update)
    lang = (query.data or "").partition(":")[2]
    await query.answer()
    if lang in ("vi", "en"):
        await context.cnht.call(context.cnht.chats.set_lang, chat_of(update).id, lang)
        await tell(context, chat_of(update).id, lang, "lang_set")


async def show_source(update: Update, context: CnhtContext) -> None:
    """A citation's button under an answer: the passage it quotes."""
    bot = context.cnht
    query = query_of(update)
    answer_id, _, n = (query.data or "").partition(":")[2].partition(":")
    citations = await asyncio.to_thread(stored_citations, bot.database, answer_id) or []
    citation = next((c for c in citations if str(c["n"]) == n), None)
    lang = await chat_lang(bot, update)
    await query.answer()
    if citation is None:
        await tell(context, chat_of(update).id, lang, "source_missing")
    else:
        await send(context, chat_of(update).id, source_messages(citation, lang))


async def unknown_button(update: Update, context: CnhtContext) -> None:
    """A button this version of the bot does not know (from an old message): stop its spinner."""
    await query_of(update).answer()


async def membership(update: Update, context: CnhtContext) -> None:
    """The user blocked or unblocked the bot, or it was removed from or added to a group."""
    change = update.my_chat_member
    if change is None:  # a ChatMemberHandler(MY_CHAT_MEMBER) takes no other update
        raise ValueError(f"update {update.update_id} is not a membership change")
    gone = change.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT)
    await context.cnht.call(context.cnht.chats.set_blocked, change.chat.id, gone)


async def on_error(update: object, context: CnhtContext) -> None:
    """Log the error and apologise to the chat; the bot goes on with the next update."""
    log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        lang = await chat_lang(context.cnht, update)
        await context.bot.send_message(update.effective_chat.id, say(lang, "error"))
    except TelegramError as exc:
        log.warning("could not apologise to chat %s: %s", update.effective_chat.id, exc)


async def register_commands(application: Application) -> None:
    """The command menu in both languages (Vietnamese also as the default)."""
    for lang, code in (("vi", None), ("vi", "vi"), ("en", "en")):
        commands = [BotCommand(name, say(lang, f"cmd_{name}")) for name in COMMANDS]
        try:
            await application.bot.set_my_commands(commands, language_code=code)
        except TelegramError as exc:
            log.warning("could not register the command menu (%s): %s", code or "default", exc)


def register(application: Application) -> None:
    """Every handler of the bot, in one place."""
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, continue_check), group=CHECK_GROUP)
    for name, callback in (
        ("start", start), ("lang", choose_language), ("help", help_command), ("programs", programs_command),
        ("ask", ask_command), ("eligibility", start_check), ("cancel", cancel_command), ("subscribe", subscribe),
        ("unsubscribe", unsubscribe),
    ):
        application.add_handler(CommandHandler(name, callback), group=MAIN_GROUP)
    for prefix, callback in (("lang", language_chosen), ("src", show_source), ("fb", vote), ("el", check_button),
                             ("nt", ask_about)):
        application.add_handler(CallbackQueryHandler(callback, pattern=rf"^{prefix}:"), group=MAIN_GROUP)
    application.add_handler(CallbackQueryHandler(unknown_button), group=MAIN_GROUP)
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, text_message), group=MAIN_GROUP)
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command), group=MAIN_GROUP)
    application.add_handler(
        MessageHandler(~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL, not_text), group=MAIN_GROUP
    )
    application.add_handler(ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER), group=MAIN_GROUP)
    application.add_error_handler(on_error)
