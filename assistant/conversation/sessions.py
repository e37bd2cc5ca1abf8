"""Sessions: the last turns of a conversation, so a follow-up ("And the clusters?") is read in context."""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.conversation.followups import Resolved, resolve
from assistant.db.sqlite import open_shared

WEB_CHANNELS = ("web", "widget", "api")  # the channels whose conversations the HTTP API may continue
TELEGRAM_PREFIX = "telegram:"  # a ':' never matches the API's session_id pattern: no HTTP route reaches these
MAX_TURNS = 6
PRUNE_EVERY = 500  # turns stored between two sweeps of idle sessions


def new_conversation_id() -> str:
    """A web conversation id: an unguessable secret (256 random bits) issued by the server."""
    return secrets.token_urlsafe(32)


def telegram_conversation_id(chat_id: int) -> str:
    """The conversation of a Telegram chat, in a namespace the HTTP API cannot name."""
    return f"{TELEGRAM_PREFIX}{chat_id}"


@dataclass
class Turn:
    """One question and the answer given."""

    question: str
    answer: str
    lang: str
    at: float


@dataclass
class Session:
    """The recent turns of one conversation."""

    session_id: str
    turns: list[Turn]
    store: Conversations | None = None

    def contextualise(self, question: str) -> str:
        """The question to search with: a follow-up joined to the topic it continues (see `resolve`)."""
        return self.resolve(question).search

    def resolve(self, question: str) -> Resolved:
        """How a question reads in this conversation: an ellipsis continues the last question that stood on
        its own, an ordinal names an item of the previous answer's list (`conversation.followups`)."""
        return resolve(self.turns, question)

    def add(self, question: str, answer) -> None:
        """Remember a turn (and store it, when the session belongs to a store)."""
        turn = Turn(question, answer.answer, answer.lang, time.time())
        self.turns = (self.turns + [turn])[-MAX_TURNS:]
        if self.store is not None:
            self.store.add(self.session_id, turn)


class Conversations:
    """Sessions by id, kept in SQLite so every worker process, and a restarted one, continues them."""

    def __init__(self, path: Path, max_age_days: float = 30):
        self._db = open_shared(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS turns (session_id TEXT NOT NULL, at REAL NOT NULL, question TEXT NOT NULL,"
            " answer TEXT NOT NULL, lang TEXT NOT NULL)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS turns_by_session ON turns (session_id, at)")
        self._db.execute("CREATE INDEX IF NOT EXISTS turns_by_time ON turns (at)")
        self._lock = threading.Lock()
        self._max_age = max_age_days * 86400
        self._adds = 0

    def get(self, session_id: str) -> Session:
        """The session with this id (empty when new)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT question, answer, lang, at FROM turns WHERE session_id = ? ORDER BY at DESC LIMIT ?",
                (session_id, MAX_TURNS),
            ).fetchall()
        return Session(session_id, [Turn(*row) for row in reversed(rows)], self)

    def add(self, session_id: str, turn: Turn) -> None:
        """Store a turn; turns past the last few of a session, and sessions long idle, are dropped."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO turns VALUES (?, ?, ?, ?, ?)", (session_id, turn.at, turn.question, turn.answer, turn.lang)
                )
                self._db.execute(
                    "DELETE FROM turns WHERE session_id = ? AND at < (SELECT MIN(at) FROM (SELECT at FROM turns"
                    " WHERE session_id = ? ORDER BY at DESC LIMIT ?))",
                    (session_id, session_id, MAX_TURNS),
                )
                self._adds += 1
                if self._adds % PRUNE_EVERY == 1:
                    self._db.execute("DELETE FROM turns WHERE at < ?", (turn.at - self._max_age,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
