"""Sessions: the last turns of a conversation, so a follow-up ("And the clusters?") is read in context."""
from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from ingest.vietnamese import fold

MAX_TURNS = 6
MAX_SESSIONS = 10_000
_FOLLOW_UP_RE = re.compile(
    r"^(?:and|what about|how about|and what about|also|then|con|the con|vay con|con ve|va|vay|the thi|con doi voi)\b"
)


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

    turns: deque = field(default_factory=lambda: deque(maxlen=MAX_TURNS))

    def contextualise(self, question: str) -> str:
        """The question to search with: a short or connective follow-up is joined to the previous question."""
        if not self.turns:
            return question
        folded = fold(question).strip()
        content = [w for w in re.findall(r"\w+", folded) if len(w) > 1]
        if _FOLLOW_UP_RE.match(folded) or len(content) <= 3:
            return f"{self.turns[-1].question} {question}"
        return question

    def add(self, question: str, answer) -> None:
        """Remember a turn."""
        self.turns.append(Turn(question, answer.answer, answer.lang, time.time()))


class Conversations:
    """Sessions by id, the least recently used dropped past a bound."""

    def __init__(self, limit: int = MAX_SESSIONS):
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def get(self, session_id: str) -> Session:
        """The session with this id (created when new)."""
        with self._lock:
            session = self._sessions.pop(session_id, None) or Session()
            self._sessions[session_id] = session
            while len(self._sessions) > self._limit:
                self._sessions.popitem(last=False)
            return session
