"""Peak server memory under concurrent workspace sign-ins (argon2 uses 64 MB per hash; the server hashes
at most `accounts.HASH_SLOTS` at once).

CNHT_DATA_DIR=D .venv/bin/python bench/bench_logins.py [--logins 40] [--out FILE]

D must hold an ingested knowledge base (the server must be ready). An account `bench-user` is created there
if missing; sign-in rate limits are lifted for the run."""
from __future__ import annotations

import argparse
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.report import emit, served

PASSWORD = "bench-password-long"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_pid(port: int) -> int:
    for status in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = status.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in words and str(port).encode() in words:
            return int(status.parent.name)
    raise SystemExit("server process not found")


def _kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise SystemExit(f"no {field}")


def _sign_in(url: str, good: bool) -> int:
    with httpx.Client(base_url=url, timeout=120) as client:
        csrf = client.get("/admin/api/csrf").json()["csrf"]
        body = {"username": "bench-user", "password": PASSWORD if good else "wrong-password!"}
        return client.post("/admin/api/login", json=body, headers={"X-CSRF-Token": csrf}).status_code


def main() -> None:
    """Run the benchmark and print (and optionally save) its JSON report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--logins", type=int, default=40)
    parser.add_argument("--out")
    args = parser.parse_args()
    from assistant.db.database import open_database
    from assistant.settings import Settings
    from assistant.workspace import accounts

    database = open_database(Settings())
    try:
        accounts.create_user(database, "bench-user", PASSWORD)
    except accounts.AccountError:
        pass
    accounts.unlock(database, "bench-user")
    os.environ["CNHT_LOGIN_RATE_PER_MINUTE"] = "100000"
    port = _free_port()
    with served(port) as url:
        pid = _server_pid(port)
        before = _kb(pid, "VmRSS")
        start = time.perf_counter()
        with ThreadPoolExecutor(args.logins) as pool:
            statuses = list(pool.map(lambda i: _sign_in(url, i % 2 == 0), range(args.logins)))
        elapsed = time.perf_counter() - start
        peak = _kb(pid, "VmHWM")
    emit({"logins": args.logins, "hash_slots": accounts.HASH_SLOTS, "statuses": {str(s): statuses.count(s) for s in set(statuses)},
          "rss_before_mb": round(before / 1024), "peak_rss_mb": round(peak / 1024), "seconds": round(elapsed, 1)}, args.out)


if __name__ == "__main__":
    main()
