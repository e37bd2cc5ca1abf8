"""The unanswered queue: questions the assistant refused or that got a thumbs-down, near-duplicates
grouped and counted, for staff to answer (with a curated answer) or dismiss."""
from __future__ import annotations

from datetime import UTC

from sqlalchemy import or_, select

from assistant.db.database import Database
from assistant.db.models import AnswerRecord, Feedback, QueueDismissal
from ingest.vietnamese import content_words, fold

SAME_QUESTION = 0.6  # term overlap (Jaccard) from which two questions are one group
_POLITE = {"hoi", "xin", "vui", "long", "de"}  # "cho tôi hỏi", "xin", "vui lòng", "để": courtesy, not topic


def terms(question: str) -> frozenset[str]:
    """The content words of a question (folded, stopwords and courtesy words left out) that group it."""
    return frozenset(w for w in content_words(question) if w not in _POLITE and len(w) > 1)


def group_key(question: str) -> str:
    """A stable name for a question's group."""
    return " ".join(sorted(terms(question)))[:255] or fold(question)[:255]


def queue(database: Database, order: str = "frequent", limit: int = 200) -> list[dict]:
    """Groups of refused or thumbs-down questions not dismissed: count, newest, examples, reasons."""
    with database.session() as session:
        down = select(Feedback.answer_id).where(Feedback.rating == "down")
        rows = session.execute(
            select(AnswerRecord.id, AnswerRecord.question, AnswerRecord.lang, AnswerRecord.channel,
                   AnswerRecord.grounded, AnswerRecord.created_at)
            .where(or_(AnswerRecord.grounded.is_(False), AnswerRecord.id.in_(down)))
            .order_by(AnswerRecord.created_at.desc())
        ).all()
        dismissed = set(session.scalars(select(QueueDismissal.key)))
    groups: list[dict] = []
    for answer_id, question, lang, channel, grounded, at in rows:
        mine = terms(question)
        group = next(
            (g for g in groups if mine and len(mine & g["_terms"]) / len(mine | g["_terms"]) >= SAME_QUESTION), None
        )
        if group is None:
            group = {"key": group_key(question), "_terms": mine, "question": question, "count": 0, "examples": [],
                     "langs": set(), "channels": set(), "refused": 0, "thumbs_down": 0, "answer_ids": [],
                     "newest": at.replace(tzinfo=at.tzinfo or UTC).isoformat()}
            groups.append(group)
        group["count"] += 1
        group["langs"].add(lang)
        group["channels"].add(channel)
        group["answer_ids"].append(answer_id)
        group["refused" if not grounded else "thumbs_down"] += 1
        if question not in group["examples"] and len(group["examples"]) < 5:
            group["examples"].append(question)
    visible = [
        {**{k: v for k, v in g.items() if not k.startswith("_")}, "langs": sorted(g["langs"]), "channels": sorted(g["channels"])}
        for g in groups
        if g["key"] not in dismissed
    ]
    if order == "frequent":  # most asked first, the newest first among equals
        visible.sort(key=lambda g: (g["count"], g["newest"]), reverse=True)
    else:
        visible.sort(key=lambda g: g["newest"], reverse=True)
    return visible[:limit]


def dismiss(database: Database, key: str, username: str) -> None:
    """Take a group off the queue (answered or not worth answering)."""
    with database.session() as session:
        if session.get(QueueDismissal, key) is None:
            session.add(QueueDismissal(key=key[:255], username=username))
