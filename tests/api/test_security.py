"""The urgent audit findings: conversations only reachable by the id the server issued (and Telegram's
never), bodies capped while they stream in, and bad input refused with 422 instead of a crash."""
import json

import pytest
from fastapi.testclient import TestClient

from assistant.answering.models import Answer
from assistant.conversation.sessions import telegram_conversation_id
from assistant.db.records import record_answer


@pytest.fixture(scope="module")
def client(web_app):
    app, _ = web_app
    return TestClient(app)


@pytest.fixture(scope="module")
def telegram_chat(web_app):
    """A Telegram user's stored turn, with personal data in it, as the bot stores it."""
    app, database = web_app
    chat_id = 5550001
    session_id = telegram_conversation_id(chat_id)
    question = "CCCD của tôi là 001099012345, số điện thoại 0912345678, tôi có được hỗ trợ không?"
    record_answer(database, question, Answer("Có.", "vi", True, "documents"), session_id, "telegram")
    return chat_id, session_id


@pytest.mark.parametrize("name", ["{session}", "telegram-{chat}", "{chat}", "telegram%3A{chat}"])
def test_a_telegram_conversation_cannot_be_read_through_the_api(client, telegram_chat, name):
    chat_id, session_id = telegram_chat
    response = client.get("/api/conversations/" + name.format(session=session_id, chat=chat_id))
    assert response.status_code in (404, 422)
    assert "001099012345" not in response.text and "0912345678" not in response.text


@pytest.mark.parametrize("name", ["{session}", "telegram-{chat}", "{chat}"])
def test_a_telegram_conversation_cannot_be_written_through_the_api(client, web_app, telegram_chat, name):
    app, _ = web_app
    chat_id, session_id = telegram_chat
    conversations = app.state.context.service.conversations
    before = [t.question for t in conversations.get(session_id).turns]
    response = client.post("/api/ask", json={"question": "Còn khu công nghiệp thì sao?",
                                             "session_id": name.format(session=session_id, chat=chat_id)})
    assert response.status_code in (404, 422)
    assert [t.question for t in conversations.get(session_id).turns] == before


def test_a_guessed_web_id_is_refused_and_an_issued_one_works(client):
    first = client.post("/api/ask", json={"question": "Tỉnh có bao nhiêu cụm công nghiệp?"}).json()
    issued = first["session_id"]
    assert len(issued) >= 22  # at least 128 random bits, url-safe
    guesses = [issued[:-1] + ("A" if issued[-1] != "A" else "B"), "0" * 32, "1", "web-1"]
    for guess in guesses:
        read = client.get(f"/api/conversations/{guess}")
        assert read.status_code == 404 and read.json()["error"]["code"] == "unknown_session"
        write = client.post("/api/ask", json={"question": "Còn khu công nghiệp?", "session_id": guess})
        assert write.status_code == 404 and write.json()["error"]["field"] == "session_id"
    follow = client.post("/api/ask", json={"question": "Còn khu công nghiệp?", "session_id": issued})
    assert follow.status_code == 200 and follow.json()["session_id"] == issued
    assert len(client.get(f"/api/conversations/{issued}").json()) == 2


def test_every_new_conversation_gets_a_different_secret(client):
    ids = {client.post("/api/ask", json={"question": "Khóa đào tạo Kaizen dành cho ai?"}).json()["session_id"] for _ in range(3)}
    assert len(ids) == 3


def test_a_lone_surrogate_in_a_question_is_422_not_a_crash(client):
    body = '{"question": "khu c\\ud800ng nghi\\u1ec7p"}'
    response = client.post("/api/ask", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and error["field"] == "question" and "surrogate" in error["message"]
    paired = '{"question": "Khu c\\u00f4ng nghi\\u1ec7p \\ud83c\\udfed c\\u00f3 bao nhi\\u00eau?"}'  # a real pair is fine
    assert client.post("/api/ask", content=paired, headers={"Content-Type": "application/json"}).status_code == 200


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1" + "0" * 4000, "1e400"])
def test_absurd_numbers_in_an_eligibility_profile_are_422(client, value):
    body = '{"profile": {"employees": ' + value + '}, "lang": "en"}'
    response = client.post("/api/eligibility", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and error["field"] == "profile.employees"


@pytest.mark.parametrize("value", [1e12, 10**12, -5])
def test_out_of_range_profile_numbers_name_the_field(client, value):
    response = client.post("/api/eligibility", json={"profile": {"revenue": value}})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_profile" and error["field"] == "revenue"


def test_a_huge_typed_number_is_asked_again(client):
    response = client.post("/api/eligibility", json={"profile": {}, "lang": "vi",
                                                     "answer": {"field": "employees", "text": "9" * 400 + " người"}})
    assert response.status_code == 422 and response.json()["error"]["code"] == "unreadable_answer"


def test_a_chunked_body_over_the_cap_is_413(client):
    def chunks():
        for _ in range(64):
            yield b'{"question": "' + b"a" * 1024
    response = client.post("/api/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "body_too_large"


@pytest.mark.parametrize("path", ["/api/feedback", "/admin/api/login"])
def test_every_json_route_reads_strictly(client, path):
    body = json.dumps({"answer_id": "x", "rating": "up", "comment": "ok"}).replace('"ok"', '"o\\udc00k"')
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_input"


def test_existing_telegram_conversations_move_out_of_the_api_namespace(empty_database_url):
    from sqlalchemy import text

    from assistant.db.database import Database

    database = Database(empty_database_url)
    database.migrate("0003")
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO conversations (id, channel, lang, created_at, updated_at) VALUES"
                                " ('telegram-42', 'telegram', 'vi', '2026-01-01', '2026-01-01'),"
                                " ('webchat1', 'web', 'vi', '2026-01-01', '2026-01-01')"))
        connection.execute(text("INSERT INTO answers (id, conversation_id, channel, question, answer, lang, grounded,"
                                " source, citations, created_at) VALUES ('a1', 'telegram-42', 'telegram', 'q', 'a', 'vi', TRUE,"
                                " 'none', '[]', '2026-01-01'), ('a2', 'webchat1', 'web', 'q', 'a', 'vi', TRUE, 'none', '[]',"
                                " '2026-01-01')"))
    database.migrate()
    with database.engine.begin() as connection:
        conversations = dict(connection.execute(text("SELECT id, channel FROM conversations")).all())
        answers = dict(connection.execute(text("SELECT id, conversation_id FROM answers")).all())
    assert conversations == {telegram_conversation_id(42): "telegram", "webchat1": "web"}
    assert answers == {"a1": telegram_conversation_id(42), "a2": "webchat1"}
    database.close()
