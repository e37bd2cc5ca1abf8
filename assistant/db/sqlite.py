"""SQLite files under the data directory shared by a server's threads and worker processes."""
from __future__ import annotations

import sqlite3
from pathlib import Path


def open_shared(path: Path, synchronous: str = "NORMAL") -> sqlite3.Connection:
    """An autocommit connection in WAL mode, usable from any thread, that waits up to 30 s for another
    process's write. `synchronous` is FULL for what must survive a power cut, NORMAL for what can be
    recomputed, OFF for counters."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous}")
    return db
