"""The Telegram bot end to end: a real python-telegram-bot Application against the Bot API emulator,
over the ingested corpus, with its own data directory (SQLite database, chat store)."""
from __future__ import annotations

import html
import itertools
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.answering.evaluation import expected_facts, holds_fact
from assistant.conversation.sessions import telegram_conversation_id
from tests.conftest import eval_question
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


def wait_until(condition, timeout: float = 20) -> None:
    """Wait for something the bot does asynchronously (fails after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the bot did not get there")
        time.sleep(0.05)


def button(message: dict, label: str) -> str:
    """The callback data of the button of `message` whose text contains `label`."""
    return next(b["callback_data"] for row in keyboard(message) for b in row if label in b["text"])


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


@pytest.mark.parametrize("question_id", ["q002", "q049"])  # the total area of the industrial parks, vi and en
def test_the_answer_line_comes_first_in_bold_with_the_evidence_under_it(bot, question_id):
    question = eval_question(question_id)
    chat_id = chat()
    bot.say(chat_id, question.question, language=question.lang)
    [reply] = bot.replies(chat_id)
    first, *rest = reply["text"].split("\n")
    lead = re.fullmatch(r"<b>([^<]+)</b>", first)
    assert lead and holds_fact(html.unescape(lead.group(1)), expected_facts(question)), first
    assert re.search(r"\[1\]", lead.group(1))
    sources = rest.index("<b>Sources:</b>" if question.lang == "en" else "<b>Nguồn:</b>")
    evidence = "\n".join(rest[:sources])
    assert re.search(r"\[\d\]", evidence) and "<b>" not in evidence  # the evidence, plain, between answer and sources


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


def test_feedback_is_one_vote_per_user_changeable_and_shown_on_the_message(bot, bot_env):
    from assistant.db.models import AnswerRecord, Feedback

    _, database, _ = bot_env
    chat_id = chat()
    bot.say(chat_id, "Khóa học ISO 31000 kéo dài mấy ngày?")
    [reply] = bot.replies(chat_id)
    thumbs_up, thumbs_down = (b["callback_data"] for b in keyboard(reply)[-1])
    answer_id = thumbs_down.split(":")[1]

    def stored():
        with database.session() as session:
            return [r.rating for r in session.scalars(select(Feedback).where(Feedback.answer_id == answer_id)).all()]

    def shown():
        return [b["text"] for b in keyboard(bot.message(chat_id, reply["message_id"]))[-1]]

    bot.press(chat_id, thumbs_down, message=reply)
    wait_until(lambda: shown() == ["👍", "👎 1"])
    assert stored() == ["down"]
    bot.press(chat_id, thumbs_down, message=reply)  # pressed again: still one vote
    bot.press(chat_id, thumbs_up, message=reply)  # changed
    wait_until(lambda: shown() == ["👍 1", "👎"])
    assert stored() == ["up"]
    with database.session() as session:
        record = session.get(AnswerRecord, answer_id)
        assert record.channel == "telegram" and record.conversation_id == telegram_conversation_id(chat_id)
    assert bot.silence(chat_id, 0.3) == []  # votes are acknowledged on the button, not by messages


def test_start_offers_languages_and_the_choice_is_remembered_after_a_restart(
    tmp_path_factory, telegram_emulator, corpus_service, corpus_kb, database_url
):
    from assistant.settings import Settings

    bot = telegram_emulator.users("222:RESTART")
    settings = Settings(data_dir=tmp_path_factory.mktemp("telegram-restart"), telegram_token=bot.token,
                        telegram_api_url=telegram_emulator.url, database_url=database_url)
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
    assert [c["command"] for c in menus[None]] == ["start", "ask", "eligibility", "programs", "subscribe", "unsubscribe", "lang", "help", "cancel"]


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


def test_rate_limit_is_told_once_per_window_not_once_per_message(bot):
    chat_id = chat()
    for _ in range(RATE + 6):
        bot.say(chat_id, "Tỉnh có bao nhiêu cụm công nghiệp?")
    replies = bot.replies(chat_id, RATE + 1)
    replies += bot.silence(chat_id, 1.5)
    polite = [r for r in replies if "hỏi hơi nhanh" in r["text"]]
    assert len(polite) == 1 and "giây" in polite[0]["text"]
    assert sum("53" in r["text"] for r in replies) == RATE and len(replies) == RATE + 1


def test_a_user_who_blocked_the_bot_does_not_stop_it(bot, bot_env, telegram_emulator):
    settings, _, runner = bot_env
    blocked, other = chat(), chat()
    telegram_emulator.block(blocked)
    bot.say(blocked, "Tỉnh có bao nhiêu khu công nghiệp?")
    bot.say(other, "Tỉnh có bao nhiêu khu công nghiệp?")
    assert "14" in bot.replies(other)[0]["text"]
    from bots.telegram.context import KEY

    wait_until(lambda: runner.application.bot_data[KEY].chats.blocked(blocked))  # updates run concurrently


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
    assert all(m["text"].startswith("<b>") and m["text"].endswith("</b>") for m in messages[:-1])  # the answer line, bold
    assert all(m["text"].removesuffix("</b>").rstrip().endswith((".", ")")) or "Nguồn" in m["text"] for m in messages)
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
        wait_until(lambda: client.get("/readyz").json()["telegram"]["state"] == "running")
        assert client.post(WEBHOOK_PATH, json=update).status_code == 403
        assert client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: "wrong"}).status_code == 403
        assert users.silence(chat_id, 0.5) == []
        web = client.post("/api/ask", json={"question": "Tỉnh có bao nhiêu cụm công nghiệp?"})  # the web keeps answering
        assert web.status_code == 200 and "53" in web.json()["answer"]
        response = client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: "s3cret-Token"})
        assert response.status_code == 200
        assert "14" in users.replies(chat_id)[0]["text"]
        again = client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: "s3cret-Token"})  # delivered again
        assert again.status_code == 200 and users.silence(chat_id, 1.0) == []  # handled once
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


SME_PROGRAM = """
- id: ho-tro-sme
  name: {vi: "Hỗ trợ doanh nghiệp nhỏ", en: "Small business support"}
  summary: {vi: "Thử nghiệm.", en: "Test."}
  legal_basis: [{doc_id: tieu-chi-dnnvv-nd-80-2021}]
  apply: {vi: "Sở Công Thương", en: "The Department"}
  documents: [{vi: "Đơn đăng ký", en: "Application form"}]
  criteria:
    - {field: legal_form, op: one_of, value: [enterprise, cooperative], explain: {vi: "Doanh nghiệp hoặc hợp tác xã.", en: "Enterprises or cooperatives."}, cite: {doc_id: tieu-chi-dnnvv-nd-80-2021, section: ""}}
    - {field: employees, op: at_most, value: 200, explain: {vi: "Không quá 200 lao động.", en: "At most 200 employees."}, cite: {doc_id: tieu-chi-dnnvv-nd-80-2021, section: ""}}
"""
# the same program asking, last, whether the enterprise is in a rural area
CATALOGUE = SME_PROGRAM + """    - {field: rural, op: is_true, explain: {vi: "Ở khu vực nông thôn.", en: "In a rural area."}, cite: {doc_id: tieu-chi-dnnvv-nd-80-2021, section: ""}}
"""


def test_eligibility_check_to_a_verdict_with_back_cancel_and_a_restart(tmp_path_factory, telegram_emulator, corpus_kb):
    """/eligibility asks only what matters (buttons for choices, typed numbers read as on the web), an
    unreadable answer is asked again with an example, the check survives a restart, and ends in a summary
    with reasons, citations and what to prepare."""
    from assistant.settings import Settings

    data = tmp_path_factory.mktemp("telegram-check")
    catalogue = data / "programs.yaml"
    catalogue.write_text(SME_PROGRAM, encoding="utf-8")
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
        users.press(chat_id, "el:start", message=offer)
        intro, first = users.replies(chat_id, 2)
        assert "vài câu" in intro["text"] and "loại hình" in first["text"]
        assert [b["text"] for b in keyboard(first)[-1]] == ["✖ Hủy"]
        users.press(chat_id, button(first, "Hộ kinh doanh"), message=first)
        [verdict] = users.replies(chat_id)  # a household fails the only decisive criterion: nothing else asked
        assert "❌" in verdict["text"] and "không đủ điều kiện" in verdict["text"] and "Hộ kinh doanh" in verdict["text"]
        users.say(chat_id, "/eligibility")
        _, first = users.replies(chat_id, 2)
        users.press(chat_id, button(first, "Doanh nghiệp"), message=first)
        [typed] = users.replies(chat_id)
        assert "lao động" in typed["text"] and "Ví dụ: 50 người" in typed["text"]
        assert [b["text"] for b in keyboard(typed)[-1]] == ["⬅️ Quay lại", "✖ Hủy"]
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
        _, first = users.replies(chat_id, 2)
        users.press(chat_id, button(first, "Hợp tác xã"), message=first)
        [second] = users.replies(chat_id)
        users.press(chat_id, button(second, "Quay lại"), message=second)
        [first_again] = users.replies(chat_id)
        assert "loại hình" in first_again["text"]
        users.press(chat_id, button(first_again, "Hủy"), message=first_again)
        assert "Đã hủy" in users.replies(chat_id)[0]["text"]
        users.say(chat_id, "Tỉnh có bao nhiêu khu công nghiệp?")  # after cancelling, text is a question again
        assert "14" in users.replies(chat_id)[0]["text"]
    finally:
        runner.stop()




@pytest.fixture(scope="module")
def checks(tmp_path_factory, telegram_emulator, corpus_kb):
    """A running bot whose catalogue asks the legal form, then employees (typed), then the district."""
    from assistant.settings import Settings

    data = tmp_path_factory.mktemp("telegram-checks")
    (data / "programs.yaml").write_text(CATALOGUE, encoding="utf-8")
    users = telegram_emulator.users("556:CHECKS")
    settings = Settings(data_dir=data, programs=data / "programs.yaml", telegram_token=users.token,
                        telegram_api_url=telegram_emulator.url)
    kb, _ = corpus_kb
    runner = polling_bot(settings, kb)
    yield users
    runner.stop()


def begin_check(users, chat_id: int, **where) -> dict:
    """/eligibility, the legal form answered with its button: the message asking the number of employees."""
    users.say(chat_id, "/eligibility", **where)
    _, first = users.replies(chat_id, 2)
    press_where = {k: v for k, v in where.items() if k in ("user_id", "chat_type")}
    users.press(chat_id, button(first, "Doanh nghiệp"), message=first, **press_where)
    [employees] = users.replies(chat_id)
    assert "Số lao động" in employees["text"]
    return employees


def test_a_question_typed_during_the_check_is_answered_and_the_check_goes_on(checks):
    chat_id = chat()
    users = checks
    begin_check(users, chat_id)
    users.say(chat_id, "Tỉnh Hải Dương có bao nhiêu cụm công nghiệp?")
    answer, repeated = users.replies(chat_id, 2)
    assert "53" in answer["text"] and "Nguồn:" in answer["text"]  # answered, not read as 53 employees
    assert "Tiếp tục kiểm tra điều kiện" in repeated["text"] and "Số lao động" in repeated["text"]
    assert "/cancel" in repeated["text"]
    users.say(chat_id, "Quyết định 3164 có mấy nhóm giải pháp?")
    answer, repeated = users.replies(chat_id, 2)
    assert "Số lao động" not in answer["text"] and "Số lao động" in repeated["text"]
    users.say(chat_id, "120 người")  # the same step goes on
    [district] = users.replies(chat_id)
    assert "huyện" in district["text"] and "bạn trả lời: lớn" not in district["text"]
    users.say(chat_id, "/cancel")
    assert "Đã hủy" in users.replies(chat_id)[0]["text"]
    users.say(chat_id, "/cancel")
    assert "Không có gì để hủy" in users.replies(chat_id)[0]["text"]


def test_an_unknown_district_is_asked_again_with_the_list_of_valid_ones(checks):
    chat_id = chat()
    users = checks
    begin_check(users, chat_id)
    users.say(chat_id, "50")
    [district] = users.replies(chat_id)
    users.say(chat_id, "Quận 1")
    [again] = users.replies(chat_id)
    assert "Tôi chưa hiểu câu trả lời" in again["text"]
    assert all(name in again["text"] for name in ("Kinh Môn", "Thanh Hà", "Tứ Kỳ", "Chí Linh"))
    users.say(chat_id, "Kinh Môn")
    [verdict] = users.replies(chat_id)
    assert "✅" in verdict["text"] and "đủ điều kiện" in verdict["text"]


def test_stale_check_buttons_say_the_check_moved_on_and_lose_their_keyboard(checks, telegram_emulator):
    chat_id = chat()
    users = checks
    users.say(chat_id, "/eligibility")
    _, first = users.replies(chat_id, 2)
    old_choice = button(first, "Hộ kinh doanh")
    users.press(chat_id, button(first, "Doanh nghiệp"), message=first)
    [employees] = users.replies(chat_id)
    assert keyboard(users.message(chat_id, first["message_id"])) == []  # the answered question lost its buttons
    answered = len(telegram_emulator.calls("answerCallbackQuery"))
    users.press(chat_id, old_choice, message=first)  # a button of a step already answered
    assert "moved on" in users.popup(answered)[0] or "bước khác" in users.popup(answered)[0]
    assert users.silence(chat_id, 0.5) == []  # neither restarted nor accepted out of order
    users.say(chat_id, "/eligibility")  # a new check: every button of the old one is stale
    _, restart = users.replies(chat_id, 2)
    assert keyboard(users.message(chat_id, employees["message_id"])) == []
    answered = len(telegram_emulator.calls("answerCallbackQuery"))
    users.press(chat_id, button(employees, "Hủy"), message=employees)
    assert "bước khác" in users.popup(answered)[0]
    users.press(chat_id, button(restart, "Doanh nghiệp"), message=restart)  # the current one works
    assert "Số lao động" in users.replies(chat_id)[0]["text"]


def test_eligibility_in_a_group_is_per_member_by_replies_and_buttons_are_the_owners(checks, telegram_emulator):
    group, alice, bob = -chat(), chat(), chat()
    users = checks
    asking = begin_check(users, group, user_id=alice, chat_type="group")
    assert "Dành cho User" in asking["text"] and "Trả lời (reply)" in asking["text"]
    users.say(group, "120 người", user_id=alice, chat_type="group")  # not a reply to the bot: not for it
    assert users.silence(group, 0.8) == []
    answered = len(telegram_emulator.calls("answerCallbackQuery"))
    users.press(group, button(asking, "Hủy"), user_id=bob, chat_type="group", message=asking)  # Bob cannot
    assert "người khác" in users.popup(answered)[0]
    users.say(group, "/eligibility", user_id=bob, chat_type="group")  # Bob's own check, at his own step
    _, bobs_first = users.replies(group, 2)
    assert "loại hình" in bobs_first["text"]
    users.say(group, "120 người", user_id=alice, chat_type="group", reply_to=asking)
    [district] = users.replies(group)
    assert "huyện" in district["text"]
    users.say(group, "Kinh Môn", user_id=alice, chat_type="group", reply_to=district)
    [verdict] = users.replies(group)
    assert "✅" in verdict["text"] and "bạn trả lời: 120" in verdict["text"]
    users.press(group, button(bobs_first, "Hộ kinh doanh"), user_id=bob, chat_type="group", message=bobs_first)
    [bobs_verdict] = users.replies(group)
    assert "❌" in bobs_verdict["text"]


def test_every_kind_of_message_gets_a_reply(bot):
    chat_id = chat()
    bot.send(chat_id, sticker={"file_id": "st1", "file_unique_id": "u1", "type": "regular", "width": 512,
                               "height": 512, "is_animated": False, "is_video": False})
    assert "chỉ đọc được tin nhắn chữ" in bot.replies(chat_id)[0]["text"]
    bot.send(chat_id, photo=[{"file_id": "ph1", "file_unique_id": "u2", "width": 90, "height": 90}])
    bot.send(chat_id, document={"file_id": "doc1", "file_unique_id": "u3", "file_name": "ho-so.pdf"})
    bot.send(chat_id, voice={"file_id": "v1", "file_unique_id": "u4", "duration": 3})
    bot.send(chat_id, location={"latitude": 20.94, "longitude": 106.33})
    replies = bot.replies(chat_id, 4)
    assert all("I can only read text" in r["text"] for r in replies)
    bot.say(chat_id, "/giamgia")
    [unknown] = bot.replies(chat_id)
    assert "Tôi không biết lệnh này" in unknown["text"] and "/eligibility" in unknown["text"]
    bot.say(chat_id, "/cancel")
    assert "Không có gì để hủy" in bot.replies(chat_id)[0]["text"]
    group = -chat()
    bot.send(group, user_id=chat_id, chat_type="group", sticker={"file_id": "st1", "file_unique_id": "u1",
             "type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False})
    bot.say(group, "/giamgia", user_id=chat_id, chat_type="group")  # in a group, not addressed to the bot
    assert bot.silence(group, 0.8) == []
    bot.say(group, "/giamgia@CnhtTestBot", user_id=chat_id, chat_type="group")
    assert "Tôi không biết lệnh này" in bot.replies(group)[0]["text"]


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


def _serve_in_thread(app, port: int):
    """`app` served by uvicorn on a real port (the emulator posts updates to it); returns the server."""
    import threading

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", log_config=None))
    threading.Thread(target=server.run, daemon=True).start()
    wait_until(lambda: server.started)
    return server


def test_serve_answers_while_telegram_is_down_and_the_bot_joins_when_it_comes_back(tmp_path_factory, corpus_kb, caplog):
    import logging

    import httpx

    from assistant.runtime import build_runtime
    from assistant.settings import Settings
    from bots.web.server import create_server
    from tests.support.processes import free_port
    from tests.support.telegram import Emulator, emulator_missing

    assert emulator_missing() is None
    caplog.set_level(logging.WARNING, logger="bots.telegram")
    telegram = Emulator(start=False)  # Telegram cannot be reached: connections are refused
    port = free_port()
    settings = Settings(data_dir=tmp_path_factory.mktemp("outage"), telegram_token="777:OUTAGE",
                        telegram_api_url=telegram.url, telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/webhook")
    server = _serve_in_thread(create_server(build_runtime(settings, kb=corpus_kb[0])), port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as web:
            asked = web.post("/api/ask", json={"question": "Tỉnh có bao nhiêu khu công nghiệp?"})
            assert asked.status_code == 200 and "14" in asked.json()["answer"]
            wait_until(lambda: web.get("/readyz").json()["telegram"]["attempts"] >= 2)
            ready = web.get("/readyz")
            assert ready.status_code == 200 and ready.json()["status"] == "ready"
            assert ready.json()["telegram"]["state"] == "connecting" and "Connect" in ready.json()["telegram"]["problem"]
            assert f"Telegram cannot be reached at {telegram.url}" in caplog.text
            telegram.up()  # Telegram is back: the bot starts replying within 10 s
            users = telegram.users("777:OUTAGE")
            chat_id = chat()
            users.say(chat_id, "Tỉnh có bao nhiêu cụm công nghiệp?")
            assert "53" in users.replies(chat_id, timeout=10)[0]["text"]
            assert web.get("/readyz").json()["telegram"]["state"] == "running"
    finally:
        server.should_exit = True
        telegram.stop()


def test_serve_with_a_refused_token_keeps_the_web_and_says_why(tmp_path_factory, corpus_kb, telegram_emulator, caplog):
    from fastapi.testclient import TestClient

    from assistant.runtime import build_runtime
    from assistant.settings import Settings
    from bots.web.server import create_server

    settings = Settings(data_dir=tmp_path_factory.mktemp("refused"), telegram_token="778:INVALID",
                        telegram_api_url=telegram_emulator.url)
    app = create_server(build_runtime(settings, kb=corpus_kb[0]))
    with TestClient(app) as client:
        wait_until(lambda: client.get("/readyz").json()["telegram"]["state"] == "invalid_token")
        assert client.get("/readyz").status_code == 200
        assert "53" in client.post("/api/ask", json={"question": "Tỉnh có bao nhiêu cụm công nghiệp?"}).json()["answer"]
    assert "refused the bot token" in caplog.text and "CNHT_TELEGRAM_TOKEN" in caplog.text


def _bot_data_dir(tmp_path, corpus_kb) -> Path:
    """A data directory holding a copy of the ingested corpus, its index and its database with the registry
    (a `cnht` process of its own can open it)."""
    import shutil
    import sqlite3

    kb, _ = corpus_kb
    data = tmp_path / "data"
    shutil.copytree(kb.directory, data / "index")
    with sqlite3.connect(kb.directory.parent / "assistant.sqlite") as source, sqlite3.connect(data / "assistant.sqlite") as copy:
        source.backup(copy)  # a consistent snapshot, whatever is still in its write-ahead log
    return data


def test_cnht_telegram_waits_for_telegram_then_serves_staff_curated_answers(tmp_path, corpus_kb):
    """`cnht telegram` started while Telegram is unreachable keeps trying (and says why); once Telegram is
    back it answers, with the staff's curated answers from the database like the webhook bot."""
    import os
    import subprocess
    import sys
    import threading

    from assistant.db.database import open_database
    from assistant.settings import Settings
    from assistant.workspace import curation
    from tests.support.telegram import Emulator

    data = _bot_data_dir(tmp_path, corpus_kb)
    kb, _ = corpus_kb
    curation.save(open_database(Settings(data_dir=data)), kb, {
        "question_vi": "Giờ tiếp doanh nghiệp của phòng công nghiệp là khi nào?",
        "question_en": "When does the industry office receive enterprises?",
        "answer_vi": "Phòng Quản lý công nghiệp tiếp doanh nghiệp sáng thứ Ba và thứ Năm hằng tuần.",
        "answer_en": "The industry office receives enterprises on Tuesday and Thursday mornings.",
        "sources": [{"doc_id": "qd-3164-2021", "section": ""}],
    }, "chief")
    telegram = Emulator(start=False)
    env = {**os.environ, "CNHT_DATA_DIR": str(data), "CNHT_TELEGRAM_TOKEN": "889:POLL", "OMP_WAIT_POLICY": "passive",
           "CNHT_TELEGRAM_API_URL": telegram.url}
    bot = subprocess.Popen([sys.executable, "-m", "bots", "telegram", "--poll-interval", "0.05"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(iter(bot.stderr.readline, "")), daemon=True).start()
    try:
        wait_until(lambda: sum("cannot be reached" in line for line in log) >= 2, timeout=180)
        assert bot.poll() is None  # still trying, not exited
        telegram.up()
        users = telegram.users("889:POLL")
        chat_id = chat()
        users.say(chat_id, "Giờ tiếp doanh nghiệp của phòng công nghiệp là khi nào?")
        assert "sáng thứ Ba và thứ Năm" in users.replies(chat_id, timeout=60)[0]["text"]
    finally:
        bot.terminate()
        bot.wait(timeout=30)
        telegram.stop()


def test_cnht_telegram_exits_with_status_2_only_when_the_token_is_refused(tmp_path, corpus_kb, telegram_emulator):
    import os
    import subprocess
    import sys

    env = {**os.environ, "CNHT_DATA_DIR": str(_bot_data_dir(tmp_path, corpus_kb)), "CNHT_TELEGRAM_TOKEN": "890:INVALID",
           "CNHT_TELEGRAM_API_URL": telegram_emulator.url, "OMP_WAIT_POLICY": "passive"}
    result = subprocess.run([sys.executable, "-m", "bots", "telegram"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert "refused the bot token" in result.stderr and "CNHT_TELEGRAM_TOKEN" in result.stderr


def test_a_follow_up_asked_inside_the_check_is_read_against_the_conversation(checks):
    chat_id = chat()
    users = checks
    users.say(chat_id, "Tỉnh có bao nhiêu cụm công nghiệp?")
    assert "53" in users.replies(chat_id)[0]["text"]
    begin_check(users, chat_id)
    users.say(chat_id, "Còn diện tích đất công nghiệp?")
    answer, repeated = users.replies(chat_id, 2)
    assert "1.860,24 ha" in answer["text"] and "Số lao động" in repeated["text"]


def test_a_locked_database_does_not_stall_other_users(bot, bot_env):
    """The rate limiter waits on a write lock held by another process; meanwhile other users are served
    (the database is never called on the event loop)."""
    import sqlite3

    settings, _, _ = bot_env
    waiting, other = chat(), chat()
    lock = sqlite3.connect(settings.data_dir / "assistant.sqlite", isolation_level=None, timeout=30)
    lock.execute("BEGIN IMMEDIATE")
    try:
        bot.say(waiting, "Tỉnh có bao nhiêu khu công nghiệp?")  # its rate-limit check now waits for the lock
        bot.say(other, "/help")
        assert "Gửi câu hỏi" in bot.replies(other, timeout=10)[0]["text"]
        assert bot.silence(waiting, 0.2) == []
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert "14" in bot.replies(waiting)[0]["text"]
