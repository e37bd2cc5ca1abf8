"""Retrieval and answer benchmark over an existing data directory.

    CNHT_DATA_DIR=D .venv/bin/python bench/bench_retrieval.py QUESTIONS.jsonl [...] [--answers] [--latency N]

For each question file: Recall@1/5/10, MRR@10, nDCG@10 overall, per language and per variant. With
--answers: the share of unanswerable questions refused and of answerable ones grounded. With --latency N:
search and extractive-ask latency (p50/p95, ms) over N questions drawn from the files, in this warm process,
and the resident memory at the end.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import emit, percentile  # noqa: E402


def main() -> None:
    """Run and print the JSON report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("questions", nargs="+")
    parser.add_argument("--answers", action="store_true")
    parser.add_argument("--latency", type=int, default=0)
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
    pool: list[str] = []
    for path in args.questions:
        questions = load_questions(Path(path))
        pool += [q.question for q in questions]
        metrics, _ = evaluate(lambda text, n: service.search(text, k=n), questions)
        entry = {"retrieval": metrics}
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
    if args.latency:
        sample = [pool[int(i * len(pool) / args.latency)] for i in range(args.latency)]
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
        report["latency_ms"] = {
            "questions": len(sample),
            "search_p50": round(statistics.median(search_ms), 1),
            "search_p95": round(percentile(search_ms, 95), 1),
            "ask_p50": round(statistics.median(ask_ms), 1),
            "ask_p95": round(percentile(ask_ms, 95), 1),
            "repeated_ask_p95": round(percentile(repeat_ms, 95), 2),
        }
        report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        report["torch_imported"] = "torch" in sys.modules
        report["sentence_transformers_imported"] = "sentence_transformers" in sys.modules
    emit(report, args.out)


if __name__ == "__main__":
    main()
