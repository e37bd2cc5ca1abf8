"""The web chat and the widget in real headless Chromium (Debian chromium driven by Playwright)."""
import http.server
import socket
import threading
import time
from functools import partial

import pytest
from sqlalchemy import select

from tests.conftest import ARTIFACTS

XSS = "<script>window.__xss = 1</script>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(corpus_service, corpus_kb, tmp_path_factory):
    """The chat server on loopback, a host page embedding the widget on another port, and the database."""
    import uvicorn

    from assistant.knowledge.ingestion import ingest_paths
    from assistant.runtime import build_runtime
    from assistant.settings import Settings
    from bots.web.server import create_server
    from ingest.pipeline import ParseOptions

    kb, _ = corpus_kb
    docs = tmp_path_factory.mktemp("xss")
    (docs / "thu-nghiem-xss.txt").write_text(f"Thông báo thử nghiệm ký tự đặc biệt {XSS} trong văn bản về đăng ký kinh doanh điện tử.", encoding="utf-8")
    ingest_paths(kb, [docs], ParseOptions())
    port, host_port = free_port(), free_port()
    data = tmp_path_factory.mktemp("site")
    settings = Settings(data_dir=data, rate_limit_per_minute=1000, cors_origins=f"http://127.0.0.1:{host_port}")
    runtime = build_runtime(settings, kb=kb)
    database = runtime.database
    server = uvicorn.Server(uvicorn.Config(create_server(runtime), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    host_dir = tmp_path_factory.mktemp("host")
    (host_dir / "index.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>button{background:red!important;font-size:40px!important}"
        "iframe{border:10px solid lime!important}</style></head><body><h1>Cổng thông tin tỉnh</h1>"
        "<button id='host-button'>Host</button>"
        f"<script src='http://127.0.0.1:{port}/widget.js' data-lang='vi' defer></script></body></html>",
        encoding="utf-8",
    )
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(host_dir))
    host = http.server.ThreadingHTTPServer(("127.0.0.1", host_port), handler)
    threading.Thread(target=host.serve_forever, daemon=True).start()
    deadline = time.time() + 30
    while not server.started:
        assert time.time() < deadline, "server did not start"
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "host": f"http://127.0.0.1:{host_port}", "database": database}
    server.should_exit = True
    host.shutdown()
    kb.remove("thu-nghiem-xss")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 850})
    page = context.new_page()
    yield page
    context.close()


def ask(page, question):
    before = page.locator(".msg.bot").count()
    page.fill("#question", question)
    page.press("#question", "Enter")
    answer = page.locator(".msg.bot").nth(before)
    answer.locator(".feedback, [data-state]").first.wait_for(timeout=30000)
    return answer


def test_vietnamese_question_streams_an_answer_with_a_citation_panel(site, page):
    page.goto(site["url"])
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("#starters button").count() >= 3
    assert page.locator("#log").get_attribute("aria-live") == "polite"
    answer = ask(page, "Dự án công nghiệp hỗ trợ được ưu đãi thuế thu nhập doanh nghiệp như thế nào?")
    assert "thuế suất ưu đãi 10%" in answer.inner_text()
    page.screenshot(path=str(ARTIFACTS / "chat-vi.png"), full_page=True)
    answer.locator(".cite").first.click()
    panel = page.locator("#panel")
    panel.wait_for(state="visible")
    page.locator("#panel-text mark").wait_for()
    assert "Nghị định" in page.locator("#panel-title").inner_text()
    assert "Mục 3" in page.locator("#panel-meta").inner_text()
    assert "thuế thu nhập doanh nghiệp" in page.locator("#panel-text mark").inner_text()
    page.screenshot(path=str(ARTIFACTS / "citation-panel.png"), full_page=True)


def test_english_question_and_not_in_the_documents(site, page):
    page.goto(site["url"] + "/?lang=en")
    page.evaluate("localStorage.clear()")
    page.goto(site["url"] + "/?lang=en")
    answer = ask(page, "What is the maximum support level of the industrial promotion programme?")
    assert "According to" in answer.inner_text() and answer.locator(".cite").count() >= 1
    refused = ask(page, "How do I register a trademark for my product?")
    assert refused.get_attribute("data-state") == "not-in-documents"
    assert "do not cover" in refused.inner_text()
    page.screenshot(path=str(ARTIFACTS / "chat-en.png"), full_page=True)


def test_feedback_reaches_the_database(site, page):
    from assistant.db.models import Feedback

    page.goto(site["url"])
    answer = ask(page, "Khóa đào tạo Kaizen dành cho ai?")
    answer.get_by_role("button", name="Câu trả lời hữu ích").click()
    answer.locator("textarea").fill("Rất rõ ràng")
    answer.get_by_role("button", name="Gửi góp ý").click()
    answer.get_by_role("status").wait_for()
    with site["database"].session() as session:
        rows = session.scalars(select(Feedback).where(Feedback.comment == "Rất rõ ràng")).all()
        assert [r.rating for r in rows] == ["up"]


def test_language_switch_and_conversation_survive_a_reload(site, page):
    page.goto(site["url"])
    page.evaluate("localStorage.clear()")
    page.reload()
    ask(page, "Tỉnh có bao nhiêu cụm công nghiệp?")
    page.click("#lang")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#send").inner_text() == "Send"
    page.reload()
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator(".msg.bot .feedback").first.wait_for()
    assert page.locator(".msg.user").first.inner_text().endswith("Tỉnh có bao nhiêu cụm công nghiệp?")
    assert "53" in page.locator(".msg.bot").first.inner_text()


def test_script_in_a_question_or_a_document_shows_as_text(site, page):
    page.goto(site["url"])
    answer = ask(page, f"Thông báo thử nghiệm ký tự đặc biệt {XSS} đăng ký kinh doanh điện tử")
    assert page.evaluate("window.__xss") is None
    assert XSS in page.locator(".msg.user").last.inner_text()
    if answer.locator(".cite").count():
        answer.locator(".cite").first.click()
        page.locator("#panel-text").wait_for()
        page.wait_for_timeout(500)
    texts = answer.inner_text() + page.locator("#panel-text").inner_text()
    assert "<script>" in texts
    assert page.evaluate("window.__xss") is None
    assert page.locator("#log script, #panel script").count() == 0


def test_widget_on_a_host_page(site, page):
    page.goto(site["host"])
    bubble = page.locator("[data-cnht-widget] >> css=button.bubble")
    bubble.wait_for()
    assert bubble.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(11, 92, 173)"  # host CSS does not leak in
    assert page.locator("#host-button").evaluate("b => getComputedStyle(b).fontSize") == "40px"  # nor ours out
    bubble.click()
    frame = page.frame_locator("[data-cnht-widget] >> css=iframe.frame")
    frame.locator("#question").fill("Tỉnh có bao nhiêu khu công nghiệp?")
    frame.locator("#question").press("Enter")
    frame.locator(".msg.bot .feedback").first.wait_for(timeout=30000)
    assert "14" in frame.locator(".msg.bot").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "widget.png"))


def test_eligibility_check_one_question_at_a_time_to_a_printable_verdict(page, site):
    page.goto(site["url"] + "/eligibility")
    question = page.locator("#q-text")
    question.wait_for()
    assert page.locator("#results .program").count() >= 6
    asked = []
    answers = {"legal_form": "Doanh nghiệp", "sector": "Cơ khí"}
    for _ in range(5):
        if page.locator("#done").is_visible():
            break
        text = question.text_content()
        field = "legal_form" if "loại hình" in text else "sector" if "sản phẩm" in text else text
        asked.append(field)
        value = answers[field]
        before = page.locator("#progress").text_content()
        page.get_by_role("button", name=value, exact=True).click()
        page.wait_for_function("b => document.getElementById('progress').textContent !== b", arg=before)
    assert asked == ["legal_form", "sector"] or asked == ["sector", "legal_form"]
    iso = page.locator("#results .program", has_text="ISO 31000")
    assert "Đủ điều kiện" in iso.locator(".badge").text_content()
    assert "Đối tượng" in iso.locator("cite").first.text_content()
    assert "Hồ sơ cần chuẩn bị" in iso.text_content()
    closed = page.locator("#results .program", has_text="bulông")
    assert "Đã đóng" in closed.locator(".badge").text_content() and "215/TB-SCT" in closed.text_content()
    page.screenshot(path=str(ARTIFACTS / "eligibility.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("#done").is_visible() and page.locator("#results .program").first.is_visible()
    page.emulate_media(media="screen")
    page.reload()  # the check resumes where it stopped
    page.locator("#done").wait_for()
    assert "Đủ điều kiện" in page.locator("#results .program", has_text="ISO 31000").text_content()
    page.locator("#restart2").click()
    question.wait_for()
    assert page.locator("#progress").text_content() == ""

