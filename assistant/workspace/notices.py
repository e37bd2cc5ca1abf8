"""Announcements to Telegram subscribers, through an outbox: staff add a notice or plan (or a program
appears in the catalogue), a row is written here, and one bot process claims and sends it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.exc import IntegrityError

from assistant.db.database import Database
from assistant.db.models import Notice

ANNOUNCED_TYPES = ("notice", "plan")
CLAIM_TIMEOUT = timedelta(minutes=10)  # a claim by a process that died is taken over after this


def announce(database: Database, kind: str, ref: str, title: str) -> bool:
    """Queue an announcement once per `ref` (a doc_id or program id); False when already queued."""
    try:
        with database.session() as session:
            session.add(Notice(kind=kind, ref=ref[:255], title=title))
        return True
    except IntegrityError:
        return False


def claim(database: Database, worker: str) -> list[dict]:
    """Unsent announcements, claimed for this worker so no other process sends them too (a claim whose
    worker has been silent for CLAIM_TIMEOUT is taken over)."""
    now = datetime.now(UTC)
    free = or_(Notice.claimed_by.is_(None), Notice.claimed_at < now - CLAIM_TIMEOUT)
    claimed = []
    with database.session() as session:
        waiting = session.scalars(select(Notice.id).where(Notice.sent_at.is_(None)).where(free)).all()
        for notice_id in waiting:
            # An UPDATE yields a CursorResult (which has rowcount); Session.execute is typed as returning Result.
            won = cast(CursorResult, session.execute(
                update(Notice).where(Notice.id == notice_id, Notice.sent_at.is_(None)).where(free)
                .values(claimed_by=worker, claimed_at=now)
            )).rowcount
            row = session.get(Notice, notice_id) if won else None
            if row is not None:
                claimed.append({"id": row.id, "kind": row.kind, "ref": row.ref, "title": row.title})
    return claimed


def mark_sent(database: Database, notice_id: int) -> None:
    """The announcement went out to every subscriber."""
    with database.session() as session:
        row = session.get(Notice, notice_id)
        if row is not None:
            row.sent_at = datetime.now(UTC)


def title_of(database: Database, notice_id: int) -> str | None:
    """The title an announcement was about."""
    with database.session() as session:
        row = session.get(Notice, notice_id)
        return row.title if row else None
