"""Answers remembered for every process serving one deployment.

The same question on the same index gets the same answer, and staff and enterprises repeat their
questions; several `cnht serve` workers share one SQLite file (or, with `CNHT_REDIS_URL`, every replica
shares one Redis) so a question answered by one worker is never worked out again by another. Entries
belong to a registry generation: any change to the documents makes older entries unreachable, and they
are deleted on the next write (SQLite) or expire (Redis). The cache is safe to lose.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import asdict
from pathlib import Path

from assistant.answering.models import Answer, Citation
from assistant.db.redis_cache import RedisCache, open_redis
from assistant.db.sqlite import open_shared
from assistant.settings import Settings

# Settings that tell where a replica runs, not how it answers.
REPLICA_SETTINGS = ("data_dir", "host", "port")


def _encode(answer: Answer) -> str:
    return json.dumps(asdict(answer), ensure_ascii=False)


def _decode(data: str) -> Answer:
    fields = json.loads(data)
    fields["citations"] = [Citation(**c) for c in fields["citations"]]
    return Answer(**fields)


def fingerprint(settings, *files: Path) -> str:
    """What answers depend on besides the question and the index: the assistant's code, the settings,
    and files such as the curated answers and the glossary. An upgrade or an edit changes it; where a
    replica runs (its data directory, address and install folder) does not, so replicas sharing a Redis
    share answers."""
    digest = hashlib.sha256(settings.model_dump_json(exclude=set(REPLICA_SETTINGS)).encode())
    code = Path(__file__).resolve().parents[2]  # the project: assistant/answering/cache.py
    for path in sorted([*code.glob("assistant/**/*.py"), *code.glob("ingest/**/*.py")]):
        digest.update(str(path.relative_to(code)).encode() + b"\0" + path.read_bytes())
    for index, extra in enumerate(files):
        if Path(extra).is_file():
            digest.update(f"{index}:".encode() + Path(extra).read_bytes())
    return digest.hexdigest()


class SqliteAnswers:
    """Answers in a SQLite table shared by the processes serving one data directory (the default)."""

    def __init__(self, path: Path, fingerprint: str):
        self._db = open_shared(path)
        self._lock = threading.Lock()
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, generation INTEGER NOT NULL, answer TEXT NOT NULL)"
        )
        self._pruned_below = 0
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = self._db.execute("SELECT value FROM meta WHERE name = 'fingerprint'").fetchone()
        if row is None or row[0] != fingerprint:  # answers of other code or settings are unreachable: drop them
            self._db.execute("DELETE FROM answers")
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fingerprint,))

    def get(self, key: str, generation: int) -> str | None:
        """The stored answer, or None."""
        with self._lock:
            row = self._db.execute("SELECT answer FROM answers WHERE key = ? AND generation = ?", (key, generation)).fetchone()
        return row[0] if row else None

    def put(self, key: str, generation: int, data: str) -> None:
        """Store an answer; entries of older generations are dropped."""
        with self._lock:
            if generation > self._pruned_below:
                self._db.execute("DELETE FROM answers WHERE generation < ?", (generation,))
                self._pruned_below = generation
            self._db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?)", (key, generation, data))

    def clear(self) -> None:
        """Delete every stored answer."""
        with self._lock:
            self._db.execute("DELETE FROM answers")


class RedisAnswers:
    """Answers in Redis (`CNHT_REDIS_URL`), shared by every replica, each kept `ttl` seconds. The key holds
    the registry generation (shared by the replicas through the database), so a change to the documents
    made through any replica makes older answers unreachable everywhere; they expire on their own."""

    def __init__(self, redis: RedisCache, ttl: int):
        self._redis = redis
        self._ttl = ttl

    def get(self, key: str, generation: int) -> str | None:
        """The stored answer, or None (also when Redis is unavailable)."""
        data = self._redis.get(f"answer:{generation}:{key}")
        return data.decode() if data is not None else None

    def put(self, key: str, generation: int, data: str) -> None:
        """Store an answer (dropped when Redis is unavailable)."""
        self._redis.set_many([(f"answer:{generation}:{key}", data.encode())], self._ttl)

    def clear(self) -> None:
        """Delete this deployment's answers."""
        self._redis.delete_matching("answer:*")


class AnswerCache:
    """A small in-memory LRU in front of a store shared between processes (SQLite, or Redis)."""

    def __init__(self, store: SqliteAnswers | RedisAnswers, fingerprint: str = "", memory_size: int = 2048):
        self.store = store
        self._memory: OrderedDict[tuple[int, str], Answer] = OrderedDict()
        self._memory_size = memory_size
        self._lock = threading.Lock()
        self.fingerprint = fingerprint

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
        data = self.store.get(key, generation)  # outside the lock: a slow store holds up no other question
        if data is None:
            return None
        try:
            answer = _decode(data)
        except (ValueError, TypeError, KeyError):  # written by another version: a miss
            return None
        with self._lock:
            self._keep((generation, key), answer)
        return answer

    def put(self, key: str, generation: int, answer: Answer) -> None:
        """Remember `answer`; entries of older generations are dropped or expire."""
        with self._lock:
            self._keep((generation, key), answer)
        self.store.put(key, generation, _encode(answer))

    def clear(self) -> None:
        """Forget every remembered answer, in this process and in the store."""
        with self._lock:
            self._memory.clear()
        self.store.clear()

    def _keep(self, slot: tuple[int, str], answer: Answer) -> None:
        self._memory[slot] = answer
        while len(self._memory) > self._memory_size:
            self._memory.popitem(last=False)


def open_answer_cache(settings: Settings, fingerprint: str) -> AnswerCache:
    """The answer cache: in Redis when `CNHT_REDIS_URL` is set, else in the index folder's SQLite file."""
    redis = open_redis(settings, "answer cache")
    if redis is not None:
        return AnswerCache(RedisAnswers(redis, settings.answer_cache_ttl), fingerprint)
    return AnswerCache(SqliteAnswers(settings.index_dir / "answer-cache.sqlite", fingerprint), fingerprint)
