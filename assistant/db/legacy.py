"""Data directories from before the one database: their SQLite files' rows are copied into the database
on first open (`migrate_legacy_files`, which `open_database` runs), in one transaction, and each file is
then renamed `<name>.migrated` (never deleted).
Rows the database already holds are kept as they are, so a second copy (another process that raced, or
a second data directory sharing one server database) adds only what is new."""
from __future__ import annotations

import fcntl
import logging
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, insert, select, update

from assistant.conversation.sessions import TELEGRAM_PREFIX
from assistant.db.database import Database
from assistant.db.legacy_state import LIMITS_FILE, TELEGRAM_FILE, copy_telegram, retire
from assistant.db.models import AnswerRecord, Conversation, chunks, documents, garbage, pending, state
from ingest.privacy import mask_personal_data

log = logging.getLogger(__name__)

LEGACY_REGISTRY = "index/registry.sqlite"  # under the data directory: the document registry
LEGACY_TURNS = "conversations.sqlite"  # under the data directory: a conversation's last turns, each also in answers
REGISTRY_COLUMNS = {
    "documents": "doc_id, version, source, content_hash, chunk_count, meta, ingested_at",
    "chunks": "chunk_id, vector_id, doc_id, ordinal, text, section, page, page_end, heading, section_map, terms, folded_terms",
    "pending": "doc_id, version",
    "garbage": "doc_id, version",
}
BATCH = 500


def migrate_legacy_files(database: Database, data_dir: Path) -> None:
    """Move every state file of the earlier layout under `data_dir` into the database: the registry, the
    conversation turns, the Telegram store and the rate limits."""
    import_legacy_registry(database, data_dir / LEGACY_REGISTRY)
    import_legacy_turns(database, data_dir / LEGACY_TURNS)
    _migrate(data_dir / TELEGRAM_FILE, lambda legacy: copy_telegram(database, legacy))
    _migrate(data_dir / LIMITS_FILE, lambda legacy: {})  # buckets refill within a minute: only renamed


def import_legacy_registry(database: Database, path: Path) -> bool:
    """Copy an old `index/registry.sqlite` (documents, chunks, pending and garbage vector sets, counters)
    into the database; documents it already holds stay, the counters end at the larger of the two.
    Returns whether this call copied the file."""
    return _migrate(path, lambda legacy: _copy_registry(database, legacy))


def import_legacy_turns(database: Database, path: Path) -> bool:
    """Copy the turns of an old `conversations.sqlite` that the answers table does not already hold (the
    web and Telegram stored every turn twice; the command line's chat only there) into the answers of
    their conversations, masked as answers are. Returns whether this call copied the file."""
    return _migrate(path, lambda legacy: _copy_turns(database, legacy))


def _migrate(path: Path, copy: Callable[[sqlite3.Connection], dict[str, int]]) -> bool:
    """Copy, then rename the file and its WAL companions; serialised across a data directory's processes."""
    if not path.exists():
        return False
    with open(path.parent / ".migrate.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not path.exists():  # another process of this data directory migrated it meanwhile
            return False
        legacy = sqlite3.connect(str(path))
        try:
            counts = copy(legacy)
        finally:
            legacy.close()
        retire(path)
    log.info("%s copied into the database (%s); kept as %s.migrated", path, counts, path.name)
    return True


def _batches(items: list) -> Iterator[list]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _copy_registry(database: Database, legacy: sqlite3.Connection) -> dict[str, int]:
    tables = {"documents": documents, "chunks": chunks, "pending": pending, "garbage": garbage}
    counts: dict[str, int] = {}
    with database.transaction() as conn:
        known = set(conn.execute(select(documents.c.doc_id)).scalars())
        for name, columns in REGISTRY_COLUMNS.items():
            table = tables[name]
            stale = name in ("pending", "garbage")
            present = {(d, v) for d, v in conn.execute(select(table.c.doc_id, table.c.version))} if stale else set()
            names = [c.strip() for c in columns.split(",")]
            doc_index = names.index("doc_id")
            cursor = legacy.execute(f"SELECT {columns} FROM {name}")
            counts[name] = 0
            while batch := cursor.fetchmany(1000):
                keep = [r for r in batch if (tuple(r) not in present if stale else r[doc_index] not in known)]
                if stale:  # the old tables had no key: a row twice is copied once
                    keep = list(dict.fromkeys(tuple(r) for r in keep))
                    present.update(keep)
                if keep:
                    conn.execute(insert(table), [dict(zip(names, r)) for r in keep])
                    counts[name] += len(keep)
        for key, value in legacy.execute("SELECT key, value FROM state").fetchall():
            _merge_counter(conn, key, int(value), bump=bool(known) and key == "generation")
    return counts


def _merge_counter(conn: Connection, key: str, value: int, bump: bool) -> None:
    """The larger of the two counters; the generation moves on when documents were merged into others."""
    current = conn.execute(select(state.c.value).where(state.c.key == key)).scalar()
    merged = max(int(current or 0), value) + (1 if bump else 0)
    if current is None:
        conn.execute(insert(state).values(key=key, value=merged))
    else:
        conn.execute(update(state).where(state.c.key == key).values(value=merged))


def _copy_turns(database: Database, legacy: sqlite3.Connection) -> dict[str, int]:
    turns = legacy.execute("SELECT session_id, at, question, answer, lang FROM turns ORDER BY at").fetchall()
    new_answers: list[dict] = []
    new_conversations: dict[str, dict] = {}
    with database.transaction() as conn:
        stored: set[tuple[str | None, str]] = set()
        channels: dict[str, str] = {}
        for part in _batches(sorted({t[0] for t in turns})):
            rows = conn.execute(select(AnswerRecord.conversation_id, AnswerRecord.question).where(AnswerRecord.conversation_id.in_(part)))
            stored |= {(c, " ".join(q.split())) for c, q in rows}
            channels.update((i, c) for i, c in conn.execute(select(Conversation.id, Conversation.channel).where(Conversation.id.in_(part))))
        for session_id, seconds, question, answer, lang in turns:
            masked = " ".join(mask_personal_data(question).split())
            if (session_id, masked) in stored:
                continue
            at = datetime.fromtimestamp(seconds, UTC)
            channel = channels.get(session_id) or ("telegram" if session_id.startswith(TELEGRAM_PREFIX) else "cli")
            if session_id not in channels:
                new_conversations.setdefault(session_id, {"id": session_id, "channel": channel, "lang": lang,
                                                          "created_at": at, "updated_at": at})
                new_conversations[session_id].update(lang=lang, updated_at=at)
            # how the answer was grounded was never stored with a turn: counted as answered, marked "legacy"
            new_answers.append({"id": uuid.uuid4().hex, "conversation_id": session_id, "channel": channel, "question": masked,
                                "answer": answer, "lang": lang, "grounded": True, "source": "legacy",
                                "citations": "[]", "created_at": at})
            stored.add((session_id, masked))
        if new_conversations:
            conn.execute(insert(Conversation), list(new_conversations.values()))
        if new_answers:
            conn.execute(insert(AnswerRecord), new_answers)
    return {"turns": len(turns), "copied": len(new_answers)}

