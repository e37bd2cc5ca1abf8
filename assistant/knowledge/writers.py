"""The writers' lock: one knowledge-base writer at a time (ingest, remove, reindex, stale-vector cleanup).

With the registry in SQLite the writers share one data directory, so a file lock in it serialises them
(the OS releases it if the process dies). With PostgreSQL the writers may be replicas or CLIs on other
machines, each with its own data directory: they take a PostgreSQL session-level advisory lock on a
connection of their own, held for the whole write (the server releases it if that connection drops)."""
from __future__ import annotations

import fcntl
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.db.database import Database

WRITER_LOCK = b"cnht-knowledge-writer:"  # the advisory key is this constant + the Chroma collection's name


def advisory_key(collection: str) -> int:
    """The PostgreSQL advisory lock key (a signed 64-bit integer) of the writers of `collection`."""
    digest = hashlib.sha256(WRITER_LOCK + collection.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class FileWriterLock:
    """An exclusive `flock` on `write.lock` in a data directory (plus a lock for this process's threads,
    which share the file's open description and so would not exclude each other through it)."""

    def __init__(self, directory: Path):
        self._file = open(directory / "write.lock", "a+")
        self._threads = threading.Lock()

    @contextmanager
    def hold(self, wait: bool = True) -> Iterator[bool]:
        """Yield True while holding the lock; with `wait=False`, False at once when someone else holds it."""
        if not self._threads.acquire(blocking=wait):
            yield False
            return
        try:
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        """Close the lock file."""
        self._file.close()


class AdvisoryWriterLock:
    """A PostgreSQL session-level advisory lock (`pg_advisory_lock(key)`, or `pg_try_advisory_lock` when
    not waiting) taken on a dedicated connection kept for the whole write. Advisory locks are per
    database; the key names the Chroma collection as well, so deployments differ even in one database."""

    def __init__(self, database: Database, collection: str):
        self.database = database
        self.key = advisory_key(collection)

    @contextmanager
    def hold(self, wait: bool = True) -> Iterator[bool]:
        """Yield True while holding the lock; with `wait=False`, False at once when someone else holds it."""
        with self.database.engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            if wait:
                connection.exec_driver_sql(f"SELECT pg_advisory_lock({self.key})")
            elif not connection.exec_driver_sql(f"SELECT pg_try_advisory_lock({self.key})").scalar():
                yield False
                return
            try:
                yield True
            finally:
                try:
                    connection.exec_driver_sql(f"SELECT pg_advisory_unlock({self.key})")
                except Exception:  # a broken connection: never pool it back; its lock died with its session
                    connection.invalidate()
                    raise

    def close(self) -> None:
        """Nothing to release: the lock's connection is returned when each write ends."""


def writer_lock(database: Database, directory: Path, collection: str) -> FileWriterLock | AdvisoryWriterLock:
    """The writers' lock for a knowledge base: an advisory lock on PostgreSQL, else a file lock in `directory`."""
    if database.is_sqlite:
        return FileWriterLock(directory)
    return AdvisoryWriterLock(database, collection)
