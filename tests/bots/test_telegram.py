"""The Telegram bot end to end: a real python-telegram-bot Application against the Bot API emulator,
over the ingested corpus, with its own data directory (SQLite database, chat store)."""
from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from assistant.conversation.sessions import telegram_conversation_id
from tests.support.telegram import TOKEN, BotRunner


def polling_bot(settings, kb) -> BotRunner:
    """A bot built as `cnht telegram` builds it (through the composition root), polling the emulator."""
    from assistant.runtime import build_runtime
    from bots.telegram.app import build_bot

    runtime = build_runtime(settings, kb=kb)
    return BotRunner(build_bot(settings, runtime.service, runtime.database))

RATE = 4
_chats = itertools.count(5001)


@pytest.fixture(scope="module")
def bot_env(tmp_path_factory, telegram_emulator, corpus_kb):
    """Settings, database and a running bot; tests use their own chat ids."""
    from assistant.settings import Settings

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("telegram"),
        telegram_token=TOKEN,
        telegram_api_url=telegram_emulator.url,
        telegram_rate_per_minute=RATE,
        telegram_notice_seconds=0.3,
    )
    from bots.telegram.context import KEY

    runner = polling_bot(settings, corpus_kb[0])
    yield settings, runner.application.bot_data[KEY].database, runner
    runner.stop()


@pytest.fixture
def bot(bot_env, telegram_emulator):
    """Users of the module's running bot."""
    return telegram_emulator.users(TOKEN)


def chat() -> int:
    """A chat no other test uses."""
    return next(_chats)


def keyboard(message: dict) -> list[list[dict]]:
    """The inline keyboard rows of a bot message."""
    return (message.get("reply_markup") or {}).get("inline_keyboard", [])


def test_vietnamese_question_answered_with_citation_buttons_and_typing(bot, telegram_emulator):
    chat_id = chat()
    bot.say(chat_id, "Tỉnh Hải Dương có bao nhiêu cụm công nghiệp?")
    [reply] = bot.replies(chat_id)
    assert "53" in reply["text"] and "Nguồn:" in reply["text"] and "\n1. " in reply["text"]
    assert reply["parse_mode"] == "HTML"
    rows = keyboard(reply)
    assert rows[0][0]["text"] == "Nguồn 1" and rows[0][0]["callback_data"].startswith("src:")
    assert [b["text"] for b in rows[-1]] == ["👍", "👎"]
    assert any(str(c["body"].get("chat_id")) == str(chat_id) for c in telegram_emulator.calls("sendChatAction"))


def test_english_question_answered_in_english_with_citation(bot):
    chat_id = chat()
    bot.say(chat_id, "How many industrial parks does the province have?", language="en")
    [reply] = bot.replies(chat_id)
    assert "14" in reply["text"] and "Sources:" in reply["text"]
    assert keyboard(reply)[0][0]["text"] == "Source 1"


def test_source_button_shows_the_quoted_passage(bot):
    chat_id = chat()
    bot.say(chat_id, "Hạn nộp hồ sơ chương trình khuyến công năm 2022 là khi nào?")
    [reply] = bot.replies(chat_id)
    assert "30 tháng 4 năm 2022" in reply["text"]
    source = keyboard(reply)[0][0]["callback_data"]
    bot.press(chat_id, source)
    [passage] = bot.replies(chat_id)
    assert passage["text"].startswith("<b>[1] ") and "215/TB-SCT" in passage["text"]
    assert "Hạn nộp hồ sơ" in passage["text"]


def test_feedback_buttons_store_feedback_like_the_web(bot, bot_env):
    from assistant.db.models import AnswerRecord, Feedback

    _, database, _ = bot_env
    chat_id = chat()
    bot.say(chat_id, "Khóa học ISO 31000 kéo dài mấy ngày?")
    [reply] = bot.replies(chat_id)
    thumbs_down = keyboard(reply)[-1][1]["callback_data"]
    answer_id = thumbs_down.split(":")[1]
    bot.press(chat_id, thumbs_down)
    for _ in range(100):
        with database.session() as session:
            rows = session.scalars(select(Feedback).where(Feedback.answer_id == answer_id)).all()
            record = session.get(AnswerRecord, answer_id)
            if rows:
                break
        bot.silence(chat_id, 0.05)
    assert [r.rating for r in rows] == ["down"]
    assert record.channel == "telegram" and record.conversation_id == telegram_conversation_id(chat_id)


def test_start_offers_languages_and_the_choice_is_remembered_after_a_restart(
    tmp_path_factory, telegram_emulator, corpus_service, corpus_kb
):
    from assistant.settings import Settings

    bot = telegram_emulator.users("222:RESTART")
    settings = Settings(data_dir=tmp_path_factory.mktemp("telegram-restart"), telegram_token=bot.token,
                        telegram_api_url=telegram_emulator.url)
    kb, _ = corpus_kb
    runner = polling_bot(settings, kb)
    chat_id = chat()
    try:
        bot.say(chat_id, "/start")
        [greeting] = bot.replies(chat_id)
        assert "Xin chào" in greeting["text"]
        assert [b["callback_data"] for b in keyboard(greeting)[0]] == ["lang:vi", "lang:en"]
        bot.say(chat_id, "/lang")
        [offer] = bot.replies(chat_id)
        assert [b["callback_data"] for b in keyboard(offer)[0]] == ["lang:vi", "lang:en"]
        bot.press(chat_id, "lang:en")
        assert "English selected" in bot.replies(chat_id)[0]["text"]
        bot.say(chat_id, "How many industrial parks are there?")
        assert "14" in bot.replies(chat_id)[0]["text"]
    finally:
        runner.stop()
    # A restart: new process state (service, bot, database connection) over the same data directory.
    runner = polling_bot(settings, kb)
    try:
        bot.say(chat_id, "/help", language="vi")
        assert "Ask in English or Vietnamese" in bot.replies(chat_id)[0]["text"]
        bot.say(chat_id, "And the clusters?")
        assert "53" in bot.replies(chat_id)[0]["text"]  # the conversation survived the restart too
    finally:
        runner.stop()


def test_follow_up_keeps_the_chat_context(bot):
    chat_id = chat()
    bot.say(chat_id, "Tỉnh có bao nhiêu cụm công nghiệp?")
    bot.replies(chat_id)
    bot.say(chat_id, "Còn diện tích đất công nghiệp?")
    [reply] = bot.replies(chat_id)
    assert "1.860,24 ha" in reply["text"]


def test_commands_menu_registered_in_both_languages(bot, telegram_emulator):
    import json

    menus = {c["body"].get("language_code"): json.loads(c["body"]["commands"]) for c in telegram_emulator.calls("setMyCommands")}
    assert {"command": "lang", "description": "Đổi ngôn ngữ"} in menus["vi"]
    assert {"command": "lang", "description": "Change language"} in menus["en"]
    assert [c["command"] for c in menus[None]] == ["start", "ask", "eligibility", "programs", "subscribe", "unsubscribe", "lang", "help"]


def test_programs_lists_support_programs_with_status(bot):
    chat_id = chat()
    bot.say(chat_id, "/programs")
    [reply] = bot.replies(chat_id)
    assert "Các chương trình hỗ trợ" in reply["text"] and "Kaizen" in reply["text"]
    assert "đã đóng, hạn 30/04/2022" in reply["text"]


def test_group_answers_only_when_mentioned_or_asked(bot):
    group = -chat()
    bot.say(group, "Tỉnh có bao nhiêu khu công nghiệp?", user_id=-group, chat_type="group")
    assert bot.silence(group) == []
    bot.say(group, "@CnhtTestBot Tỉnh có bao nhiêu cụm công nghiệp?", user_id=-group, chat_type="group")
    assert "53" in bot.replies(group)[0]["text"]
    bot.say(group, "/ask Tỉnh có bao nhiêu khu công nghiệp?", user_id=-group, chat_type="group")
    assert "14" in bot.replies(group)[0]["text"]


def test_rate_limit_answers_politely(bot):
    chat_id = chat()
    for _ in range(RATE + 1):
        bot.say(chat_id, "Tỉnh có bao nhiêu cụm công nghiệp?")
    replies = bot.replies(chat_id, RATE + 1)
    polite = [r for r in replies if "hỏi hơi nhanh" in r["text"]]
    assert len(polite) == 1 and "giây" in polite[0]["text"]
    assert sum("53" in r["text"] for r in replies) == RATE


def test_a_user_who_blocked_the_bot_does_not_stop_it(bot, bot_env, telegram_emulator):
    settings, _, runner = bot_env
    blocked, other = chat(), chat()
    telegram_emulator.block(blocked)
    bot.say(blocked, "Tỉnh có bao nhiêu khu công nghiệp?")
    bot.say(other, "Tỉnh có bao nhiêu khu công nghiệp?")
    assert "14" in bot.replies(other)[0]["text"]
    from bots.telegram.context import KEY

    assert runner.application.bot_data[KEY].chats.blocked(blocked)


def test_an_error_in_one_update_is_apologised_for_and_the_bot_goes_on(bot, bot_env):
    from telegram.ext import MessageHandler, filters

    _, _, runner = bot_env

    async def broken(update, context):
        raise RuntimeError("a failure inside one update")

    handler = MessageHandler(filters.Regex("^BOOM$"), broken)
    runner.application.add_handler(handler, group=-1)
    try:
        chat_id = chat()
        bot.say(chat_id, "BOOM")
        # the failing handler's apology, and the reply of the ordinary handlers that still ran
        texts = [m["text"] for m in bot.replies(chat_id, 2)]
        assert sum("Xin lỗi, đã có lỗi" in t for t in texts) == 1
        bot.say(chat_id, "Tỉnh có bao nhiêu khu công nghiệp?")
        assert "14" in bot.replies(chat_id)[0]["text"]
    finally:
        runner.application.remove_handler(handler, group=-1)


def test_an_answer_longer_than_telegram_allows_is_split_at_sentences(tmp_path_factory, telegram_emulator, corpus_kb):
    """A curated answer of ~9,000 characters arrives as several messages under 4,096 characters,
    cut at sentence ends, with nothing lost and the buttons on the last one."""
    import yaml

    from assistant.settings import Settings

    data = tmp_path_factory.mktemp("telegram-long")
    sentence = "Doanh nghiệp <A&B> được hỗ trợ theo quy định tại Điều 1 của Quyết định 3164/QĐ-UBND. "
    long_answer = (sentence * 110).strip()
    faq = data / "faq.yaml"
    faq.write_text(yaml.safe_dump([{
        "id": "dai", "questions_vi": ["Câu trả lời dài nhất có thể là gì?"], "questions_en": ["What is the longest answer?"],
        "answer_vi": long_answer, "answer_en": long_answer, "sources": [{"doc_id": "qd-3164-2021", "section": "Điều 1"}],
    }], allow_unicode=True), encoding="utf-8")
    kb, _ = corpus_kb
    users = telegram_emulator.users("333:LONG")
    settings = Settings(data_dir=data, faq=faq, telegram_token=users.token, telegram_api_url=telegram_emulator.url)
    runner = polling_bot(settings, kb)
    try:
        chat_id = chat()
        users.say(chat_id, "Câu trả lời dài nhất có thể là gì?")
        messages = users.replies(chat_id, 3)
    finally:
        runner.stop()
    assert all(len(m["text"]) <= 4096 for m in messages)
    assert all(m["text"].rstrip().endswith((".", ")")) or "Nguồn" in m["text"] for m in messages)
    body = " ".join(m["text"] for m in messages)
    assert body.count("&lt;A&amp;B&gt;") == 110 and "<A&B>" not in body
    assert [bool(keyboard(m)) for m in messages] == [False] * (len(messages) - 1) + [True]


def test_webhook_refuses_a_wrong_secret_and_answers_with_the_right_one(tmp_path_factory, telegram_emulator, corpus_kb):
    import time

    from fastapi.testclient import TestClient

    from assistant.runtime import build_runtime
    from assistant.settings import Settings
    from bots.telegram.app import SECRET_HEADER, WEBHOOK_PATH
    from bots.web.server import create_server

    users = telegram_emulator.users("444:WEBHOOK")
    settings = Settings(data_dir=tmp_path_factory.mktemp("webhook"), telegram_token=users.token,
                        telegram_api_url=telegram_emulator.url, telegram_webhook_secret="s3cret-Token")
    app = create_server(build_runtime(settings, kb=corpus_kb[0]))
    chat_id = chat()
    update = {"update_id": 900001, "message": {
        "message_id": 1, "date": int(time.time()), "text": "Tỉnh có bao nhiêu khu công nghiệp?",
        "chat": {"id": chat_id, "type": "private"}, "from": {"id": chat_id, "is_bot": False, "first_name": "U"}}}
    with TestClient(app) as client:
        assert client.post(WEBHOOK_PATH, json=update).status_code == 403
        assert client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: "wrong"}).status_code == 403
        assert users.silence(chat_id, 0.5) == []
        response = client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: "s3cret-Token"})
        assert response.status_code == 200
        assert "14" in users.replies(chat_id)[0]["text"]
        bad = client.post(WEBHOOK_PATH, content=b"{not json", headers={SECRET_HEADER: "s3cret-Token"})
        assert bad.status_code == 400
        for malformed in ({"update_id": 1, "message": "hello"}, {"update_id": 2, "message": {"chat": 5}},
                          {"update_id": "x"}, {"update_id": 3, "message": {"message_id": 1, "date": "zz",
                                                                           "chat": {"id": 1, "type": "private"}}}):
            refused = client.post(WEBHOOK_PATH, json=malformed, headers={SECRET_HEADER: "s3cret-Token"})
            assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_update", malformed


def test_bot_without_a_token_is_a_clear_error(tmp_path):
    from assistant.settings import Settings
    from bots.telegram.app import TelegramNotConfigured, build_bot

    with pytest.raises(TelegramNotConfigured, match="CNHT_TELEGRAM_TOKEN"):
        build_bot(Settings(data_dir=tmp_path), None, None)


def test_eligibility_check_to_a_verdict_with_back_cancel_and_a_restart(tmp_path_factory, telegram_emulator, corpus_kb):
    """/eligibility asks only what matters (buttons for choices, typed numbers read as on the web), an
    unreadable answer is asked again with an example, the check survives a restart, and ends in a summary
    with reasons, citations and what to prepare."""
    from assistant.settings import Settings

    data = tmp_path_factory.mktemp("telegram-check")
    catalogue = data / "programs.yaml"
    catalogue.write_text(
        """
- id: ho-tro-sme
  name: {vi: "Hỗ trợ doanh nghiệp nhỏ", en: "Small business support"}
  summary: {vi: "Thử nghiệm.", en: "Test."}
  legal_basis: [{doc_id: tieu-chi-dnnvv-nd-80-2021}]
  apply: {vi: "Sở Công Thương", en: "The Department"}
  documents: [{vi: "Đơn đăng ký", en: "Application form"}]
  criteria:
    - {field: legal_form, op: one_of, value: [enterprise, cooperative], explain: {vi: "Doanh nghiệp hoặc hợp tác xã.", en: "Enterprises or cooperatives."}, cite: {doc_id: tieu-chi-dnnvv-nd-80-2021, section: ""}}
    - {field: employees, op: at_most, value: 200, explain: {vi: "Không quá 200 lao động.", en: "At most 200 employees."}, cite: {doc_id: tieu-chi-dnnvv-nd-80-2021, section: ""}}
""",
        encoding="utf-8",
    )
    users = telegram_emulator.users("555:CHECK")
    settings = Settings(data_dir=data, programs=catalogue, telegram_token=users.token, telegram_api_url=telegram_emulator.url)
    kb, _ = corpus_kb

    def start():
        return polling_bot(settings, kb)

    chat_id = chat()
    runner = start()
    try:
        users.say(chat_id, "Doanh nghiệp tôi có được hỗ trợ không?")
        [offer] = users.replies(chat_id)
        assert keyboard(offer)[0][0]["callback_data"] == "el:start"
        users.press(chat_id, "el:start")
        intro, first = users.replies(chat_id, 2)
        assert "vài câu" in intro["text"] and "loại hình" in first["text"]
        choices = [b["callback_data"] for row in keyboard(first) for b in row]
        assert "el:legal_form:enterprise" in choices and choices[-1] == "el:cancel"
        users.press(chat_id, "el:legal_form:household")
        [verdict] = users.replies(chat_id)  # a household fails the only decisive criterion: nothing else asked
        assert "❌" in verdict["text"] and "không đủ điều kiện" in verdict["text"] and "Hộ kinh doanh" in verdict["text"]
        users.say(chat_id, "/eligibility")
        users.replies(chat_id, 2)
        users.press(chat_id, "el:legal_form:enterprise")
        [typed] = users.replies(chat_id)
        assert "lao động" in typed["text"] and "Ví dụ: 50 người" in typed["text"]
        assert [b["callback_data"] for b in keyboard(typed)[-1]] == ["el:back", "el:cancel"]
    finally:
        runner.stop()
    runner = start()  # the check resumes after a restart
    try:
        users.say(chat_id, "nhiều lắm")
        [again] = users.replies(chat_id)
        assert "Tôi chưa hiểu câu trả lời" in again["text"] and "lao động" in again["text"]
        users.say(chat_id, "khoảng 120 lao động")
        [result] = users.replies(chat_id)
        assert "✅" in result["text"] and "đủ điều kiện" in result["text"] and "Đơn đăng ký" in result["text"]
        assert "bạn trả lời: 120" in result["text"]
        users.say(chat_id, "/eligibility")
        users.replies(chat_id, 2)
        users.press(chat_id, "el:legal_form:cooperative")
        users.replies(chat_id)
        users.press(chat_id, "el:back")
        assert "loại hình" in users.replies(chat_id)[0]["text"]
        users.press(chat_id, "el:cancel")
        assert "Đã hủy" in users.replies(chat_id)[0]["text"]
        users.say(chat_id, "Tỉnh có bao nhiêu khu công nghiệp?")  # after cancelling, text is a question again
        assert "14" in users.replies(chat_id)[0]["text"]
    finally:
        runner.stop()


def test_subscribers_get_announcements_within_limits_and_can_stop(bot, bot_env):
    from assistant.workspace import notices

    _, database, _ = bot_env
    subscriber, bystander = chat(), chat()
    bot.say(subscriber, "/subscribe")
    assert "Đã đăng ký" in bot.replies(subscriber)[0]["text"]
    assert notices.announce(database, "notice", "tb-ket-noi-2026", "Hội nghị kết nối cung cầu khu công nghiệp 2026")
    assert not notices.announce(database, "notice", "tb-ket-noi-2026", "again")  # once per document
    [announcement] = bot.replies(subscriber)
    assert announcement["text"].startswith("<b>📢 Văn bản mới: Hội nghị kết nối cung cầu khu công nghiệp 2026</b>")
    ask = keyboard(announcement)[0][0]
    assert ask["text"] == "Hỏi về văn bản này" and ask["callback_data"].startswith("nt:")
    assert bot.silence(bystander, 0.5) == []
    bot.press(subscriber, ask["callback_data"])
    [reply] = bot.replies(subscriber)  # the assistant's answer to the announced title, with its buttons
    assert [b["text"] for b in keyboard(reply)[-1]] == ["👍", "👎"]
    bot.say(subscriber, "/unsubscribe")
    assert "ngừng" in bot.replies(subscriber)[0]["text"]
    notices.announce(database, "plan", "kh-2027", "Kế hoạch 2027")
    assert bot.silence(subscriber, 1.0) == []
