"""One eligibility check as every frontend shows it: verdicts with reasons and citations, what to
prepare, and the next question."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from typing_extensions import TypedDict

from assistant.eligibility.engine import field_value, next_question, verdicts
from assistant.eligibility.fields import FIELDS, NUMBER_LIMIT, Question, label, question, sane_number
from assistant.eligibility.parsing import parse_answer
from assistant.eligibility.programs import Program
from ingest.models import DocumentMeta


class BadProfile(ValueError):
    """A profile value of the wrong field, type or choice; the message names the field."""


def clean_profile(profile: dict[str, Any]) -> dict[str, Any]:
    """The profile with every value checked against its field (None values dropped)."""
    clean: dict[str, Any] = {}
    for name, value in profile.items():
        if value is None:
            continue
        spec = FIELDS.get(name)
        if spec is None:
            raise BadProfile(f"{name}: unknown field (known: {', '.join(FIELDS)})")
        if spec.kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not sane_number(value):
                raise BadProfile(f"{name}: expected a number from 0 to {NUMBER_LIMIT:,.0f}, got {str(value)[:40]!r}")
            value = float(value)
        elif spec.kind == "bool" and not isinstance(value, bool):
            raise BadProfile(f"{name}: expected true or false, got {value!r}")
        elif spec.kind == "choice" and value not in spec.choices:
            raise BadProfile(f"{name}: expected one of {', '.join(spec.choices)}, got {value!r}")
        elif spec.kind == "text" and not isinstance(value, str):
            raise BadProfile(f"{name}: expected text, got {value!r}")
        clean[name] = value
    return clean


def answer_into(
    profile: dict[str, Any], field: str, text: str, lang: str, districts: dict[str, bool] | None = None
) -> dict[str, Any]:
    """The profile with a typed answer read into it (UnreadableAnswer when it cannot be read)."""
    if field not in FIELDS:
        raise BadProfile(f"{field}: unknown field")
    return {**profile, field: parse_answer(field, text, lang, districts)}


class CriterionCitation(TypedDict):
    """The clause a criterion comes from."""

    doc_id: str
    section: str
    doc_number: str
    title: str


class Reason(TypedDict):
    """One criterion of a program, whether the enterprise meets it (None: not known yet) and why."""

    field: str
    met: bool | None
    explain: str | None
    your_answer: str | None
    citation: CriterionCitation


class ProgramVerdict(TypedDict):
    """A program's verdict for one enterprise, with what it offers and how to apply."""

    id: str
    name: str | None
    summary: str | None
    status: str  # eligible | not_eligible | unknown | closed
    opens: str | None
    closes: str | None
    sample: bool
    reasons: list[Reason]
    benefits: list[str | None]
    documents: list[str | None]
    apply: str | None
    contact: str


class GivenAnswer(TypedDict):
    """A question answered so far, in the asker's language (for the printed summary)."""

    field: str
    question: str
    answer: str


class EligibilityReport(TypedDict):
    """An eligibility check as every frontend shows it."""

    lang: str
    today: str  # ISO date the verdicts hold on
    profile: dict[str, Any]
    answers: list[GivenAnswer]
    next_question: Question | None
    programs: list[ProgramVerdict]


def _reason(criterion, outcome, profile, lang: str, documents: Callable[[str], DocumentMeta | None], districts) -> Reason:
    meta = documents(criterion.cite.doc_id)
    value = field_value(profile, criterion.field, districts)
    return {
        "field": criterion.field,
        "met": outcome,
        "explain": criterion.explain.get(lang),
        "your_answer": None if value is None else label(value, lang),
        "citation": {
            "doc_id": criterion.cite.doc_id,
            "section": criterion.cite.section,
            "doc_number": meta.doc_number if meta else "",
            "title": meta.title if meta else "",
        },
    }


def eligibility_report(
    programs: list[Program], profile: dict[str, Any], lang: str, documents: Callable[[str], DocumentMeta | None], today: date,
    districts: dict[str, bool] | None = None,
) -> EligibilityReport:
    """Every program's verdict with a reason per criterion, the answers given so far (question and
    answer in `lang`, for a printed summary), the date the verdicts hold on, and the next question
    (None when done)."""
    field = next_question(programs, profile, today, districts)
    return {
        "lang": lang,
        "today": today.isoformat(),
        "profile": profile,
        "answers": [
            {"field": name, "question": question(name, lang)["text"], "answer": label(value, lang)}
            for name, value in profile.items() if name in FIELDS
        ],
        "next_question": question(field, lang) if field else None,
        "programs": [
            {
                "id": v.program.id,
                "name": v.program.name.get(lang),
                "summary": v.program.summary.get(lang),
                "status": v.status,
                "opens": v.program.opens.isoformat() if v.program.opens else None,
                "closes": v.program.closes.isoformat() if v.program.closes else None,
                "sample": v.program.sample,
                "reasons": [_reason(c, o, profile, lang, documents, districts) for c, o in v.outcomes],
                "benefits": [b.get(lang) for b in v.program.benefits],
                "documents": [d.get(lang) for d in v.program.documents],
                "apply": v.program.apply.get(lang),
                "contact": v.program.contact,
            }
            for v in verdicts(programs, profile, today, districts)
        ],
    }
