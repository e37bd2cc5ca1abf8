"""Recognising a question that is really "do we qualify?", so the answer can offer the check."""
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
