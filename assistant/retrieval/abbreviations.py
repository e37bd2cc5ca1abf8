"""Abbreviations askers type for what documents spell out ("KCN" for "khu công nghiệp"): a question is
searched with them spelled out next to them, and the answerer counts either form as the same term. Chat
shorthand ("bn", "ko", "dc", "cty") is read as the words it stands for."""
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


# chat shorthand (folded) → the words, without and with diacritics; only forms that are never a word of a
# legal text on their own ("k", "j" are also point letters: "điểm k")
CHAT_SHORTHAND = {
    "bn": ("bao nhieu", "bao nhiêu"), "bnhieu": ("bao nhieu", "bao nhiêu"), "ko": ("khong", "không"),
    "hok": ("khong", "không"), "dc": ("duoc", "được"), "đc": ("duoc", "được"), "cty": ("cong ty", "công ty"),
    "ntn": ("nhu the nao", "như thế nào"), "sdt": ("so dien thoai", "số điện thoại"),
    "dn": ("doanh nghiep", "doanh nghiệp"),
}
_SHORTHAND_RE = re.compile(r"(?<![\w/-])(" + "|".join(CHAT_SHORTHAND) + r")(?![\w/-])", re.IGNORECASE)


def expand_shorthand(question: str, accented: bool) -> str:
    """A Vietnamese question with chat shorthand written out ("có dc không" → "có được không"), in the
    question's own style: with diacritics when it is `accented`, else without (so a question typed without
    them is still restored as one)."""
    return _SHORTHAND_RE.sub(lambda m: CHAT_SHORTHAND[m.group(0).lower()][1 if accented else 0], question)

