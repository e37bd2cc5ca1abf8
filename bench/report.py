"""Shared by the benchmarks: print a JSON report and optionally save it."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def emit(report: dict, out: str | None) -> None:
    """Print the report as JSON; also write it to `out` when given."""
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(text + "\n", encoding="utf-8")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def question_pool(paths: list[str], seed: int) -> list[str]:
    """The questions of JSONL files (one {"question": ...} per line), shuffled reproducibly."""
    pool: list[str] = []
    for path in paths:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        pool += [json.loads(line)["question"] for line in lines if line.strip()]
    random.Random(seed).shuffle(pool)
    return pool


def forget_answers() -> None:
    """Empty the shared answer cache of $CNHT_DATA_DIR, so every question is new to the server."""
    for stale in (Path(os.environ.get("CNHT_DATA_DIR", "data")) / "index").glob("answer-cache.sqlite*"):
        stale.unlink()


@contextmanager
def served(port: int, workers: int = 1, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """`cnht serve` on the data directory of CNHT_DATA_DIR (or of `extra_env`, added to the environment), rate
    limits lifted, until the block ends; yields its URL once /readyz answers (SystemExit if it does not within
    three minutes)."""
    env = {**os.environ, "OMP_WAIT_POLICY": "passive", "CNHT_RATE_LIMIT_PER_MINUTE": "100000", **(extra_env or {})}
    server = subprocess.Popen([sys.executable, "-m", "bots", "serve", "--port", str(port), "--workers", str(workers)],
                              env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while True:
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise SystemExit("server did not become ready")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)

