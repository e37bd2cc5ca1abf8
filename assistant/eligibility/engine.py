"""Verdicts for every program from what is known of an enterprise, and the one question worth asking next.
Pure functions: a profile is a dict of field name → answer; what is not in it is unknown."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.eligibility.fields import DERIVED, FIELDS
from assistant.eligibility.programs import Criterion, Program
from assistant.eligibility.sme import enterprise_size

ELIGIBLE, NOT_ELIGIBLE, UNKNOWN, CLOSED = "eligible", "not_eligible", "unknown", "closed"


def field_value(profile: dict[str, Any], name: str, districts: dict[str, bool] | None = None) -> Any:
    """The profile's value of a field, derived ones worked out (size from the SME figures; rural from a
    district whose communes are all rural); None when unknown."""
    if name == "size":
        return enterprise_size(*(profile.get(f) for f in DERIVED["size"]))
    district = profile.get("district")
    if name == "rural" and profile.get("rural") is None and districts and isinstance(district, str) and districts.get(district):
        return True
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


def verdict(program: Program, profile: dict[str, Any], today: date, districts: dict[str, bool] | None = None) -> Verdict:
    """Closed when the program is closed (never eligible); else not eligible when a criterion fails,
    eligible when all hold, unknown otherwise."""
    outcomes = [(c, holds(c, field_value(profile, c.field, districts))) for c in program.criteria]
    if program.status(today) == "closed":
        return Verdict(program, CLOSED, outcomes)
    results = [o for _, o in outcomes]
    if False in results:
        return Verdict(program, NOT_ELIGIBLE, outcomes)
    if None in results:
        return Verdict(program, UNKNOWN, outcomes)
    return Verdict(program, ELIGIBLE, outcomes)


def verdicts(
    programs: list[Program], profile: dict[str, Any], today: date, districts: dict[str, bool] | None = None
) -> list[Verdict]:
    """The verdict of every program (`districts`: district name → all its communes rural)."""
    return [verdict(p, profile, today, districts) for p in programs]


def _to_ask(field: str, profile: dict[str, Any]) -> str | None:
    """What to ask for an unknown field: itself, or for a derived one its first missing input (and,
    when every input is known but leaves it open, the field itself if it can be asked)."""
    if field not in DERIVED:
        return field if profile.get(field) is None else None
    missing = [name for name in DERIVED[field] if profile.get(name) is None]
    if missing:
        return missing[0]
    return field if field in FIELDS and profile.get(field) is None else None


def next_question(
    programs: list[Program], profile: dict[str, Any], today: date, districts: dict[str, bool] | None = None
) -> str | None:
    """The unanswered field that bears on the most programs still undecided; None when nothing asked
    could change a verdict. A derived field is asked through its inputs, one at a time."""
    weight: dict[str, int] = {}
    order: list[str] = []
    for v in verdicts(programs, profile, today, districts):
        if v.status != UNKNOWN:
            continue
        seen: set[str] = set()
        for criterion, outcome in v.outcomes:
            name = _to_ask(criterion.field, profile) if outcome is None else None
            if name is not None and name not in seen:
                seen.add(name)
                if name not in weight:
                    order.append(name)
                weight[name] = weight.get(name, 0) + 1
    if not weight:
        return None
    return max(order, key=lambda name: (weight[name], -order.index(name)))
