"""Mask personal data (citizen ID and passport numbers, personal phones and e-mails, dates of birth, bank
account numbers) in indexed text, in the metadata shown beside it, and in stored questions."""
from __future__ import annotations

import re

MASK = "[***]"

_ID_RE = re.compile(r"(?<![\d/.,-])0\d{11}(?![\d/.,-])")  # 12-digit citizen ID (CCCD)
_ID_CONTEXT_RE = re.compile(
    r"((?:CMND|CCCD|CMTND|căn cước(?: công dân)?|chứng minh(?: nhân dân)?|hộ chiếu|ID card|passport|ID)"
    r"(?:\s*(?:số|no\.?|number))?\s*[:.]?\s*)([A-Z]\d{7,8}\b|\d[\d ]{7,13}\d)",
    re.I,
)
_MOBILE_RE = re.compile(r"(?<![\d+])(?:\+84|84|0)[\s.]?(?:3|5|7|8|9)\d(?:[\s.-]?\d){7}(?!\d)")
_MOBILE_PAREN_RE = re.compile(r"\((?:\+84\s?|0)[35789]\d\)[\s.-]?\d(?:[\s.-]?\d){6}(?!\d)")  # (091) 2345678
_BANK_RE = re.compile(
    r"((?:số tài khoản|STK|tài khoản(?: ngân hàng)?(?: số)?|TK số|(?:bank )?account(?: number| no\.?)?)"
    r"\s*[:.]?\s*)(\d[\d .-]{4,24}\d)",
    re.I,
)
_EMAIL_RE = re.compile(r"\b[\w.+-]+@([\w-]+(?:\.[\w-]+)+)\b")
_BIRTH_RE = re.compile(
    r"((?:sinh ngày|ngày sinh|sinh năm|năm sinh|born on|date of birth|DOB)\s*[:.]?\s*)"
    r"(\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}|\d{1,2} tháng \d{1,2} năm \d{4})",
    re.I,
)


def mask_personal_data(text: str, keep_email_domains: tuple[str, ...] = ("gov.vn",)) -> str:
    """The text with personal identifiers replaced by [***]; official (e.g. .gov.vn) e-mail addresses kept."""
    text = _ID_CONTEXT_RE.sub(lambda m: m.group(1) + MASK, text)
    text = _ID_RE.sub(MASK, text)
    text = _BIRTH_RE.sub(lambda m: m.group(1) + MASK, text)
    text = _BANK_RE.sub(lambda m: m.group(1) + MASK if sum(c.isdigit() for c in m.group(2)) >= 6 else m.group(0), text)
    text = _MOBILE_PAREN_RE.sub(MASK, text)
    text = _MOBILE_RE.sub(MASK, text)

    def email(match: re.Match[str]) -> str:
        domain = match.group(1).lower()
        if any(domain == d or domain.endswith("." + d) for d in keep_email_domains):
            return match.group(0)
        return MASK

    return _EMAIL_RE.sub(email, text)
