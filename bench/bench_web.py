"""Web load benchmark: `cnht serve` on loopback under an open-loop load of mixed Vietnamese and English
questions; then time-to-first-byte of streamed answers.

    CNHT_DATA_DIR=D .venv/bin/python bench/bench_web.py [--rate 30] [--seconds 60] [--workers 2]
        [--popularity zipf|cycle] QUESTIONS.jsonl [...]

The load generator runs in this process (asyncio + httpx) on the same 2-core machine as the server.
Which question each request asks: `cycle` goes through the shuffled pool in order, so the first
len(pool) requests are all questions never seen (the worst case); `zipf` draws from the pool with
popularity falling as 1/rank^s, the way questions to a help desk repeat. The shared answer cache of D
is emptied before the server starts, so every question is new to the server when first asked.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import emit, forget_answers, percentile, question_pool, served  # noqa: E402


def schedule(pool: list[str], total: int, popularity: str, s: float, seed: int = 7) -> list[str]:
    """The question of each of `total` requests."""
    if popularity == "cycle":
        return [pool[i % len(pool)] for i in range(total)]
    weights = [1 / (rank + 1) ** s for rank in range(len(pool))]
    return random.Random(seed).choices(pool, weights=weights, k=total)


async def load(url: str, questions: list[str], rate: float) -> dict:
    """Send `rate` requests per second, one per question, each at its scheduled time, whatever the replies."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        async def one(question: str) -> None:
            start = time.perf_counter()
            try:
                response = await client.post("/api/ask", json={"question": question, "channel": "api"})
                if response.status_code != 200:
                    errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1
                    return
                latencies.append((time.perf_counter() - start) * 1000)
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1

        tasks = []
        begin = time.perf_counter()
        total = len(questions)
        for i, question in enumerate(questions):
            delay = begin + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(question)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - begin
    return {
        "sent": total,
        "distinct_questions": len(set(questions)),
        "answered": len(latencies),
        "errors": errors,
        "seconds": round(elapsed, 1),
        "answered_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 99), 1) if latencies else None,
    }


async def first_bytes(url: str, questions: list[str], count: int) -> dict:
    """Time from sending a streamed question to its first answer text (the first `delta` event)."""
    times: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for question in questions[:count]:
            start = time.perf_counter()
            async with client.stream("POST", "/api/ask", json={"question": question + " ??", "channel": "api"},
                                     headers={"Accept": "text/event-stream"}) as response:
                lines = response.aiter_lines()
                async for line in lines:
                    if line.startswith("event: delta"):
                        times.append((time.perf_counter() - start) * 1000)
                        break
                async for _ in lines:
                    pass
    return {"requests": len(times), "p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 95), 1)}


def main() -> None:
    """Start the server, run the load, print the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("questions", nargs="+")
    parser.add_argument("--rate", type=float, default=30)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--popularity", choices=["zipf", "cycle"], default="zipf")
    parser.add_argument("--zipf-s", type=float, default=1.0)
    parser.add_argument("--out")
    args = parser.parse_args()
    pool = question_pool(args.questions, seed=7)
    forget_answers()
    with served(args.port, args.workers) as url:
        # Warm every worker with questions the load never asks (the pool's with a trailing "?").
        asyncio.run(load(url, [q + " ?" for q in pool[-50:]], 5))
        report = {"questions_in_pool": len(pool), "workers": args.workers, "rate": args.rate,
                  "popularity": args.popularity, "zipf_s": args.zipf_s if args.popularity == "zipf" else None}
        questions = schedule(pool, int(args.rate * args.seconds), args.popularity, args.zipf_s)
        report["load"] = asyncio.run(load(url, questions, args.rate))
        report["stream_first_delta"] = asyncio.run(first_bytes(url, pool, 100))
    emit(report, args.out)


if __name__ == "__main__":
    main()
