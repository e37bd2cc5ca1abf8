"""Answers remembered for every process serving one data directory.

The same question on the same index gets the same answer, and staff and enterprises repeat their
questions; several `cnht serve` workers share one SQLite file so a question answered by one worker is
never worked out again by another. Entries belong to a registry generation: any change to the
documents makes older entries unreachable, and they are deleted on the next write.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import asdict
from pathlib import Path

from assistant.answering.models import Answer, Citation
from assistant.db.sqlite import open_shared


def _encode(answer: Answer) -> str:
    return json.dumps(asdict(answer), ensure_ascii=False)


def _decode(data: str) -> Answer:
    fields = json.loads(data)
    fields["citations"] = [Citation(**c) for c in fields["citations"]]
    return Answer(**fields)


def fingerprint(settings, *files: Path) -> str:
    """What answers depend on besides the question and the index: the assistant's code, the settings,
    and files such as the curated answers and the glossary. An upgrade or an edit changes it."""
    digest = hashlib.sha256(settings.model_dump_json().encode())
    code = Path(__file__).resolve().parents[2]  # the project: assistant/answering/cache.py
    for path in sorted([*code.glob("assistant/**/*.py"), *code.glob("ingest/**/*.py")]) + [Path(f) for f in files]:
        if path.is_file():
            digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class AnswerCache:
    """A small in-memory LRU in front of a SQLite table shared between processes."""

    def __init__(self, path: Path, fingerprint: str = "", memory_size: int = 2048):
        self._db = open_shared(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, generation INTEGER NOT NULL, answer TEXT NOT NULL)"
        )
        self._memory: OrderedDict[tuple[int, str], Answer] = OrderedDict()
        self._memory_size = memory_size
        self._lock = threading.Lock()
        self._pruned_below = 0
        self.fingerprint = fingerprint
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = self._db.execute("SELECT value FROM meta WHERE name = 'fingerprint'").fetchone()
        if row is None or row[0] != fingerprint:  # answers of other code or settings are unreachable: drop them
            self._db.execute("DELETE FROM answers")
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fingerprint,))

    def key(self, *parts: object) -> str:
        """A stable key for the parts that decide an answer (and the code and settings that do)."""
        return hashlib.sha256(repr((self.fingerprint, parts)).encode()).hexdigest()

    def get(self, key: str, generation: int) -> Answer | None:
        """The remembered answer for `key` on this index generation, or None."""
        with self._lock:
            answer = self._memory.get((generation, key))
            if answer is not None:
                self._memory.move_to_end((generation, key))
                return answer
            row = self._db.execute(
                "SELECT answer FROM answers WHERE key = ? AND generation = ?", (key, generation)
            ).fetchone()
            if row is None:
                return None
            answer = _decode(row[0])
            self._keep((generation, key), answer)
            return answer

    def put(self, key: str, generation: int, answer: Answer) -> None:
        """Remember `answer`; entries of older generations are dropped."""
        with self._lock:
            self._keep((generation, key), answer)
            if generation > self._pruned_below:
                self._db.execute("DELETE FROM answers WHERE generation < ?", (generation,))
                self._pruned_below = generation
            self._db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?)", (key, generation, _encode(answer)))

    def clear(self) -> None:
        """Forget every remembered answer, in this process and on disk."""
        with self._lock:
            self._memory.clear()
            self._db.execute("DELETE FROM answers")

    def _keep(self, slot: tuple[int, str], answer: Answer) -> None:
        self._memory[slot] = answer
        while len(self._memory) > self._memory_size:
            self._memory.popitem(last=False)
