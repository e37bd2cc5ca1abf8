"""The first line of an answer: the fact asked, with its value, qualifier and citation, taken from the
best candidate; a list stated in full up to a budget, then "và N mục khác" / "and N more"."""
from __future__ import annotations

import re

from assistant.answering.candidates import Candidate, strip_enumerator
from assistant.answering.question import Intent
from assistant.answering.scoring import VALUE_PATTERNS, counted_pattern, qualifier_overlap
from ingest.vietnamese import fold

LIST_ITEMS = 6  # items a first line states before "và N mục khác"
LIST_CHARS = 420  # and at most this many characters of items
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ0-9“\"(])")
_MORE = {"vi": "và {n} mục khác", "en": "and {n} more"}


def _item(point: str) -> str:
    """A list item as the first line names it: `Giải pháp về nguồn nhân lực: đào tạo …` → its name."""
    item = strip_enumerator(point).rstrip(" ;.,")
    name, colon, _ = item.partition(": ")
    return name if colon and len(name.split()) <= 14 else item


def list_line(candidate: Candidate, lang: str) -> str:
    """`Đề án đưa ra 10 nhóm giải pháp …: a; b; c; …; và 4 mục khác.` Items are quoted whole when they
    fit the budget, else by their names (the words before their ':')."""
    whole = [strip_enumerator(p).rstrip(" ;.,") for p in candidate.points]
    items = whole if sum(len(i) + 2 for i in whole[:LIST_ITEMS]) <= LIST_CHARS else [_item(p) for p in candidate.points]
    shown: list[str] = []
    used = 0
    for item in items:
        if len(shown) >= LIST_ITEMS or (shown and used + len(item) > LIST_CHARS):
            break
        shown.append(item)
        used += len(item) + 2
    lead = strip_enumerator(candidate.text).rstrip(" :")
    body = "; ".join(shown)
    if len(shown) < len(items):
        body += "; " + _MORE["en" if lang == "en" else "vi"].format(n=len(items) - len(shown))
    return f"{lead}: {body}."


def fact_sentence(candidate: Candidate, intent: Intent, weigh) -> str:
    """The sentence of a clause that holds the value asked (else the one that covers the question best);
    `weigh(text)` is the question's coverage of a text."""
    sentences = [s for s in _SENTENCE_RE.split(candidate.text) if s.strip()] or [candidate.text]
    if len(sentences) > 1:
        counting = counted_pattern(intent)
        pattern = VALUE_PATTERNS.get(intent.answer_type)

        def holds(sentence: str) -> bool:
            if counting is not None:
                return bool(counting.search(fold(sentence)))
            return pattern is not None and bool(pattern.search(sentence))

        # the sentence whose count is followed by the question's qualifier, of several counting the thing asked
        sentences.sort(key=lambda s: (-qualifier_overlap(s, intent), -(weigh(s) + (0.5 if holds(s) else 0.0))))
    sentence = strip_enumerator(sentences[0]).strip()
    return sentence


def first_line(candidate: Candidate, intent: Intent, lang: str, weigh, note: str = "") -> str:
    """The answer's first line, ending with the citation `[1]`."""
    if candidate.is_list:
        line = list_line(candidate, lang)
    else:
        line = fact_sentence(candidate, intent, weigh)
        if not line.endswith((".", "!", "?", ":", ";")):
            line += "."
        line = line[:-1] + "." if line.endswith((";", ":")) else line
    if note:
        line = f"{line[:-1]} {note}."
    return f"{line} [1]"
