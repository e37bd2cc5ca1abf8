"""Peak server memory while staff upload many large files at once and sign-ins arrive (issue 20): `cnht
serve` (one worker) takes N parallel chunked uploads (Transfer-Encoding: chunked, no Content-Length) of
M MB each from a signed-in staff account, and L concurrent sign-ins (half wrong); peak RSS is the server's
VmHWM from /proc.

CNHT_DATA_DIR=D .venv/bin/python -m bench.bench_uploads [--uploads 100] [--mb 50] [--logins 40] [--out FILE]

D must hold an ingested knowledge base (the server must be ready). The account `bench-user` is created
there through `cnht admin create-user` if missing, and unlocked; rate limits are lifted for the run. The
uploads are random bytes named .txt: each is streamed and staged whole, then refused as binary content
(422), so what is measured is the upload path, not an ingest. A file of exactly CNHT_MAX_FILE_MB (default
50) is within the cap: --mb 50 needs no change to it."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx

from bench.bench_logins import PASSWORD, _free_port, _kb, _server_pid, _sign_in
from bench.report import ROOT, emit, served

BLOCK = os.urandom(1024 * 1024)


def _account() -> None:
    """`bench-user` through the command line, unlocked."""
    env = {**os.environ, "OMP_WAIT_POLICY": "passive"}
    cnht = [sys.executable, "-m", "bots", "admin"]
    subprocess.run([*cnht, "create-user", "bench-user", "--password-stdin"], input=PASSWORD + "\n", text=True,
                   env=env, cwd=ROOT, capture_output=True)  # already there on a second run: fine
    subprocess.run([*cnht, "unlock", "bench-user"], env=env, cwd=ROOT, check=True, capture_output=True)


def _multipart(name: str, megabytes: int, boundary: str) -> Iterator[bytes]:
    """A multipart/form-data body with one file part, produced a megabyte at a time."""
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
           "Content-Type: application/octet-stream\r\n\r\n").encode()
    for _ in range(megabytes):
        yield BLOCK
    yield f"\r\n--{boundary}--\r\n".encode()


def _upload(url: str, cookies: httpx.Cookies, csrf: str, index: int, megabytes: int) -> int:
    boundary = f"bench{index:04d}boundary"
    headers = {"X-CSRF-Token": csrf, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    with httpx.Client(base_url=url, cookies=cookies, timeout=900) as client:
        try:
            return client.post("/admin/api/documents", content=_multipart(f"junk-{index:03d}.txt", megabytes, boundary),
                               headers=headers).status_code
        except httpx.HTTPError:
            return 0


def _sampler(pid: int, stop: threading.Event, peaks: list[int]) -> None:
    """The largest VmRSS seen every 0.2 s (VmHWM says the same, at the end)."""
    while not stop.wait(0.2):
        try:
            peaks.append(_kb(pid, "VmRSS"))
        except (OSError, SystemExit):
            return


def main() -> None:
    """Run the benchmark and print (and optionally save) its JSON report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--uploads", type=int, default=100)
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--logins", type=int, default=40)
    parser.add_argument("--out")
    args = parser.parse_args()
    _account()
    os.environ["CNHT_LOGIN_RATE_PER_MINUTE"] = "100000"
    port = _free_port()
    with served(port) as url:
        pid = _server_pid(port)
        with httpx.Client(base_url=url, timeout=120) as client:
            token = client.get("/admin/api/csrf").json()["csrf"]
            signed = client.post("/admin/api/login", json={"username": "bench-user", "password": PASSWORD},
                                 headers={"X-CSRF-Token": token})
            signed.raise_for_status()
            cookies, csrf = client.cookies, signed.json()["csrf"]
        before = _kb(pid, "VmRSS")
        stop, samples = threading.Event(), [before]
        watcher = threading.Thread(target=_sampler, args=(pid, stop, samples), daemon=True)
        watcher.start()
        load_before = os.getloadavg()
        start = time.perf_counter()
        with ThreadPoolExecutor(args.uploads + args.logins) as pool:
            uploads = [pool.submit(_upload, url, cookies, csrf, i, args.mb) for i in range(args.uploads)]
            time.sleep(2)  # the uploads are streaming: now the sign-ins
            logins = [pool.submit(_sign_in, url, i % 2 == 0) for i in range(args.logins)]
            upload_statuses = [f.result() for f in uploads]
            login_statuses = [f.result() for f in logins]
        elapsed = time.perf_counter() - start
        load_after = os.getloadavg()
        stop.set()
        peak = _kb(pid, "VmHWM")
        healthy = httpx.get(url + "/healthz", timeout=10).status_code
    emit({"uploads": args.uploads, "megabytes_each": args.mb, "logins": args.logins,
          "upload_statuses": {str(s): upload_statuses.count(s) for s in sorted(set(upload_statuses))},
          "login_statuses": {str(s): login_statuses.count(s) for s in sorted(set(login_statuses))},
          "rss_before_mb": round(before / 1024), "peak_rss_sampled_mb": round(max(samples) / 1024),
          "peak_rss_mb": round(peak / 1024), "seconds": round(elapsed, 1), "healthz_after": healthy,
          "load_average_before": [round(x, 2) for x in load_before], "load_average_after": [round(x, 2) for x in load_after]},
         args.out)


if __name__ == "__main__":
    main()
