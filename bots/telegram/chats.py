"""What the bot remembers of each chat across restarts: its language, whether it blocked the bot, an
eligibility check in progress, and whether it subscribed to announcements."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from assistant.db.sqlite import open_shared


class ChatStore:
    """Per-chat settings in SQLite under the data directory."""

    def __init__(self, path: Path):
        self._db = open_shared(path, synchronous="FULL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS chats (chat_id INTEGER PRIMARY KEY, lang TEXT, blocked INTEGER NOT NULL DEFAULT 0,"
            " updated REAL NOT NULL)"
        )
        self._db.execute("CREATE TABLE IF NOT EXISTS checks (chat_id INTEGER PRIMARY KEY, history TEXT NOT NULL, updated REAL NOT NULL)")
        self._db.execute("CREATE TABLE IF NOT EXISTS subscribers (chat_id INTEGER PRIMARY KEY, since REAL NOT NULL)")
        self._lock = threading.Lock()

    def lang(self, chat_id: int) -> str | None:
        """The language chosen in this chat, if any."""
        with self._lock:
            row = self._db.execute("SELECT lang FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
        return row[0] if row else None

    def set_lang(self, chat_id: int, lang: str) -> None:
        """Remember the chat's language."""
        with self._lock:
            self._db.execute(
                "INSERT INTO chats (chat_id, lang, updated) VALUES (?, ?, ?)"
                " ON CONFLICT(chat_id) DO UPDATE SET lang = excluded.lang, updated = excluded.updated",
                (chat_id, lang, time.time()),
            )

    def set_blocked(self, chat_id: int, blocked: bool) -> None:
        """Remember that the user blocked (or unblocked) the bot, or removed it from the chat."""
        with self._lock:
            self._db.execute(
                "INSERT INTO chats (chat_id, blocked, updated) VALUES (?, ?, ?)"
                " ON CONFLICT(chat_id) DO UPDATE SET blocked = excluded.blocked, updated = excluded.updated",
                (chat_id, int(blocked), time.time()),
            )

    def blocked(self, chat_id: int) -> bool:
        """Whether the bot can no longer write to this chat."""
        with self._lock:
            row = self._db.execute("SELECT blocked FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
        return bool(row and row[0])

    def check(self, chat_id: int) -> list[dict] | None:
        """The answers of this chat's eligibility check in progress (one profile per step), if any."""
        with self._lock:
            row = self._db.execute("SELECT history FROM checks WHERE chat_id = ?", (chat_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def save_check(self, chat_id: int, history: list[dict]) -> None:
        """Remember the check's steps, so it resumes after a restart."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO checks VALUES (?, ?, ?)", (chat_id, json.dumps(history, ensure_ascii=False), time.time())
            )

    def end_check(self, chat_id: int) -> None:
        """Forget the chat's check (finished or cancelled)."""
        with self._lock:
            self._db.execute("DELETE FROM checks WHERE chat_id = ?", (chat_id,))

    def subscribe(self, chat_id: int) -> None:
        """The chat wants announcements of new notices, plans and programs."""
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO subscribers VALUES (?, ?)", (chat_id, time.time()))

    def unsubscribe(self, chat_id: int) -> None:
        """No more announcements to this chat."""
        with self._lock:
            self._db.execute("DELETE FROM subscribers WHERE chat_id = ?", (chat_id,))

    def subscribers(self) -> list[tuple[int, str]]:
        """(chat_id, language) of every subscribed chat that has not blocked the bot."""
        with self._lock:
            rows = self._db.execute(
                "SELECT s.chat_id, COALESCE(c.lang, 'vi') FROM subscribers s LEFT JOIN chats c ON c.chat_id = s.chat_id"
                " WHERE COALESCE(c.blocked, 0) = 0 ORDER BY s.since"
            ).fetchall()
        return [(chat_id, lang) for chat_id, lang in rows]

    def close(self) -> None:
        """Release the database."""
        self._db.close()
