"""The staff workspace in real headless Chromium: sign in, upload, answer a queued question, analytics;
messages in the interface's language, the document table, charts under the page's CSP, axe-core."""
from __future__ import annotations

import threading
import time

import pytest

from tests.admin.conftest import PASSWORD
from tests.conftest import ARTIFACTS, CORPUS
from tests.support.axe import add_axe, serious_violations

SIZES = {"desktop": {"width": 1366, "height": 850}, "mobile": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def served(workspace):
    """The workspace app on loopback."""
    import socket

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(workspace["app"], host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.time() + 30
    while not server.started:
        assert time.time() < deadline
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True


def test_the_whole_workspace_flow(browser, served, workspace, tmp_path):
    from assistant.answering.models import Answer
    from assistant.db.records import record_answer

    question = "Thời hạn bảo hành máy móc được hỗ trợ là bao lâu?"
    record_answer(workspace["database"], question, Answer("…", "vi", False, "none"), "s-web", "web")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(served + "/admin")
    assert page.url.endswith("/admin/login")
    page.fill("#username", "staff1")
    page.fill("#password", "not-the-password")
    page.click("#submit")
    page.locator("#problem").filter(has_text="Sai tên đăng nhập hoặc mật khẩu").wait_for()
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(served + "/admin")
    page.locator("#doc-rows tr").first.wait_for()
    assert page.locator("#who").text_content() == "staff1 (staff)"
    assert page.locator("#tab-audit").is_hidden()  # admin-only
    assert page.locator("#doc-rows tr[data-doc='khu-cong-nghiep-hai-duong']").count() == 1

    upload = tmp_path / "cum-cong-nghiep-moi.txt"
    upload.write_text((CORPUS / "cum-cong-nghiep.txt").read_text(encoding="utf-8").replace("53", "54"), encoding="utf-8")
    page.set_input_files("#file", str(upload))
    page.click("#upload button[type=submit]")
    page.locator("#upload-result").filter(has_text="cum-cong-nghiep-moi.txt").wait_for()
    page.screenshot(path=str(ARTIFACTS / "workspace-documents.png"), full_page=True)

    page.click("#tab-queue")
    item = page.locator(".queue-item", has_text=question)
    item.wait_for()
    item.get_by_role("button", name="Soạn câu trả lời").click()
    assert page.locator("#c-qvi").input_value() == question
    page.fill("#c-qen", "How long is the warranty of supported machinery?")
    page.fill("#c-avi", "Máy móc được hỗ trợ phải là thiết bị mới, tiên tiến.")
    page.fill("#c-aen", "Supported machinery must be new and advanced.")
    page.fill("#c-sources", "tb-khuyen-cong-2022 | Mục II")
    page.click("#curated-form button[type=submit]")
    page.locator("#curated-rows li", has_text=question).wait_for()
    page.screenshot(path=str(ARTIFACTS / "workspace-curated.png"), full_page=True)
    page.click("#tab-queue")
    page.wait_for_timeout(300)
    assert page.locator(".queue-item", has_text=question).count() == 0

    page.click("#tab-analytics")
    page.locator("#chart-questions .main-svg").first.wait_for()
    assert page.locator("#tables [data-table=top_questions] a").get_attribute("href").endswith("top_questions.csv?days=30")
    page.screenshot(path=str(ARTIFACTS / "workspace-analytics.png"), full_page=True)
    page.click("#logout")
    page.wait_for_url(served + "/admin/login")
    context.close()
    workspace["service"].kb.remove("cum-cong-nghiep-moi")


def sign_in_page(browser, served, username, lang="vi", size="desktop"):
    """A new browser context signed in through the form, in `lang`, with axe-core available; CSP reports
    and console errors are collected in page.problems."""
    context = browser.new_context(viewport=SIZES[size])
    add_axe(context)
    if lang == "en":
        context.add_init_script("localStorage.setItem('cnht.lang', 'en')")
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"{m.text} at {m.location}") if m.type == "error" else None)
    page.goto(served + "/admin/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(served + "/admin")
    page.locator("#doc-rows tr").first.wait_for()
    return context, page


def test_server_messages_follow_the_interface_language(browser, served, tmp_path):
    context = browser.new_context()
    page = context.new_page()
    page.goto(served + "/admin/login")
    page.fill("#username", "admin1")
    page.fill("#password", "not-the-password")
    page.click("#submit")
    page.locator("#problem").filter(has_text="Sai tên đăng nhập hoặc mật khẩu").wait_for()
    page.click("#lang")
    page.fill("#password", "still-not-the-password")
    page.click("#submit")
    page.locator("#problem").filter(has_text="wrong username or password").wait_for()
    page.click("#lang")
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(served + "/admin")
    page.locator("#doc-rows tr").first.wait_for()

    empty = tmp_path / "trong.txt"
    empty.write_bytes(b"")
    page.set_input_files("#file", str(empty))
    page.click("#upload button[type=submit]")
    page.locator("#upload-result").filter(has_text="trong.txt: tệp rỗng").wait_for()
    page.click("#lang")
    page.set_input_files("#file", str(empty))
    page.click("#upload button[type=submit]")
    page.locator("#upload-result").filter(has_text="trong.txt: empty file").wait_for()
    context.close()


def test_document_table_search_filter_dates_and_notices_that_stay_in_their_tab(browser, served, workspace):
    context, page = sign_in_page(browser, served, "staff1")
    rows = page.locator("#doc-rows tr")
    total = rows.count()
    park = page.locator("#doc-rows tr[data-doc='khu-cong-nghiep-hai-duong']")
    park.locator("select").select_option("superseded")
    park.get_by_role("button", name="Áp dụng").click()
    page.locator("#notice").filter(has_text="Xong.").wait_for()
    page.locator("#doc-rows tr[data-doc='khu-cong-nghiep-hai-duong'] td.status").filter(has_text="bị thay thế").wait_for()
    page.click("#tab-queue")
    assert page.locator("#notice").text_content() == ""  # "Done." does not follow into the next tab
    page.click("#tab-documents")
    page.locator("#doc-rows tr").first.wait_for()

    page.select_option("#doc-filter", "superseded")
    assert [r.get_attribute("data-doc") for r in rows.all() if r.is_visible()] == ["khu-cong-nghiep-hai-duong"]
    page.select_option("#doc-filter", "")
    page.fill("#doc-search", "3164")
    visible = [r.get_attribute("data-doc") for r in rows.all() if r.is_visible()]
    assert visible == ["qd-3164-2021"] and page.locator("#doc-count").text_content() == f"Hiển thị 1/{total} văn bản"
    decision = page.locator("#doc-rows tr[data-doc='qd-3164-2021']")
    assert decision.locator("td.date").first.text_content() == "29/10/2021"  # issued
    page.fill("#doc-search", "")
    one_line = page.evaluate("""() => [...document.querySelectorAll('#doc-rows td.id, #doc-rows td.number, #doc-rows td.date')]
      .filter(td => td.textContent).every(td => { const r = document.createRange(); r.selectNodeContents(td);
        return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size === 1; })""")
    assert one_line  # ids, numbers and dates are never broken mid-word
    words_whole = page.evaluate("""() => [...document.querySelectorAll('#doc-rows td.title')].every(td => {
      const r = document.createRange(), t = td.firstChild; if (!t) return true;
      for (const m of t.textContent.matchAll(/\\S+/g)) { r.setStart(t, m.index); r.setEnd(t, m.index + m[0].length);
        if (new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1) return false; } return true; })""")
    assert words_whole  # titles wrap between words only
    park = page.locator("#doc-rows tr[data-doc='khu-cong-nghiep-hai-duong']")
    park.locator("select").select_option("in_force")
    park.get_by_role("button", name="Áp dụng").click()
    page.locator("#doc-rows tr[data-doc='khu-cong-nghiep-hai-duong'] td.status").filter(has_text="còn hiệu lực").wait_for()
    context.close()


def test_charts_draw_under_the_csp_with_whole_labels(browser, served, workspace):
    from assistant.db.records import record_answer

    for question in ("Tỉnh có bao nhiêu khu công nghiệp?", "Tỉnh có bao nhiêu cụm công nghiệp?"):
        record_answer(workspace["database"], question, workspace["service"].ask(question), "s-chart", "web")
    context, page = sign_in_page(browser, served, "staff1", lang="en")
    page.click("#tab-analytics")
    page.locator("#chart-documents .ytick text").first.wait_for()
    page.wait_for_timeout(300)
    assert not [p for p in page.problems if "Content Security Policy" in p or "Refused" in p], page.problems
    assert page.locator("#chart-documents .main-svg").first.evaluate("n => getComputedStyle(n).position") == "absolute"  # plotly's styles apply
    clipped = page.evaluate("""() => [...document.querySelectorAll('.chart')].flatMap(chart => {
      const box = chart.getBoundingClientRect();
      return [...chart.querySelectorAll('.xtick text, .ytick text, .legendtext')].filter(t => {
        const r = t.getBoundingClientRect(); return r.left < box.left - 1 || r.right > box.right + 1; }).map(t => t.textContent); })""")
    assert clipped == []
    assert "answered" in page.locator("#chart-outcome").text_content()
    context.close()


@pytest.mark.parametrize("size", ["desktop", "mobile"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_workspace_has_no_serious_accessibility_violations(browser, served, lang, size):
    """axe-core on the documents, queue and analytics tabs, with a screenshot of each into test-artifacts/."""
    context, page = sign_in_page(browser, served, "admin1", lang=lang, size=size)
    assert page.locator("html").get_attribute("lang") == lang
    for tab in ("documents", "queue", "curated", "analytics", "audit"):
        page.click(f"#tab-{tab}")
        page.wait_for_timeout(400)
        if tab == "analytics":
            page.locator("#chart-questions .main-svg").first.wait_for()
        assert serious_violations(page) == [], tab
        if tab in ("documents", "analytics"):
            page.screenshot(path=str(ARTIFACTS / f"workspace-{tab}-{lang}-{size}.png"), full_page=True)
    login = context.new_page()
    login.goto(served + "/admin/login")
    assert serious_violations(login) == []
    context.close()
