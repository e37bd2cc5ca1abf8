"""The registry: which version of each document is live, its metadata and its chunks, in the one database
(tables `documents`, `chunks`, `pending`, `garbage`, `state`: `assistant.db.models`). It is the source of
truth; Chroma vectors and the BM25 index follow it. A change's writer may publish the BM25 index of the
generation it makes live in the same commit (table `lexical_indexes`), so no reader sees that generation
without its index. A data directory's old `index/registry.sqlite` is copied in when its database is opened
(`assistant.db.legacy`)."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, func, insert, select, update

from assistant.db.database import Database
from assistant.db.models import chunks, garbage, lexical_indexes, pending, state
from assistant.db.models import documents as docs
from ingest.models import DocumentMeta, ParsedDocument

BATCH = 500  # ids per IN (...) list
CHUNK_COLUMNS = (chunks.c.vector_id, chunks.c.chunk_id, chunks.c.doc_id, chunks.c.ordinal, chunks.c.text,
                 chunks.c.section, chunks.c.page, chunks.c.page_end, chunks.c.heading, chunks.c.section_map)
STALE_TABLES: dict[str, Table] = {"pending": pending, "garbage": garbage}
GENERATION = select(state.c.value).where(state.c.key == "generation")  # read on every search: built once
STAMP = select(state.c.key, state.c.value).where(state.c.key.in_(("identity", "generation")))
# (the generation the index was built on, the packed index): see `Registry.commit_documents`
LexicalUpdate = tuple[int, bytes]


@dataclass
class DocumentRecord:
    """A live document as the registry knows it."""

    doc_id: str
    version: int
    source: str
    content_hash: str
    chunk_count: int
    meta: DocumentMeta
    ingested_at: float

    def public(self) -> dict[str, Any]:
        """What the API shows of a document: its public metadata and how many chunks it has."""
        return {**self.meta.public(), "chunk_count": self.chunk_count}

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view for `cnht docs list --json`: all the metadata and where it came from."""
        return {
            **{k: v for k, v in self.meta.as_dict().items() if k != "doc_id"},
            "doc_id": self.doc_id,
            "source": self.source,
            "chunk_count": self.chunk_count,
            "content_hash": self.content_hash,
            "ingested_at": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(self.ingested_at)),
        }


def vector_id(doc_id: str, ordinal: int, version: int) -> str:
    """Chroma id of a chunk of one version of a document."""
    return f"{doc_id}#{ordinal}@{version}"


class Registry:
    """Transactions over the registry's tables in the database."""

    def __init__(self, database: Database):
        """The registry in `database`."""
        self.database = database

    def close(self) -> None:
        """Nothing to release: the database belongs to whoever opened it."""

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction (holding the write lock on SQLite), rolled back on any error."""
        with self.database.transaction() as conn:
            yield conn

    def _read(self, statement) -> list[Any]:
        with self.database.engine.connect() as conn:
            return list(conn.execute(statement).all())

    def generation(self) -> int:
        """Bumped by every committed change; derived indexes compare against it."""
        with self.database.engine.connect() as conn:
            value = conn.execute(GENERATION).scalar()
        return int(value or 0)

    def identity(self) -> int:
        """A random number drawn when this registry's database was created: a rebuilt or replaced registry,
        whose generations start again, has another."""
        return self.stamp()[0]

    def stamp(self) -> tuple[int, int]:
        """(identity, generation), read together: what answers derived from the registry are keyed by."""
        with self.database.engine.connect() as conn:
            values = {key: value for key, value in conn.execute(STAMP)}
        return int(values.get("identity") or 0), int(values.get("generation") or 0)

    def reserve_versions(self, doc_ids: list[str]) -> dict[str, int]:
        """New version numbers, recorded as pending before any vector is written."""
        if not doc_ids:
            return {}
        with self.transaction() as conn:
            last = _bump(conn, "version", len(doc_ids))
            versions = {doc_id: last - len(doc_ids) + 1 + i for i, doc_id in enumerate(doc_ids)}
            conn.execute(insert(pending), [{"doc_id": d, "version": v} for d, v in versions.items()])
        return versions

    def commit_documents(self, documents: list[ParsedDocument], versions: dict[str, int], terms: list[list[tuple[str, str]]],
                         lexical: LexicalUpdate | None = None) -> list[tuple[str, int]]:
        """Make the new versions live in one transaction; returns the replaced (doc_id, version) pairs.
        `lexical`: the BM25 index of the live chunks as this commit leaves them, built (under the writers'
        lock) while the registry was at generation `lexical[0]`, published as the new generation's in the
        same transaction."""
        now = time.time()
        doc_ids = [d.meta.doc_id for d in documents]
        chunk_rows = [
            {
                "chunk_id": chunk.chunk_id,
                "vector_id": vector_id(document.meta.doc_id, chunk.ordinal, versions[document.meta.doc_id]),
                "doc_id": document.meta.doc_id,
                "ordinal": chunk.ordinal,
                "text": chunk.text,
                "section": chunk.section,
                "page": chunk.page,
                "page_end": chunk.page_end,
                "heading": chunk.heading,
                "section_map": json.dumps(chunk.section_map, ensure_ascii=False),
                "terms": words,
                "folded_terms": folded,
            }
            for document, chunk_terms in zip(documents, terms)
            for chunk, (words, folded) in zip(document.chunks, chunk_terms)
        ]
        document_rows = [
            {
                "doc_id": document.meta.doc_id,
                "version": versions[document.meta.doc_id],
                "source": document.meta.source,
                "content_hash": document.content_hash,
                "chunk_count": len(document.chunks),
                "meta": json.dumps(document.meta.as_dict(), ensure_ascii=False, default=str),
                "ingested_at": now,
            }
            for document in documents
        ]
        with self.transaction() as conn:
            old: dict[str, int] = {}
            for part in _batches(doc_ids):
                old.update((d, v) for d, v in conn.execute(select(docs.c.doc_id, docs.c.version).where(docs.c.doc_id.in_(part))))
            replaced = [(doc_id, old[doc_id]) for doc_id in doc_ids if doc_id in old]
            if replaced:
                conn.execute(insert(garbage), [{"doc_id": d, "version": v} for d, v in replaced])
            for part in _batches(doc_ids):
                conn.execute(delete(chunks).where(chunks.c.doc_id.in_(part)))
                conn.execute(delete(docs).where(docs.c.doc_id.in_(part)))
            if chunk_rows:
                conn.execute(insert(chunks), chunk_rows)
            if document_rows:
                conn.execute(insert(docs), document_rows)
            _forget(conn, pending, [(d, versions[d]) for d in doc_ids])
            self._next_generation(conn, lexical)
        return replaced

    def drop_pending(self, versions: dict[str, int]) -> None:
        """Forget reserved versions whose commit will not happen (their vectors must be deleted first)."""
        with self.transaction() as conn:
            _forget(conn, pending, list(versions.items()))

    def remove_document(self, doc_id: str, lexical: LexicalUpdate | None = None) -> int | None:
        """Take a document out in one transaction; returns its last version, None if unknown. `lexical` as
        for `commit_documents`."""
        with self.transaction() as conn:
            version = conn.execute(select(docs.c.version).where(docs.c.doc_id == doc_id)).scalar()
            if version is None:
                return None
            conn.execute(delete(chunks).where(chunks.c.doc_id == doc_id))
            conn.execute(delete(docs).where(docs.c.doc_id == doc_id))
            conn.execute(insert(garbage).values(doc_id=doc_id, version=version))
            self._next_generation(conn, lexical)
        return int(version)

    def _next_generation(self, conn: Connection, lexical: LexicalUpdate | None) -> None:
        """Bump the generation and publish its lexical index, if given and built on the generation before
        (always, under the writers' lock; otherwise readers build it themselves)."""
        generation = _bump(conn, "generation")
        if lexical is not None and lexical[0] == generation - 1:
            self._store_lexical(conn, generation, lexical[1])

    def publish_lexical(self, generation: int, data: bytes) -> None:
        """Publish (or replace) the packed lexical index of a generation."""
        with self.transaction() as conn:
            self._store_lexical(conn, generation, data)

    def _store_lexical(self, conn: Connection, generation: int, data: bytes) -> None:
        """Write a generation's lexical index and keep only the newest two (current and previous)."""
        row = {"generation": generation, "built_at": time.time(), "data": data}
        upsert = self.database.insert(lexical_indexes).values(row)
        conn.execute(upsert.on_conflict_do_update(index_elements=["generation"],
                                                  set_={"built_at": row["built_at"], "data": data}))
        newest = select(func.max(lexical_indexes.c.generation)).scalar_subquery()
        conn.execute(delete(lexical_indexes).where(lexical_indexes.c.generation < newest - 1))

    def published_lexical(self, generation: int) -> bytes | None:
        """The packed lexical index published for a generation, None when there is none."""
        with self.database.engine.connect() as conn:
            data = conn.execute(select(lexical_indexes.c.data).where(lexical_indexes.c.generation == generation)).scalar()
        return bytes(data) if data is not None else None

    def stale_vectors(self) -> list[tuple[str, str, int]]:
        """('pending'|'garbage', doc_id, version) rows whose vectors are not live."""
        return [(name, d, v) for name, table in STALE_TABLES.items() for d, v in self._read(select(table.c.doc_id, table.c.version))]

    def forget_stale(self, table: str, doc_id: str, version: int) -> None:
        """Delete a pending/garbage row once its vectors are gone."""
        with self.transaction() as conn:
            _forget(conn, STALE_TABLES[table], [(doc_id, version)])

    def document(self, doc_id: str) -> DocumentRecord | None:
        """One live document."""
        rows = self._read(select(docs).where(docs.c.doc_id == doc_id))
        return _record(rows[0]) if rows else None

    def documents(self) -> list[DocumentRecord]:
        """All live documents, by doc_id."""
        return sorted((_record(r) for r in self._read(select(docs))), key=lambda r: r.doc_id)

    def hashes(self) -> dict[str, tuple[str, str]]:
        """doc_id → (content hash, source) of every live document."""
        return {d: (h, s) for d, h, s in self._read(select(docs.c.doc_id, docs.c.content_hash, docs.c.source))}

    def chunk_rows(self, columns: str = "chunk_id, vector_id, doc_id, terms, folded_terms") -> list[tuple]:
        """Live chunks in a stable order (doc_id, ordinal; by code point on every database, whatever its
        collation): the named columns, comma-separated."""
        chosen = [chunks.c[name.strip()] for name in columns.split(",")]
        rows = self._read(select(chunks.c.doc_id, chunks.c.ordinal, *chosen))
        rows.sort(key=lambda r: (r[0], r[1]))
        return [tuple(r[2:]) for r in rows]

    def chunks_by_vector_ids(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Live chunks for Chroma ids; ids of versions no longer live are absent."""
        out: dict[str, dict[str, Any]] = {}
        if not ids:
            return out
        with self.database.engine.connect() as conn:
            for part in _batches(ids):
                for row in conn.execute(select(*CHUNK_COLUMNS).where(chunks.c.vector_id.in_(part))):
                    out[row[0]] = _chunk_dict(tuple(row))
        return out

    def chunks_of(self, doc_id: str) -> list[dict[str, Any]]:
        """The live chunks of one document, in order."""
        rows = self._read(select(*CHUNK_COLUMNS).where(chunks.c.doc_id == doc_id).order_by(chunks.c.ordinal))
        return [_chunk_dict(tuple(row)) for row in rows]


def _batches(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _bump(conn: Connection, key: str, by: int = 1) -> int:
    """Add `by` to a counter (both exist from the migration on) and return its new value."""
    conn.execute(update(state).where(state.c.key == key).values(value=state.c.value + by))
    return int(conn.execute(select(state.c.value).where(state.c.key == key)).scalar_one())


def _forget(conn: Connection, table: Table, rows: list[tuple[str, int]]) -> None:
    """Delete (doc_id, version) rows of a pending/garbage table."""
    if rows:
        statement = delete(table).where(table.c.doc_id == bindparam("d"), table.c.version == bindparam("v"))
        conn.execute(statement, [{"d": d, "v": v} for d, v in rows])


def _chunk_dict(row: tuple) -> dict[str, Any]:
    vector_id, chunk_id, doc_id, ordinal, text, section, page, page_end, heading, section_map = row
    return {
        "vector_id": vector_id,
        "chunk_id": chunk_id,
        "doc_id": doc_id,
        "ordinal": ordinal,
        "text": text,
        "section": section,
        "page": page,
        "page_end": page_end,
        "heading": heading,
        "section_map": json.loads(section_map),
    }


def _record(row) -> DocumentRecord:
    doc_id, version, source, content_hash, chunk_count, meta, ingested_at = row
    return DocumentRecord(doc_id, version, source, content_hash, chunk_count, DocumentMeta.from_dict(json.loads(meta)), ingested_at)

