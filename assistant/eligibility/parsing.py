"""Answers typed in free text, in Vietnamese or English, read into profile values.

"50 người", "khoảng 120 lao động", "15 tỷ", "1,5 tỷ đồng", "500 triệu", "2.5 billion VND", "có",
"no", "hợp tác xã", "Kinh Mon"… An answer that cannot be read raises `UnreadableAnswer`, whose message
asks again with an example.
"""
from __future__ import annotations

import re

from assistant.eligibility.fields import FIELDS, sane_number
from ingest.vietnamese import fold


class UnreadableAnswer(ValueError):
    """The answer could not be read for this field; the message says so in the asker's language."""


_NUMBER_RE = re.compile(r"(\d+(?:[.,]\d+)*)")
_SCALE = (  # (folded words, multiplier to billion VND)
    (("nghin ty", "ngan ty", "trillion"), 1000.0),
    (("ty", "billion", "bn", "bil"), 1.0),
    (("trieu", "million", "mil"), 0.001),
)
_YES = {"co", "yes", "y", "dung", "roi", "da", "true", "phai", "co a", "vang", "da co", "ok"}
_NO = {"khong", "no", "n", "chua", "false", "khong co", "chua co", "sai", "none"}
_HEDGE = re.compile(r"\b(?:co le|khong biet|khong ro|chua ro|chua biet|chac(?! chan)|hinh nhu|maybe|perhaps|not sure|don t know|dont know|unsure|probably)\b")
CHOICE_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "legal_form": {
        "enterprise": ("doanh nghiep", "cong ty", "company", "enterprise", "firm", "tnhh", "co phan", "corporation", "ltd"),
        "cooperative": ("hop tac xa", "htx", "cooperative", "co-op", "coop"),
        "household": ("ho kinh doanh", "ho gia dinh", "household", "ca the", "sole"),
    },
    "industry_group": {
        "industry_construction": ("cong nghiep", "xay dung", "san xuat", "industry", "construction", "manufactur"),
        "trade_services": ("thuong mai", "dich vu", "trade", "service", "commerce", "retail"),
    },
    "sector": {
        "textile_garment": ("det may", "may mac", "may cong nghiep", "textile", "garment", "apparel", "sewing"),
        "leather_footwear": ("da giay", "giay dep", "leather", "footwear", "shoe"),
        "electronics": ("dien tu", "electronic", "linh kien dien"),
        "automobile": ("o to", "oto", "xe hoi", "automobile", "automotive", "car"),
        "mechanical": ("co khi", "bulong", "bu long", "oc vit", "mechanical", "machining", "metal", "bolt", "screw"),
        "high_tech": ("cong nghe cao", "high tech", "high-tech", "hightech"),
    },
}


def _again(field: str, lang: str, valid: list[str] | None = None) -> UnreadableAnswer:
    """The error asking again: with the list of valid answers when there is one, else an example."""
    spec = FIELDS[field]
    example = spec.example_vi if lang == "vi" else spec.example_en
    if lang == "vi":
        hint = f"Ví dụ: «{example}»." if example else "Vui lòng chọn một trong các lựa chọn."
        if valid:
            hint = f"Các câu trả lời hợp lệ: {', '.join(valid)}."
        return UnreadableAnswer(f"Tôi chưa hiểu câu trả lời. {hint}")
    hint = f"For example: “{example}”." if example else "Please pick one of the choices."
    if valid:
        hint = f"Valid answers: {', '.join(valid)}."
    return UnreadableAnswer(f"I could not read that answer. {hint}")


def _number(text: str) -> float | None:
    """The first number of a text; '1,5' and '2.5' are decimals, '1.200' and '1,200' thousands."""
    match = _NUMBER_RE.search(text)
    if not match:
        return None
    raw = match.group(1)
    parts = re.split(r"[.,]", raw)
    if len(parts) == 1:
        return float(raw)
    if len(parts) == 2 and len(parts[1]) != 3:
        return float(f"{parts[0]}.{parts[1]}")
    if all(len(p) == 3 for p in parts[1:]):
        return float("".join(parts))
    return float(f"{''.join(parts[:-1])}.{parts[-1]}")


def _money_billion(text: str) -> float | None:
    value = _number(text)
    if value is None:
        return None
    folded = fold(text)
    for words, scale in _SCALE:
        if any(re.search(rf"\b{re.escape(w)}\b", folded) for w in words):
            return value * scale
    if value >= 100_000:  # a bare amount in đồng
        return value / 1e9
    return value  # the question asks in billions


def parse_answer(field: str, text: str, lang: str = "vi", districts: dict[str, bool] | None = None):
    """The value of `field` read from `text`; UnreadableAnswer (with an example) when it cannot be."""
    if field not in FIELDS:
        raise KeyError(field)
    spec = FIELDS[field]
    folded = " ".join(fold(text).replace("-", " ").split())
    if not folded:
        raise _again(field, lang)
    if spec.kind == "number":
        value = _money_billion(text) if field in ("revenue", "capital") else _number(text)
        if value is None or not sane_number(value):
            raise _again(field, lang)
        return value
    if spec.kind == "bool":
        reply = " ".join(re.sub(r"[^\w ]", " ", folded).split())
        if not reply or _HEDGE.search(reply):
            raise _again(field, lang)
        reply = re.sub(r"^(?:chac chan|dung vay|certainly|definitely|of course)\s*", "", reply) or "co"
        if reply in _YES or reply.split()[0] in _YES - {"da"}:
            return True
        if reply in _NO or reply.split()[0] in _NO:
            return False
        raise _again(field, lang)
    if spec.kind == "choice":
        if folded in spec.choices:
            return folded
        for choice, cues in CHOICE_WORDS.get(field, {}).items():
            if any(w in folded for w in cues):
                return choice
        raise _again(field, lang)
    if field == "district" and districts:
        for name in districts:
            if fold(name) in folded:
                return name
        raise _again(field, lang, sorted(districts))
    return text.strip()
