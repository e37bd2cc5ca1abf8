"""Two replicas against one embedded server: 60 s of open-loop asks at 30/s, p95 and errors.

    .venv/bin/python bench/bench_replicas.py [--rate 30] [--seconds 60] --out REPORT.json QUESTIONS.jsonl [...]

(the servers' access logs share standard output: read the report from --out)

Replicas: two `cnht serve` processes with data directories of their own, sharing a throw-away database on
the machine's PostgreSQL (127.0.0.1:5432), a `chroma run` server started here and Redis (127.0.0.1:6379,
a random key prefix); the load alternates between them. Embedded: one `cnht serve` on a data directory of
its own (SQLite, local Chroma). Both hold the shipped corpus; the load generator shares the 2 cores.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import load, schedule  # noqa: E402
from report import emit, question_pool, served  # noqa: E402

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    """A TCP port nobody listens on at the moment."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ingest(env: dict[str, str]) -> None:
    """The shipped corpus into the data directory of `env`."""
    subprocess.run([sys.executable, "-m", "bots", "ingest", "-q", str(ROOT / "corpus" / "documents")],
                   env={**os.environ, "OMP_WAIT_POLICY": "passive", **env}, check=True, cwd=ROOT, capture_output=True)


async def both(urls: list[str], questions: list[str], rate: float) -> list[dict]:
    """The load split between the replicas: every other question to each, half the rate each."""
    return list(await asyncio.gather(*(load(url, questions[i::len(urls)], rate / len(urls)) for i, url in enumerate(urls))))


def main() -> None:
    """Run both topologies and print the JSON report."""
    import psycopg
    import redis

    parser = argparse.ArgumentParser()
    parser.add_argument("questions", nargs="+")
    parser.add_argument("--rate", type=float, default=30)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--out")
    args = parser.parse_args()
    questions = schedule(question_pool(args.questions, seed=7), int(args.rate * args.seconds), "zipf", 1.0)
    work = Path(tempfile.mkdtemp(prefix="cnht-replicas-"))
    name = f"cnht_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(ADMIN_URL.replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    chroma_port = free_port()
    chroma = subprocess.Popen([str(Path(sys.executable).parent / "chroma"), "run", "--path", str(work / "chroma"),
                               "--host", "127.0.0.1", "--port", str(chroma_port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    prefix = f"cnht-bench-{secrets.token_hex(4)}:"
    report: dict = {"rate": args.rate, "seconds": args.seconds, "load_average_before": os.getloadavg()[0]}
    try:
        deadline = time.time() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.time() > deadline:
                    raise SystemExit("chroma run did not start") from None
                time.sleep(0.5)
        shared = {"CNHT_DATABASE_URL": ADMIN_URL.replace("/test", f"/{name}"),
                  "CNHT_CHROMA_URL": f"http://127.0.0.1:{chroma_port}", "CNHT_CHROMA_COLLECTION": "bench",
                  "CNHT_REDIS_URL": "redis://127.0.0.1:6379/0", "CNHT_REDIS_PREFIX": prefix}
        replicas = [{**shared, "CNHT_DATA_DIR": str(work / f"replica{i}")} for i in (1, 2)]
        ingest(replicas[0])
        with served(free_port(), extra_env=replicas[0]) as one, served(free_port(), extra_env=replicas[1]) as two:
            halves = asyncio.run(both([one, two], questions, args.rate))
        report["replicas"] = halves
        report["replicas_errors"] = sum(sum(h["errors"].values()) for h in halves)
        embedded = {"CNHT_DATA_DIR": str(work / "embedded")}
        ingest(embedded)
        with served(free_port(), extra_env=embedded) as url:
            report["embedded"] = asyncio.run(load(url, questions, args.rate))
        report["load_average_after"] = os.getloadavg()[0]
    finally:
        chroma.terminate()
        chroma.wait(timeout=30)
        with psycopg.connect(ADMIN_URL.replace("+psycopg", ""), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)
        keys = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        for key in keys.scan_iter(match=f"{prefix}*"):
            keys.delete(key)
    emit(report, args.out)


if __name__ == "__main__":
    main()
