"""The REST API on the corpus: answers, streaming, documents, feedback in the database, and every error path."""
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from assistant.db.models import AnswerRecord, Feedback


@pytest.fixture(scope="module")
def client(web_app):
    app, _ = web_app
    return TestClient(app)


def test_ask_returns_the_cli_json_plus_ids(client):
    response = client.post("/api/ask", json={"question": "Dự án công nghiệp hỗ trợ được ưu đãi thuế thu nhập doanh nghiệp như thế nào?"})
    assert response.status_code == 200
    body = response.json()
    assert {"answer", "lang", "grounded", "source", "citations", "answer_id", "session_id"} <= set(body)
    assert body["grounded"] and body["lang"] == "vi"
    assert body["citations"][0]["doc_id"] == "nd-111-2015-tom-tat" and body["citations"][0]["section"].startswith("Mục 3")


def test_streaming_answer_ends_with_the_citations(client):
    with client.stream("POST", "/api/ask", json={"question": "What is the maximum support level of the industrial promotion programme?"},
                       headers={"Accept": "text/event-stream"}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    events = [block for block in text.split("\n\n") if block.startswith("event:")]
    assert events[0].startswith("event: delta") and events[-1].startswith("event: answer")
    final = json.loads(events[-1].split("data: ", 1)[1])
    assert final["lang"] == "en" and final["citations"][0]["doc_id"] == "tb-khuyen-cong-2022"
    streamed = "".join(json.loads(e.split("data: ", 1)[1])["text"] for e in events if e.startswith("event: delta"))
    assert streamed.strip() == final["answer"].strip()


def test_conversation_is_kept_and_follow_ups_use_it(client):
    first = client.post("/api/ask", json={"question": "How many industrial clusters are there?"}).json()
    follow = client.post("/api/ask", json={"question": "And the industrial land?", "session_id": first["session_id"]}).json()
    assert "1,860.24" in follow["answer"] or "1.860,24" in follow["answer"]
    turns = client.get(f"/api/conversations/{first['session_id']}").json()
    assert [t["question"] for t in turns] == ["How many industrial clusters are there?", "And the industrial land?"]
    assert turns[1]["citations"]


def test_feedback_is_stored(client, web_app):
    _, database = web_app
    answer = client.post("/api/ask", json={"question": "Khóa đào tạo Kaizen dành cho ai?"}).json()
    response = client.post("/api/feedback", json={"answer_id": answer["answer_id"], "rating": "down", "comment": " thiếu thời gian học "})
    assert response.status_code == 201
    with database.session() as session:
        row = session.scalars(select(Feedback).where(Feedback.answer_id == answer["answer_id"])).one()
        assert (row.rating, row.comment) == ("down", "thiếu thời gian học")
        assert session.get(AnswerRecord, answer["answer_id"]).question == "Khóa đào tạo Kaizen dành cho ai?"


def test_search_and_documents(client):
    hits = client.get("/api/search", params={"q": "Quyết định 3164 Điều 2", "k": 3}).json()
    assert hits[0]["doc_id"] == "qd-3164-2021" and hits[0]["section"].startswith("Điều 2")
    documents = client.get("/api/documents").json()
    assert {"qd-3164-2021", "investor-guide-en"} <= {d["doc_id"] for d in documents}
    detail = client.get("/api/documents/qd-3164-2021").json()
    assert detail["doc_number"] == "3164/QĐ-UBND" and any(c["section"] == "Điều 1" for c in detail["chunks"])
    only_en = client.get("/api/search", params={"q": "incentives", "lang": "en"}).json()
    assert only_en and all(h["doc_id"] in {"investor-guide-en", "decision-3164-2021-en", "faq-supporting-industry-definition"} for h in only_en)


def test_health_readiness_metrics_and_openapi(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["ready"] is True
    assert ready["checks"] == {"database": "ok", "vectors": "ok"}  # local Chroma: no server to be down
    metrics = TestClient(client.app, client=("127.0.0.1", 5000)).get("/metrics").text  # loopback only by default
    assert "cnht_http_requests_total" in metrics and "cnht_answers_total" in metrics
    assert "/api/ask" in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize(
    "request_kwargs, status, code",
    [
        ({"json": {"question": "   "}}, 422, "empty_question"),
        ({"json": {"question": "x" * 501}}, 422, "question_too_long"),
        ({"json": {}}, 422, "invalid_request"),
        ({"json": {"question": 42}}, 422, "invalid_request"),
        ({"json": {"question": "hi", "extra": 1}}, 422, "invalid_request"),
        ({"json": {"question": "hi", "session_id": "../../etc"}}, 422, "invalid_request"),
        ({"content": "{not json", "headers": {"content-type": "application/json"}}, 400, "malformed_json"),
        ({"content": "x" * 20000, "headers": {"content-type": "application/json"}}, 413, "body_too_large"),
    ],
)
def test_ask_errors_are_clear_json(client, request_kwargs, status, code):
    response = client.post("/api/ask", **request_kwargs)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code and response.json()["error"]["message"]


@pytest.mark.parametrize(
    "method, url, kwargs, status, code",
    [
        ("post", "/api/feedback", {"json": {"answer_id": "nope", "rating": "up"}}, 404, "not_found"),
        ("post", "/api/feedback", {"json": {"answer_id": "x", "rating": "meh"}}, 422, "invalid_request"),
        ("post", "/api/feedback", {"json": {"answer_id": "x", "rating": "up", "comment": "c" * 2001}}, 422, "invalid_request"),
        ("get", "/api/documents/nope", {}, 404, "not_found"),
        ("get", "/api/search", {}, 422, "invalid_request"),
        ("get", "/api/search", {"params": {"q": "a", "k": 0}}, 422, "invalid_request"),
        ("get", "/api/search", {"params": {"q": "a", "date_from": "2021/01/01"}}, 422, "invalid_request"),
        ("get", "/api/nothing-here", {}, 404, "not_found"),
        ("delete", "/api/ask", {}, 405, "method_not_allowed"),
    ],
)
def test_other_error_paths(client, method, url, kwargs, status, code):
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == status and response.json()["error"]["code"] == code


def test_rate_limit_answers_429_with_retry_after(corpus_kb, tmp_path, database_url):
    from assistant.runtime import build_runtime
    from assistant.settings import Settings
    from bots.web.server import create_server

    settings = Settings(data_dir=tmp_path, rate_limit_per_minute=2, database_url=database_url)
    client = TestClient(create_server(build_runtime(settings, kb=corpus_kb[0])))
    for _ in range(2):
        assert client.get("/api/search", params={"q": "khu công nghiệp"}).status_code == 200
    limited = client.get("/api/search", params={"q": "khu công nghiệp"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["error"]["code"] == "rate_limited"
    # a second worker process of the same server, or a replica sharing the database, counts the same requests
    other = TestClient(create_server(build_runtime(settings.model_copy(update={"data_dir": tmp_path / "replica"}),
                                                   kb=corpus_kb[0])))
    assert other.get("/api/search", params={"q": "khu công nghiệp"}).status_code == 429


def test_cors_only_for_configured_origins(client):
    allowed = client.options("/api/ask", headers={"Origin": "http://127.0.0.1:9", "Access-Control-Request-Method": "POST"})
    assert allowed.headers.get("access-control-allow-origin") == "http://127.0.0.1:9"
    denied = client.options("/api/ask", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in denied.headers
    assert "frame-ancestors 'self' http://127.0.0.1:9" in client.get("/").headers["content-security-policy"]


def test_answers_arriving_together_in_a_new_conversation_are_all_stored(tmp_path, database_url):
    """A user sending several messages at once (Telegram does this) must not lose any of them."""
    import threading
    import uuid

    from sqlalchemy import func, select

    from assistant.answering.models import Answer
    from assistant.db.database import open_database
    from assistant.db.models import AnswerRecord
    from assistant.db.records import record_answer
    from assistant.settings import Settings

    database = open_database(Settings(data_dir=tmp_path, database_url=database_url))
    session_id = uuid.uuid4().hex
    answer = Answer("Có 14 khu công nghiệp.", "vi", True, "documents")
    barrier = threading.Barrier(8)

    def store() -> None:
        barrier.wait()
        record_answer(database, "Có bao nhiêu khu công nghiệp?", answer, session_id, "telegram")

    threads = [threading.Thread(target=store) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with database.session() as session:
        stored = session.scalar(select(func.count()).select_from(AnswerRecord).where(AnswerRecord.conversation_id == session_id))
    assert stored == 8
