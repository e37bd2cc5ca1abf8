"""Time in answers: an answer drawn from a program's documents or a notice says when the program closed or
the deadline passed, with the date (the programs catalogue's dates first, else a deadline the quoted text
itself states)."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from assistant.answering.models import Answer
from assistant.eligibility.programs import Program

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_DEADLINE_RE = re.compile(
    r"(?:trước ngày|hạn chót|chậm nhất(?: là)?(?: ngày)?|đến hết ngày|hạn nộp[^.;\d]{0,40}?|by|deadline[^.;\d]{0,30}?|before)\s*"
    r"(?:ngày\s+)?(?:(\d{1,2})/(\d{1,2})/(\d{4})|(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})|(\d{1,2})\s+([A-Z][a-z]+)\s+(\d{4}))",
    re.IGNORECASE,
)
_EVIDENCE_STARTS = ("Theo ", "According to ", "- ", "Source text")
NOTES = {
    "vi": {
        "program_closed": "Lưu ý: chương trình “{name}” đã kết thúc nhận hồ sơ ngày {date}.",
        "deadline_passed": "Lưu ý: hạn {date} nêu trong văn bản này đã qua.",
    },
    "en": {
        "program_closed": "Note: the programme “{name}” closed for applications on {date}.",
        "deadline_passed": "Note: the deadline of {date} stated in this document has passed.",
    },
}


def show_date(day: date, lang: str) -> str:
    """`30/4/2022` in Vietnamese, `30 April 2022` in English."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}" if lang == "en" else f"{day.day}/{day.month}/{day.year}"


def stated_deadline(passage: str) -> date | None:
    """The last deadline a passage states ("trước ngày 30/4/2022", "hạn nộp hồ sơ: 30 tháng 4 năm 2022",
    "by 30 April 2022"), else None."""
    found = None
    for match in _DEADLINE_RE.finditer(passage):
        groups = match.groups()
        try:
            if groups[0]:
                day = date(int(groups[2]), int(groups[1]), int(groups[0]))
            elif groups[3]:
                day = date(int(groups[5]), int(groups[4]), int(groups[3]))
            elif groups[7] and groups[7].capitalize() in _MONTHS:
                day = date(int(groups[8]), _MONTHS.index(groups[7].capitalize()) + 1, int(groups[6]))
            else:
                continue
        except ValueError:
            continue
        found = day if found is None or day > found else found
    return found


def closing_note(answer: Answer, programs: list[Program], today: date) -> str:
    """The sentence saying that the program an answer is drawn from has closed, or that a deadline its quotes
    state has passed ('' when nothing has). A refusal that still quotes the documents (a value they do not
    state, a part of a question they do not answer) gets it too: what it shows is of a closed program."""
    if not answer.citations:
        return ""
    table = NOTES["en" if answer.lang == "en" else "vi"]
    cited = {c.doc_id for c in answer.citations}
    closed = [p for p in programs if p.status(today) == "closed" and cited & {b.doc_id for b in p.legal_basis}]
    if closed:
        program = max(closed, key=lambda p: p.closes or today)
        shown = show_date(program.closes, answer.lang)  # type: ignore[arg-type]
        return table["program_closed"].format(name=program.name.get(answer.lang), date=shown)
    deadline = stated_deadline(" ".join(c.quote for c in answer.citations))
    if deadline is not None and deadline < today:
        return table["deadline_passed"].format(date=show_date(deadline, answer.lang))
    return ""


def with_closing_note(answer: Answer, programs: list[Program], today: date) -> Answer:
    """The answer with its closing note (if any) after the first line and its notes, before the evidence."""
    note = closing_note(answer, programs, today)
    if not note:
        return answer
    lines = answer.answer.split("\n")
    at = next((i for i, line in enumerate(lines[1:], start=1) if line.startswith(_EVIDENCE_STARTS)), len(lines))
    return replace(answer, answer="\n".join([*lines[:at], note, *lines[at:]]))
