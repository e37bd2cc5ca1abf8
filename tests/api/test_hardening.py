"""The low findings of the security audit: proxy headers believed only from configured proxies, every
write endpoint rate-limited, security headers on every response, /docs without a CDN, /metrics local."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client(web_app):
    app, _ = web_app
    return TestClient(app)


def _app(corpus_kb, tmp_path, **overrides):
    from assistant.runtime import build_runtime
    from assistant.settings import Settings
    from bots.web.server import create_server

    return create_server(build_runtime(Settings(data_dir=tmp_path, **overrides), kb=corpus_kb[0]))


@pytest.mark.parametrize("path", ["/api/documents", "/healthz", "/no-such-page", "/widget.js", "/openapi.json", "/docs", "/"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "default-src" in response.headers["Content-Security-Policy"]
    if path == "/":  # a page keeps its own policy (framable by the configured origins)
        assert "frame-ancestors 'self' http://127.0.0.1:9" in response.headers["Content-Security-Policy"]


def test_docs_are_served_without_any_script_or_cdn(client):
    response = client.get("/docs")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "<script" not in response.text and "cdn" not in response.text.lower()
    assert "POST /api/ask" in response.text and "AskRequest" in response.text
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_docs_can_be_switched_off(corpus_kb, tmp_path):
    client = TestClient(_app(corpus_kb, tmp_path, api_docs=False))
    assert client.get("/docs").status_code == 404 and client.get("/openapi.json").status_code == 404


def test_metrics_answer_loopback_only_by_default(corpus_kb, tmp_path, web_app):
    app, _ = web_app
    assert TestClient(app).get("/metrics").status_code == 404
    assert TestClient(app).get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 404
    assert "cnht_http_requests_total" in TestClient(app, client=("127.0.0.1", 5000)).get("/metrics").text
    assert TestClient(_app(corpus_kb, tmp_path / "on", metrics="on")).get("/metrics").status_code == 200
    off = TestClient(_app(corpus_kb, tmp_path / "off", metrics="off"), client=("127.0.0.1", 5000))
    assert off.get("/metrics").status_code == 404


def test_a_rotating_forwarded_for_does_not_dodge_the_rate_limit(corpus_kb, tmp_path):
    client = TestClient(_app(corpus_kb, tmp_path, rate_limit_per_minute=2))
    statuses = [client.get("/api/search", params={"q": "khu công nghiệp"}, headers={"X-Forwarded-For": f"10.9.0.{i}"}).status_code
                for i in range(3)]
    assert statuses == [200, 200, 429]


def test_a_configured_proxy_is_believed(corpus_kb, tmp_path):
    app = _app(corpus_kb, tmp_path, rate_limit_per_minute=2, trusted_proxies="10.0.0.1")
    proxy = TestClient(app, client=("10.0.0.1", 4000))
    statuses = [proxy.get("/api/search", params={"q": "khu công nghiệp"}, headers={"X-Forwarded-For": f"10.9.0.{i}"}).status_code
                for i in range(3)]
    assert statuses == [200, 200, 200]  # three clients behind the proxy, one request each
    same = [proxy.get("/api/search", params={"q": "khu công nghiệp"}, headers={"X-Forwarded-For": "1.2.3.4, 10.9.0.7"}).status_code
            for _ in range(3)]
    assert same == [200, 200, 429]  # one client (the address the proxy saw), whatever it wrote before it


def test_feedback_and_eligibility_are_rate_limited(corpus_kb, tmp_path):
    client = TestClient(_app(corpus_kb, tmp_path, rate_limit_per_minute=2))
    feedback = [client.post("/api/feedback", json={"answer_id": "nope", "rating": "up"}).status_code for _ in range(3)]
    assert feedback == [404, 404, 429]
    other = TestClient(_app(corpus_kb, tmp_path / "eligibility", rate_limit_per_minute=2), client=("10.0.0.5", 1))
    checks = [other.post("/api/eligibility", json={"profile": {}, "lang": "vi"}) for _ in range(3)]
    assert [r.status_code for r in checks] == [200, 200, 429] and "Retry-After" in checks[-1].headers
