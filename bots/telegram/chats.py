"""What the bot remembers of each chat across restarts: its language, whether it blocked the bot, each
member's eligibility check in progress, whether it subscribed to announcements, each user's vote on an
answer, and when a user was last told to slow down.

Every method is blocking (SQLite): handlers call them through `BotContext.call`, off the event loop."""
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
        self._db.execute("CREATE TABLE IF NOT EXISTS subscribers (chat_id INTEGER PRIMARY KEY, since REAL NOT NULL)")
        # One eligibility check per (chat, user); `version` grows with every step and outlives the check,
        # so a button of an earlier step or an earlier check is recognised as stale.
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS eligibility (chat_id INTEGER NOT NULL, user_id INTEGER NOT NULL,"
            " version INTEGER NOT NULL, history TEXT, message_id INTEGER, updated REAL NOT NULL,"
            " PRIMARY KEY (chat_id, user_id))"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS votes (answer_id TEXT NOT NULL, user_id INTEGER NOT NULL, rating TEXT NOT NULL,"
            " feedback_id INTEGER, PRIMARY KEY (answer_id, user_id))"
        )
        self._db.execute("CREATE TABLE IF NOT EXISTS slow_down (client TEXT PRIMARY KEY, until REAL NOT NULL)")
        self._lock = threading.Lock()
        self._adopt_old_checks()

    def _adopt_old_checks(self) -> None:
        """Checks stored per chat by an earlier version become the checks of the chat's user (a private
        chat's id is its user's id), so a check in progress survives the upgrade."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                old = self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'checks'").fetchone()
                if old:
                    self._db.execute(
                        "INSERT OR IGNORE INTO eligibility SELECT chat_id, chat_id, 1, history, NULL, updated FROM checks"
                    )
                    self._db.execute("DROP TABLE checks")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

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

    def check(self, chat_id: int, user_id: int) -> tuple[int, list[dict] | None, int | None]:
        """This user's eligibility check in this chat: (version, the answers so far as one profile per
        step or None when no check is in progress, the message id of the question asked last)."""
        with self._lock:
            row = self._db.execute(
                "SELECT version, history, message_id FROM eligibility WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
            ).fetchone()
        if row is None:
            return 0, None, None
        return row[0], (json.loads(row[1]) if row[1] is not None else None), row[2]

    def save_check(self, chat_id: int, user_id: int, version: int, history: list[dict] | None) -> int | None:
        """Move the check from `version` to the next one with these steps (None: the check ended).
        Returns the new version, or None when another update moved the check on first (the caller's
        step is then stale)."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT version FROM eligibility WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
                ).fetchone()
                if (row[0] if row else 0) != version:
                    self._db.execute("ROLLBACK")
                    return None
                data = json.dumps(history, ensure_ascii=False) if history is not None else None
                self._db.execute(
                    "INSERT INTO eligibility VALUES (?, ?, ?, ?, NULL, ?) ON CONFLICT(chat_id, user_id) DO UPDATE SET"
                    " version = excluded.version, history = excluded.history, updated = excluded.updated",
                    (chat_id, user_id, version + 1, data, now),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return version + 1

    def set_check_message(self, chat_id: int, user_id: int, message_id: int) -> int | None:
        """Remember the message that asks the check's current question; returns the one it replaces."""
        with self._lock:
            row = self._db.execute(
                "SELECT message_id FROM eligibility WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
            ).fetchone()
            self._db.execute(
                "UPDATE eligibility SET message_id = ? WHERE chat_id = ? AND user_id = ?", (message_id, chat_id, user_id)
            )
        return row[0] if row else None

    def vote(self, answer_id: str, user_id: int, rating: str) -> tuple[str | None, int | None]:
        """Record a user's vote on an answer (one per user, changeable). Returns the user's previous
        rating and the feedback row it was stored as (None, None for a first vote)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT rating, feedback_id FROM votes WHERE answer_id = ? AND user_id = ?", (answer_id, user_id)
                ).fetchone()
                self._db.execute(
                    "INSERT INTO votes VALUES (?, ?, ?, ?) ON CONFLICT(answer_id, user_id) DO UPDATE SET rating = excluded.rating",
                    (answer_id, user_id, rating, row[1] if row else None),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return (row[0], row[1]) if row else (None, None)

    def set_vote_feedback(self, answer_id: str, user_id: int, feedback_id: int) -> None:
        """Remember the feedback row a user's vote is stored as."""
        with self._lock:
            self._db.execute(
                "UPDATE votes SET feedback_id = ? WHERE answer_id = ? AND user_id = ?", (feedback_id, answer_id, user_id)
            )

    def tally(self, answer_id: str) -> dict[str, int]:
        """The votes on an answer: {"up": n, "down": m}."""
        with self._lock:
            rows = self._db.execute("SELECT rating, COUNT(*) FROM votes WHERE answer_id = ? GROUP BY rating", (answer_id,)).fetchall()
        return {"up": 0, "down": 0, **dict(rows)}

    def first_notice(self, client: str, until: float) -> bool:
        """Whether a user over the rate limit should be told so now: True once per window (then silent
        until `until`, when their next question is allowed)."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT until FROM slow_down WHERE client = ?", (client,)).fetchone()
                due = row is None or row[0] <= now
                if due:
                    self._db.execute("INSERT OR REPLACE INTO slow_down VALUES (?, ?)", (client, until))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return due

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
