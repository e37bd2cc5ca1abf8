"""Curated answers written by staff in the workspace. Each remembers the version (content hash) of every
source document a staff member checked it against: when a source is replaced or removed the answer
needs review and is not served until someone confirms it again."""
from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import func, select

from assistant.answering.faq import FaqEntry, FaqSource
from assistant.db.database import Database
from assistant.db.models import CuratedAnswer
from assistant.knowledge.base import KnowledgeBase
from assistant.workspace.errors import NotFound, WorkspaceError


class CurationError(WorkspaceError):
    """A curated answer that cannot be saved; the message names the field."""

    code = "invalid_curated_answer"


def _sources(kb: KnowledgeBase, sources: list[dict]) -> list[dict]:
    """Sources with the content hash of their current version; every doc_id must be indexed."""
    if not sources:
        raise CurationError("sources: link at least one source document")
    checked = []
    for source in sources:
        doc_id = str(source.get("doc_id", "")).strip()
        record = kb.document(doc_id)
        if record is None:
            raise CurationError(f"sources: no indexed document with doc_id {doc_id!r}")
        checked.append({"doc_id": doc_id, "section": str(source.get("section", "")).strip(),
                        "content_hash": record.content_hash})
    return checked


def _texts(fields: dict) -> dict:
    texts = {}
    for name in ("question_vi", "question_en", "answer_vi", "answer_en"):
        value = " ".join(str(fields.get(name, "")).split()) if name.startswith("question") else str(fields.get(name, "")).strip()
        if not value:
            raise CurationError(f"{name}: must not be empty")
        texts[name] = value
    return texts


def review_state(kb: KnowledgeBase, row: CuratedAnswer) -> tuple[str, list[str]]:
    """'verified' or 'needs_review', with the reasons (a source replaced or removed since it was checked)."""
    reasons = []
    for source in json.loads(row.sources):
        record = kb.document(source["doc_id"])
        if record is None:
            reasons.append(f"{source['doc_id']}: removed")
        elif record.content_hash != source["content_hash"]:
            reasons.append(f"{source['doc_id']}: replaced by a new version")
    return ("verified" if row.verified and not reasons else "needs_review"), reasons


def _view(kb: KnowledgeBase, row: CuratedAnswer) -> dict:
    state, reasons = review_state(kb, row)
    return {
        "id": row.id, "question_vi": row.question_vi, "question_en": row.question_en, "answer_vi": row.answer_vi,
        "answer_en": row.answer_en, "sources": json.loads(row.sources), "state": state, "reasons": reasons,
        "updated_by": row.updated_by, "updated_at": row.updated_at.isoformat(),
    }


def save(database: Database, kb: KnowledgeBase, fields: dict, username: str, answer_id: int | None = None) -> dict:
    """Create (or, with `answer_id`, edit) a curated answer; saving verifies it against the sources'
    current versions."""
    texts, sources = _texts(fields), _sources(kb, fields.get("sources") or [])
    row: CuratedAnswer | None
    with database.session() as session:
        if answer_id is None:
            row = CuratedAnswer(**texts, sources=json.dumps(sources, ensure_ascii=False), verified=True,
                                created_by=username, updated_by=username, updated_at=datetime.now(UTC))
            session.add(row)
        else:
            row = session.get(CuratedAnswer, answer_id)
            if row is None:
                raise NotFound(f"no curated answer {answer_id}")
            for name, value in texts.items():
                setattr(row, name, value)
            row.sources = json.dumps(sources, ensure_ascii=False)
            row.verified, row.updated_by, row.updated_at = True, username, datetime.now(UTC)
        session.flush()
        return _view(kb, row)


def confirm(database: Database, kb: KnowledgeBase, answer_id: int, username: str) -> dict:
    """A staff member checked the answer against the sources' current versions: serve it again."""
    with database.session() as session:
        row = session.get(CuratedAnswer, answer_id)
        if row is None:
            raise NotFound(f"no curated answer {answer_id}")
        row.sources = json.dumps(_sources(kb, json.loads(row.sources)), ensure_ascii=False)
        row.verified, row.updated_by, row.updated_at = True, username, datetime.now(UTC)
        session.flush()
        return _view(kb, row)


def remove(database: Database, answer_id: int) -> bool:
    """Delete a curated answer; False when there is none."""
    with database.session() as session:
        row = session.get(CuratedAnswer, answer_id)
        if row is None:
            return False
        session.delete(row)
        return True


def listing(database: Database, kb: KnowledgeBase) -> list[dict]:
    """Every curated answer with its review state, those needing review first."""
    with database.session() as session:
        views = [_view(kb, row) for row in session.scalars(select(CuratedAnswer).order_by(CuratedAnswer.id.desc()))]
    return sorted(views, key=lambda v: v["state"] != "needs_review")


def version(database: Database) -> str:
    """Changes whenever a curated answer is added, edited, confirmed or deleted."""
    with database.session() as session:
        count, latest = session.execute(select(func.count(CuratedAnswer.id), func.max(CuratedAnswer.updated_at))).one()
    return f"{count}|{latest}"


def served_entries(database: Database, kb: KnowledgeBase) -> list[FaqEntry]:
    """The curated answers to serve (verified against the current sources), as FAQ entries."""
    with database.session() as session:
        rows = list(session.scalars(select(CuratedAnswer)))
    return [
        FaqEntry(id=f"curated-{row.id}", questions_vi=[row.question_vi], questions_en=[row.question_en],
                 answer_vi=row.answer_vi, answer_en=row.answer_en,
                 sources=[FaqSource(doc_id=s["doc_id"], section=s["section"]) for s in json.loads(row.sources)])
        for row in rows
        if review_state(kb, row)[0] == "verified"
    ]
