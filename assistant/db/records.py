"""Answers given and feedback received, as every channel (web, Telegram, API) stores them."""
from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError

from assistant.answering.models import Answer
from assistant.db.database import Database
from assistant.db.models import AnswerRecord, Conversation, Feedback
from ingest.privacy import mask_personal_data

WEB_CHANNELS = ("web", "widget", "api")  # the channels whose conversations the HTTP API may continue


def citation_dicts(answer: Answer) -> list[dict]:
    """The citations of an answer as stored and served: every field of `Citation`."""
    return [asdict(c) for c in answer.citations]


def record_answer(database: Database, question: str, answer: Answer, session_id: str, channel: str) -> str:
    """Store a turn of a conversation, the question with its personal data (ID numbers, phones, e-mails…)
    masked; returns the new answer_id."""
    answer_id = uuid.uuid4().hex
    row = dict(
        id=answer_id, conversation_id=session_id, channel=channel, question=mask_personal_data(question),
        answer=answer.answer,
        lang=answer.lang, grounded=answer.grounded, source=answer.source,
        citations=json.dumps(citation_dicts(answer), ensure_ascii=False),
    )

    def store() -> str:
        with database.session() as session:
            conversation = session.get(Conversation, session_id)
            if conversation is None:
                session.add(Conversation(id=session_id, channel=channel, lang=answer.lang))
            else:
                conversation.lang = answer.lang
            session.add(AnswerRecord(**row))
        return answer_id

    try:
        return store()
    except IntegrityError:  # two answers in one new conversation at once: the other created it; add to it
        return store()


def recent_turns(database: Database, session_id: str, limit: int) -> list[tuple[str, str, str, float]]:
    """The last `limit` turns of a conversation, oldest first: (question, answer, lang, time in seconds)."""
    with database.session() as session:
        rows = session.execute(
            select(AnswerRecord.question, AnswerRecord.answer, AnswerRecord.lang, AnswerRecord.created_at)
            .where(AnswerRecord.conversation_id == session_id)
            .order_by(AnswerRecord.created_at.desc())
            .limit(limit)
        ).all()
    return [(q, a, lang, _seconds(at)) for q, a, lang, at in reversed(rows)]


def _seconds(at: datetime) -> float:
    """A stored time as seconds since the epoch (SQLite returns it without its UTC zone)."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def issued_web_conversation(database: Database, session_id: str) -> bool:
    """Whether the server issued this id to a web, widget or API conversation (and so may continue it)."""
    with database.session() as session:
        row = session.get(Conversation, session_id)
        return row is not None and row.channel in WEB_CHANNELS


def record_feedback(database: Database, answer_id: str, rating: str, comment: str = "") -> int | None:
    """Store a thumbs up/down on an answer; None when there is no such answer."""
    with database.session() as session:
        if session.get(AnswerRecord, answer_id) is None:
            return None
        row = Feedback(answer_id=answer_id, rating=rating, comment=comment.strip())
        session.add(row)
        session.flush()
        return row.id


def change_feedback(database: Database, feedback_id: int, rating: str) -> None:
    """Change the rating of stored feedback (a user who changed their vote)."""
    with database.session() as session:
        row = session.get(Feedback, feedback_id)
        if row is not None:
            row.rating = rating


def stored_citations(database: Database, answer_id: str) -> list[dict] | None:
    """The citations of a stored answer; None when there is no such answer."""
    with database.session() as session:
        row = session.get(AnswerRecord, answer_id)
        return None if row is None else json.loads(row.citations)


def forget_old_questions(database: Database, days: int) -> int:
    """Delete stored questions (with their answers and feedback) older than `days` days, and the
    conversations left empty; 0 days keeps everything. Returns how many questions went."""
    if days <= 0:
        return 0
    cutoff = datetime.now(UTC) - timedelta(days=days)
    with database.session() as session:
        old = select(AnswerRecord.id).where(AnswerRecord.created_at < cutoff)
        session.execute(delete(Feedback).where(Feedback.answer_id.in_(old)))
        gone = cast(CursorResult, session.execute(delete(AnswerRecord).where(AnswerRecord.created_at < cutoff))).rowcount
        still_used = select(AnswerRecord.conversation_id).where(AnswerRecord.conversation_id.is_not(None))
        session.execute(delete(Conversation).where(Conversation.updated_at < cutoff, Conversation.id.not_in(still_used)))
        return gone
