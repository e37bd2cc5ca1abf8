"""Verdicts for every program from what is known of an enterprise, and the one question worth asking next.
Pure functions: a profile is a dict of field name → answer; what is not in it is unknown."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.eligibility.fields import DERIVED
from assistant.eligibility.sme import enterprise_size
from assistant.programs import Criterion, Program

ELIGIBLE, NOT_ELIGIBLE, UNKNOWN, CLOSED = "eligible", "not_eligible", "unknown", "closed"


def field_value(profile: dict[str, Any], name: str) -> Any:
    """The profile's value of a field, derived ones (size) worked out; None when unknown."""
    if name == "size":
        return enterprise_size(*(profile.get(f) for f in DERIVED["size"]))
    return profile.get(name)


def holds(criterion: Criterion, value: Any) -> bool | None:
    """Whether a known value meets the criterion (None when the value is unknown)."""
    if value is None:
        return None
    op, target = criterion.op, criterion.value
    if op == "equals":
        return value == target
    if op == "one_of":
        if isinstance(value, (list, tuple, set)):
            return bool(set(value) & set(target))
        return value in target
    if op == "at_least":
        return value >= target
    if op == "at_most":
        return value <= target
    if op == "between":
        return target[0] <= value <= target[1]
    if op == "is_true":
        return value is True
    if op == "is_false":
        return value is False
    raise ValueError(f"unknown operator {op!r}")


@dataclass
class Verdict:
    """A program's verdict, with the outcome of each criterion (True, False or None = not known yet)."""

    program: Program
    status: str
    outcomes: list[tuple[Criterion, bool | None]] = field(default_factory=list)


def verdict(program: Program, profile: dict[str, Any], today: date) -> Verdict:
    """Closed when the program is closed (never eligible); else not eligible when a criterion fails,
    eligible when all hold, unknown otherwise."""
    outcomes = [(c, holds(c, field_value(profile, c.field))) for c in program.criteria]
    if program.status(today) == "closed":
        return Verdict(program, CLOSED, outcomes)
    results = [o for _, o in outcomes]
    if False in results:
        return Verdict(program, NOT_ELIGIBLE, outcomes)
    if None in results:
        return Verdict(program, UNKNOWN, outcomes)
    return Verdict(program, ELIGIBLE, outcomes)


def verdicts(programs: list[Program], profile: dict[str, Any], today: date) -> list[Verdict]:
    """The verdict of every program."""
    return [verdict(p, profile, today) for p in programs]


def next_question(programs: list[Program], profile: dict[str, Any], today: date) -> str | None:
    """The unanswered field that bears on the most programs still undecided; None when nothing asked
    could change a verdict. A derived field (size) is asked through the first of its inputs missing."""
    weight: dict[str, int] = {}
    order: list[str] = []
    for v in verdicts(programs, profile, today):
        if v.status != UNKNOWN:
            continue
        seen: set[str] = set()
        for criterion, outcome in v.outcomes:
            if outcome is not None:
                continue
            for name in DERIVED.get(criterion.field, (criterion.field,)):
                if profile.get(name) is None and name not in seen:
                    seen.add(name)
                    if name not in weight:
                        order.append(name)
                    weight[name] = weight.get(name, 0) + 1
                    if criterion.field in DERIVED:
                        break  # one input of a derived field at a time, in order
    if not weight:
        return None
    return max(order, key=lambda name: (weight[name], -order.index(name)))
