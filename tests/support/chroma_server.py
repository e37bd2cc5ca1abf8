"""A real Chroma server for tests: the chromadb package's own `chroma run` on a free loopback port with a
temporary path, stopped at the end. Under CI=true a server that cannot start fails the test; elsewhere it
skips it."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.processes import free_port

START_SECONDS = 60


def chroma_command() -> str | None:
    """The `chroma` program installed beside this Python (the venv's), else the one on PATH."""
    beside = Path(sys.executable).parent / "chroma"
    return str(beside) if beside.exists() else shutil.which("chroma")



class ChromaServer:
    """One `chroma run` process; `stop` and `start` again keep its port and path (a restart)."""

    def __init__(self, path: Path, port: int | None = None):
        self.path = path
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = path.parent / f"{path.name}-chroma.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> ChromaServer:
        """Start the server and wait until its heartbeat answers (RuntimeError with its log if it does not)."""
        command = chroma_command()
        if command is None:
            raise RuntimeError("the `chroma` command is not installed (the chromadb package provides it: make setup)")
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [command, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"`chroma run` exited with {self.process.returncode}: {self._log_tail()}")
            if self.answers():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"`chroma run` did not answer its heartbeat within {START_SECONDS} s: {self._log_tail()}")

    def answers(self) -> bool:
        """Whether the heartbeat answers now."""
        try:
            return httpx.get(f"{self.url}/api/v2/heartbeat", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s) and wait until its port is closed."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else "(no log)"


def start_or_skip(path: Path, port: int | None = None) -> ChromaServer:
    """A started server; one that cannot start fails the test under CI=true and skips it elsewhere."""
    try:
        return ChromaServer(path, port).start()
    except RuntimeError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """One Chroma server for the whole session (tests that stop it start their own with `start_or_skip`)."""
    server = start_or_skip(tmp_path_factory.mktemp("chroma-server") / "db")
    yield server
    server.stop()
