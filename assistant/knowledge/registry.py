"""The SQLite registry: which version of each document is live, its metadata and its chunks.
It is the source of truth; Chroma vectors and the BM25 index follow it."""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.db.sqlite import open_shared
from ingest.models import DocumentMeta, ParsedDocument

SCHEMA = """
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
    """Transactions over the registry database."""

    def __init__(self, path: Path):
        self.path = path
        self._db = open_shared(path, synchronous="FULL")
        self._db.executescript(SCHEMA)
        self._lock = threading.RLock()  # one connection shared by a server's threads

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _counter(self, conn: sqlite3.Connection, key: str) -> int:
        conn.execute("INSERT OR IGNORE INTO state VALUES (?, 0)", (key,))
        conn.execute("UPDATE state SET value = value + 1 WHERE key = ?", (key,))
        return conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()[0]

    def _read(self, sql: str, parameters: tuple | list = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, parameters).fetchall()

    def generation(self) -> int:
        """Bumped by every committed change; derived indexes compare against it."""
        rows = self._read("SELECT value FROM state WHERE key = 'generation'")
        return rows[0][0] if rows else 0

    def reserve_versions(self, doc_ids: list[str]) -> dict[str, int]:
        """New version numbers, recorded as pending before any vector is written."""
        with self.transaction() as conn:
            versions = {doc_id: self._counter(conn, "version") for doc_id in doc_ids}
            conn.executemany("INSERT INTO pending VALUES (?, ?)", list(versions.items()))
        return versions

    def commit_documents(self, documents: list[ParsedDocument], versions: dict[str, int], terms: list[list[tuple[str, str]]]) -> list[tuple[str, int]]:
        """Make the new versions live in one transaction; returns the replaced (doc_id, version) pairs."""
        now = time.time()
        replaced: list[tuple[str, int]] = []
        with self.transaction() as conn:
            for document, chunk_terms in zip(documents, terms):
                doc_id = document.meta.doc_id
                version = versions[doc_id]
                old = conn.execute("SELECT version FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
                if old:
                    replaced.append((doc_id, old[0]))
                    conn.execute("INSERT INTO garbage VALUES (?, ?)", (doc_id, old[0]))
                conn.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
                conn.executemany(
                    "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    [
                        (
                            chunk.chunk_id,
                            vector_id(doc_id, chunk.ordinal, version),
                            doc_id,
                            chunk.ordinal,
                            chunk.text,
                            chunk.section,
                            chunk.page,
                            chunk.page_end,
                            chunk.heading,
                            json.dumps(chunk.section_map, ensure_ascii=False),
                            words,
                            folded,
                        )
                        for chunk, (words, folded) in zip(document.chunks, chunk_terms)
                    ],
                )
                conn.execute(
                    "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?)",
                    (
                        doc_id,
                        version,
                        document.meta.source,
                        document.content_hash,
                        len(document.chunks),
                        json.dumps(document.meta.as_dict(), ensure_ascii=False, default=str),
                        now,
                    ),
                )
                conn.execute("DELETE FROM pending WHERE doc_id = ? AND version = ?", (doc_id, version))
            self._counter(conn, "generation")
        return replaced

    def drop_pending(self, versions: dict[str, int]) -> None:
        """Forget reserved versions whose commit will not happen (their vectors must be deleted first)."""
        with self.transaction() as conn:
            conn.executemany("DELETE FROM pending WHERE doc_id = ? AND version = ?", list(versions.items()))

    def remove_document(self, doc_id: str) -> int | None:
        """Take a document out in one transaction; returns its last version, None if unknown."""
        with self.transaction() as conn:
            row = conn.execute("SELECT version FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
            if not row:
                return None
            conn.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            conn.execute("INSERT INTO garbage VALUES (?, ?)", (doc_id, row[0]))
            self._counter(conn, "generation")
        return row[0]

    def stale_vectors(self) -> list[tuple[str, str, int]]:
        """('pending'|'garbage', doc_id, version) rows whose vectors are not live."""
        rows = [("pending", d, v) for d, v in self._read("SELECT doc_id, version FROM pending")]
        rows += [("garbage", d, v) for d, v in self._read("SELECT doc_id, version FROM garbage")]
        return rows

    def forget_stale(self, table: str, doc_id: str, version: int) -> None:
        """Delete a pending/garbage row once its vectors are gone."""
        assert table in ("pending", "garbage")
        with self._lock:
            self._db.execute(f"DELETE FROM {table} WHERE doc_id = ? AND version = ?", (doc_id, version))

    def document(self, doc_id: str) -> DocumentRecord | None:
        """One live document."""
        rows = self._read("SELECT * FROM documents WHERE doc_id = ?", (doc_id,))
        return _record(rows[0]) if rows else None

    def documents(self) -> list[DocumentRecord]:
        """All live documents, by doc_id."""
        return [_record(r) for r in self._read("SELECT * FROM documents ORDER BY doc_id")]

    def hashes(self) -> dict[str, tuple[str, str]]:
        """doc_id → (content hash, source) of every live document."""
        return {d: (h, s) for d, h, s in self._read("SELECT doc_id, content_hash, source FROM documents")}

    def chunk_rows(self, columns: str = "chunk_id, vector_id, doc_id, terms, folded_terms") -> list[tuple]:
        """Live chunks in a stable order (doc_id, ordinal)."""
        return self._read(f"SELECT {columns} FROM chunks ORDER BY doc_id, ordinal")

    def chunks_by_vector_ids(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Live chunks for Chroma ids; ids of versions no longer live are absent."""
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self._read(
                f"SELECT vector_id, chunk_id, doc_id, ordinal, text, section, page, page_end, heading, section_map "
                f"FROM chunks WHERE vector_id IN ({marks})",
                part,
            )
            for row in rows:
                out[row[0]] = _chunk_dict(row)
        return out

    def chunks_of(self, doc_id: str) -> list[dict[str, Any]]:
        """The live chunks of one document, in order."""
        rows = self._read(
            "SELECT vector_id, chunk_id, doc_id, ordinal, text, section, page, page_end, heading, section_map "
            "FROM chunks WHERE doc_id = ? ORDER BY ordinal",
            (doc_id,),
        )
        return [_chunk_dict(row) for row in rows]


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


def _record(row: tuple) -> DocumentRecord:
    doc_id, version, source, content_hash, chunk_count, meta, ingested_at = row
    return DocumentRecord(doc_id, version, source, content_hash, chunk_count, DocumentMeta.from_dict(json.loads(meta)), ingested_at)
