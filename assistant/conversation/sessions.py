"""Sessions: the last turns of a conversation, so a follow-up ("And the clusters?") is read in context. With a
database the turns are the answers it stores (each turn written once, as an answer); without one (a tool
that must not write a database) they are kept in this process's memory."""
from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from assistant.conversation.followups import Resolved, resolve
from assistant.db.database import Database
from assistant.db.records import recent_turns, record_answer

TELEGRAM_PREFIX = "telegram:"  # a ':' never matches the API's session_id pattern: no HTTP route reaches these
MAX_TURNS = 6
REMEMBERED_SESSIONS = 10_000  # without a database: the sessions a process keeps (least recently used go)


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

    def add(self, question: str, answer, channel: str = "cli") -> str:
        """Remember a turn (and store it, when the session belongs to a store); returns the stored
        answer's id ('' when nothing was stored)."""
        self.turns = (self.turns + [Turn(question, answer.answer, answer.lang, time.time())])[-MAX_TURNS:]
        return self.store.add(self.session_id, question, answer, channel) if self.store is not None else ""


class Conversations:
    """Sessions by id. With a database, every worker process and replica (and a restarted one) continues
    them from the answers stored there; without one, only this process does."""

    def __init__(self, database: Database | None):
        self.database = database
        self._memory: OrderedDict[str, list[Turn]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: str) -> Session:
        """The session with this id (empty when new)."""
        if self.database is not None:
            turns = [Turn(*row) for row in recent_turns(self.database, session_id, MAX_TURNS)]
        else:
            with self._lock:
                turns = list(self._memory.get(session_id, []))
        return Session(session_id, turns, self)

    def add(self, session_id: str, question: str, answer, channel: str) -> str:
        """Store a turn: with a database, the answer record (its personal data masked) whose id is
        returned; without, in memory ('' returned)."""
        if self.database is not None:
            return record_answer(self.database, question, answer, session_id, channel)
        with self._lock:
            turns = self._memory.pop(session_id, [])
            self._memory[session_id] = (turns + [Turn(question, answer.answer, answer.lang, time.time())])[-MAX_TURNS:]
            while len(self._memory) > REMEMBERED_SESSIONS:
                self._memory.popitem(last=False)
        return ""
