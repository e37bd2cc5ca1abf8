"""Exact references in a question: document numbers (`3164/QĐ-UBND`, `Quyết định 3164`, `Decision 3164`)
and articles (`Điều 5`, `Article 5`)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.legal import DOC_TYPES
from ingest.vietnamese import fold

_FULL_NUMBER_RE = re.compile(r"\b(\d{1,5})\s*/\s*(?:(\d{4})\s*/\s*)?([A-Za-zĐđ]{1,6}(?:\s*-\s*[A-Za-zĐđ0-9]{1,8})*)")
_TYPE_WORDS = {
    "quyet dinh": "decision", "qd": "decision", "decision": "decision",
    "nghi dinh": "decree", "nd": "decree", "decree": "decree",
    "thong tu": "circular", "tt": "circular", "circular": "circular",
    "ke hoach": "plan", "kh": "plan", "plan": "plan",
    "thong bao": "notice", "tb": "notice", "notice": "notice",
    "cong van": "official_letter", "official letter": "official_letter",
    "nghi quyet": "resolution", "nq": "resolution", "resolution": "resolution",
    "luat": "law", "law": "law", "chi thi": "directive", "directive": "directive",
}
_TYPED_NUMBER_RE = re.compile(
    r"\b(" + "|".join(sorted((re.escape(k) for k in _TYPE_WORDS), key=len, reverse=True)) + r")\s*(?:so|no\.?|number)?\s*(\d{1,5})(?:\s*/\s*(\d{4}))?\b"
)
_ARTICLE_RE = re.compile(r"\b(?:dieu|article|art\.)\s*(\d{1,3}[a-z]?)\b")
_CLAUSE_RE = re.compile(r"\b(?:khoan|clause)\s*(\d{1,2})\b")


@dataclass
class Reference:
    """A document the question names: its number, and the type and year when given."""

    number: str
    doc_type: str = ""
    year: str = ""
    code: str = ""  # folded suffix such as "qd-ubnd"


@dataclass
class References:
    """Everything the question points at exactly."""

    documents: list[Reference] = field(default_factory=list)
    article: str = ""  # "5"
    clause: str = ""

    def __bool__(self) -> bool:
        return bool(self.documents or self.article)


def find_references(question: str) -> References:
    """Document numbers and article/clause numbers named in a question (with or without diacritics)."""
    text = fold(question)
    found = References()
    for match in _FULL_NUMBER_RE.finditer(text):
        code = re.sub(r"\s+", "", match.group(3))
        first = code.split("-")[0]
        found.documents.append(Reference(match.group(1), _code_type(first), match.group(2) or "", code))
    for match in _TYPED_NUMBER_RE.finditer(text):
        if not any(r.number == match.group(2) for r in found.documents):
            found.documents.append(Reference(match.group(2), _TYPE_WORDS[match.group(1)], match.group(3) or ""))
    article = _ARTICLE_RE.search(text)
    if article:
        found.article = article.group(1)
    clause = _CLAUSE_RE.search(text)
    if clause:
        found.clause = clause.group(1)
    return found


def _code_type(code: str) -> str:
    return {"qd": "decision", "nd": "decree", "tt": "circular", "kh": "plan", "tb": "notice", "nq": "resolution", "qh": "law", "ct": "directive"}.get(code, "")


def matches_document(reference: Reference, doc_number: str, doc_id: str, title: str) -> float:
    """How surely a reference names a document: 1.0 by its number, 0.6 by its id or title, else 0."""
    number = fold(doc_number).replace(" ", "")
    if number:
        head = number.split("/")[0]
        if head == reference.number:
            if reference.year and f"/{reference.year}/" not in number + "/":
                return 0.0
            if reference.code and reference.code.split("-")[0] not in number:
                return 0.0
            return 1.0
    haystack = f" {fold(doc_id).replace('-', ' ')} {fold(title)} "
    if re.search(rf"(?<!\d){reference.number}(?:/{reference.year or ''}|\b)", haystack):
        return 0.6
    return 0.0


def numbers_document(reference: Reference, doc_type: str, doc_number: str) -> bool:
    """Whether a reference names a document by its own number: the number, and the type, year and code
    where the reference gives them ("Quyết định 215" is not "Thông báo 215/TB-SCT")."""
    if not doc_number or matches_document(reference, doc_number, "", "") != 1.0:
        return False
    # a type ingestion did not classify ("Quy định", a free-text type) is not held against the reference
    return not reference.doc_type or doc_type not in DOC_TYPES or reference.doc_type == doc_type
