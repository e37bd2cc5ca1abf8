"""Scoring candidates and deciding whether to answer: features of each candidate (lexical coverage,
the chunk's dense similarity, answer-type match, document structure) combined by weights fitted on the
tune half of the evaluation questions (`bench/fit_answer_weights.py`), stored in `answer_weights.json`."""
from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

from assistant.answering.candidates import Candidate
from assistant.answering.question import MEASURE_UNITS, NEGATIONS, QUALIFIER_WORDS, Intent
from ingest.vietnamese import content_words, fold

WEIGHTS_PATH = Path(__file__).with_name("answer_weights.json")

_NUMBER = r"\d+(?:[.,]\d+)*"
# where a clause ends, for the words before a count (a full stop, not the point of "2.029,4")
_CLAUSE_BREAK_RE = re.compile(r"[;()\n]|\.(?!\d)")
# numbers written in words ("hai tháng", "ba mươi ngày", "two months")
_NUMBER_WORDS = (r"(?:một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mươi|mười lăm|hai mươi|ba mươi|one|two|three|four|five|six|"
                 r"seven|eight|nine|ten|twelve|fifteen|thirty)")
_DATE_RE = re.compile(
    r"ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}|\b\d{1,2}/\d{1,2}/\d{4}\b|tháng\s+\d{1,2}(?:/|\s+năm\s+)\d{4}|\b\d{1,2}\s+(?:January|February|March|"
    r"April|May|June|July|August|September|October|November|December)\s+\d{4}|kể từ ngày ký|from the date of signing"
)


def _duration(units: str) -> str:
    """A number (in digits or words, perhaps spelled out again in brackets) followed by one of `units`."""
    return rf"(?:(?<![/\d])\b\d+(?:[.,]\d+)?|\b{_NUMBER_WORDS})\s*(?:\([^()\d]{{2,20}}\)\s*)?(?:{units})\b(?!\s*\d)"


# A duration in the unit the question asks in ("05 ngày làm việc" for "how many days").
UNIT_PATTERNS = {unit: re.compile(_duration(words), re.I) for unit, words in (
    ("day", r"ngày|days?"), ("month", r"tháng|months?"), ("year", r"năm|years?"), ("hour", r"giờ|hours?"), ("week", r"tuần|weeks?"))}
# What an answer of each type looks like in a clause.
VALUE_PATTERNS: dict[str, re.Pattern[str]] = {
    "date_in_force": re.compile(r"(?<!hết )hiệu lực|take[sn]? effect|in force|into (?:force|effect)", re.I),
    "date_expiry": re.compile(r"hết hiệu lực|cease|expire|no longer in force", re.I),
    "date_issued": _DATE_RE,
    "date": _DATE_RE,
    "deadline": re.compile(rf"trước ngày|chậm nhất|hạn|{_DATE_RE.pattern}|before|by\s+\d", re.I),
    # a length of time, or a frequency ("định kỳ hằng năm", "every quarter") for "how often"
    "duration": re.compile(_duration(r"ngày|tháng|năm|giờ|tuần|days?|months?|years?|hours?|weeks?")
                           + r"|\bh[àằ]ng (?:năm|quý|tháng|tuần|ngày)\b|\b(?:annually|quarterly|monthly|weekly|every (?:year|quarter|month|week))\b", re.I),
    "percentage": re.compile(rf"{_NUMBER}\s*%"),
    "area": re.compile(rf"{_NUMBER}\s*(?:ha|hécta|héc-ta|m2|m²|km2|hectares?)\b", re.I),
    "amount": re.compile(rf"{_NUMBER}\s*(?:%|đồng|triệu|tỷ|nghìn|USD|VND|dong|million|billion)|miễn phí|free of charge", re.I),
    "count": re.compile(rf"\b{_NUMBER}\s+[^\W\d_]"),
    "reference": re.compile(r"\d+/\d{4}/[A-ZĐ]{1,4}[-–][A-ZĐ0-9]+|\d+/[A-ZĐ]{1,4}[-–][A-ZĐ0-9]+|Luật [A-ZĐ]|Law on|Đề án [a-zđ]", re.U),
    "authority": re.compile(r"\b(?:Sở|Bộ|Ủy ban|UBND|Ban Quản lý|Chính phủ|Thủ tướng|Cục|Trung tâm|Phòng|Department|Ministry|Committee|Board|Government)\b"),
    "place": re.compile(r"\b(?:tại|ở|nộp|Sở|Phòng|Trung tâm|Ban Quản lý|at|to the|Department|Board)\b"),
    "definition": re.compile(r"\blà\b|\bmeans?\b|\bis\b|\bare\b"),
    "procedure": re.compile(r"hồ sơ|đơn|văn bản đề nghị|bản sao|giấy|nộp|application|documents?", re.I),
    "yesno": re.compile(r"được|không|miễn|may|exempt|eligible", re.I),
}
FEATURES = (
    "coverage", "coverage_text", "type_match", "list_fit", "is_point", "rank", "chunk_score", "dense",
    "same_lang", "length", "boilerplate", "dangling", "lead_coverage", "points_coverage", "head_coverage",
    "value_match", "value_missing", "heading_list", "is_title", "names_document", "head_named",
    "unit_match",
)
# Answer types whose answer is a value a clause either states or does not.
VALUE_TYPES = frozenset({"date_expiry", "date_in_force", "date_issued", "date", "deadline", "duration", "percentage", "area", "amount", "count"})


def counted_pattern(intent: Intent) -> re.Pattern[str] | None:
    """For a count question whose counted thing is known ("bao nhiêu cụm công nghiệp"): a number followed
    (at most one word later) by that thing or its initials ("04 cụm công nghiệp", "56 CCN"), on folded text."""
    if intent.answer_type != "count" or not intent.counted:
        return None
    words = intent.counted.split()
    if intent.counted in MEASURE_UNITS:  # a unit of measure, as written after a number: "50 m", "20 tấn"
        return re.compile(rf"\b\d+(?:[.,]\d+)?\s*{MEASURE_UNITS[intent.counted]}\b")
    alternatives = [re.escape(" ".join(words[:2]))]
    if len(words) >= 2:
        alternatives.append("".join(w[0] for w in words))
    return re.compile(rf"\b\d+(?:[.,]\d+)?\s+(?:\w+\s+)?(?:{'|'.join(alternatives)})\b")


def qualifier_overlap(text: str, intent: Intent) -> int:
    """How many of a count question's qualifier words (`Intent.qualifier`) stand next to a count of the
    thing asked in `text`, after it ("18 dự án đang triển khai đầu tư" for "bao nhiêu dự án đang triển
    khai") or before it in the same clause ("Hiện đang xúc tiến đầu tư: 37 cụm", "không quá 09 chỗ"): the
    most over its counts."""
    pattern = counted_pattern(intent)
    if pattern is None or not intent.qualifier:
        return 0
    folded = fold(text)
    wanted = set(intent.qualifier)

    def beside(match: re.Match) -> set[str]:
        after = re.findall(r"\w+", folded[match.end():])[:QUALIFIER_WORDS]
        before = re.findall(r"\w+", _CLAUSE_BREAK_RE.split(folded[:match.start()])[-1])[-QUALIFIER_WORDS:]
        return set(after) | set(before)

    negated = wanted & NEGATIONS  # "bao nhiêu dự án chưa …": a count not negated is not the one asked

    def overlap(match: re.Match) -> int:
        near = beside(match)
        return 0 if negated and not near & negated else len(wanted & near)

    return max((overlap(m) for m in pattern.finditer(folded)), default=0)


def unit_match(candidate: Candidate, intent: Intent) -> bool:
    """Whether the candidate counts the thing a count question asks about (see counted_pattern)."""
    pattern = counted_pattern(intent)
    return pattern is not None and bool(pattern.search(fold(candidate.text)))


def value_match(candidate: Candidate, intent: Intent) -> bool:
    """Whether the candidate holds a value of the type asked (a list type: a clause carrying its points)."""
    if intent.answer_type == "list":
        return candidate.is_list
    if intent.answer_type == "subject":
        return candidate.is_title or candidate.scope
    pattern = UNIT_PATTERNS[intent.unit] if intent.answer_type == "duration" and intent.unit else VALUE_PATTERNS.get(intent.answer_type)
    if pattern is None:
        return False
    if intent.answer_type in ("date_in_force", "date_expiry"):
        return bool(pattern.search(candidate.text)) and bool(_DATE_RE.search(candidate.text) or re.search(r"\d{4}", candidate.text))
    return bool(pattern.search(candidate.full_text() if intent.answer_type == "procedure" else candidate.text))


def head_of(text: str, point: bool = False) -> str:
    """What a clause is about: the words before its first ':', ' là ' or ' được tính bằng ' ("Doanh nghiệp
    nhỏ: …" → "Doanh nghiệp nhỏ"), when short; a short point is its own head ("Giải pháp về nguồn nhân lực;");
    else ''."""
    for separator in (": ", " là ", " được tính bằng ", " được xác định bằng ", " means ", " is "):
        head, found, _ = text.partition(separator)
        if found and 1 <= len(head.split()) <= 14:
            return head
    return text.rstrip(" ;.") if point and len(text.split()) <= 14 else ""


def head_named(head: str, question: set[str]) -> float:
    """The share of a clause head's words the question names ("Doanh nghiệp nhỏ: …" for "tiêu chí doanh
    nghiệp nhỏ là gì": 1.0): the question asks about the thing the clause defines or describes. A head of
    fewer than two content words names nothing specific (0)."""
    words = content_words(head)
    if len(words) < 2:
        return 0.0
    return sum(1 for w in words if w in question) / len(words)


def features(candidate: Candidate, intent: Intent, coverage: float, coverage_text: float, lead_coverage: float,
             top_score: float, question_lang: str, points_coverage: float = 0.0, head_coverage: float = 0.0,
             names_document: bool = False, head_named: float = 0.0) -> dict[str, float]:
    """The candidate's features (names in FEATURES)."""
    hit = candidate.hit
    words = len(candidate.text.split())
    dense = max(hit.signals.get("dense", 0.0), hit.signals.get("dense_vi", 0.0))
    matched = value_match(candidate, intent)
    valued = intent.answer_type in VALUE_TYPES
    return {
        # a heading that carries a list answers a list question, never a value one
        "heading_list": float(candidate.is_list and not candidate.text.endswith(":") and not valued),
        "is_title": float(candidate.is_title),
        "names_document": float(names_document),
        "head_named": head_named,
        "unit_match": float(unit_match(candidate, intent)),
        "value_match": float(valued and matched),
        "value_missing": float(valued and not matched),
        "coverage": coverage,
        "coverage_text": coverage_text,
        "type_match": float(matched),
        "list_fit": float(candidate.is_list and intent.answer_type in ("list", "procedure", "other")),
        "is_point": float(bool(candidate.lead)),
        "rank": 1.0 / (1 + candidate.rank),
        "chunk_score": hit.score / top_score if top_score > 0 else 0.0,
        "dense": dense,
        "same_lang": float(hit.lang == question_lang),
        "length": min(words, 120) / 120,
        "boilerplate": float(candidate.boilerplate and not intent.asks_boilerplate),
        "dangling": float(candidate.text.endswith(":") and not candidate.points),
        "lead_coverage": lead_coverage,
        "points_coverage": 0.0 if valued else points_coverage,
        "head_coverage": head_coverage,
    }


@lru_cache(maxsize=1)
def load_weights(path: str = str(WEIGHTS_PATH)) -> dict:
    """The fitted weights: {"select": {...}, "answerable": {...}} with each model's `bias`, `mean`, `scale`."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def linear(model: dict, values: dict[str, float]) -> float:
    """w·x + b over standardised features."""
    total = model["bias"]
    for name, weight in model["weights"].items():
        scale = model["scale"].get(name, 1.0) or 1.0
        total += weight * (values.get(name, 0.0) - model["mean"].get(name, 0.0)) / scale
    return total


def probability(model: dict, values: dict[str, float]) -> float:
    """The logistic of the linear score."""
    z = linear(model, values)
    return 1 / (1 + math.exp(-max(min(z, 30), -30)))


ANSWERABLE_FEATURES = ("best_select", "best_coverage", "chunk_coverage", "type_available", "top_dense", "top_score_raw",
                       "missing_term", "english", "plain")
