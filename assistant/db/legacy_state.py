"""The frontends' state files of the earlier layout, moved into the one database on first open (by
`assistant.db.legacy`): `telegram.sqlite` (chats, subscribers, eligibility checks in progress, votes,
slow-down notices) is copied in one transaction, `limits.sqlite` (rate-limit buckets) is not: buckets
refill within a minute, so dropping them loses nothing. Each file is then renamed `<name>.migrated`
(never deleted).

The copy inserts with ON CONFLICT DO NOTHING: a process that dies between the commit and the rename copies
again on its next start without harm, and rows written since by the database's own bot win."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.db.models import TelegramChat, TelegramCheck, TelegramSlowDown, TelegramSubscriber, TelegramVote

if TYPE_CHECKING:  # the database opens through this module's function
    from assistant.db.database import Database

TELEGRAM_FILE = "telegram.sqlite"
LIMITS_FILE = "limits.sqlite"
MIGRATED = ".migrated"


def _when(seconds: float | None) -> datetime:
    """A stored epoch time as the aware datetime the database keeps."""
    return datetime.fromtimestamp(seconds or 0.0, UTC)


# Old table → (new table, SELECT over the old table, how a row becomes the new table's values)
_COPIES: dict[str, tuple[type, str, Callable[[tuple], dict]]] = {
    "chats": (TelegramChat, "SELECT chat_id, lang, blocked, updated FROM chats",
              lambda r: {"chat_id": r[0], "lang": r[1], "blocked": bool(r[2]), "updated_at": _when(r[3])}),
    "subscribers": (TelegramSubscriber, "SELECT chat_id, since FROM subscribers",
                    lambda r: {"chat_id": r[0], "since": _when(r[1])}),
    "eligibility": (TelegramCheck, "SELECT chat_id, user_id, version, history, message_id, updated FROM eligibility",
                    lambda r: {"chat_id": r[0], "user_id": r[1], "version": r[2], "history": r[3], "message_id": r[4],
                               "updated_at": _when(r[5])}),
    # an older layout kept one check per chat: it becomes the check of the chat's user (a private chat's id
    # is its user's id); copied after `eligibility`, whose rows win
    "checks": (TelegramCheck, "SELECT chat_id, history, updated FROM checks",
               lambda r: {"chat_id": r[0], "user_id": r[0], "version": 1, "history": r[1], "message_id": None,
                          "updated_at": _when(r[2])}),
    "votes": (TelegramVote, "SELECT answer_id, user_id, rating, feedback_id FROM votes",
              lambda r: {"answer_id": r[0], "user_id": r[1], "rating": r[2], "feedback_id": r[3]}),
    "slow_down": (TelegramSlowDown, "SELECT client, until FROM slow_down", lambda r: {"client": r[0], "until": r[1]}),
}


def copy_telegram(database: Database, old: sqlite3.Connection) -> dict[str, int]:
    """Every row of the old Telegram store, copied in one transaction; rows per old table."""
    present = {name for (name,) in old.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    rows = {name: [convert(r) for r in old.execute(query)]
            for name, (_, query, convert) in _COPIES.items() if name in present}
    with database.engine.begin() as connection:
        for name, values in rows.items():
            if values:
                connection.execute(database.insert(_COPIES[name][0]).on_conflict_do_nothing(), values)
    return {name: len(values) for name, values in rows.items()}


def retire(path: Path) -> None:
    """Rename a moved file (and its write-ahead log, if any) to `<name>.migrated` (`.migrated.2`… when an
    earlier one is there: no copy is ever overwritten); another process that moved it first is no error."""
    target, n = Path(f"{path}{MIGRATED}"), 1
    while target.exists():
        n += 1
        target = Path(f"{path}{MIGRATED}.{n}")
    for suffix in ("", "-wal", "-shm"):
        try:
            Path(f"{path}{suffix}").rename(f"{target}{suffix}")
        except FileNotFoundError:
            pass
