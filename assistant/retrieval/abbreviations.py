"""Abbreviations askers type for what documents spell out ("KCN" for "khu công nghiệp"): a question is
searched with them spelled out next to them, and the answerer counts either form as the same term."""
from __future__ import annotations

import re

# folded abbreviation → what it stands for
ABBREVIATIONS = {
    "kcn": "khu công nghiệp",
    "ccn": "cụm công nghiệp",
    "cnht": "công nghiệp hỗ trợ",
    "ubnd": "Ủy ban nhân dân",
    "dnnvv": "doanh nghiệp nhỏ và vừa",
}
# whole words only, never part of a document number ("3164/QĐ-UBND")
_ABBREVIATION_RE = re.compile(r"(?<![\w/-])(" + "|".join(ABBREVIATIONS) + r")(?![\w/-])", re.IGNORECASE)


def spell_out(question: str) -> str:
    """The question with each known abbreviation followed by what it stands for ("các KCN" → "các KCN
    khu công nghiệp"); unchanged when it has none."""
    return _ABBREVIATION_RE.sub(lambda m: f"{m.group(0)} {ABBREVIATIONS[m.group(0).lower()]}", question)


def expand_abbreviations(text: str) -> str:
    """The text with each known abbreviation replaced by what it stands for ("bao nhiêu KCN" → "bao
    nhiêu khu công nghiệp"): how the answerer reads what is asked."""
    return _ABBREVIATION_RE.sub(lambda m: ABBREVIATIONS[m.group(0).lower()], text)
