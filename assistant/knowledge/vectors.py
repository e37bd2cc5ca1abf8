"""Where the knowledge base keeps its vectors: a local persistent Chroma in the data directory (the default),
or a Chroma server (`CNHT_CHROMA_URL`) that every replica shares. Vectors are always computed by the
assistant's embedder and passed in; Chroma never embeds text."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
import httpx
from chromadb.config import Settings as ChromaSettings

COLLECTION = "chunks"


class VectorsUnavailable(RuntimeError):
    """The Chroma server cannot be reached (down, unreachable or not answering within the timeout)."""


@dataclass(frozen=True)
class VectorStore:
    """Which vector store to use: `url` empty means local Chroma under the index directory."""

    url: str = ""
    collection: str = COLLECTION
    timeout: float = 5.0

    @property
    def remote(self) -> bool:
        """Whether the vectors live on a Chroma server (shared by every process) rather than on disk here."""
        return bool(self.url)

    def describe(self, index_dir: Path) -> str:
        """Where the vectors are, for messages: the local folder, or the server and collection."""
        if self.remote:
            return f"the Chroma server at {self.url} (collection {self.collection!r})"
        return str(index_dir / "chroma")


def vector_store(settings) -> VectorStore:
    """The vector store `settings` name (CNHT_CHROMA_URL, CNHT_CHROMA_COLLECTION, CNHT_CHROMA_TIMEOUT)."""
    return VectorStore(settings.chroma_url.strip().rstrip("/"), settings.chroma_collection, settings.chroma_timeout)


def connect(store: VectorStore, index_dir: Path) -> Any:
    """A Chroma client for `store`: a server's HttpClient whose every request gives up after `store.timeout`
    seconds (Chroma's own client waits forever), or a PersistentClient on `index_dir / "chroma"`."""
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if not store.remote:
        return chromadb.PersistentClient(path=str(index_dir / "chroma"), settings=settings)
    parsed = urlparse(store.url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValueError(f"CNHT_CHROMA_URL must look like http://host:8000, not {store.url!r}")
    ssl = parsed.scheme == "https"
    with reachable(store):  # first a bounded heartbeat: the client's own first request could wait forever
        httpx.get(f"{store.url}/api/v2/heartbeat", timeout=store.timeout).raise_for_status()
        try:
            client = chromadb.HttpClient(host=store.url, port=parsed.port or (443 if ssl else 80), ssl=ssl,
                                         settings=settings)
        except ValueError as exc:  # how chromadb reports a server that stopped answering meanwhile
            if isinstance(exc.__context__, httpx.TransportError):
                raise exc.__context__ from exc
            raise
    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):  # chromadb builds it with timeout=None
        session.timeout = httpx.Timeout(store.timeout)
    return client


def open_collection(client: Any, store: VectorStore, hnsw: dict[str, Any]) -> Any:
    """The store's collection (created on first use with cosine HNSW settings; no embedding function)."""
    with reachable(store):
        return client.get_or_create_collection(store.collection, embedding_function=None, configuration={"hnsw": hnsw})


@contextmanager
def reachable(store: VectorStore):
    """Turn a Chroma server's transport failures (refused, reset, timed out) into `VectorsUnavailable`."""
    try:
        yield
    except (httpx.TransportError, httpx.HTTPStatusError) as exc:
        raise VectorsUnavailable(
            f"the vector store, {store.describe(Path('.'))}, does not answer ({type(exc).__name__}: {exc})"
        ) from exc
