"""Redis for tests: the machine's server (`CNHT_TEST_REDIS_URL`, default redis://127.0.0.1:6379/0) shared with
others, so every test session writes under its own random key prefix and deletes its keys at the end (never
FLUSHALL/FLUSHDB); and `RedisServer`, a `redis-server` of a test's own on a free port that it may stop, pause
and start again. Under CI=true a Redis that is missing fails the test; elsewhere it skips it."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis

from tests.support.chroma_server import free_port

START_SECONDS = 20


def _missing(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def answers(url: str) -> bool:
    """Whether a Redis at `url` answers PING now."""
    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def delete_prefix(url: str, prefix: str) -> None:
    """Delete every key under `prefix` (and nothing else)."""
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    finally:
        client.close()


@pytest.fixture(scope="session")
def redis_url():
    """The machine's Redis (fails under CI when it does not answer, skips elsewhere)."""
    url = os.environ.get("CNHT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    if not answers(url):
        _missing(f"no Redis answers at {url} (the machine's service; set CNHT_TEST_REDIS_URL to another)")
    return url


@pytest.fixture(scope="session")
def redis_session_prefix(redis_url):
    """This session's key prefix; its keys are deleted at the end of the session."""
    prefix = f"cnht-test:{os.getpid()}-{uuid.uuid4().hex[:8]}:"
    yield prefix
    delete_prefix(redis_url, prefix)


@pytest.fixture
def redis_prefix(redis_session_prefix):
    """A key prefix of one test's own, under the session's."""
    return f"{redis_session_prefix}{uuid.uuid4().hex[:8]}:"


class RedisServer:
    """One `redis-server` process without persistence on a loopback port; `stop` and `start` again keep the port."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = folder
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        """Start the server and wait until it answers PING (RuntimeError if it does not)."""
        command = shutil.which("redis-server")
        if command is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [command, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            if answers(self.url):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"redis-server did not answer within {START_SECONDS} s")

    def pause(self) -> None:
        """Freeze the process (SIGSTOP): connections are accepted and never answered, like a hung server."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Let a paused process run again."""
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        """Kill the server (paused or not) and wait for it."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def own_redis(tmp_path):
    """A `redis-server` of this test's own (fails under CI when it cannot start, skips elsewhere)."""
    server = RedisServer(tmp_path / "redis")
    try:
        server.start()
    except RuntimeError as exc:
        _missing(str(exc))
    yield server
    server.stop()
