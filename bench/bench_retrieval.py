"""Retrieval and answer benchmark over an existing data directory.

    CNHT_DATA_DIR=D .venv/bin/python bench/bench_retrieval.py QUESTIONS.jsonl [...] [--answers] [--latency N]
        [--latency-first] [--translation-suffix S]

For each question file: Recall@1/5/10, MRR@10, nDCG@10 overall, per language and per variant. With
--answers: the share of unanswerable questions refused and of answerable ones grounded. With --latency N:
search and extractive-ask latency (p50/p95, ms) over N questions drawn from the files, in this warm process,
and the resident memory at the end; with --latency-first, measured before the retrieval metrics, so that no
measured question has been searched before in the process. With --translation-suffix S (a knowledge base
holding translations as documents whose doc_id is the original's plus S): the retrieval metrics again with
a translation counted as its original ("article level").
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import emit, percentile  # noqa: E402


def as_originals(hits: list, suffix: str) -> list[SimpleNamespace]:
    """The hits' doc_ids with a translation's `suffix` taken off (what the evaluation ranks)."""
    return [SimpleNamespace(doc_id=hit.doc_id.removesuffix(suffix)) for hit in hits]


def main() -> None:
    """Run and print the JSON report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("questions", nargs="+")
    parser.add_argument("--answers", action="store_true")
    parser.add_argument("--latency", type=int, default=0)
    parser.add_argument("--latency-first", action="store_true")
    parser.add_argument("--translation-suffix", default="")
    parser.add_argument("--out")
    args = parser.parse_args()

    from assistant.evaluation import evaluate, load_questions
    from assistant.retrieval.search import analyse
    from assistant.runtime import build_runtime
    from assistant.settings import Settings

    start = time.perf_counter()
    service = build_runtime(Settings()).service
    report: dict = {"data_dir": str(service.settings.data_dir), "startup_seconds": round(time.perf_counter() - start, 2)}
    service.search("khởi động", k=5)  # warm caches
    files = {path: load_questions(Path(path)) for path in args.questions}
    pool = [q.question for questions in files.values() for q in questions]
    if args.latency and args.latency_first:
        report["latency_ms"] = measure_latency(service, pool, args.latency)
    for path, questions in files.items():
        metrics, _ = evaluate(lambda text, n: service.search(text, k=n), questions)
        entry = {"retrieval": metrics}
        if args.translation_suffix:
            entry["retrieval_article_level"], _ = evaluate(
                lambda text, n: as_originals(service.search(text, k=n), args.translation_suffix), questions
            )
        if args.answers:
            refused = grounded = answerable = unanswerable = 0
            for question in questions:
                answer = service.extractive.answer(analyse(question.question), service.search(question.question, k=8))
                if question.gold:
                    answerable += 1
                    grounded += answer.grounded
                else:
                    unanswerable += 1
                    refused += not answer.grounded
            entry["answers"] = {
                "answerable_grounded": round(grounded / max(answerable, 1), 4),
                "unanswerable_refused": round(refused / max(unanswerable, 1), 4),
                "answerable": answerable,
                "unanswerable": unanswerable,
            }
        report[Path(path).name] = entry
    if args.latency and not args.latency_first:
        report["latency_ms"] = measure_latency(service, pool, args.latency)
    if args.latency:
        report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        report["torch_imported"] = "torch" in sys.modules
        report["sentence_transformers_imported"] = "sentence_transformers" in sys.modules
    emit(report, args.out)


def measure_latency(service, pool: list[str], count: int) -> dict:
    """Search and extractive-ask latency (ms) over `count` questions drawn evenly from `pool`, each new to
    the process's caches."""
    sample = [pool[int(i * len(pool) / count)] for i in range(count)]
    search_ms, ask_ms, repeat_ms = [], [], []
    for text in sample:
        service.kb.embeddings.clear_query_cache()  # every measured question is new to the process
        service.clear_cache()
        t = time.perf_counter()
        service.search(text, k=10)
        search_ms.append((time.perf_counter() - t) * 1000)
        service.kb.embeddings.clear_query_cache()
        t = time.perf_counter()
        service.ask(text)
        ask_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        service.ask(text)
        repeat_ms.append((time.perf_counter() - t) * 1000)
    return {
        "questions": len(sample),
        "search_p50": round(statistics.median(search_ms), 1),
        "search_p95": round(percentile(search_ms, 95), 1),
        "ask_p50": round(statistics.median(ask_ms), 1),
        "ask_p95": round(percentile(ask_ms, 95), 1),
        "repeated_ask_p95": round(percentile(repeat_ms, 95), 2),
    }


if __name__ == "__main__":
    main()
