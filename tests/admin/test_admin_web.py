"""The staff workspace in real headless Chromium: sign in, upload, answer a queued question, analytics."""
from __future__ import annotations

import threading
import time

import pytest

from tests.admin.conftest import PASSWORD
from tests.conftest import ARTIFACTS, CORPUS


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
    page.locator("#problem").filter(has_text="wrong username or password").wait_for()
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
