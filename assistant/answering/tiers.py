"""Tiers: a regulation often states one value per band of a quantity ("Đối với dự án có tổng mức đầu tư đến 300
tỷ đồng … từ 1,5% đến 3%"; "… trên 300 tỷ đồng … từ 1% đến 1,5%"). A question that states the quantity ("a
project of VND 1,000 billion") is answered by the clause whose band holds it."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.vietnamese import fold

# a quantity's unit, as written after its number, with the multiplier to a common scale
_VI_UNITS = {"tỷ": 1e9, "tỉ": 1e9, "triệu": 1e6, "ha": 1.0, "héc-ta": 1.0, "hecta": 1.0}
_EN_UNITS = {"billion": 1e9, "million": 1e6, "ha": 1.0, "hectare": 1.0, "hectares": 1.0}
_KIND = {1e9: "money", 1e6: "money", 1.0: "area"}
_NUMBER = r"\d[\d.,]*\d|\d"
_VI_AMOUNT_RE = re.compile(rf"({_NUMBER})\s*(tỷ|tỉ|triệu|ha|héc-ta|hecta)\b", re.I)
_EN_AMOUNT_RE = re.compile(rf"(?:VND\s*)?({_NUMBER})\s*(billion|million|hectares?|ha)\b", re.I)
# the words that open a band, before its first number (folded): a lower bound, an upper bound
_LOWER = ("tren", "tu", "hon", "it nhat", "toi thieu")
_UPPER = ("den", "duoi", "khong qua", "toi da", "khong vuot qua")
# a band is a condition ("đối với dự án có tổng mức đầu tư đến …"), not the value a clause grants ("hỗ trợ tối
# đa 300 triệu đồng"): one of these stands in the words before it (folded)
_CONDITION_RE = re.compile(r"\b(?:doi voi|truong hop|neu|co tong|tong muc|tong von|quy mo|dien tich|von dau tu)\b")
_CONDITION_WORDS = 10


@dataclass(frozen=True)
class Quantity:
    """A stated quantity on a common scale (đồng, hectares) and its kind ("money", "area")."""

    value: float
    kind: str


def _vi_number(text: str) -> float | None:
    """A number as Vietnamese writes it: "1.000" is a thousand, "1,5" one and a half."""
    try:
        return float(text.replace(".", "").replace(",", "."))
    except ValueError:
        return None


def _en_number(text: str) -> float | None:
    """A number as English writes it: "1,000" is a thousand, "1.5" one and a half."""
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def stated_quantities(question: str, lang: str) -> list[Quantity]:
    """The amounts of money and areas a question states ("dự án 1.000 tỷ đồng", "VND 1,000 billion", "50 ha")."""
    pattern, units, number = (_EN_AMOUNT_RE, _EN_UNITS, _en_number) if lang == "en" else (_VI_AMOUNT_RE, _VI_UNITS, _vi_number)
    found = []
    for match in pattern.finditer(question):
        value, scale = number(match.group(1)), units[match.group(2).lower()]
        if value is not None:
            found.append(Quantity(value * scale, _KIND[scale]))
    return found


def band(text: str, kind: str) -> tuple[float | None, float | None] | None:
    """The band of quantities of `kind` a Vietnamese clause is a condition on: (lowest, highest), either
    open (None); None when the clause states no such condition."""
    amounts = [m for m in _VI_AMOUNT_RE.finditer(text) if _KIND[_VI_UNITS[m.group(2).lower()]] == kind]
    for i, match in enumerate(amounts):
        before = fold(text[:match.start()]).split()
        context = " ".join(before[-_CONDITION_WORDS:])
        value = _vi_number(match.group(1))
        if value is None or not _CONDITION_RE.search(context):
            continue
        value *= _VI_UNITS[match.group(2).lower()]
        bound = _bound_word(before)
        if bound in _UPPER:
            return None, value * (_BELOW if bound == "duoi" else 1.0)
        if bound in _LOWER:
            upper = None
            if i + 1 < len(amounts):  # "trên 300 tỷ đồng đến 1.000 tỷ đồng"
                between = fold(text[match.end():amounts[i + 1].start()]).split()
                following = _vi_number(amounts[i + 1].group(1))
                if 0 < len(between) <= 3 and between[-1] in ("den", "duoi", "toi") and following is not None:
                    upper = following * _VI_UNITS[amounts[i + 1].group(2).lower()] * (_BELOW if between[-1] == "duoi" else 1.0)
            return value * (1.0 if bound in ("tren", "hon") else _BELOW), upper
    return None


_BELOW = 1 - 1e-9  # a bound that excludes its own value ("dưới 300"), or includes it as a lower one ("từ 300")


def _bound_word(before: list[str]) -> str:
    """The word or pair of words (folded) that opens a band just before its number ("trên", "không quá"), or ''."""
    pair = " ".join(before[-2:])
    if pair in _LOWER or pair in _UPPER:
        return pair
    last = before[-1] if before else ""
    if last == "tu" and len(before) > 1 and before[-2] == "dau":  # "đầu tư 300 tỷ" states no band
        return ""
    return last if last in _LOWER or last in _UPPER else ""


def fits(text: str, quantities: list[Quantity]) -> bool | None:
    """Whether a clause's band holds the question's quantity (True), excludes it (False), or the clause
    states no band of that kind (None)."""
    for quantity in quantities:
        bounds = band(text, quantity.kind)
        if bounds is None:
            continue
        low, high = bounds
        return (low is None or quantity.value > low) and (high is None or quantity.value <= high)
    return None
