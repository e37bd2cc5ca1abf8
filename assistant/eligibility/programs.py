"""The support programs catalogue (`corpus/programs.yaml`): what an enterprise can apply for, and when."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from assistant.eligibility.fields import DERIVED, FIELDS


class ProgramsError(ValueError):
    """The catalogue file is not valid; the message names the file, the program and the field."""


class Bilingual(BaseModel):
    """The same text in Vietnamese and English."""

    model_config = ConfigDict(extra="forbid")
    vi: str
    en: str

    def get(self, lang: str) -> str:
        """The text in `lang` (English for anything but Vietnamese)."""
        return self.vi if lang == "vi" else self.en


class LegalBasis(BaseModel):
    """A document (and optionally its section) a program rests on."""

    model_config = ConfigDict(extra="forbid")
    doc_id: str
    section: str = ""


OPERATORS = ("equals", "one_of", "at_least", "at_most", "between", "is_true", "is_false")


class Criterion(BaseModel):
    """One condition of a program: a profile field, an operator, a value, why, and where it is written."""

    model_config = ConfigDict(extra="forbid")
    field: str
    op: str
    value: Any = None
    explain: Bilingual
    cite: LegalBasis

    @model_validator(mode="after")
    def _consistent(self) -> Criterion:

        if self.field not in FIELDS and self.field not in DERIVED:
            raise ValueError(f"unknown field {self.field!r} (known: {', '.join(sorted([*FIELDS, *DERIVED]))})")
        if self.op not in OPERATORS:
            raise ValueError(f"unknown operator {self.op!r} (known: {', '.join(OPERATORS)})")
        number = (int, float)
        expected = {
            "at_least": isinstance(self.value, number),
            "at_most": isinstance(self.value, number),
            "between": isinstance(self.value, list) and len(self.value) == 2 and all(isinstance(v, number) for v in self.value),
            "one_of": isinstance(self.value, list) and bool(self.value),
            "equals": self.value is not None and not isinstance(self.value, (list, dict)),
            "is_true": self.value is None,
            "is_false": self.value is None,
        }[self.op]
        if not expected:
            raise ValueError(f"operator {self.op!r} does not take the value {self.value!r}")
        return self


class Program(BaseModel):
    """One support program."""

    model_config = ConfigDict(extra="forbid")
    id: str
    name: Bilingual
    summary: Bilingual
    legal_basis: list[LegalBasis]
    opens: date | None = None
    closes: date | None = None
    apply: Bilingual
    benefits: list[Bilingual] = []
    documents: list[Bilingual] = []
    criteria: list[Criterion] = []
    contact: str = ""
    sample: bool = False

    def status(self, today: date) -> str:
        """'upcoming', 'open' or 'closed' on `today`."""
        if self.opens and today < self.opens:
            return "upcoming"
        if self.closes and today > self.closes:
            return "closed"
        return "open"


def _line(node: yaml.Node, loc: tuple) -> int:
    """The 1-based line of the deepest node of a YAML tree that the path `loc` reaches."""
    for step in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == step), None)
            if match is None:
                break
            node = match[0] if not isinstance(match[1], (yaml.MappingNode, yaml.SequenceNode)) else match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            break
    return node.start_mark.line + 1


def load_programs(path: Path) -> list[Program]:
    """The programs of a catalogue file, validated; a bad entry is a ProgramsError naming the file,
    the program, the line and the field."""
    try:
        text = path.read_text(encoding="utf-8")
        entries = yaml.safe_load(text)
        tree = yaml.compose(text)
    except (OSError, yaml.YAMLError) as exc:
        raise ProgramsError(f"{path}: cannot read the programs catalogue: {exc}") from exc
    if not isinstance(entries, list) or not isinstance(tree, yaml.SequenceNode):
        raise ProgramsError(f"{path}: expected a list of programs")
    programs: list[Program] = []
    for index, entry in enumerate(entries):
        name = entry.get("id", f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"
        try:
            programs.append(Program.model_validate(entry))
        except ValidationError as exc:
            errors = exc.errors()
            first = next((e for e in errors if e["type"] != "missing"), errors[0])  # a line to point at
            line = _line(tree.value[index], first["loc"])
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
            raise ProgramsError(f"{path}:{line}: program {name}: {problems}") from exc
    seen: set[str] = set()
    for index, program in enumerate(programs):
        if program.id in seen:
            line = tree.value[index].start_mark.line + 1
            raise ProgramsError(f"{path}:{line}: program {program.id}: the id is used twice")
        seen.add(program.id)
    return programs


def load_districts(path: Path) -> dict[str, bool]:
    """District-level units of the province (name → every commune rural), for the location question."""
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProgramsError(f"{path}: cannot read the districts: {exc}") from exc
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("name"), str) for e in entries):
        raise ProgramsError(f"{path}: expected a list of {{name, kind, rural}} entries")
    return {e["name"]: bool(e.get("rural", False)) for e in entries}
