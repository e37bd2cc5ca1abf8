"""What an answer is, as every frontend receives it."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

CITATION_MARK_RE = re.compile(r"\[(\d+)\]")  # a citation mark in an answer's text: "[1]"


@dataclass
class Citation:
    """Where a statement of an answer comes from."""

    n: int
    doc_id: str
    title: str
    doc_number: str
    section: str
    page: int | None
    quote: str
    status: str = "in_force"
    chunk_id: str = ""

    def public(self) -> dict[str, Any]:
        """The fields `cnht ask --json` shows."""
        return {k: getattr(self, k) for k in ("n", "doc_id", "title", "doc_number", "section", "page", "quote")}


@dataclass
class Answer:
    """An answer in the asker's language with its numbered citations."""

    answer: str
    lang: str
    grounded: bool
    source: str  # "faq" | "documents" | "none"
    citations: list[Citation] = field(default_factory=list)
    suggestions: list[dict[str, str]] = field(default_factory=list)  # nearest documents when refused
    confidence: float = 0.0
    answerer: str = "extractive"
    offers: list[str] = field(default_factory=list)  # next steps to offer, e.g. "eligibility" (the check)
    answer_id: str = ""  # the stored turn's id, when the service stored it (asked in a conversation, with a database)

    def public(self) -> dict[str, Any]:
        """The JSON of `cnht ask --json`."""
        return {
            "answer": self.answer,
            "lang": self.lang,
            "grounded": self.grounded,
            "source": self.source,
            "citations": [c.public() for c in self.citations],
            "suggestions": self.suggestions,
            "offers": self.offers,
        }
