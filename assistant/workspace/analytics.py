"""How the assistant is used, as tables staff can chart and export: questions per day by channel and
language, answered vs refused, satisfaction, top questions, top cited documents, eligibility checks."""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from assistant.db.database import Database
from assistant.db.models import AnswerRecord, EligibilityCheck, Feedback
from assistant.eligibility.check import ProgramVerdict
from assistant.workspace.unanswered import group_key

TABLES = ("questions_per_day", "answered_vs_refused", "satisfaction", "top_questions", "top_documents", "eligibility")


def record_check(database: Database, channel: str, lang: str, programs: list[ProgramVerdict]) -> None:
    """Remember a finished eligibility check (each program's verdict)."""
    results = {p["id"]: p["status"] for p in programs}
    with database.session() as session:
        session.add(EligibilityCheck(channel=channel, lang=lang, results=json.dumps(results)))


def _day(moment: datetime) -> str:
    """The UTC day of a stored time (SQLite gives it back naive, in UTC; PostgreSQL aware)."""
    return (moment.astimezone(UTC) if moment.tzinfo else moment).date().isoformat()


def report(database: Database, days: int = 30, now: datetime | None = None) -> dict[str, list[dict]]:
    """Every table over the last `days` days."""
    since = (now or datetime.now(UTC)) - timedelta(days=days)
    with database.session() as session:
        answers = session.execute(
            select(AnswerRecord.question, AnswerRecord.channel, AnswerRecord.lang, AnswerRecord.grounded,
                   AnswerRecord.citations, AnswerRecord.created_at).where(AnswerRecord.created_at >= since)
        ).all()
        ratings = session.scalars(select(Feedback.rating).where(Feedback.created_at >= since)).all()
        checks = session.execute(select(EligibilityCheck.results).where(EligibilityCheck.at >= since)).scalars().all()

    per_day: Counter = Counter()
    outcome: dict[str, Counter] = {}
    questions: Counter = Counter()
    examples: dict[str, str] = {}
    documents: Counter = Counter()
    titles: dict[str, str] = {}
    for question, channel, lang, grounded, citations, at in answers:
        day = _day(at)
        per_day[(day, channel, lang)] += 1
        outcome.setdefault(day, Counter())["answered" if grounded else "refused"] += 1
        key = group_key(question)
        questions[key] += 1
        examples.setdefault(key, question)
        cited = json.loads(citations)
        for doc_id in {c["doc_id"] for c in cited}:
            documents[doc_id] += 1
        for c in cited:
            titles.setdefault(c["doc_id"], c.get("doc_number") or c.get("title", ""))
    up, down = ratings.count("up"), ratings.count("down")
    programs: dict[str, Counter] = {}
    for results in checks:
        for program, status in json.loads(results).items():
            programs.setdefault(program, Counter())[status] += 1
    return {
        "questions_per_day": [{"day": d, "channel": c, "lang": l, "questions": n} for (d, c, l), n in sorted(per_day.items())],
        "answered_vs_refused": [{"day": d, "answered": o["answered"], "refused": o["refused"]} for d, o in sorted(outcome.items())],
        "satisfaction": [{"up": up, "down": down, "satisfaction": round(up / (up + down), 3) if up + down else None}],
        "top_questions": [{"question": examples[k], "count": n} for k, n in questions.most_common(20)],
        "top_documents": [{"doc_id": d, "label": titles.get(d, ""), "citations": n} for d, n in documents.most_common(20)],
        "eligibility": [
            {"program": p, "checks": sum(c.values()), **{s: c[s] for s in ("eligible", "not_eligible", "unknown", "closed")}}
            for p, c in sorted(programs.items())
        ],
    }


def to_csv(rows: list[dict]) -> str:
    """A table as CSV (header from the first row's keys); text that would start a spreadsheet formula is
    made inert."""
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({key: _inert(value) for key, value in row.items()} for row in rows)
    return out.getvalue()


def _inert(value):
    """A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) starts with ' instead."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
