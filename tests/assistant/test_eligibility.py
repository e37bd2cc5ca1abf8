"""The eligibility engine: operators at their boundaries, SME size, verdicts and the next question."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.eligibility.engine import CLOSED, ELIGIBLE, NOT_ELIGIBLE, UNKNOWN, holds, next_question, verdict, verdicts
from assistant.eligibility.programs import Criterion, Program, load_programs
from assistant.eligibility.sme import enterprise_size

SHIPPED = Path(__file__).resolve().parents[2] / "corpus" / "programs.yaml"
DISTRICTS = {"Kinh Môn": True, "Hải Dương": False}
TEXT = {"vi": "x", "en": "x"}
CITE = {"doc_id": "d", "section": "Điều 1"}


def criterion(field: str, op: str, value=None) -> Criterion:
    return Criterion(field=field, op=op, value=value, explain=TEXT, cite=CITE)


def program(*criteria: Criterion, opens=None, closes=None) -> Program:
    return Program(id="p", name=TEXT, summary=TEXT, legal_basis=[CITE], apply=TEXT, criteria=list(criteria),
                   opens=opens, closes=closes)


@pytest.mark.parametrize(
    "op, target, value, expected",
    [
        ("equals", "enterprise", "enterprise", True),
        ("equals", "enterprise", "cooperative", False),
        ("one_of", ["a", "b"], "b", True),
        ("one_of", ["a", "b"], "c", False),
        ("one_of", ["iso9001", "iso14001"], ["iso14001", "other"], True),
        ("at_least", 3, 3, True),
        ("at_least", 3, 2.99, False),
        ("at_most", 200, 200, True),
        ("at_most", 200, 201, False),
        ("between", [10, 100], 10, True),
        ("between", [10, 100], 100, True),
        ("between", [10, 100], 9, False),
        ("between", [10, 100], 101, False),
        ("is_true", None, True, True),
        ("is_true", None, False, False),
        ("is_false", None, False, True),
        ("is_false", None, True, False),
        ("at_least", 3, None, None),
    ],
)
def test_operators_at_their_boundaries(op, target, value, expected):
    field = {"is_true": "rural", "is_false": "prior_support"}.get(op, "years_operating")
    assert holds(criterion(field, op, target), value) is expected


@pytest.mark.parametrize(
    "group, employees, revenue, capital, size",
    [
        ("industry_construction", 10, 3, None, "micro"),
        ("industry_construction", 10, 3.1, 3, "micro"),
        ("industry_construction", 11, 3, None, "small"),
        ("industry_construction", 100, 50, None, "small"),
        ("industry_construction", 100, 51, 21, "medium"),
        ("industry_construction", 200, 200, None, "medium"),
        ("industry_construction", 201, 1, 1, "large"),
        ("industry_construction", 150, 250, 150, "large"),
        ("trade_services", 10, 10, None, "micro"),
        ("trade_services", 50, 100, None, "small"),
        ("trade_services", 51, 100, None, "medium"),
        ("trade_services", 100, 300, None, "medium"),
        ("trade_services", 101, 1, 1, "large"),
        ("industry_construction", 50, 60, None, None),  # capital could still make it small
        ("industry_construction", None, 1, 1, None),
        (None, 5, 1, 1, None),
    ],
)
def test_sme_size_by_decree_80_article_5(group, employees, revenue, capital, size):
    assert enterprise_size(group, employees, revenue, capital) == size


def test_verdicts_eligible_not_eligible_unknown_and_closed():
    rules = program(criterion("legal_form", "one_of", ["enterprise", "cooperative"]), criterion("rural", "is_true"))
    today = date(2026, 1, 1)
    assert verdict(rules, {}, today).status == UNKNOWN
    assert verdict(rules, {"legal_form": "household"}, today).status == NOT_ELIGIBLE
    assert verdict(rules, {"legal_form": "enterprise", "rural": True}, today).status == ELIGIBLE
    closed = program(*rules.criteria, closes=date(2025, 12, 31))
    assert verdict(closed, {"legal_form": "enterprise", "rural": True}, today).status == CLOSED


def test_next_question_decides_the_most_programs_and_never_asks_a_useless_one():
    today = date(2026, 1, 1)
    a = program(criterion("sector", "equals", "mechanical"), criterion("rural", "is_true"))
    b = program(criterion("sector", "one_of", ["mechanical", "electronics"]))
    c = program(criterion("years_operating", "at_least", 2), criterion("rural", "is_true"))
    assert next_question([a, b, c], {}, today) == "sector"  # two undecided programs need sector, two rural; first wins
    assert next_question([a, b, c], {"sector": "textile_garment"}, today) in {"rural", "years_operating"}  # only c is open
    # c fails on rural: years_operating can no longer change anything, so it is never asked
    assert next_question([a, b, c], {"sector": "textile_garment", "rural": False}, today) is None


def test_size_is_asked_through_its_inputs_only_while_it_matters():
    today = date(2026, 1, 1)
    sme = program(criterion("size", "one_of", ["micro", "small", "medium"]))
    assert next_question([sme], {}, today) == "industry_group"
    profile = {"industry_group": "industry_construction", "employees": 50}
    assert next_question([sme], profile, today) == "revenue"
    assert next_question([sme], {**profile, "revenue": 15}, today) is None  # small: capital not needed
    assert next_question([sme], {**profile, "revenue": 60}, today) == "capital"


def test_shipped_catalogue_reaches_a_verdict_for_every_program():
    programs = load_programs(SHIPPED)
    answers = {"legal_form": "enterprise", "industry_group": "industry_construction", "employees": 50, "revenue": 15,
               "sector": "mechanical", "district": "Kinh Môn", "new_advanced_equipment": True, "prior_support": False,
               "years_operating": 3}
    during_2022_call = date(2022, 4, 1)
    profile: dict = {}
    asked = []
    while (field := next_question(programs, profile, during_2022_call, DISTRICTS)) is not None:
        asked.append(field)
        profile[field] = answers[field]
    assert "capital" not in asked and len(asked) == len(set(asked))
    assert "rural" not in asked  # Kinh Môn is a town: every commune is rural
    status = {v.program.id: v.status for v in verdicts(programs, profile, during_2022_call, DISTRICTS)}
    assert status["khuyen-cong-co-khi"] == ELIGIBLE and status["khuyen-cong-may-xuat-khau"] == NOT_ELIGIBLE
    assert {v.status for v in verdicts(programs, profile, date(2026, 11, 26)) if v.program.id.startswith("khuyen-cong")} == {CLOSED}
    today = {v.program.id: v.status for v in verdicts(programs, profile, date(2026, 11, 30), DISTRICTS)}
    assert today["cnht-2026-chung-nhan-chat-luong"] == ELIGIBLE and today["cnht-2026-ket-noi-cung-ung"] == ELIGIBLE
    assert today["dao-tao-kaizen"] == CLOSED and today["de-an-cnht-ho-tro-doanh-nghiep"] == CLOSED


def test_shipped_catalogue_has_programs_open_today_and_for_months_after():
    programs = load_programs(SHIPPED)
    for day in (date(2026, 11, 30), date(2027, 6, 30)):
        assert len([p for p in programs if p.status(day) == "open" and p.closes]) >= 2, day
    assert all(programs_by_id(programs)[i].status(date(2026, 11, 30)) == "closed"
               for i in ("khuyen-cong-may-xuat-khau", "khuyen-cong-bulong-oc-vit", "khuyen-cong-co-khi", "dao-tao-kaizen",
                         "de-an-cnht-ho-tro-doanh-nghiep"))


def programs_by_id(programs):
    return {p.id: p for p in programs}


@pytest.mark.parametrize(
    "entry, problem",
    [
        ("field: turnover, op: at_least, value: 3", "unknown field 'turnover'"),
        ("field: employees, op: greater, value: 3", "unknown operator 'greater'"),
        ("field: employees, op: between, value: [3]", "does not take the value [3]"),
        ("field: employees, op: at_least, value: many", "does not take the value 'many'"),
        ("field: rural, op: is_true, value: 'yes'", "does not take the value 'yes'"),
    ],
)
def test_bad_criteria_are_refused_naming_the_program(tmp_path, entry, problem):
    from assistant.eligibility.programs import ProgramsError

    path = tmp_path / "programs.yaml"
    path.write_text(
        "- {id: p1, name: {vi: a, en: a}, summary: {vi: s, en: s}, legal_basis: [], apply: {vi: a, en: a},\n"
        f"   criteria: [{{{entry}, explain: {{vi: x, en: x}}, cite: {{doc_id: d}}}}]}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ProgramsError, match="program p1: criteria.0") as raised:
        load_programs(path)
    assert problem in str(raised.value) and str(raised.value).startswith(f"{path}:2: ")


def test_rural_is_asked_only_when_the_district_leaves_it_open():
    today = date(2026, 1, 1)
    rural = program(criterion("rural", "is_true"))
    assert next_question([rural], {}, today, DISTRICTS) == "district"
    assert verdict(rural, {"district": "Kinh Môn"}, today, DISTRICTS).status == ELIGIBLE
    assert next_question([rural], {"district": "Hải Dương"}, today, DISTRICTS) == "rural"  # a city: ward or commune?
    assert verdict(rural, {"district": "Hải Dương", "rural": False}, today, DISTRICTS).status == NOT_ELIGIBLE
