"""The staff workspace's access rules, documents, curated answers, queue and audit log, through its API."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.admin.conftest import PASSWORD, sign_in

PUBLIC = {("GET", "/admin/login"), ("GET", "/admin/api/csrf"), ("POST", "/admin/api/login")}
ADMIN_ONLY = {("GET", "/admin/api/users"), ("POST", "/admin/api/users"), ("GET", "/admin/api/audit")}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def workspace_backend(request) -> str:
    """Accounts, sessions, curated answers, the queue, notices and the audit log on both databases."""
    return request.param


def _routes(routes):
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI ≥ 0.16x keeps included routers whole
        yield from _routes(included.routes) if included is not None else [route]


def admin_routes(app) -> list[tuple[str, str]]:
    """Every (method, path) of the workspace, path parameters filled in."""
    found = []
    for route in _routes(app.routes):
        path = getattr(route, "path", "")
        if path.startswith("/admin"):
            for method in sorted(getattr(route, "methods", set()) - {"HEAD"}):
                found.append((method, re.sub(r"\{[^}]+\}", "1", path).replace("{table}", "x")))
    return found


def test_every_workspace_route_refuses_anonymous_and_under_privileged_callers(workspace, staff):
    from assistant.workspace import accounts

    app = workspace["app"]
    routes = admin_routes(app)
    assert len(routes) >= 20 and ("DELETE", "/admin/api/documents/1") in routes
    anonymous = TestClient(app)
    client, csrf = staff
    user_id = next(u["id"] for u in accounts.users(workspace["database"]) if u["username"] == "staff1")
    token = accounts.create_api_token(workspace["database"], user_id, "robot")
    robot = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    forged = TestClient(app, headers={"Authorization": "Bearer cnht_not-a-token"})
    for method, path in routes:
        if (method, path) in PUBLIC:
            continue
        response = anonymous.request(method, path, follow_redirects=False)
        assert response.status_code in (401, 303), (method, path, response.status_code)
        if response.status_code == 303:
            assert response.headers["location"] == "/admin/login"
        assert forged.request(method, path, follow_redirects=False).status_code in (401, 303), (method, path)
        if (method, path) in ADMIN_ONLY:
            assert client.request(method, path, headers={"X-CSRF-Token": csrf}).status_code == 403, (method, path)
            assert robot.request(method, path).status_code == 403, (method, path)
    assert robot.get("/admin/api/documents").status_code == 200


def test_changes_need_the_sessions_csrf_token(workspace, staff):
    client, csrf = staff
    body = {"status": "expired"}
    assert client.post("/admin/api/documents/khu-cong-nghiep-hai-duong/status", json=body).status_code == 403
    assert client.post("/admin/api/documents/khu-cong-nghiep-hai-duong/status", json=body,
                       headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert workspace["kb"].document("khu-cong-nghiep-hai-duong").meta.in_force
    login = TestClient(workspace["app"]).post("/admin/api/login", json={"username": "staff1", "password": PASSWORD})
    assert login.status_code == 403  # a sign-in without the form's token (login CSRF)


def test_repeated_failed_logins_lock_the_account(workspace):
    from assistant.workspace import accounts

    accounts.create_user(workspace["database"], "victim", PASSWORD)
    client = TestClient(workspace["app"])
    token = client.get("/admin/api/csrf").json()["csrf"]
    for _ in range(accounts.MAX_FAILED_LOGINS):
        wrong = client.post("/admin/api/login", json={"username": "victim", "password": "not-the-password"},
                            headers={"X-CSRF-Token": token})
        assert wrong.status_code == 401
    right = client.post("/admin/api/login", json={"username": "victim", "password": PASSWORD}, headers={"X-CSRF-Token": token})
    assert right.status_code == 401 and right.json()["error"]["message"] == accounts.SIGN_IN_REFUSED
    failed = [e for e in accounts.audit_log(workspace["database"]) if e["action"] == "sign_in.failed" and e["target"] == "victim"]
    assert len(failed) == accounts.MAX_FAILED_LOGINS + 1 and failed[0]["ip"] == "testclient"
    accounts.unlock(workspace["database"], "victim")


def test_session_cookie_is_httponly_strict_and_secure_behind_https(workspace):
    client = TestClient(workspace["app"], base_url="https://testserver")
    token = client.get("/admin/api/csrf").json()["csrf"]
    response = client.post("/admin/api/login", json={"username": "staff1", "password": PASSWORD}, headers={"X-CSRF-Token": token})
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("cnht_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie and "Path=/admin" in cookie


def test_a_bad_upload_is_refused_with_its_reason_and_nothing_is_stored(workspace, staff):
    client, csrf = staff
    library = workspace["settings"].data_dir / "library"
    before_files, before_docs = sorted(p.name for p in library.iterdir()), len(workspace["kb"].documents())
    renamed = client.post("/admin/api/documents", files={"file": ("bao-cao.pdf", b"MZ\x90\x00 not a pdf at all")},
                          headers={"X-CSRF-Token": csrf})
    assert renamed.status_code == 422
    assert "bao-cao.pdf" in renamed.json()["error"]["message"] and "Windows program" in renamed.json()["error"]["message"]
    empty = client.post("/admin/api/documents", files={"file": ("trong.txt", b"")}, headers={"X-CSRF-Token": csrf})
    assert empty.status_code == 422 and "empty" in empty.json()["error"]["message"]
    huge = client.post("/admin/api/documents", files={"file": ("lon.txt", "Văn bản dài. ".encode() * 100_000)},
                       headers={"X-CSRF-Token": csrf})
    assert huge.status_code == 413 and "over" in huge.json()["error"]["message"]
    just_over = client.post("/admin/api/documents", files={"file": ("vua.txt", b"a" * (1024 * 1024 + 10))},
                            headers={"X-CSRF-Token": csrf})
    assert just_over.status_code == 422 and "over the 1 MB limit" in just_over.json()["error"]["message"]
    assert sorted(p.name for p in library.iterdir()) == before_files and len(workspace["kb"].documents()) == before_docs


def test_upload_sniffs_the_type_marks_and_removes_with_an_audit_trail(workspace, staff):
    from fpdf import FPDF

    from assistant.workspace import accounts

    client, csrf = staff
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, "Ke hoach to chuc hoi cho cong nghiep ho tro nam 2026 danh cho doanh nghiep san xuat linh kien.")
    uploaded = client.post("/admin/api/documents", files={"file": ("ke-hoach-hoi-cho.docx", bytes(pdf.output()))},
                           headers={"X-CSRF-Token": csrf})
    assert uploaded.status_code == 200, uploaded.text  # a PDF named .docx: the content decides
    assert uploaded.json()["stored_as"] == "ke-hoach-hoi-cho.pdf" and uploaded.json()["added"] == ["ke-hoach-hoi-cho"]
    marked = client.post("/admin/api/documents/ke-hoach-hoi-cho/status", json={"status": "expired"}, headers={"X-CSRF-Token": csrf})
    assert marked.status_code == 200 and workspace["kb"].document("ke-hoach-hoi-cho").meta.status == "expired"
    bad = client.post("/admin/api/documents/ke-hoach-hoi-cho/status", json={"status": "cancelled"}, headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 422 and "in_force" in bad.json()["error"]["message"]
    assert client.post("/admin/api/documents/ke-hoach-hoi-cho/reingest", headers={"X-CSRF-Token": csrf}).json()["status"] == "unchanged"
    assert client.delete("/admin/api/documents/ke-hoach-hoi-cho", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert workspace["kb"].document("ke-hoach-hoi-cho") is None
    assert not list((workspace["settings"].data_dir / "library").glob("ke-hoach-hoi-cho*"))
    assert client.delete("/admin/api/documents/ke-hoach-hoi-cho", headers={"X-CSRF-Token": csrf}).status_code == 404
    trail = [(e["username"], e["action"], e["target"]) for e in accounts.audit_log(workspace["database"])]
    for action, target in (("document.uploaded", "ke-hoach-hoi-cho.pdf"), ("document.marked", "ke-hoach-hoi-cho"),
                           ("document.reingested", "ke-hoach-hoi-cho"), ("document.removed", "ke-hoach-hoi-cho")):
        assert ("staff1", action, target) in trail


def test_a_curated_answer_from_the_queue_is_served_and_flagged_when_its_document_is_replaced(workspace, staff):
    from assistant.answering.models import Answer
    from assistant.db.records import record_answer
    from assistant.workspace import accounts

    client, csrf = staff
    service, database = workspace["service"], workspace["database"]
    question = "Ai là đầu mối tiếp nhận hồ sơ khuyến công ở huyện?"
    refused = Answer("Các văn bản hiện có không đề cập đến nội dung này.", "vi", False, "none")
    for _ in range(2):
        record_answer(database, question, refused, "s-queue", "web")
    record_answer(database, "Đầu mối tiếp nhận hồ sơ khuyến công ở huyện là ai vậy?", refused, "s-queue", "telegram")
    group = next(g for g in client.get("/admin/api/queue").json() if "khuyến công" in g["question"])
    assert group["count"] == 3 and group["refused"] == 3 and group["channels"] == ["telegram", "web"]

    entry = {"question_vi": question, "question_en": "Who receives industrial promotion applications in the districts?",
             "answer_vi": "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp tiếp nhận hồ sơ.",
             "answer_en": "The Industrial Promotion Centre receives the applications.",
             "sources": [{"doc_id": "tb-khuyen-cong-2022", "section": "Mục V"}], "from_queue": group["key"]}
    missing = client.post("/admin/api/curated", json={**entry, "sources": [{"doc_id": "no-such-doc"}]}, headers={"X-CSRF-Token": csrf})
    assert missing.status_code == 422 and "no-such-doc" in missing.json()["error"]["message"]
    created = client.post("/admin/api/curated", json=entry, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201 and created.json()["state"] == "verified"
    assert all(g["key"] != group["key"] for g in client.get("/admin/api/queue").json())

    served = service.ask(question)
    assert served.source == "faq" and served.answer.startswith("Trung tâm Khuyến công") and served.citations[0].doc_id == "tb-khuyen-cong-2022"

    library = workspace["settings"].data_dir / "library"
    original = (library / "tb-khuyen-cong-2022.docx").read_bytes()
    from docx import Document

    changed = Document(library / "tb-khuyen-cong-2022.docx")
    changed.add_paragraph("Bổ sung: hồ sơ nộp trực tuyến qua Cổng dịch vụ công của tỉnh.")
    import io

    buffer = io.BytesIO()
    changed.save(buffer)
    replaced = client.post("/admin/api/documents", files={"file": ("tb-khuyen-cong-2022.docx", buffer.getvalue())},
                           headers={"X-CSRF-Token": csrf})
    assert replaced.json()["replaced"] == ["tb-khuyen-cong-2022"]
    trail = [(e["username"], e["action"], e["target"]) for e in accounts.audit_log(workspace["database"])]
    assert ("staff1", "document.replaced", "tb-khuyen-cong-2022.docx") in trail
    flagged = next(c for c in client.get("/admin/api/curated").json() if c["id"] == created.json()["id"])
    assert flagged["state"] == "needs_review" and "tb-khuyen-cong-2022: replaced by a new version" in flagged["reasons"]
    assert service.ask(question).source != "faq"  # not served until a staff member confirms it

    confirmed = client.post(f"/admin/api/curated/{created.json()['id']}/confirm", headers={"X-CSRF-Token": csrf})
    assert confirmed.json()["state"] == "verified"
    assert service.ask(question).source == "faq"
    client.post("/admin/api/documents", files={"file": ("tb-khuyen-cong-2022.docx", original)}, headers={"X-CSRF-Token": csrf})


def test_admins_manage_accounts_and_read_the_audit_log(workspace, admin):
    client, csrf = admin
    created = client.post("/admin/api/users", json={"username": "staff2", "password": PASSWORD}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201
    again = client.post("/admin/api/users", json={"username": "staff2", "password": PASSWORD}, headers={"X-CSRF-Token": csrf})
    assert again.status_code == 422 and "taken" in again.json()["error"]["message"]
    assert "staff2" in [u["username"] for u in client.get("/admin/api/users").json()]
    assert any(e["action"] == "user.created" and e["target"] == "staff2" for e in client.get("/admin/api/audit").json())
    sign_in(workspace["app"], "staff2")


@pytest.mark.parametrize("username", ["nobody", "staff1"])
def test_a_wrong_sign_in_says_nothing_about_which_part_was_wrong(workspace, username):
    from assistant.workspace import accounts

    client = TestClient(workspace["app"])
    token = client.get("/admin/api/csrf").json()["csrf"]
    response = client.post("/admin/api/login", json={"username": username, "password": "wrong-password!"},
                           headers={"X-CSRF-Token": token})
    assert response.status_code == 401 and response.json()["error"]["message"] == accounts.SIGN_IN_REFUSED


def test_a_new_notice_is_queued_for_subscribers_once(workspace, staff):
    from sqlalchemy import select

    from assistant.db.models import Notice

    client, csrf = staff
    notice = ("---\ndoc_id: tb-hoi-thao-2026\ntitle: Hội thảo kết nối cung cầu công nghiệp hỗ trợ 2026\ndoc_type: notice\n---\n"
              "Sở Công Thương tổ chức hội thảo kết nối doanh nghiệp công nghiệp hỗ trợ với doanh nghiệp FDI.\n")
    for _ in range(2):  # the second upload is unchanged: no second announcement
        assert client.post("/admin/api/documents", files={"file": ("hoi-thao.md", notice.encode())},
                           headers={"X-CSRF-Token": csrf}).status_code == 200
    with workspace["database"].session() as session:
        rows = session.scalars(select(Notice).where(Notice.ref == "tb-hoi-thao-2026")).all()
        assert [(r.kind, r.title) for r in rows] == [("notice", "Hội thảo kết nối cung cầu công nghiệp hỗ trợ 2026")]
    client.delete("/admin/api/documents/tb-hoi-thao-2026", headers={"X-CSRF-Token": csrf})


def test_cli_creates_accounts_and_refuses_bad_ones(tmp_path):
    from typer.testing import CliRunner

    from bots.cli import app

    env = {"CNHT_DATA_DIR": str(tmp_path)}
    command = ["admin", "create-user", "chief", "--role", "admin", "--password-stdin"]
    made = CliRunner().invoke(app, command, input=PASSWORD + "\n", env=env)
    assert made.exit_code == 0 and "created admin account 'chief'" in made.stdout
    taken = CliRunner().invoke(app, command, input=PASSWORD + "\n", env=env)
    assert taken.exit_code == 2 and "taken" in taken.stderr
    short = CliRunner().invoke(app, command[:2] + ["deputy", "--password-stdin"], input="short\n", env=env)
    assert short.exit_code == 2 and "at least 10 characters" in short.stderr


def test_queue_groups_near_duplicates_orders_them_and_dismisses(workspace, staff):
    from assistant.answering.models import Answer
    from assistant.db.records import record_answer

    client, csrf = staff
    refused = Answer("…", "vi", False, "none")
    for question in ("Giá thuê đất khu công nghiệp Đại An là bao nhiêu?", "Giá thuê đất ở khu công nghiệp Đại An bao nhiêu?",
                     "gia thue dat khu cong nghiep dai an"):
        record_answer(workspace["database"], question, refused, "s-dup", "web")
    record_answer(workspace["database"], "Phí xử lý nước thải ở cụm công nghiệp?", refused, "s-dup", "web")
    frequent = client.get("/admin/api/queue").json()
    land = next(g for g in frequent if "Đại An" in g["question"] or "dai an" in g["question"])
    assert land["count"] == 3 and len(land["examples"]) == 3
    assert [g["count"] for g in frequent] == sorted((g["count"] for g in frequent), reverse=True)
    newest = client.get("/admin/api/queue?order=newest").json()
    assert newest[0]["question"] == "Phí xử lý nước thải ở cụm công nghiệp?"
    assert client.post("/admin/api/queue/dismiss", json={"key": land["key"]}, headers={"X-CSRF-Token": csrf}).status_code == 200
    assert all(g["key"] != land["key"] for g in client.get("/admin/api/queue").json())


def test_api_tokens_cannot_mint_tokens_and_are_revoked_through_the_api(workspace, staff):
    client, csrf = staff
    made = client.post("/admin/api/tokens", json={"name": "robot-7d", "days": 7}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201 and made.json()["days"] == 7
    bearer = {"Authorization": f"Bearer {made.json()['token']}"}
    robot = TestClient(workspace["app"])
    assert robot.get("/admin/api/documents", headers=bearer).status_code == 200
    minted = robot.post("/admin/api/tokens", json={"name": "child"}, headers=bearer)
    assert minted.status_code == 403 and "cannot create API tokens" in minted.json()["error"]["message"]
    listed = [t for t in client.get("/admin/api/tokens").json() if t["name"] == "robot-7d"]
    assert len(listed) == 1 and not listed[0]["revoked"] and "token" not in listed[0]
    assert client.delete(f"/admin/api/tokens/{listed[0]['id']}", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert robot.get("/admin/api/documents", headers=bearer).status_code == 401
    assert [t["revoked"] for t in client.get("/admin/api/tokens").json() if t["name"] == "robot-7d"] == [True]


def test_sign_in_is_rate_limited_per_client(workspace):
    from bots.rate_limits import RateLimiter

    state = workspace["app"].state
    kept, state.login_limiter = state.login_limiter, RateLimiter(3, workspace["database"], "login-test")
    try:
        client = TestClient(workspace["app"])
        token = client.get("/admin/api/csrf").json()["csrf"]
        statuses = [client.post("/admin/api/login", json={"username": "ghost", "password": "wrong-password!"},
                                headers={"X-CSRF-Token": token}) for _ in range(4)]
    finally:
        state.login_limiter = kept
    assert [r.status_code for r in statuses] == [401, 401, 401, 429]
    assert int(statuses[-1].headers["Retry-After"]) >= 1


def test_admins_disable_accounts_and_everyone_changes_their_password(workspace, admin):
    from assistant.workspace import accounts

    client, csrf = admin
    accounts.create_user(workspace["database"], "dave", PASSWORD)
    dave, dave_csrf = sign_in(workspace["app"], "dave")
    other, _ = sign_in(workspace["app"], "dave")
    wrong = dave.post("/admin/api/password", json={"current_password": "not-it-at-all", "new_password": "a-new-long-one"},
                      headers={"X-CSRF-Token": dave_csrf})
    assert wrong.status_code == 422 and wrong.json()["error"]["messages"]["vi"] == "Mật khẩu hiện tại không đúng."
    blank = dave.post("/admin/api/password", json={"current_password": PASSWORD, "new_password": " " * 10},
                      headers={"X-CSRF-Token": dave_csrf})
    assert blank.status_code == 422
    done = dave.post("/admin/api/password", json={"current_password": PASSWORD, "new_password": "a-new-long-one"},
                     headers={"X-CSRF-Token": dave_csrf})
    assert done.status_code == 200
    assert dave.get("/admin/api/me").status_code == 200 and other.get("/admin/api/me").status_code == 401
    assert client.post("/admin/api/users/dave/disable", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert dave.get("/admin/api/me").status_code == 401
    assert [u["disabled"] for u in client.get("/admin/api/users").json() if u["username"] == "dave"] == [True]
    assert client.post("/admin/api/users/nobody/disable", headers={"X-CSRF-Token": csrf}).status_code == 404
    assert client.post("/admin/api/users/admin1/disable", headers={"X-CSRF-Token": csrf}).status_code == 422
    assert client.post("/admin/api/users/dave/enable", headers={"X-CSRF-Token": csrf}).status_code == 200
    sign_in(workspace["app"], "dave", "a-new-long-one")
    log = client.get("/admin/api/audit").json()
    assert {"user.disabled", "user.enabled", "password.changed"} <= {e["action"] for e in log if e["target"] == "dave"}


def test_sign_out_is_audited_with_the_address(workspace):
    from assistant.workspace import accounts

    accounts.create_user(workspace["database"], "erin", PASSWORD)
    client, csrf = sign_in(workspace["app"], "erin")
    assert client.post("/admin/api/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    entries = [e for e in accounts.audit_log(workspace["database"]) if e["username"] == "erin"]
    assert [(e["action"], e["ip"]) for e in entries[:2]] == [("signed_out", "testclient"), ("signed_in", "testclient")]


def test_an_absurdly_long_file_extension_is_refused_not_a_crash(workspace, staff):
    client, csrf = staff
    response = client.post("/admin/api/documents", files={"file": ("note." + "x" * 300, b"Thong bao.")},
                           headers={"X-CSRF-Token": csrf})
    assert response.status_code == 422 and "extension is over 16 characters" in response.json()["error"]["message"]
