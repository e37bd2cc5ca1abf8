"""Keeping a data directory's indexes honest: `doctor` checks the registry (the source of truth) against the
vectors and the published lexical index; `reindex` rebuilds both derived indexes from the registry (vectors from the
embedding cache where it has them), e.g. after a full disk left the vector index unreadable. Both work on
local Chroma and on a Chroma server (`CNHT_CHROMA_URL`)."""
from __future__ import annotations

import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.embeddings import Embeddings
from sqlalchemy.exc import SQLAlchemyError

from assistant.db.database import Database
from assistant.knowledge.base import CHROMA_BATCH, KnowledgeBase, index_text, vector_metadata
from assistant.knowledge.lexical import build_lexical, pack, published_lexical
from assistant.knowledge.registry import Registry
from assistant.knowledge.vectors import VectorStore

PROBE_BATCH = 256


@dataclass
class Checkup:
    """What `doctor` found: each problem in a sentence that names the part and the fix."""

    documents: int = 0
    chunks: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        """Whether every index agrees with the registry."""
        return not self.problems


def doctor(index_dir: Path, database: Database, embeddings: Embeddings, sync_threshold: int = 1000,
           vectors: VectorStore | None = None) -> Checkup:
    """Check the registry's integrity (in `database`), then that the vector store holds exactly the live
    chunks' vectors (each one found by a search with itself) and that a lexical index is published for the
    registry's generation, over the same chunks."""
    checkup = Checkup()
    try:
        registry = Registry(database)
        verdict = _integrity(database)
    except (SQLAlchemyError, sqlite3.Error) as exc:
        verdict = f"{type(exc).__name__}: {exc}"
    if verdict != "ok":
        checkup.problems.append(f"registry: the database {database.engine.url!r} is damaged or unreachable ({verdict});"
                                " restore it from a backup")
        return checkup
    rows = registry.chunk_rows("vector_id")
    live = [r[0] for r in rows]
    checkup.documents, checkup.chunks = len(registry.documents()), len(live)
    remote = vectors is not None and vectors.remote
    if not live and not remote and not (index_dir / "chroma").exists():
        checkup.problems.append(f"registry: no documents and no vector store in {index_dir} (nothing was ingested here)")
        return checkup
    checkup.problems += _vector_problems(index_dir, database, embeddings, live, sync_threshold, vectors)
    checkup.problems += _lexical_problems(registry, live)
    return checkup


def _integrity(database: Database) -> str:
    """'ok', or what SQLite's integrity check found (a server database checks itself)."""
    if not database.is_sqlite:
        with database.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return "ok"
    with database.engine.connect() as conn:
        return str(conn.exec_driver_sql("PRAGMA integrity_check").scalar())


def _vector_problems(index_dir: Path, database: Database, embeddings: Embeddings, live: list[str],
                     sync_threshold: int, vectors: VectorStore | None) -> list[str]:
    fix = "run `cnht reindex`"
    try:
        kb = KnowledgeBase(index_dir, embeddings, database, sync_threshold, vectors)
    except Exception as exc:  # the store itself cannot be opened: that is the finding
        return [f"vectors: cannot be opened ({type(exc).__name__}: {exc}); {fix}"]
    problems = []
    try:
        stored = kb.collection.get(include=[])["ids"]
        missing, extra = set(live) - set(stored), set(stored) - set(live)
        if missing:
            problems.append(f"vectors: {len(missing)} live chunks have no vector (e.g. {sorted(missing)[0]}); {fix}")
        if extra:
            problems.append(f"vectors: {len(extra)} vectors belong to no live chunk (e.g. {sorted(extra)[0]}); {fix}")
        present = [i for i in live if i not in missing]
        unreachable = 0
        for start in range(0, len(present), PROBE_BATCH):
            part = present[start : start + PROBE_BATCH]
            stored_vectors = kb.collection.get(ids=part, include=["embeddings"])
            by_id = dict(zip(stored_vectors["ids"], stored_vectors["embeddings"]))
            probes = [i for i in part if i in by_id]
            unreachable += len(part) - len(probes)
            if not probes:
                continue
            found = kb.collection.query(query_embeddings=[by_id[i] for i in probes], n_results=min(10, len(stored)),
                                        include=["distances"])
            unreachable += sum(1 for i, ids in zip(probes, found["ids"]) if i not in ids)
        if unreachable:
            problems.append(f"vectors: {unreachable} vectors are stored but never returned by a search; {fix}")
    except Exception as exc:
        problems.append(f"vectors: cannot be read ({type(exc).__name__}: {exc}); {fix}")
    finally:
        kb.close()
    return problems


def _lexical_problems(registry: Registry, live: list[str]) -> list[str]:
    generation = registry.generation()
    published, why = published_lexical(registry, generation)
    if published is None:
        return [f"lexical index: the one of generation {generation} is {why} in the database; run `cnht reindex`"
                " (searches build it meanwhile)"]
    if published.vector_ids != live:
        return ["lexical index: its chunks differ from the registry's; run `cnht reindex`"]
    return []


@dataclass
class Reindexed:
    """What `reindex` did."""

    documents: int
    vectors: int
    embedded: int  # vectors the embedder had to compute (the rest came from its cache)
    set_aside: str  # where the previous vector store was moved ("" when there was none)
    removed: int = 0  # vectors of no live chunk deleted from a Chroma server's collection


def reindex(index_dir: Path, database: Database, embeddings: Embeddings, sync_threshold: int = 1000,
            vectors: VectorStore | None = None) -> Reindexed:
    """Rebuild the vector store and the lexical index from the registry. A local vector store is moved
    aside (not deleted) first, so a failure leaves it where a person can look at it. A Chroma server's
    collection, which other replicas are reading, is rebuilt in place: every live chunk's vector written
    again (upsert) and every other vector deleted."""
    vectors = vectors or VectorStore()
    chroma = index_dir / "chroma"
    aside = ""
    if chroma.exists() and not vectors.remote:
        aside_path = index_dir / f"chroma-before-reindex-{time.strftime('%Y%m%d-%H%M%S')}"
        shutil.move(str(chroma), str(aside_path))
        aside = str(aside_path)
    kb = KnowledgeBase(index_dir, embeddings, database, sync_threshold, vectors)
    try:
        with kb._writing():
            documents = {r.doc_id: r for r in kb.registry.documents()}
            ids, texts, metadatas = [], [], []
            for doc_id, record in documents.items():
                for chunk in kb.registry.chunks_of(doc_id):
                    ids.append(chunk["vector_id"])
                    texts.append(index_text(record.meta, chunk["text"]))
                    metadatas.append(vector_metadata(record.meta, record.version))
            before = getattr(embeddings, "computed", 0)
            for start in range(0, len(ids), CHROMA_BATCH):
                part = slice(start, start + CHROMA_BATCH)
                kb.collection.upsert(ids=ids[part], embeddings=embeddings.embed_documents(texts[part]),
                                     metadatas=metadatas[part])
            extra = sorted(set(kb.collection.get(include=[])["ids"]) - set(ids))
            for start in range(0, len(extra), CHROMA_BATCH):
                kb.collection.delete(ids=extra[start : start + CHROMA_BATCH])
            lexical = build_lexical(kb.registry)
            kb.registry.publish_lexical(lexical.generation, pack(lexical))
        return Reindexed(len(documents), len(ids), getattr(embeddings, "computed", 0) - before, aside, len(extra))
    finally:
        kb.close()
