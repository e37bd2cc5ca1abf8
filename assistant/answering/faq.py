"""Curated answers (corpus/faq.yaml): a question that closely matches an entry gets the staff-written
answer, with its citations, as `source: "faq"`."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, Field, ValidationError

from assistant.answering.models import Answer, Citation
from assistant.knowledge.base import KnowledgeBase
from ingest.vietnamese import content_words

MATCH_THRESHOLD = 0.92
LEXICAL_AGREEMENT = 0.75


class FaqSource(BaseModel):
    """A document (and optionally a section) that backs a curated answer."""

    doc_id: str
    section: str = ""


class FaqEntry(BaseModel):
    """One curated answer in both languages."""

    id: str
    questions_vi: list[str] = Field(min_length=1)
    questions_en: list[str] = Field(min_length=1)
    answer_vi: str
    answer_en: str
    sources: list[FaqSource] = Field(min_length=1)


@dataclass
class Faq:
    """Curated answers with their question vectors."""

    entries: list[FaqEntry]
    kb: KnowledgeBase
    _vectors: np.ndarray | None = None
    _owners: list[int] = field(default_factory=list)
    _questions: list[str] = field(default_factory=list)

    def _index(self) -> None:
        if self._vectors is None:
            questions = [(i, q) for i, e in enumerate(self.entries) for q in e.questions_vi + e.questions_en]
            self._owners = [i for i, _ in questions]
            self._questions = [q for _, q in questions]
            self._vectors = np.array([self.kb.embeddings.embed_query(q) for _, q in questions], dtype=np.float32)

    def match(self, question: str, lang: str) -> Answer | None:
        """The curated answer for a question that closely matches an entry, else None."""
        if not self.entries:
            return None
        self._index()
        vector = np.array(self.kb.embeddings.embed_query(question), dtype=np.float32)
        similarities = self._vectors @ vector
        best = int(np.argmax(similarities))
        if similarities[best] < MATCH_THRESHOLD:
            return None
        asked = set(content_words(question))
        known = set(content_words(self._questions[best]))
        if not asked or not known or len(asked & known) / len(asked | known) < LEXICAL_AGREEMENT:
            return None  # close in meaning is not enough: "cụm" is not "khu"
        entry = self.entries[self._owners[best]]
        citations = []
        for source in entry.sources:
            record = self.kb.document(source.doc_id)
            if record is None:
                return None  # a curated answer whose source is gone is not served
            chunks = self.kb.registry.chunks_of(source.doc_id)
            chunk = next((c for c in chunks if c["section"].startswith(source.section)), chunks[0] if chunks else None)
            citations.append(
                Citation(
                    n=len(citations) + 1,
                    doc_id=source.doc_id,
                    title=record.meta.title,
                    doc_number=record.meta.doc_number,
                    section=source.section or (chunk["section"] if chunk else ""),
                    page=chunk["page"] if chunk else None,
                    quote=" ".join(chunk["text"].split())[:300] if chunk else "",
                    chunk_id=chunk["chunk_id"] if chunk else "",
                )
            )
        body = entry.answer_en if lang == "en" else entry.answer_vi
        marks = " ".join(f"[{c.n}]" for c in citations)
        return Answer(f"{body.strip()} {marks}", lang, True, "faq", citations, confidence=float(similarities[best]))


def load_faq(path: Path, kb: KnowledgeBase) -> Faq:
    """Read and validate the curated answers; an invalid file is an error naming the file and entry."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of entries")
    entries = []
    for position, item in enumerate(data, start=1):
        try:
            entries.append(FaqEntry.model_validate(item))
        except ValidationError as exc:
            raise ValueError(f"{path}: entry {position} ({(item or {}).get('id', '?')}): {exc.errors()[0]['msg']} at {exc.errors()[0]['loc']}") from exc
    return Faq(entries, kb)
