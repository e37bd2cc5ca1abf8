"""What the bot does with each kind of update. Every handler is registered in `register`."""
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
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from assistant.db.records import record_feedback, stored_citations
from bots.telegram.announcements import ask_about, subscribe, unsubscribe
from bots.telegram.asking import answer
from bots.telegram.context import bot_context, chat_lang, language_keyboard, send, tell
from bots.telegram.eligibility import check_button, start_check, typed_answer
from bots.telegram.formatting import pack, source_messages
from bots.telegram.texts import say

log = logging.getLogger(__name__)
COMMANDS = ("start", "ask", "eligibility", "programs", "subscribe", "unsubscribe", "lang", "help")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet and offer the language."""
    bot = bot_context(context)
    bot.chats.set_blocked(update.effective_chat.id, False)
    lang = chat_lang(bot, update)
    agency = bot.settings.agency_name_vi if lang == "vi" else bot.settings.agency_name_en
    await tell(context, update.effective_chat.id, lang, "greeting", language_keyboard(), agency=agency)


async def choose_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/lang: offer the two languages."""
    lang = chat_lang(bot_context(context), update)
    await tell(context, update.effective_chat.id, lang, "choose_lang", language_keyboard())


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: how to ask."""
    lang = chat_lang(bot_context(context), update)
    await tell(context, update.effective_chat.id, lang, "help", username=context.bot.username)


async def programs_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/programs: the support programs with their status today."""
    bot = bot_context(context)
    lang = chat_lang(bot, update)
    if not bot.service.programs:
        await tell(context, update.effective_chat.id, lang, "programs_none")
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
    await send(context, update.effective_chat.id, pack(lines))


def _mentioned(update: Update, username: str) -> str | None:
    """In a group: the text without the bot's @mention when the bot is mentioned or replied to, else None."""
    message = update.effective_message
    text = message.text or ""
    reply = message.reply_to_message
    mention = re.compile(rf"@{re.escape(username)}\b", re.IGNORECASE)
    if mention.search(text):
        return mention.sub(" ", text)
    if reply is not None and reply.from_user is not None and reply.from_user.username == username:
        return text
    return None


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any plain text is a question; in a group only when the bot is mentioned or replied to."""
    if await typed_answer(update, context):
        return
    text = update.effective_message.text or ""
    if update.effective_chat.type != ChatType.PRIVATE:
        text = _mentioned(update, context.bot.username)
        if text is None:
            return
    await answer(update, context, text)


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask QUESTION (how groups ask without a mention)."""
    question = " ".join(context.args or [])
    if not question.strip():
        lang = chat_lang(bot_context(context), update)
        await tell(context, update.effective_chat.id, lang, "ask_usage")
        return
    await answer(update, context, question)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Inline buttons: language choice, a citation's source passage, thumbs up/down."""
    bot = bot_context(context)
    query = update.callback_query
    kind, _, rest = (query.data or "").partition(":")
    chat_id = update.effective_chat.id
    if kind == "lang" and rest in ("vi", "en"):
        await asyncio.to_thread(bot.chats.set_lang, chat_id, rest)
        await query.answer()
        await tell(context, chat_id, rest, "lang_set")
    elif kind == "src":
        answer_id, _, n = rest.partition(":")
        citations = await asyncio.to_thread(stored_citations, bot.database, answer_id) or []
        citation = next((c for c in citations if str(c["n"]) == n), None)
        lang = chat_lang(bot, update)
        await query.answer()
        if citation is None:
            await tell(context, chat_id, lang, "source_missing")
        else:
            await send(context, chat_id, source_messages(citation, lang))
    elif kind == "fb":
        answer_id, _, rating = rest.partition(":")
        if rating in ("up", "down"):
            await asyncio.to_thread(record_feedback, bot.database, answer_id, rating)
        await query.answer(say(chat_lang(bot, update), "thanks"))
    else:
        await query.answer()


async def membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The user blocked or unblocked the bot, or it was removed from or added to a group."""
    change = update.my_chat_member
    gone = change.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT)
    await asyncio.to_thread(bot_context(context).chats.set_blocked, change.chat.id, gone)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error and apologise to the chat; the bot goes on with the next update."""
    log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        lang = chat_lang(bot_context(context), update)
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
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("lang", choose_language))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("programs", programs_command))
    application.add_handler(CommandHandler("ask", ask_command))
    application.add_handler(CommandHandler("eligibility", start_check))
    application.add_handler(CommandHandler("subscribe", subscribe))
    application.add_handler(CommandHandler("unsubscribe", unsubscribe))
    application.add_handler(CallbackQueryHandler(ask_about, pattern=r"^nt:"))
    application.add_handler(CallbackQueryHandler(check_button, pattern=r"^el:"))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, text_message))
    application.add_handler(CallbackQueryHandler(button))
    application.add_handler(ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_error_handler(on_error)
