"""Replicas behave as one: two real `cnht serve` processes on two ports, each with a data directory of its
own, sharing only one PostgreSQL database (this module's own), one Chroma server collection and Redis (a
prefix of this module's own). A document uploaded through one replica's workspace is answered by the other
within 5 s of its job finishing; a follow-up asked on the other keeps the conversation's context; rate
limits count across both; a Telegram update posted to both webhooks is handled once."""
from __future__ import annotations

import itertools
import os
import time
import uuid
from contextlib import ExitStack

import httpx
import pytest

from tests.conftest import CORPUS
from tests.support.postgres import scratch_postgres
from tests.support.processes import cnht_serve
from tests.support.redis_server import delete_prefix

pytestmark = pytest.mark.slow

PASSWORD = "correct-horse-battery"
LIMIT = 5  # CNHT_RATE_LIMIT_PER_MINUTE of both replicas
SECRET = "replica-webhook-s3cret"
TOKEN = "555:REPLICAS"
_addresses = itertools.count(1)


def client_address() -> dict[str, str]:
    """Headers that make a request come from a client of its own (the replicas trust the loopback proxy),
    so the rate limit of one part of the test does not spill into another."""
    n = next(_addresses)
    return {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"}


@pytest.fixture(scope="module")
def replicas(tmp_path_factory, chroma_server, redis_url, telegram_emulator):
    """The two replicas' base URLs; an admin account exists in their one database."""
    from assistant.db.database import open_database_url
    from assistant.workspace import accounts

    root = tmp_path_factory.mktemp("replicas")
    prefix = f"cnht-test:{os.getpid()}-{uuid.uuid4().hex[:8]}:"
    with ExitStack() as stack:
        url = stack.enter_context(scratch_postgres())
        database = open_database_url(url)
        try:
            accounts.create_user(database, "admin1", PASSWORD, "admin")
        finally:
            database.close()
        shared = {
            "CNHT_DATABASE_URL": url, "CNHT_CHROMA_URL": chroma_server.url,
            "CNHT_CHROMA_COLLECTION": f"replicas-{uuid.uuid4().hex[:8]}", "CNHT_REDIS_URL": redis_url,
            "CNHT_REDIS_PREFIX": prefix, "CNHT_RATE_LIMIT_PER_MINUTE": str(LIMIT), "CNHT_TRUSTED_PROXIES": "127.0.0.1",
            "CNHT_TELEGRAM_TOKEN": TOKEN, "CNHT_TELEGRAM_API_URL": telegram_emulator.url,
            "CNHT_TELEGRAM_WEBHOOK_SECRET": SECRET,
        }
        stack.callback(delete_prefix, redis_url, prefix)
        urls = [stack.enter_context(cnht_serve({**shared, "CNHT_DATA_DIR": str(root / f"data{n}")})).url for n in (1, 2)]
        yield urls


def sign_in(url: str) -> tuple[httpx.Client, str]:
    """A client signed in to a replica's workspace as the admin, and its CSRF token."""
    client = httpx.Client(base_url=url, timeout=60)
    token = client.get("/admin/api/csrf").json()["csrf"]
    response = client.post("/admin/api/login", json={"username": "admin1", "password": PASSWORD},
                           headers={"X-CSRF-Token": token})
    assert response.status_code == 200, response.text
    return client, response.json()["csrf"]


def ask(url: str, question: str, session_id: str | None = None, headers: dict | None = None) -> httpx.Response:
    """POST /api/ask on a replica."""
    body = {"question": question, **({"session_id": session_id} if session_id else {})}
    return httpx.post(url + "/api/ask", json=body, headers=headers or client_address(), timeout=120)


def test_an_upload_through_one_is_answered_by_the_other_and_a_follow_up_there_keeps_its_context(replicas):
    one, two = replicas
    question = "Tỉnh có bao nhiêu cụm công nghiệp?"
    before = ask(two, question)  # also loads replica 2's models, so the 5 s below measure only the catching up
    assert before.status_code == 200 and "53" not in before.json()["answer"]
    client, csrf = sign_in(one)
    try:
        data = (CORPUS / "cum-cong-nghiep.txt").read_bytes()
        response = client.post("/admin/api/documents", files={"file": ("cum-cong-nghiep.txt", data)},
                               headers={"X-CSRF-Token": csrf})
        assert response.status_code == 202, response.text
        job = response.json()
        deadline = time.monotonic() + 300
        while job["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, f"upload job still {job['state']}"
            time.sleep(0.05)
            job = client.get(job["status_url"]).json()
    finally:
        client.close()
    finished = time.monotonic()
    assert job["state"] == "done", job
    while True:
        answer = ask(two, question)
        assert answer.status_code == 200, answer.text
        if "53" in answer.json()["answer"]:
            break
        assert time.monotonic() - finished < 5, f"replica 2 still does not answer: {answer.json()['answer']}"
        time.sleep(0.2)
    assert time.monotonic() - finished < 5
    assert answer.json()["citations"][0]["doc_id"] == "cum-cong-nghiep-hai-duong"

    first = ask(one, "How many industrial clusters are there?")
    assert first.status_code == 200, first.text
    session_id = first.json()["session_id"]
    follow = ask(two, "And the industrial land?", session_id)
    assert follow.status_code == 200, follow.text
    assert "1,860.24" in follow.json()["answer"] or "1.860,24" in follow.json()["answer"], follow.json()["answer"]
    turns = httpx.get(f"{one}/api/conversations/{session_id}", timeout=30).json()
    assert [t["question"] for t in turns] == ["How many industrial clusters are there?", "And the industrial land?"]


def test_rate_limits_count_across_both_replicas(replicas):
    same_client = client_address()
    codes = [ask(replicas[n % 2], "Khu công nghiệp là gì?", headers=same_client).status_code for n in range(LIMIT + 1)]
    assert codes == [200] * LIMIT + [429]
    other_client = client_address()
    assert ask(replicas[0], "Khu công nghiệp là gì?", headers=other_client).status_code == 200


def test_a_telegram_update_posted_to_both_webhooks_is_handled_once(replicas, telegram_emulator):
    users = telegram_emulator.users(TOKEN)
    for url in replicas:
        deadline = time.monotonic() + 60
        while httpx.get(url + "/readyz", timeout=30).json().get("telegram", {}).get("state") != "running":
            assert time.monotonic() < deadline, "the bot did not start"
            time.sleep(0.1)
    chat_id = 770_000 + os.getpid() % 10_000
    update = {"update_id": 880_000_000 + os.getpid() % 100_000, "message": {
        "message_id": 1, "date": int(time.time()), "text": "Tỉnh có bao nhiêu cụm công nghiệp?",
        "chat": {"id": chat_id, "type": "private"}, "from": {"id": chat_id, "is_bot": False, "first_name": "U"}}}
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    for url in replicas:
        response = httpx.post(url + "/telegram/webhook", json=update, headers=headers, timeout=30)
        assert response.status_code == 200, response.text
    replies = users.replies(chat_id)
    assert len(replies) == 1
    assert users.silence(chat_id, 2.0) == []  # no second answer from the other replica
