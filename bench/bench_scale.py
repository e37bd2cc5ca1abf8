"""Search latency and ALQAC 2023 retrieval on a small and a large legal corpus, in both topologies (issue 19).

    .venv/bin/python bench/bench_scale.py [--eval ../shared/eval] [--latency 200] [--embedding-cache FILE]
        [--runs B-embedded,A-embedded,B-replicated,A-replicated] --out REPORT.json

Corpora: **A** = ALQAC 2023 (2,249 articles); **B** = ALQAC 2022 + 2023 + the English translation of 2023
(5,875 passages; a translation's doc_id is its original's plus "::en", so it is a document of its own).
Topologies: **embedded** (SQLite and local Chroma in the data directory) and **replicated** (a throw-away
database on the machine's PostgreSQL, 127.0.0.1:5432, and a `chroma run` server started here; no Redis).

Each run ingests its corpus with `cnht ingest` into a fresh data directory, then runs bench_retrieval.py on
it with the ALQAC 2023 dev questions (vi and en): search and ask latency first, over --latency questions each
new to the process, then MRR@10 (strict, and with a translation counted as its original). Embedding is the
slow part, so every passage is embedded once: the embedding cache (a SQLite file, by content hash) of
--embedding-cache, else of the first run, is copied into each data directory before it is ingested.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import emit  # noqa: E402

RUNS = ("B-embedded", "A-embedded", "B-replicated", "A-replicated")
TRANSLATION_SUFFIX = "::en"
CACHE_FILE = Path("index") / "embedding-cache.sqlite"


class LoadSampler:
    """The machine's 1-minute load average, sampled every `every` seconds in a thread while the block runs."""

    def __init__(self, every: float = 10):
        self.every = every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            self.samples.append(os.getloadavg()[0])
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, float]:
        """Mean and highest sample."""
        return {"mean": round(sum(self.samples) / len(self.samples), 2), "max": round(max(self.samples), 2)}


def corpora(eval_dir: Path, work: Path) -> dict[str, list[Path]]:
    """The JSONL files of corpus A and corpus B (the English translation rewritten with its own doc_ids)."""
    translated = work / "alqac2023_passages_en.jsonl"
    with open(eval_dir / "alqac2023" / "passages_en.jsonl", encoding="utf-8") as source, \
            open(translated, "w", encoding="utf-8") as target:
        for line in source:
            if line.strip():
                record = json.loads(line)
                record["id"] = f"{record['id']}{TRANSLATION_SUFFIX}"
                target.write(json.dumps(record, ensure_ascii=False) + "\n")
    small = [eval_dir / "alqac2023" / "passages.jsonl"]
    return {"A": small, "B": [*small, eval_dir / "alqac2022" / "passages.jsonl", translated]}


def passages(paths: list[Path]) -> int:
    """Records in JSONL files."""
    return sum(1 for path in paths for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def seed_cache(source: Path, data_dir: Path) -> None:
    """A copy of the embedding cache `source` (a SQLite file no process is writing) as the cache of the new
    data directory `data_dir`."""
    target = data_dir / CACHE_FILE
    target.parent.mkdir(parents=True)
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)


def ingest(paths: list[Path], env: dict[str, str]) -> dict:
    """`cnht ingest -q` of the files into the data directory of `env`: wall time and the summary it printed."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bots", "ingest", "-q", *map(str, paths)], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"cnht ingest failed ({done.returncode}): {done.stdout[-2000:]}{done.stderr[-2000:]}")
    return {"seconds": round(time.perf_counter() - start, 1), "summary": done.stdout.strip().splitlines()[-1:]}


def measure(questions: list[Path], latency: int, translations: bool, env: dict[str, str], out: Path) -> dict:
    """bench_retrieval.py on the data directory of `env`: latency first, then MRR@10 (and, on a corpus with
    translations, MRR@10 with a translation counted as its original)."""
    extra = ["--translation-suffix", TRANSLATION_SUFFIX] if translations else []
    subprocess.run([sys.executable, str(ROOT / "bench" / "bench_retrieval.py"), *map(str, questions),
                    "--latency", str(latency), "--latency-first", *extra, "--out", str(out)],
                   env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text(encoding="utf-8"))


def main() -> None:
    """Run the chosen runs in order and print the JSON report."""
    from tests.support.chroma_server import ChromaServer
    from tests.support.postgres import scratch_postgres

    parser = argparse.ArgumentParser()
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--latency", type=int, default=200)
    parser.add_argument("--embedding-cache", type=Path, help="an embedding-cache.sqlite to start from")
    parser.add_argument("--runs", default=",".join(RUNS))
    parser.add_argument("--out")
    args = parser.parse_args()
    runs = [run.strip() for run in args.runs.split(",") if run.strip()]
    if unknown := set(runs) - set(RUNS):
        raise SystemExit(f"unknown runs: {sorted(unknown)} (choose from {', '.join(RUNS)})")
    questions = [args.eval / "alqac2023" / "questions_dev.jsonl", args.eval / "alqac2023" / "questions_dev_en.jsonl"]
    work = Path(tempfile.mkdtemp(prefix="cnht-scale-"))
    files = corpora(args.eval, work)
    cache = args.embedding_cache
    base = {**os.environ, "OMP_WAIT_POLICY": "passive", "CNHT_REDIS_URL": "", "CNHT_DATABASE_URL": "",
            "CNHT_CHROMA_URL": ""}
    report: dict = {"latency_questions": args.latency, "passages": {name: passages(paths) for name, paths in files.items()}}
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, work, ignore_errors=True)
        chroma: ChromaServer | None = None
        for run in runs:
            corpus, topology = run.split("-")
            data_dir = work / run
            env = {**base, "CNHT_DATA_DIR": str(data_dir)}
            if topology == "replicated":
                if chroma is None:
                    chroma = ChromaServer(work / "chroma").start()
                    stack.callback(chroma.stop)
                env |= {"CNHT_DATABASE_URL": stack.enter_context(scratch_postgres()), "CNHT_CHROMA_URL": chroma.url,
                        "CNHT_CHROMA_COLLECTION": f"scale-{corpus.lower()}"}
            if cache is not None:
                seed_cache(cache, data_dir)
            with LoadSampler() as load:
                entry = {"corpus": corpus, "topology": topology, "ingest": ingest(files[corpus], env),
                         "cache_seeded": cache is not None}
                entry |= measure(questions, args.latency, corpus == "B", env, work / f"{run}.json")
            entry["load_average"] = load.summary()
            report[run] = entry
            print(f"{run}: {json.dumps(entry.get('latency_ms'))} load {entry['load_average']}", file=sys.stderr)
            cache = cache or data_dir / CACHE_FILE
    emit(report, args.out)


if __name__ == "__main__":
    main()
