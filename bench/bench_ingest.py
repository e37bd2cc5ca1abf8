"""Ingestion benchmark: ALQAC 2023 (2,249 articles) from scratch and again unchanged; PDF parsing speed.

    .venv/bin/python bench/bench_ingest.py [--passages PATH] [--max-words N] [--out FILE]

Prints a JSON report: wall time, chunks/s, where the time goes, peak resident memory.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import emit  # noqa: E402

sys.path.insert(0, str(ROOT))

SPENT: dict[str, float] = defaultdict(float)


def timed(name, function):
    """Wrap a function so its run time is added to SPENT[name]."""

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[name] += time.perf_counter() - start

    return wrapper


def instrument(kb) -> None:
    """Count the time of each stage of an ingest run."""
    import assistant.knowledge.base as knowledge
    import assistant.knowledge.ingestion as ingestion

    ingestion.parse_file = timed("parse (read, normalise, structure, chunk)", ingestion.parse_file)
    knowledge.segment_words = timed("BM25 terms: pyvi segmentation", knowledge.segment_words)
    knowledge.folded_terms = timed("BM25 terms: folded syllables", knowledge.folded_terms)
    kb.embeddings.inner.embed_documents = timed("embedding", kb.embeddings.inner.embed_documents)
    kb.collection.add = timed("Chroma add", kb.collection.add)
    kb.registry.commit_documents = timed("registry commit (SQLite)", kb.registry.commit_documents)
    knowledge.index_after_change = timed("BM25 index build", knowledge.index_after_change)
    knowledge.pack = timed("BM25 index pack (published in the commit)", knowledge.pack)


def bench_pdf_parsing(repeat: int = 5) -> dict:
    """Pages per second of the PDF loader over the corpus PDFs (no embedding)."""
    from ingest.pipeline import ParseOptions, parse_file

    pdfs = sorted((ROOT / "corpus" / "documents").glob("*.pdf"))
    pages = 0
    start = time.perf_counter()
    for _ in range(repeat):
        for pdf in pdfs:
            result = parse_file(pdf, ParseOptions())
            pages += result.documents[0].meta.pages or 0
    seconds = time.perf_counter() - start
    return {"files": len(pdfs) * repeat, "pages": pages, "seconds": round(seconds, 2), "pages_per_s": round(pages / seconds, 1)}


def main() -> None:
    """Run the benchmark and print its report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--passages", default=str(ROOT.parent / "shared" / "eval" / "alqac2023" / "passages.jsonl"))
    parser.add_argument("--max-words", type=int, default=None, help="CNHT_EMBED_MAX_WORDS for this run")
    parser.add_argument("--data-dir", default=None, help="keep the index here (default: a temporary folder)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()

    from assistant.db.database import open_database
    from assistant.knowledge.base import open_knowledge_base
    from assistant.knowledge.ingestion import ingest_paths, parse_options
    from assistant.settings import Settings

    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="cnht-bench-"))
    overrides = {"data_dir": data_dir}
    if args.max_words is not None:
        overrides["embed_max_words"] = args.max_words
    settings = Settings(**overrides)
    start = time.perf_counter()
    kb = open_knowledge_base(settings, open_database(settings))
    opened = time.perf_counter() - start
    instrument(kb)
    start, cpu = time.perf_counter(), time.process_time()
    report = ingest_paths(kb, [args.passages], parse_options(settings))
    first, first_cpu = time.perf_counter() - start, time.process_time() - cpu
    chunks = sum(r.chunk_count for r in kb.documents())
    stages = {k: round(v, 1) for k, v in sorted(SPENT.items(), key=lambda kv: -kv[1])}
    SPENT.clear()
    start = time.perf_counter()
    again = ingest_paths(kb, [args.passages], parse_options(settings))
    second = time.perf_counter() - start
    result = {
        "passages": args.passages,
        "embed_max_words": settings.embed_max_words,
        "documents": len(kb.documents()),
        "chunks": chunks,
        "failures": len(report.failures),
        "open_seconds": round(opened, 1),
        "ingest_seconds": round(first, 1),
        "ingest_cpu_seconds": round(first_cpu, 1),  # less sensitive than wall time to other load on the machine
        "load_average": os.getloadavg()[0],
        "chunks_per_s": round(chunks / first, 2),
        "stages_seconds": stages,
        "reingest_unchanged_seconds": round(second, 2),
        "reingest_unchanged_count": again.count("unchanged"),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "pdf_parsing": bench_pdf_parsing(),
    }
    emit(result, args.out)


if __name__ == "__main__":
    main()
