"""The support programs catalogue: the shipped one loads, a bad one is refused naming what is wrong."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.eligibility.programs import ProgramsError, load_programs

SHIPPED = Path(__file__).resolve().parents[2] / "corpus" / "programs.yaml"


def test_shipped_catalogue_loads_with_statuses():
    programs = {p.id: p for p in load_programs(SHIPPED)}
    assert len(programs) >= 6 and "dao-tao-kaizen" in programs
    notice = programs["khuyen-cong-may-xuat-khau"]
    assert notice.status(date(2022, 3, 1)) == "upcoming"
    assert notice.status(date(2022, 4, 30)) == "open"
    assert notice.status(date(2022, 5, 1)) == "closed"


@pytest.mark.parametrize(
    "entry, problem",
    [
        ("- id: a\n  name: {vi: A}\n", ":2: program a: name.en"),
        ("- id: b\n  summary: {vi: s, en: s}\n  nam: x\n", ":3: program b: nam"),
        ("- {id: c, name: {vi: C, en: C}, summary: {vi: s, en: s}, legal_basis: [], apply: {vi: a, en: a}, closes: soon}\n",
         "program c: closes"),
        ("id: not-a-list\n", "expected a list"),
        ("- id: [\n", "cannot read"),
    ],
)
def test_bad_catalogue_is_refused_naming_file_program_and_field(tmp_path, entry, problem):
    path = tmp_path / "programs.yaml"
    path.write_text(entry, encoding="utf-8")
    with pytest.raises(ProgramsError) as raised:
        load_programs(path)
    assert str(path) in str(raised.value) and problem in str(raised.value)
