"""How long a replica takes to pick up a new registry generation's lexical (BM25) index: loading the index
the writer published in the database, against building it from every chunk (what each replica did before).

    .venv/bin/python bench/bench_lexical.py [--repeat 7] [--out REPORT.json] [EXTRA.jsonl ...]

The shipped corpus (corpus/documents), plus any JSONL files given, is ingested through the real writer path
(`ingest_paths`: parsing, terms, registry commit with the published index) into an SQLite data directory and
into a throw-away database on the machine's PostgreSQL (127.0.0.1:5432). Vectors are not measured: the
embedder here is a stand-in that hashes each text into a vector, so no model is loaded.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import emit  # noqa: E402

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


class HashedEmbeddings(Embeddings):
    """A vector per text from its hash: what Chroma stores does not matter to the lexical index."""

    def _vector(self, text: str) -> list[float]:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
        vector = np.random.default_rng(seed).standard_normal(384)
        return (vector / np.linalg.norm(vector)).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One hashed vector per text."""
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        """The hashed vector of the query."""
        return self._vector(text)


def timed(action: Callable[[], object], repeat: int) -> dict:
    """Median and minimum wall time of `action` over `repeat` runs, in milliseconds."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        runs.append((time.perf_counter() - start) * 1000)
    return {"median_ms": round(statistics.median(runs), 1), "min_ms": round(min(runs), 1)}


def measure(url: str, work: Path, sources: list[Path], repeat: int) -> dict:
    """Ingest `sources` through a writer on the database at `url`, then time a reader's two ways to the
    new generation's index."""
    from assistant.db.database import open_database_url
    from assistant.knowledge.base import KnowledgeBase
    from assistant.knowledge.ingestion import ingest_paths
    from assistant.knowledge.lexical import build_lexical, index_after_change, pack, published_lexical
    from assistant.knowledge.registry import Registry
    from ingest.pipeline import ParseOptions

    database = open_database_url(url)
    writer = KnowledgeBase(work / "writer" / "index", HashedEmbeddings(), database)
    try:
        report = ingest_paths(writer, sources, ParseOptions())
        assert report.ok, [f.reason for f in report.failures]
        registry = Registry(database)
        generation = registry.generation()
        data = registry.published_lexical(generation)
        assert data is not None
        loaded, _ = published_lexical(registry, generation)
        assert loaded is not None and loaded.vector_ids == build_lexical(registry).vector_ids
        writer_side = index_after_change(registry)
        return {
            "documents": len(registry.documents()),
            "chunks": len(loaded.vector_ids),
            "published_bytes": len(data),
            "writer_build_ms": timed(lambda: index_after_change(registry), repeat),
            "writer_pack_ms": timed(lambda: pack(writer_side), repeat),
            "replica_load_ms": timed(lambda: published_lexical(registry, generation), repeat),
            "replica_rebuild_ms": timed(lambda: build_lexical(registry), repeat),
        }
    finally:
        writer.close()
        database.close()


def main() -> None:
    """Both backends; print the JSON report."""
    import psycopg

    parser = argparse.ArgumentParser()
    parser.add_argument("extra", nargs="*", help="JSONL files ingested with the corpus")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out")
    args = parser.parse_args()
    sources = [ROOT / "corpus" / "documents", *map(Path, args.extra)]
    report: dict = {"sources": [str(s) for s in sources], "load_average_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="cnht-lexical-") as folder:
        work = Path(folder)
        report["sqlite"] = measure(f"sqlite:///{work / 'sqlite' / 'assistant.sqlite'}", work / "sqlite", sources,
                                   args.repeat)
        name = f"cnht_bench_{os.getpid()}"
        with psycopg.connect(f"{SERVER.replace('+psycopg', '')}/test", autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        try:
            report["postgresql"] = measure(f"{SERVER}/{name}", work / "postgresql", sources, args.repeat)
        finally:
            with psycopg.connect(f"{SERVER.replace('+psycopg', '')}/test", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    report["load_average_after"] = os.getloadavg()
    emit(report, args.out)


if __name__ == "__main__":
    main()
