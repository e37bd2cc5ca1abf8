"""Uploads as a department's server lives them: a long ingest never stalls the rest of the server, and a
replacement killed half-way leaves the library and the index in step (the old version, whole)."""
import os
import signal
import subprocess
import sys
import time

import pytest
from fastapi.testclient import TestClient

from tests.admin.conftest import PASSWORD, upload_and_wait

pytestmark = pytest.mark.slow


def long_text(marker: str, paragraphs: int) -> bytes:
    return "\n\n".join(
        f"Đoạn {i} của văn bản {marker}: doanh nghiệp công nghiệp hỗ trợ được đào tạo, tư vấn và hỗ trợ máy móc "
        f"trong cụm công nghiệp số {i}, theo kế hoạch {marker}." for i in range(paragraphs)
    ).encode()


def test_a_long_upload_does_not_stall_the_server(workspace):
    with TestClient(workspace["app"]) as client:  # one event loop for every request, as under uvicorn
        token = client.get("/admin/api/csrf").json()["csrf"]
        signed = client.post("/admin/api/login", json={"username": "staff1", "password": PASSWORD}, headers={"X-CSRF-Token": token})
        assert signed.status_code == 200
        _upload_while_checking_health(client, signed.json()["csrf"], workspace)


def _upload_while_checking_health(client, csrf, workspace):
    started = time.monotonic()
    response = client.post("/admin/api/documents", files={"file": ("ke-hoach-dai.txt", long_text("dài", 400))},
                           headers={"X-CSRF-Token": csrf})
    assert response.status_code == 202, response.text
    assert time.monotonic() - started < 5  # answered once the file is staged, not after its ingest
    job = response.json()
    assert job["state"] in ("queued", "running") and job["file"] == "ke-hoach-dai.txt"
    answered_during_ingest, states = 0, {job["state"]}
    while job["state"] in ("queued", "running"):
        health = client.get("/healthz")
        assert health.status_code == 200
        job = client.get(job["status_url"]).json()
        states.add(job["state"])
        if job["state"] in ("queued", "running"):
            answered_during_ingest += 1
        time.sleep(0.05)
    assert job["state"] == "done", job
    assert answered_during_ingest >= 3  # the health check kept answering while the document was ingested
    assert "running" in states and job["report"]["added"] == ["ke-hoach-dai"]
    assert [h.meta.doc_id for h in workspace["service"].search("kế hoạch dài cụm công nghiệp số 7", k=3)][0] == "ke-hoach-dai"
    listed = client.get("/admin/api/uploads").json()
    assert listed[0]["id"] == job["id"] and listed[0]["state"] == "done"
    assert not (workspace["settings"].data_dir / "uploads" / job["id"]).exists()  # the staged copy is gone
    client.delete("/admin/api/documents/ke-hoach-dai", headers={"X-CSRF-Token": csrf})


def test_a_failed_ingest_shows_failed_with_its_reason_and_leaves_the_library_unchanged(workspace, staff):
    from assistant.workspace import accounts

    client, csrf = staff
    library = workspace["settings"].data_dir / "library"
    before_files, before_docs = sorted(p.name for p in library.iterdir()), workspace["kb"].documents()
    broken = b"%PDF-1.7\n" + b"\x00garbage, no objects, no xref\n" * 50  # looks like a PDF: accepted, then the parser fails
    job = upload_and_wait(client, csrf, "bao-cao-hong.pdf", broken)
    assert job["state"] == "failed" and job["report"] is None
    assert job["error"].startswith("bao-cao-hong.pdf: ") and job["messages"]["vi"].startswith("bao-cao-hong.pdf: ")
    assert sorted(p.name for p in library.iterdir()) == before_files
    assert workspace["kb"].documents() == before_docs
    assert client.get(job["status_url"]).json()["state"] == "failed"
    trail = [(e["action"], e["target"]) for e in accounts.audit_log(workspace["database"])]
    assert ("document.refused", "bao-cao-hong.pdf") in trail
    assert client.get("/admin/api/uploads/no-such-job").status_code == 404


INTERRUPTED_UPLOAD = """
import io, sys, time
from assistant.runtime import build_runtime
from assistant.settings import Settings
from assistant.workspace import library, uploads
runtime = build_runtime(Settings())
settings = runtime.settings
jobs = uploads.UploadQueue(runtime.service.kb, settings, runtime.database)
job_id = uploads.new_job_id()
staged = library.stage_upload(settings, "ke-hoach-moi.txt", open(sys.argv[1], "rb"), uploads.staging_folder(settings, job_id))
jobs.submit(job_id, staged, "staff1")
time.sleep(600)
"""


def test_a_restart_marks_an_upload_job_that_was_interrupted(tmp_path):
    from assistant.runtime import build_runtime
    from assistant.settings import Settings
    from assistant.workspace import uploads

    data = tmp_path / "data"
    settings = Settings(data_dir=data)
    first = build_runtime(settings)
    database = first.database
    first.service.kb.close()
    new = tmp_path / "new.txt"
    new.write_bytes(long_text("mới", 400))
    env = {**os.environ, "CNHT_DATA_DIR": str(data), "OMP_WAIT_POLICY": "passive"}
    process = subprocess.Popen([sys.executable, "-c", INTERRUPTED_UPLOAD, str(new)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 300
        while not ((listed := uploads.recent(database)) and listed[0]["state"] == "running"):
            assert process.poll() is None, process.stderr.read().decode()[-2000:]
            assert time.time() < deadline, "the job never started"
            time.sleep(0.05)
        job_id = listed[0]["id"]
        assert uploads.recover_interrupted(database, settings) == 0  # its process still runs: left alone
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert (data / "uploads" / job_id).exists()

    after = build_runtime(settings)  # the next start
    job = uploads.job(after.database, job_id)
    assert job["state"] == "failed" and job["error"] == uploads.INTERRUPTED and job["finished_at"]
    assert not (data / "uploads" / job_id).exists()
    assert after.service.kb.document("ke-hoach-moi") is None
    assert not (data / "library" / "ke-hoach-moi.txt").exists()  # the new file the crash left is taken away
    after.service.kb.close()


CRASHING_UPLOAD = """
import sys
from pathlib import Path
from assistant.runtime import build_runtime
from assistant.settings import Settings
from assistant.workspace import library
runtime = build_runtime(Settings())
library.upload(runtime.service.kb, runtime.settings, "ke-hoach.txt", Path(sys.argv[1]).read_bytes())
"""


def test_a_replacement_killed_half_way_leaves_the_old_version_whole(tmp_path):
    from assistant.runtime import build_runtime
    from assistant.settings import Settings
    from assistant.workspace import library

    data = tmp_path / "data"
    settings = Settings(data_dir=data)
    runtime = build_runtime(settings)
    first = library.upload(runtime.service.kb, settings, "ke-hoach.txt", long_text("phiên-bản-một", 3))
    assert first["added"] == ["ke-hoach"]
    version = runtime.service.kb.document("ke-hoach").version
    runtime.service.kb.close()

    new = tmp_path / "new.txt"
    new.write_bytes(long_text("phiên-bản-hai", 400))
    env = {**os.environ, "CNHT_DATA_DIR": str(data), "OMP_WAIT_POLICY": "passive"}
    process = subprocess.Popen([sys.executable, "-c", CRASHING_UPLOAD, str(new)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    journal = data / "library" / ".replacing" / "ke-hoach.txt.json"
    deadline = time.time() + 300
    while not journal.exists():
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        assert time.time() < deadline, "the replacement never started"
        time.sleep(0.05)
    time.sleep(0.5)  # well into the ingest of the new version
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert "phiên-bản-hai".encode() in (data / "library" / "ke-hoach.txt").read_bytes()  # the crash left the new file

    after = build_runtime(settings)  # a restart finishes the interrupted replacement
    kb = after.service.kb
    assert not journal.exists()
    assert "phiên-bản-một".encode() in (data / "library" / "ke-hoach.txt").read_bytes()
    assert kb.document("ke-hoach").version == version
    # a later status change re-reads the file: it must publish the old content, never the unacknowledged one
    library.set_status(kb, settings, "ke-hoach", "expired")
    texts = " ".join(c["text"] for c in kb.registry.chunks_of("ke-hoach"))
    assert "phiên-bản-một" in texts and "phiên-bản-hai" not in texts
    assert kb.document("ke-hoach").meta.status == "expired"
