"""Per-client rate limiting shared by every frontend (web, Telegram) and every worker process."""
from __future__ import annotations

import math
import threading
import time
from pathlib import Path

from assistant.db.sqlite import open_shared


class RateLimiter:
    """A token bucket per client: `per_minute` requests, refilled continuously. The buckets live in a
    SQLite file, so every worker process of one server counts the same requests."""

    def __init__(self, per_minute: int, path: Path, name: str):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.name = name
        self._db = open_shared(path, synchronous="OFF")  # counters: losing the last second of them costs nothing
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS buckets (name TEXT NOT NULL, client TEXT NOT NULL, tokens REAL NOT NULL,"
            " stamp REAL NOT NULL, PRIMARY KEY (name, client))"
        )
        self._lock = threading.Lock()
        self._takes = 0

    def take(self, client: str) -> float:
        """0 if the request may go ahead, else the seconds to wait."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT tokens, stamp FROM buckets WHERE name = ? AND client = ?", (self.name, client)
                ).fetchone()
                tokens, stamp = row if row else (self.capacity, now)
                tokens = min(self.capacity, tokens + max(0.0, now - stamp) * self.rate)
                wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
                if not wait:
                    tokens -= 1
                self._db.execute("INSERT OR REPLACE INTO buckets VALUES (?, ?, ?, ?)", (self.name, client, tokens, now))
                self._takes += 1
                if self._takes % 1000 == 0:  # a bucket untouched for an hour is full again: forget it
                    self._db.execute("DELETE FROM buckets WHERE stamp < ?", (now - 3600,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return wait


def retry_after(seconds: float) -> dict[str, str]:
    """The Retry-After header for a wait."""
    return {"Retry-After": str(max(1, math.ceil(seconds)))}
