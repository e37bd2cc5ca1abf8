"""Recognising a question that is really "do we qualify?", so the answer can offer the check; and a
message typed during the check that is a question rather than an answer."""
from __future__ import annotations

import re

from ingest.vietnamese import fold

_ASKS_ELIGIBILITY = re.compile(
    r"\b(?:co (?:duoc|du dieu kien)(?: \w+){0,6} (?:ho tro|tham gia|huong)(?: \w+){0,4} khong"
    r"|(?:duoc|du dieu kien) (?:ho tro|tham gia|huong)(?: \w+){0,4} khong"
    r"|co du dieu kien|du dieu kien (?:tham gia|nhan|duoc)|dieu kien (?:nao |gi )?(?:de )?duoc ho tro"
    r"|(?:am i|are we|is my (?:company|enterprise|business)|is our (?:company|enterprise|business)) eligible"
    r"|do (?:i|we) qualify|can (?:i|we|my company|our company) (?:get|receive|apply for) (?:the )?support"
    r"|eligible for|qualify for)\b"
)


def asks_eligibility(question: str) -> bool:
    """Whether a question asks if the asker qualifies for support."""
    return bool(_ASKS_ELIGIBILITY.search(" ".join(fold(question).split())))


_INTERROGATIVE = re.compile(
    r"\b(?:bao nhieu|may (?:nhom|loai|dieu|khoan|buoc|chuong trinh|ngay|nam|thang|muc)|(?:la )?gi|(?:loai|nhom|van ban|dieu|chuong trinh|cai|huyen|noi|co quan) nao|the nao|ra sao"
    r"|tai sao|vi sao|o dau|khi nao|bao gio|hay khong|co phai|la ai|what|how|which|when|where|who|whom|why)\b"
)
_ASKING_START = re.compile(r"^(?:is|are|does|did|can|could|should|will|would|must)\b")


def reads_as_question(text: str) -> bool:
    """Whether a message reads as a question to the assistant rather than an answer to the check's
    question: it ends with "?" or asks with an interrogative word, and has at least three words
    ("50 người?" or "Kinh Môn" stay answers; "Quyết định 3164 có mấy nhóm giải pháp?" is a question)."""
    folded = " ".join(fold(text).split())
    words = re.findall(r"\w+", folded)
    if len(words) < 3:
        return False
    return folded.endswith("?") or bool(_INTERROGATIVE.search(folded) or _ASKING_START.match(folded))
