"""The knowledge base: documents added, replaced and removed atomically across the registry (in the one
database), Chroma vectors (local, or a Chroma server: see `vectors`) and BM25 indexes."""
from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

from chromadb.errors import NotFoundError
from langchain_core.embeddings import Embeddings

from assistant.db.database import Database
from assistant.knowledge.embeddings import build_embeddings
from assistant.knowledge.lexical import LexicalIndex, index_after_change, load_lexical, pack
from assistant.knowledge.registry import DocumentRecord, Registry, vector_id
from assistant.knowledge.vectors import VectorStore, VectorsUnavailable, connect, open_collection, reachable, vector_store
from assistant.knowledge.writers import writer_lock
from ingest.models import DocumentMeta, ParsedDocument
from ingest.vietnamese import folded_terms, segment_words

log = logging.getLogger(__name__)

CHROMA_BATCH = 1000
EMBED_BATCH = 256  # chunks embedded and stored at a time while documents are applied


class IndexDamaged(RuntimeError):
    """A derived index (vectors) cannot be read; the message says which and that `cnht reindex` rebuilds it."""


def index_text(meta: DocumentMeta, chunk_text: str) -> str:
    """What the embedder and BM25 see for a chunk: the document's number and title, then the chunk."""
    head = " ".join(x for x in (meta.doc_number, meta.title) if x)
    return f"{head}\n{chunk_text}" if head else chunk_text


def vector_metadata(meta: DocumentMeta, version: int) -> dict[str, Any]:
    """What Chroma keeps beside a chunk's vector: enough to filter and to tell versions apart."""
    return {
        "doc_id": meta.doc_id,
        "version": version,
        "lang": meta.lang,
        "doc_type": meta.doc_type or "",
        "status": meta.status,
        "issued": int(meta.issued_date.replace("-", "")) if meta.issued_date else 0,
        "effective": int(meta.effective_date.replace("-", "")) if meta.effective_date else 0,
    }


class KnowledgeBase:
    """One data directory's index (`directory`: its local vectors, when not on a Chroma server) over the
    registry in `database`, which also holds the published lexical index of each generation. Open it with
    `open_knowledge_base`."""

    def __init__(self, directory: Path, embeddings: Embeddings, database: Database, sync_threshold: int = 1000,
                 vectors: VectorStore | None = None, embed_batch: int = EMBED_BATCH):
        self.directory = directory
        self.embeddings = embeddings
        self.embed_batch = embed_batch
        self.vectors = vectors or VectorStore()
        self._hnsw = {"space": "cosine", "sync_threshold": sync_threshold, "batch_size": min(100, sync_threshold)}
        directory.mkdir(parents=True, exist_ok=True)
        self.registry = Registry(database)
        self._chroma_lock = threading.RLock()
        self._client: Any = None
        self._writer_lock = writer_lock(database, directory, self.vectors.collection)
        self._open_lock_file = open(directory / "open.lock", "a+")
        self._open_vectors()
        self._lexical: LexicalIndex | None = None
        self._lexical_lock = threading.Lock()
        self.recover()

    # ------------------------------------------------------------ the vector store

    def _open_vectors(self) -> None:
        """(Re)open local Chroma from disk. A process's client keeps the vector index in memory, so after
        another process has written, only a fresh client sees (and, when writing, keeps) that process's
        vectors. A Chroma server holds the one index every process reads and writes: its client is opened
        once and never needs reopening (before a write, the collection is only looked up again by name)."""
        with self._chroma_lock:
            if self.vectors.remote and self._client is not None:
                self.collection = open_collection(self._client, self.vectors, self._hnsw)
                return
            if self._client is not None:
                self._client.close()
                self._client = None
            # Chroma creates its tables without IF NOT EXISTS: two processes opening a new directory at
            # once would both try, so opening is serialised across processes (briefly, unlike writing).
            fcntl.flock(self._open_lock_file, fcntl.LOCK_EX)
            try:
                client = connect(self.vectors, self.directory)
                self.collection = open_collection(client, self.vectors, self._hnsw)
                with reachable(self.vectors):
                    self.collection.count()
                self._client = client
            except VectorsUnavailable:
                raise
            except Exception as exc:
                raise IndexDamaged(
                    f"the vector index in {self.vectors.describe(self.directory)} cannot be read "
                    f"({type(exc).__name__}: {exc}); `cnht reindex` rebuilds it from the registry"
                ) from exc
            finally:
                fcntl.flock(self._open_lock_file, fcntl.LOCK_UN)
            self._vectors_generation = self.registry.generation()

    def _current_vectors(self) -> None:
        """Reopen local Chroma when the registry moved on since this process last read or wrote it."""
        if not self.vectors.remote and self.registry.generation() != self._vectors_generation:
            self._open_vectors()

    @contextmanager
    def _reading(self):
        """Around a read of the vector store: this process's Chroma lock for a local store (which may be
        reopened under it), nothing for a server (its client is thread-safe and never reopened); a server
        that does not answer raises `VectorsUnavailable`, and one whose collection was deleted and made
        again is looked up by name for the next read."""
        with nullcontext() if self.vectors.remote else self._chroma_lock, reachable(self.vectors):
            try:
                yield
            except NotFoundError as exc:
                if not self.vectors.remote:
                    raise
                self.collection = open_collection(self._client, self.vectors, self._hnsw)
                raise VectorsUnavailable(f"the collection {self.vectors.collection!r} was replaced on the server"
                                         f" ({exc}); the next read uses the new one") from exc

    # ------------------------------------------------------------ consistency

    @contextmanager
    def _writing(self, wait: bool = True):
        """Hold the writers' lock (`assistant.knowledge.writers`: a file lock in the data directory on
        SQLite, a PostgreSQL advisory lock shared by every replica and CLI otherwise); yields whether it is
        held (always True when waiting)."""
        with self._writer_lock.hold(wait) as held:
            yield held

    def recover(self) -> int:
        """Delete vectors of versions that never went live or were replaced (after a crash). Returns rows
        cleaned. Skipped while another process is writing: its pending vectors are not stale."""
        with self._writing(wait=False) as locked:
            if not locked:
                return 0
            try:
                with self._chroma_lock, reachable(self.vectors):
                    return self._clean_stale()
            except VectorsUnavailable:
                raise
            except Exception as exc:
                raise IndexDamaged(
                    f"the vector index in {self.vectors.describe(self.directory)} cannot be cleaned "
                    f"({type(exc).__name__}: {exc}); `cnht reindex` rebuilds it from the registry"
                ) from exc

    def _clean_stale(self) -> int:
        stale = self.registry.stale_vectors()
        for table, doc_id, version in stale:
            self.collection.delete(where={"$and": [{"doc_id": doc_id}, {"version": version}]})
            self.registry.forget_stale(table, doc_id, version)
        if stale:
            log.info("cleaned %d stale vector sets", len(stale))
        return len(stale)

    # ------------------------------------------------------------ writing

    def apply(self, documents: list[ParsedDocument],
              on_progress: Callable[[int, int], None] | None = None) -> list[tuple[str, int]]:
        """Make these documents live together, in one registry commit: all new or, on any error or crash,
        all as before. Their chunks are embedded and stored `embed_batch` at a time (memory stays bounded
        however many there are), `on_progress(chunks embedded, chunks in all)` after each batch.
        Returns (doc_id, old version) for the documents that replaced an older version."""
        if not documents:
            return []
        with self._writing():
            return self._apply(documents, on_progress)

    def _apply(self, documents: list[ParsedDocument], on_progress: Callable[[int, int], None] | None) -> list[tuple[str, int]]:
        versions = self.registry.reserve_versions([d.meta.doc_id for d in documents])
        ids: list[str] = []
        attempted = 0
        try:
            texts: list[str] = []
            metadatas: list[dict[str, Any]] = []
            terms: list[list[tuple[str, str]]] = []
            added: list[tuple[str, int, str, str, str]] = []  # the new chunks' lexical rows
            for document in documents:
                meta = document.meta
                version = versions[meta.doc_id]
                doc_terms = []
                for chunk in document.chunks:
                    text = index_text(meta, chunk.text)
                    texts.append(text)
                    ids.append(vector_id(meta.doc_id, chunk.ordinal, version))
                    metadatas.append(vector_metadata(meta, version))
                    doc_terms.append((" ".join(segment_words(text)), " ".join(folded_terms(text))))
                    added.append((meta.doc_id, chunk.ordinal, ids[-1], *doc_terms[-1]))
                terms.append(doc_terms)
            with self._chroma_lock, reachable(self.vectors):
                self._open_vectors()  # another process may have written since: start from what is on disk
            for start in range(0, len(texts), self.embed_batch):
                end = min(start + self.embed_batch, len(texts))
                vectors = self.embeddings.embed_documents(texts[start:end])  # the long part, outside the lock
                attempted = end
                with self._chroma_lock, reachable(self.vectors):
                    self.collection.add(ids=ids[start:end], embeddings=vectors, metadatas=metadatas[start:end])
                if on_progress:
                    on_progress(end, len(texts))
            upcoming = index_after_change(self.registry, [d.meta.doc_id for d in documents], added)
            with self._chroma_lock, reachable(self.vectors):
                replaced = self.registry.commit_documents(documents, versions, terms, (upcoming.generation, pack(upcoming)))
                self._vectors_generation = self.registry.generation()
            self._keep_lexical(upcoming)
        except BaseException:
            try:
                with self._chroma_lock, reachable(self.vectors):
                    for start in range(0, attempted, CHROMA_BATCH):
                        self.collection.delete(ids=ids[start : min(start + CHROMA_BATCH, attempted)])
            except VectorsUnavailable as exc:  # the versions stay pending: `recover` deletes their vectors later
                log.warning("vectors of a failed batch are left for later: %s", exc)
            else:
                self.registry.drop_pending(versions)
            raise
        self._clean_stale_now_or_later()
        return replaced

    def _clean_stale_now_or_later(self) -> None:
        """`_clean_stale` after a commit; with the Chroma server down the rows stay for `recover` (the
        change itself is done: stale vectors are never served)."""
        try:
            with self._chroma_lock, reachable(self.vectors):
                self._clean_stale()
        except VectorsUnavailable as exc:
            log.warning("stale vectors are left for later: %s", exc)

    def remove(self, doc_id: str) -> bool:
        """Take a document out of every index. False if there is no such document."""
        with self._writing():
            if self.registry.document(doc_id) is None:
                return False
            upcoming = index_after_change(self.registry, [doc_id])
            with self._chroma_lock:
                self._open_vectors()
                if self.registry.remove_document(doc_id, (upcoming.generation, pack(upcoming))) is None:
                    return False
                self._clean_stale_now_or_later()
                self._vectors_generation = self.registry.generation()
            self._keep_lexical(upcoming)
        return True

    def _keep_lexical(self, upcoming: LexicalIndex) -> None:
        """After a commit (under the writers' lock) that published `upcoming` as the next generation's
        index: this process serves it at once, without loading it back."""
        live = self._vectors_generation
        self._lexical = replace(upcoming, generation=live) if live == upcoming.generation + 1 else None

    # ------------------------------------------------------------ reading

    def lexical(self) -> LexicalIndex:
        """BM25 indexes matching the registry's current generation, which any replica may have moved on
        (it is in the shared database): the index its writer published is loaded (or, missing, built) by one
        thread while the others wait for it, and swapped in whole, generation and index together."""
        generation = self.registry.generation()
        current = self._lexical
        if current is not None and current.generation == generation:
            return current
        with self._lexical_lock:  # another thread may have loaded it meanwhile: ask again
            current, generation = self._lexical, self.registry.generation()
            if current is None or current.generation != generation:
                current = self._lexical = load_lexical(self.registry)
            return current

    def documents(self) -> list[DocumentRecord]:
        """Live documents."""
        return self.registry.documents()

    def document(self, doc_id: str) -> DocumentRecord | None:
        """One live document, or None."""
        return self.registry.document(doc_id)

    def dense_search(self, query_vector: list[float], k: int = 20, where: dict | None = None) -> list[tuple[dict[str, Any], float]]:
        """Nearest live chunks to a query vector, with cosine similarity; stale versions never appear."""
        return self.dense_search_many([query_vector], k, where)[0]

    def dense_search_many(
        self, query_vectors: list[list[float]], k: int = 20, where: dict | None = None
    ) -> list[list[tuple[dict[str, Any], float]]]:
        """`dense_search` for several query vectors in one call to the vector store."""
        with self._reading():
            self._current_vectors()
            count = self.collection.count()
            if count == 0:
                return [[] for _ in query_vectors]
            result = self.collection.query(
                query_embeddings=query_vectors, n_results=min(k * 2, count), where=where, include=["distances"]
            )
        live = self.registry.chunks_by_vector_ids([i for ids in result["ids"] for i in ids])
        return [
            [(live[i], 1.0 - d) for i, d in zip(ids, distances) if i in live][:k]
            for ids, distances in zip(result["ids"], result["distances"])
        ]

    def vector_count(self) -> int:
        """Vectors stored in Chroma (live ones only, once `recover` has run); `VectorsUnavailable` when the
        Chroma server does not answer (what `/readyz` asks)."""
        with self._reading():
            return self.collection.count()

    def close(self) -> None:
        """Release the vector store and the lock files (the database belongs to whoever opened it)."""
        with self._chroma_lock:
            if self._client is not None:
                self._client.close()
                self._client = None
        self.registry.close()
        self._writer_lock.close()
        self._open_lock_file.close()


def open_knowledge_base(settings, database: Database, embeddings: Embeddings | None = None) -> KnowledgeBase:
    """The knowledge base of `settings.data_dir` with its registry in `database` (the composition root's) and
    its vectors in the configured store, with the configured embedder unless one is given."""
    return KnowledgeBase(Path(settings.index_dir), embeddings or build_embeddings(settings), database,
                         settings.vector_sync_threshold, vector_store(settings))
