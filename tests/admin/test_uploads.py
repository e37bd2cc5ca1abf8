"""Uploads as a department's server lives them: a long ingest never stalls the rest of the server, and a
replacement killed half-way leaves the library and the index in step (the old version, whole)."""
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from fastapi.testclient import TestClient

from tests.admin.conftest import PASSWORD

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
        _upload_while_checking_health(client, signed.json()["csrf"])


def _upload_while_checking_health(client, csrf):
    done = threading.Event()
    result = {}

    def upload():
        result["response"] = client.post("/admin/api/documents", files={"file": ("ke-hoach-dai.txt", long_text("dài", 400))},
                                         headers={"X-CSRF-Token": csrf})
        done.set()

    worker = threading.Thread(target=upload)
    worker.start()
    answered_during_upload = 0
    while not done.is_set():
        response = client.get("/healthz")
        assert response.status_code == 200
        if not done.is_set():
            answered_during_upload += 1
        time.sleep(0.05)
    worker.join()
    assert result["response"].status_code == 200, result["response"].text
    assert answered_during_upload >= 3  # the health check kept answering while the document was ingested
    client.delete("/admin/api/documents/ke-hoach-dai", headers={"X-CSRF-Token": csrf})


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
