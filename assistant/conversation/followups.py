"""Follow-ups read against the conversation: an ellipsis ("Nộp ở đâu?", "What about clusters?") continues
the topic of the last question that stood on its own, however many follow-ups came between; an ordinal
("Còn nhóm thứ hai?", "And the third one?") names an item of the list the previous answer gave."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ingest.vietnamese import fold

_CONNECTIVE_RE = re.compile(
    r"^(?:and|what about|how about|and what about|also|then|con|the con|vay con|con ve|va|vay|the thi|con doi voi)\b"
)
_MAX_FOLLOW_UP_WORDS = 3  # a question of at most this many content words leans on the one before
# "văn bản này", "quyết định đó", "this decree", and a short question about "it" / "nó": the document or thing
# of the question before (folded)
_DOCUMENT_WORDS = (r"(?:van ban|quyet dinh|nghi dinh|thong tu|luat|thong bao|ke hoach|cong van|hiep dinh|bao cao|de an"
                   r"|chuong trinh|document|decision|decree|circular|law|notice|plan|letter|agreement|report|scheme|programme|program)")
_BACK_REFERENCE_RE = re.compile(rf"\b{_DOCUMENT_WORDS} (?:nay|do|tren|ay)\b|\b(?:this|that|the same) {_DOCUMENT_WORDS}\b")
# a short question about "it" / "nó", or about a document's dates or signer that names no document
_LEANING_RE = re.compile(r"\b(?:it|no|hieu luc|ban hanh|ai ky|nguoi ky|take effect|in force|issued|signed)\b")
_NAMED_DOCUMENT_RE = re.compile(rf"\b{_DOCUMENT_WORDS}\b|\d+\s*/")
_MAX_LEANING_WORDS = 6  # "When was it issued?", "Có hiệu lực khi nào?"; not "How long does it take to get a licence for …"
_ORDINALS = {
    "nhat": 1, "dau tien": 1, "first": 1, "1st": 1,
    "hai": 2, "second": 2, "2nd": 2,
    "ba": 3, "third": 3, "3rd": 3,
    "tu": 4, "bon": 4, "fourth": 4, "4th": 4,
    "nam": 5, "fifth": 5, "5th": 5,
    "sau": 6, "sixth": 6, "6th": 6,
}
_ORDINAL_RE = re.compile(
    r"\bthu (nhat|hai|ba|tu|bon|nam|sau|\d{1,2})\b|\b(dau tien)\b|\b(first|second|third|fourth|fifth|sixth|\d{1,2}(?:st|nd|rd|th))\b"
    r"|\b(cuoi cung|cuoi|last)\b"
)
_MORE_RE = re.compile(r"^(?:và \d+ mục khác|and \d+ more)$")
_STOP = set("con thi sao the nao va vay and what about how the one item group nhom muc cai".split())


class TurnLike(Protocol):
    """What a follow-up is read against: a question and the answer given."""

    question: str
    answer: str


@dataclass
class Resolved:
    """How a follow-up is read: what to search with, what to answer, and the question it continues."""

    search: str  # the question to retrieve passages with
    question: str  # the question the answer is composed for
    frame: str = ""  # the question it continues ('' when it stands on its own)


def is_follow_up(question: str) -> bool:
    """A question that leans on the one before: it opens with a connective ("Còn …", "And …", "What
    about …"), has at most three content words, points back ("văn bản này", "this decree"), or is a short
    question about "it" or a document's dates or signer that names no document ("When was it issued?",
    "Có hiệu lực khi nào?")."""
    folded = fold(question).strip()
    content = [w for w in re.findall(r"\w+", folded) if len(w) > 1]
    return (bool(_CONNECTIVE_RE.match(folded)) or len(content) <= _MAX_FOLLOW_UP_WORDS or bool(_BACK_REFERENCE_RE.search(folded))
            or (bool(_LEANING_RE.search(folded)) and not _NAMED_DOCUMENT_RE.search(folded) and len(content) <= _MAX_LEANING_WORDS))


def topic_question(turns: Sequence[TurnLike]) -> str:
    """The last question of the conversation that stood on its own (the oldest one kept when every kept
    question was a follow-up)."""
    for turn in reversed(turns):
        if not is_follow_up(turn.question):
            return turn.question
    return turns[0].question if turns else ""


def ordinal(question: str) -> int | None:
    """The position a question names ("thứ hai" → 2, "third" → 3, "cuối cùng"/"last" → -1), else None."""
    match = _ORDINAL_RE.search(fold(question))
    if not match:
        return None
    if match.group(4):
        return -1
    word = next(g for g in match.groups() if g)
    if word.isdigit():
        return int(word)
    digits = re.match(r"\d+", word)
    return int(digits.group(0)) if digits else _ORDINALS.get(word)


def listed_items(answer: str) -> list[str]:
    """The items of the list an answer's first line states (`Lead: a; b; c; và 4 mục khác. [1]`)."""
    line = next((x.strip() for x in answer.splitlines() if x.strip()), "")
    line = re.sub(r"\s*(?:\[\d+\]\s*)+$", "", line).rstrip(" .")
    _, colon, body = line.partition(": ")
    if not colon or ";" not in body:
        return []
    return [item.strip() for item in body.split(";") if item.strip() and not _MORE_RE.match(item.strip())]


def resolve(turns: Sequence[TurnLike], question: str) -> Resolved:
    """How to read a question in its conversation (see the module's docstring)."""
    if not turns or not is_follow_up(question):
        return Resolved(question, question)
    topic = topic_question(turns)
    position = ordinal(question)
    if position is not None:
        for turn in reversed(turns):
            if ordinal(turn.question) is not None:
                continue  # "Còn nhóm thứ hai?" answered one item: the list is the one before it
            items = listed_items(turn.answer)
            if items and (position == -1 or position <= len(items)):
                item = items[-1] if position == -1 else items[position - 1]
                return Resolved(f"{topic} {item}", item, topic)
    return Resolved(f"{topic} {question}", question, topic)
