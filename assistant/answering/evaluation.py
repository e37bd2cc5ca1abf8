"""`cnht eval --answers`: answer quality per kind of question, on the tune or the test half.

A question set is split into a *tune* and a *test* half by a hash of the question group, so the
variants of one question (Vietnamese, without diacritics, English) always fall in the same half; tune
on the tune half, report the test half. Per kind (vi, vi_nodiacritics, en, unanswerable) it counts:

- fact in the first line: one of the expected substrings (`a && b`: all of the parts) is in the answer's
  first line, compared folded (no case, no diacritics, spaces collapsed);
- right document cited: the citation the first line refers to (else the first) is a gold document;
- false refusals: answerable questions refused;
- unanswerable refused;
- first line in the asker's language: for an English question at most 5% of its words carry
  Vietnamese letters; for a Vietnamese one it reads as Vietnamese.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from assistant.answering.models import CITATION_MARK_RE
from assistant.evaluation import Question
from ingest.language import detect_language
from ingest.vietnamese import fold, has_vietnamese_diacritics

HALVES = ("tune", "test", "all")
KINDS = ("vi", "vi_nodiacritics", "en", "unanswerable")


def half_of(group: str) -> str:
    """'tune' or 'test', fixed by a hash of the question group."""
    return "test" if hashlib.sha256(group.encode("utf-8")).digest()[0] % 2 else "tune"


def in_half(questions: list[Question], half: str) -> list[Question]:
    """The questions of one half ('all': every question)."""
    if half not in HALVES:
        raise ValueError(f"half: expected one of {', '.join(HALVES)}, got {half!r}")
    return [q for q in questions if half == "all" or half_of(q.question_group or q.id) == half]


def kind_of(question: Question) -> str:
    """vi, vi_nodiacritics, en or unanswerable."""
    if not question.gold:
        return "unanswerable"
    if question.group in KINDS:
        return question.group
    if question.lang == "en":
        return "en"
    return "vi" if has_vietnamese_diacritics(question.question) else "vi_nodiacritics"


_DATE_WORDS_RE = re.compile(r"\b(?:ngay )?(\d{1,2}) thang (\d{1,2}) nam (\d{4})\b")
_DATE_SLASH_RE = re.compile(r"\b(?:ngay )?0?(\d{1,2})/0?(\d{1,2})/(\d{4})\b")


def _normal(value: str) -> str:
    """Folded, with spaces collapsed."""
    return " ".join(fold(value).split())


def _dated(value: str) -> str:
    """A folded text with every full date written one way ("ngày 15 tháng 5 năm 2018", "15/05/2018" →
    "15/5/2018"): the same date is the same fact."""
    value = _DATE_WORDS_RE.sub(lambda m: f"{int(m[1])}/{int(m[2])}/{m[3]}", value)
    return _DATE_SLASH_RE.sub(lambda m: f"{int(m[1])}/{int(m[2])}/{m[3]}", value)


def first_line(answer: str) -> str:
    """The answer's first non-empty line."""
    return next((line.strip() for line in answer.splitlines() if line.strip()), "")


def _holds(part: str, found: str) -> bool:
    """A part found as a whole: a number it begins or ends with is not the tail or head of a longer one
    ("05/6/2022" is not in "15/6/2022", "50 người" not in "150 người"); a part ending with a word may be
    followed by anything ("dưới 10 triệu đồng" is in "dưới 10 triệu đồng/01 đơn vị")."""
    if not part:
        return False
    before = r"(?<![\d/])" if part[0].isdigit() else ""
    after = r"(?![\d/])" if part[-1].isdigit() else ""
    return re.search(rf"{before}{re.escape(part)}{after}", found) is not None


def holds_fact(line: str, expected: list[str]) -> bool:
    """Whether `line` holds one of the expected answers (`a && b`: every part), as written or with the dates
    of both written one way."""
    found = _normal(line)
    dated = _dated(found)
    return any(all(_holds(_normal(part), found) or _holds(_dated(_normal(part)), dated) for part in alternative.split("&&"))
               for alternative in expected)


def expected_facts(question: Question) -> list[str]:
    """What the first line of an answer to `question` must hold (`holds_fact`): the expected answers, and
    for an English question their English renderings too."""
    return question.expected + (question.expected_en if kind_of(question) == "en" else [])


def first_citation(answer: dict[str, Any]) -> str:
    """The doc_id of the citation the first line refers to, else of the first citation ('' if none)."""
    citations = answer.get("citations") or []
    if not citations:
        return ""
    numbers = CITATION_MARK_RE.findall(first_line(answer.get("answer", "")))
    by_n = {c["n"]: c for c in citations}
    for number in numbers:
        if int(number) in by_n:
            return by_n[int(number)]["doc_id"]
    return citations[0]["doc_id"]


def in_asker_language(line: str, lang: str) -> bool:
    """An English line with at most 5% of words carrying Vietnamese letters; a Vietnamese line read as such."""
    words = re.findall(r"[^\W\d_]+", line)
    if lang == "en":
        marked = sum(1 for w in words if has_vietnamese_diacritics(w))
        return marked <= 0.05 * max(len(words), 1)
    return detect_language(line) == "vi"


def score_answer(question: Question, answer: dict[str, Any]) -> dict[str, Any]:
    """One question's outcome (the public JSON of an answer: answer, grounded, citations)."""
    line = first_line(answer.get("answer", ""))
    kind = kind_of(question)
    grounded = bool(answer.get("grounded"))
    outcome: dict[str, Any] = {"id": question.id, "kind": kind, "grounded": grounded, "first_line": line}
    if kind == "unanswerable":
        outcome["refused"] = not grounded
        return outcome
    outcome["fact"] = grounded and holds_fact(line, expected_facts(question))
    outcome["document"] = grounded and first_citation(answer) in question.gold
    outcome["language"] = in_asker_language(line, question.lang)
    return outcome


def summarise(outcomes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Shares per kind: fact in first line, right document, both, false refusals, unanswerable refused,
    first line in the asker's language."""
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for outcome in outcomes:
        by_kind[outcome["kind"]].append(outcome)
    report: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        rows = by_kind.get(kind, [])
        if not rows:
            continue
        n = len(rows)
        if kind == "unanswerable":
            report[kind] = {"questions": n, "refused": round(sum(r["refused"] for r in rows) / n, 4)}
            continue
        report[kind] = {
            "questions": n,
            "fact_first_line": round(sum(r["fact"] for r in rows) / n, 4),
            "right_document": round(sum(r["document"] for r in rows) / n, 4),
            "fact_and_document": round(sum(r["fact"] and r["document"] for r in rows) / n, 4),
            "false_refusals": round(sum(not r["grounded"] for r in rows) / n, 4),
            "asker_language": round(sum(r["language"] for r in rows) / n, 4),
        }
    return report


def evaluate_answers(
    ask: Callable[[str], dict[str, Any]], questions: list[Question], half: str = "test"
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Ask every question of `half` and score the answers: (report per kind, outcome per question)."""
    chosen = in_half(questions, half)
    outcomes = [score_answer(q, ask(q.question)) for q in chosen]
    return {"half": half, "by_kind": summarise(outcomes)}, outcomes
