"""The web chat, the widget and the eligibility page in real headless Chromium (Debian chromium driven
by Playwright), acting as a user would: what is clicked, typed or pressed, and what is then visible or
focused. Every page is scanned with axe-core and photographed in both languages and both sizes."""
import http.server
import json
import re
import threading
import time
from datetime import date
from functools import partial

import pytest
from sqlalchemy import select

from assistant.answering.evaluation import expected_facts, holds_fact
from tests.conftest import ARTIFACTS, eval_question
from tests.support.axe import add_axe, serious_violations
from tests.support.processes import free_port

XSS = "<script>window.__xss = 1</script>"



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
    for name, lang, heading in (("index.html", "vi", "Cổng thông tin tỉnh"), ("en.html", "en", "Provincial portal")):
        (host_dir / name).write_text(
            f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{heading}</title>"
            "<style>button{background:red!important;font-size:40px!important}"
            f"iframe{{border:10px solid lime!important}}</style></head><body><main><h1>{heading}</h1>"
            "<button id='host-button'>Host</button></main>"
            f"<script src='http://127.0.0.1:{port}/widget.js' data-lang='{lang}' defer></script></body></html>",
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


SIZES = {"desktop": {"width": 1366, "height": 850}, "mobile": {"width": 390, "height": 844}}


def ready(page_or_frame):
    """Wait until the chat's script has wired the form (typing earlier would be lost to a bare textarea)."""
    page_or_frame.locator("#ask[data-ready]").wait_for()


def ask(page, question):
    ready(page)
    before = page.locator(".msg.bot").count()
    page.locator("#question").fill(question)
    page.locator("#question").press("Enter")
    answer = page.locator(".msg.bot").nth(before)
    answer.locator(".feedback, [data-state]").first.wait_for(timeout=30000)
    return answer


def assert_answer_line_leads(answer, question) -> None:
    """The answer's first rendered element is its answer line, holding the question's expected fact and
    set apart (bolder, larger) above the evidence, which follows under it with its citations."""
    body = answer.locator(".body")
    lead = body.locator(":scope > *").first
    assert lead.evaluate("n => n.className") == "lead"
    assert holds_fact(lead.inner_text(), expected_facts(question)), lead.inner_text()
    assert lead.locator(".cite").count() >= 1
    evidence = body.locator(":scope > .evidence")
    assert evidence.count() == 1 and evidence.locator(".cite").count() >= 1
    style = "n => { const s = getComputedStyle(n); return [Number(s.fontWeight), parseFloat(s.fontSize)]; }"
    (lead_weight, lead_size), (evidence_weight, evidence_size) = lead.evaluate(style), evidence.evaluate(style)
    assert lead_weight >= 600 > evidence_weight and lead_size > evidence_size
    assert evidence.evaluate("n => n.getBoundingClientRect().top") >= lead.evaluate("n => n.getBoundingClientRect().bottom")


@pytest.mark.parametrize("question_id", ["q002", "q049"])  # the total area of the industrial parks, vi and en
def test_the_answer_line_comes_first_and_prominent_with_the_evidence_under_it(site, page, question_id):
    question = eval_question(question_id)
    page.goto(site["url"] + f"/?lang={question.lang}")
    assert_answer_line_leads(ask(page, question.question), question)
    page.screenshot(path=str(ARTIFACTS / f"answer-shape-{question.lang}.png"), full_page=True)


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
    answer.get_by_role("button", name="Hữu ích", exact=True).click()
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
    ready(frame)  # the frame loads after the click: its script must be wired before the question is typed
    question = eval_question("q006")  # how many industrial clusters
    frame.locator("#question").fill(question.question)
    frame.locator("#question").press("Enter")
    frame.locator(".msg.bot .feedback").first.wait_for(timeout=30000)
    assert_answer_line_leads(frame.locator(".msg.bot").first, question)
    page.screenshot(path=str(ARTIFACTS / "widget.png"))



# What a user of the chat expects (issue 18): each test acts as the user and checks what is then shown.

def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours."""
    def luminance(css):
        r, g, b = (int(x) / 255 for x in re.findall(r"[\d.]+", css)[:3])
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    a, b = sorted((luminance(first), luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def fresh(browser, size="desktop", **options):
    """A new browser context (empty storage) with axe-core available, and its page."""
    context = browser.new_context(viewport=SIZES[size], **options)
    add_axe(context)
    return context, context.new_page()


def visible_and_on_top(page, selector):
    """Whether the element is inside the viewport and not covered by anything at its centre."""
    return page.evaluate("""s => { const n = document.querySelector(s); const r = n.getBoundingClientRect();
      if (r.width === 0 || r.top < 0 || r.bottom > innerHeight || r.left < 0 || r.right > innerWidth) return false;
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); return n === hit || n.contains(hit); }""", selector)


def test_each_new_answer_starts_in_view_above_the_question_box(site, browser):
    context, page = fresh(browser, "mobile")
    page.goto(site["url"])
    for question in ("Dự án công nghiệp hỗ trợ được ưu đãi thuế thu nhập doanh nghiệp như thế nào?",
                     "Chương trình khuyến công hỗ trợ những gì?", "Quyết định 3164/QĐ-UBND có bao nhiêu nhóm giải pháp?"):
        answer = ask(page, question)
        top = answer.evaluate("n => n.getBoundingClientRect().top")
        box = page.locator("#ask").evaluate("n => n.getBoundingClientRect().top")
        assert 0 <= top < box - 40, (question, top, box)  # the answer's first lines are visible, not under the box
    assert page.evaluate("scrollY") > 0
    context.close()


@pytest.mark.parametrize("size", ["desktop", "mobile"])
def test_source_panel_keeps_its_title_and_close_button_and_esc_returns_focus(site, browser, size):
    context, page = fresh(browser, size)
    page.goto(site["url"])
    answer = ask(page, "Dự án công nghiệp hỗ trợ được ưu đãi thuế thu nhập doanh nghiệp như thế nào?")
    cite = answer.locator(".cite").first
    cite.focus()
    page.keyboard.press("Enter")
    page.locator("#panel-text mark").wait_for()
    page.locator("#panel-text").evaluate("n => { n.scrollTop = n.scrollHeight; }")  # read to the end of the document
    assert visible_and_on_top(page, "#panel-title") and visible_and_on_top(page, "#panel-close")
    assert page.locator("#panel-close").inner_text().strip().endswith("Đóng")
    page.screenshot(path=str(ARTIFACTS / f"citation-panel-{size}.png"))
    page.keyboard.press("Escape")
    assert page.locator("#panel").is_hidden()
    assert cite.evaluate("n => n === document.activeElement")  # focus is back on the citation that opened it
    answer.locator(".sources button").first.click()
    page.locator("#panel-close").click()
    assert page.locator("#panel").is_hidden()
    assert answer.locator(".sources button").first.evaluate("n => n === document.activeElement")
    context.close()


def test_new_conversation_stop_and_one_answer_per_burst_of_clicks(site, browser):
    context, page = fresh(browser)
    page.goto(site["url"])
    ready(page)
    page.locator("#starters button").first.evaluate("b => { for (let i = 0; i < 6; i++) b.click(); }")  # six quick clicks
    page.locator(".msg.bot .feedback").first.wait_for()
    page.wait_for_timeout(300)
    assert page.locator(".msg.user").count() == 1 and page.locator(".msg.bot").count() == 1

    held = []
    page.route("**/api/ask", lambda route: held.append(route))  # the next answer never arrives
    page.fill("#question", "Tỉnh có bao nhiêu cụm công nghiệp?")
    page.press("#question", "Enter")
    stop = page.get_by_role("button", name="Dừng")
    stop.wait_for()
    assert page.locator("#send").is_hidden()
    stop.click()
    stopped = page.locator(".msg.bot[data-state=stopped]")
    stopped.wait_for()
    assert "Đã dừng" in stopped.inner_text()
    assert page.locator("#send").is_visible() and page.locator("#question").evaluate("n => n === document.activeElement")
    page.unroute("**/api/ask")

    page.get_by_role("button", name="Cuộc trò chuyện mới").click()
    assert page.locator("#log li").count() == 0
    assert page.locator("#question").evaluate("n => n === document.activeElement")
    page.reload()
    ready(page)
    page.wait_for_timeout(300)
    assert page.locator("#log li").count() == 0  # the old conversation does not come back
    answer = ask(page, "Tỉnh có bao nhiêu cụm công nghiệp?")
    assert "53" in answer.inner_text()
    context.close()


def test_a_long_paste_is_kept_and_explained_not_cut(site, browser):
    context, page = fresh(browser)
    page.goto(site["url"])
    ready(page)
    text = "Doanh nghiệp cơ khí hỏi về ưu đãi. " * 143  # 5,005 characters
    page.locator("#question").fill(text)
    assert page.locator("#question").input_value() == text  # nothing silently cut
    assert "5005" in page.locator("#count").inner_text() and "1000" in page.locator("#count").inner_text()
    page.press("#question", "Enter")
    page.wait_for_timeout(300)
    assert page.locator(".msg").count() == 0  # not sent
    assert page.locator("#question").get_attribute("aria-invalid") == "true"
    page.locator("#question").fill(text[:900])
    assert page.locator("#question").get_attribute("aria-invalid") == "false"
    context.close()


def test_nearest_documents_of_a_refusal_open_in_the_panel(site, browser):
    context, page = fresh(browser)
    page.goto(site["url"] + "/?lang=en")
    refused = ask(page, "How do I register a trademark for my product?")
    assert refused.get_attribute("data-state") == "not-in-documents"
    links = refused.locator(".nearest button")
    assert links.count() >= 1
    title = links.first.inner_text()
    links.first.click()
    page.locator("#panel").wait_for(state="visible")
    page.wait_for_function("() => document.getElementById('panel-text').textContent.length > 20")
    assert page.locator("#panel-title").inner_text() in title
    context.close()


def test_focus_ring_is_visible_against_its_background(site, browser):
    context, page = fresh(browser)
    page.goto(site["url"])
    ready(page)
    page.locator("#question").focus()
    page.keyboard.press("Shift+Tab")  # keyboard focus on the last suggestion
    ring = page.evaluate("() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineColor, s.outlineWidth]; }")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert ring[0] == "solid" and float(ring[2].rstrip("px")) >= 2
    assert contrast(ring[1], background) >= 3 and contrast(ring[1], "rgb(255, 255, 255)") >= 3
    page.locator("#lang").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # keyboard focus on the language button, on the blue bar
    bar = page.evaluate("getComputedStyle(document.querySelector('.bar')).backgroundColor")
    assert contrast(page.evaluate("getComputedStyle(document.activeElement).outlineColor"), bar) >= 3
    context.close()


def widget_frame(page):
    return next(f for f in page.frames if "embed=1" in f.url)


def test_widget_keeps_tab_inside_and_closes_on_escape(site, browser):
    context, page = fresh(browser)
    page.goto(site["host"])
    bubble = page.locator("[data-cnht-widget] >> css=button.bubble")
    bubble.click()
    frame = page.frame_locator("[data-cnht-widget] >> css=iframe.frame")
    ready(frame)
    chat = widget_frame(page)
    chat.wait_for_function("document.activeElement && document.activeElement.id === 'question'")
    count = chat.evaluate("document.querySelectorAll('button, a[href], textarea').length")
    for _ in range(count + 3):
        page.keyboard.press("Tab")
        assert chat.evaluate("document.hasFocus()"), "Tab left the chat frame"
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
        assert chat.evaluate("document.hasFocus()"), "Shift+Tab left the chat frame"
    page.keyboard.press("Escape")
    page.locator("[data-cnht-widget] >> css=iframe.frame").wait_for(state="hidden")
    assert bubble.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.querySelector('[data-cnht-widget]').shadowRoot.activeElement.className") == "bubble"
    context.close()


def check_to_the_end(page, replies):
    """Answer each question of the eligibility page as a user would (a button, or typed text) until done."""
    asked = []
    for _ in range(12):
        if page.locator("#done").is_visible():
            break
        page.locator("#q-text").wait_for()
        text = page.locator("#q-text").text_content()
        key = next(k for k in replies if k in text)
        asked.append(key)
        before = page.locator("#progress").text_content()
        if page.locator("#choices button").count():
            assert page.locator("#typed-input").is_hidden()  # a multiple-choice question has no text box
            page.get_by_role("button", name=replies[key], exact=True).click()
        else:
            page.get_by_role("textbox", name=text).fill(replies[key])
            page.get_by_role("textbox", name=text).press("Enter")
        page.wait_for_function("b => document.getElementById('progress').textContent !== b", arg=before)
    return asked


REPLIES = {"loại hình": "Doanh nghiệp", "sản phẩm": "Cơ khí", "Lĩnh vực": "Công nghiệp, xây dựng",
           "lao động": "khoảng 120 lao động", "doanh thu": "15 tỷ", "bao nhiêu năm": "3 năm", "ngân sách": "Không"}


def test_eligibility_check_today_to_a_printable_verdict(page, site):
    page.goto(site["url"] + "/eligibility")
    page.locator("#q-text").wait_for()
    assert page.locator("#results .program").count() >= 8
    assert page.locator("#none-open").is_hidden()  # programs are open today
    asked = check_to_the_end(page, REPLIES)
    assert len(asked) > 2 and asked[:2] in (["loại hình", "sản phẩm"], ["sản phẩm", "loại hình"])
    cards = page.locator("#results .program")
    statuses = [c.get_attribute("class").split()[1] for c in cards.all()]
    order = {"eligible": 0, "unknown": 1, "not_eligible": 2, "closed": 3}
    assert statuses == sorted(statuses, key=order.get) and statuses[:3] == ["eligible"] * 3  # eligible first
    first = cards.first
    assert "Đủ điều kiện" in first.locator(".badge").text_content()
    open_now = page.locator("#results .program[data-program=cnht-2026-chung-nhan-chat-luong]")
    assert "Đủ điều kiện" in open_now.locator(".badge").text_content() and "318/TB-SCT" in open_now.text_content()
    assert "Mở nhận hồ sơ: 01/11/2026" in open_now.text_content() and "Hạn: 30/09/2027" in open_now.text_content()
    closed = page.locator("#results .program", has_text="bulông")
    assert "Đã đóng" in closed.locator(".badge").text_content() and "215/TB-SCT" in closed.text_content()
    summary = page.locator("#summary")
    assert date.today().strftime("%d/%m/%Y") in summary.text_content()
    assert "Số lao động" in summary.text_content() and "120" in summary.text_content()

    page.emulate_media(media="print")
    assert not page.locator("#done").is_visible() and summary.is_visible() and cards.first.is_visible()
    title = page.locator(".bar h1").evaluate("n => [getComputedStyle(n).color, getComputedStyle(n.parentNode).backgroundColor]")
    assert contrast(title[0], "rgb(255, 255, 255)") >= 4.5  # readable on paper without background graphics
    page.screenshot(path=str(ARTIFACTS / "eligibility-print.png"), full_page=True)
    page.emulate_media(media="screen")
    page.reload()  # the check resumes where it stopped
    page.locator("#done").wait_for()
    assert "Đủ điều kiện" in page.locator("#results .program", has_text="ISO 31000").text_content()
    page.locator("#restart2").click()
    page.locator("#q-text").wait_for()
    assert page.locator("#progress").text_content() == ""


def test_eligibility_page_says_plainly_when_no_program_is_open(page, site):
    def all_closed(route):
        response = route.fetch()
        body = response.json()
        for program in body["programs"]:
            program["status"] = "closed"
        route.fulfill(response=response, body=json.dumps(body), headers={**response.headers, "content-type": "application/json"})

    page.route("**/api/eligibility", all_closed)
    page.goto(site["url"] + "/eligibility?lang=en")
    notice = page.locator("#none-open")
    notice.wait_for()
    assert "No support programme is open" in notice.text_content() and date.today().isoformat() in notice.text_content()


PAGES = {
    "chat": lambda site, lang: site["url"] + f"/?lang={lang}",
    "eligibility": lambda site, lang: site["url"] + f"/eligibility?lang={lang}",
    "widget": lambda site, lang: site["host"] + ("/en.html" if lang == "en" else "/"),
}


@pytest.mark.parametrize("size", ["desktop", "mobile"])
@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_pages_have_no_serious_accessibility_violations(site, browser, name, lang, size):
    """axe-core on each page in use (an answer with citations, a check under way, the open widget), with a
    screenshot of each into test-artifacts/."""
    context, page = fresh(browser, size)
    page.goto(PAGES[name](site, lang))
    target = page
    if name == "chat":
        ask(page, "Dự án công nghiệp hỗ trợ được ưu đãi thuế như thế nào?" if lang == "vi"
            else "How do I register a trademark for my product?")
        page.locator(".msg.bot .cite, .msg.bot .nearest button").first.click()
        page.locator("#panel").wait_for(state="visible")
    elif name == "eligibility":
        page.locator("#q-text").wait_for()
        page.locator("#choices button").first.click()
        page.locator("#summary dt").first.wait_for()
    else:
        page.locator("[data-cnht-widget] >> css=button.bubble").click()
        frame = page.frame_locator("[data-cnht-widget] >> css=iframe.frame")
        ask(frame, "Tỉnh có bao nhiêu khu công nghiệp?" if lang == "vi" else "How many industrial parks does the province have?")
        target = widget_frame(page)
        assert serious_violations(page) == []  # the host page with the bubble
    assert target.locator("html").get_attribute("lang") == lang
    assert serious_violations(target) == []
    page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}-{size}.png"), full_page=name != "widget")
    context.close()
