"""Real processes for tests: a free loopback port, and `cnht serve` started as a subprocess and stopped."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx


def free_port() -> int:
    """A TCP port nobody listens on at the moment."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    """A running `cnht serve`: its base URL, port and process."""

    url: str
    port: int
    process: subprocess.Popen


@contextmanager
def cnht_serve(env: dict[str, str], start_seconds: float = 180) -> Iterator[Served]:
    """`cnht serve` on a free port with `env` added to this environment, ready once /healthz answers;
    terminated (killed if it does not stop) on exit. A server that exits or never answers fails with its
    stderr."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bots", "serve", "--port", str(port)],
                               env={**os.environ, "OMP_WAIT_POLICY": "passive", **env},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + start_seconds
    try:
        while True:
            if process.poll() is not None:
                raise AssertionError(f"cnht serve exited: {process.stderr.read().decode()[-3000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline:
                raise AssertionError("cnht serve did not start")
            time.sleep(0.3)
        yield Served(url, port, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
