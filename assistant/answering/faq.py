"""Curated answers (corpus/faq.yaml): a question that closely matches an entry gets the staff-written
answer, with its citations, as `source: "faq"`."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, Field, ValidationError

from assistant.answering.models import Answer, Citation
from assistant.answering.question import answer_type
from assistant.knowledge.base import KnowledgeBase
from ingest.vietnamese import content_words, fold

# A question reaches a curated answer when DENSE_WEIGHT × dense similarity + (1 − DENSE_WEIGHT) × folded
# lexical agreement with one of its questions reaches MATCH_THRESHOLD, the lexical agreement reaches
# LEXICAL_FLOOR and both ask for the same kind of fact; the numbers were calibrated on the tune
# half of bench/faq/faq-questions.jsonl (`bench/faq/bench_faq.py`): paraphrases and diacritic-free forms
# reach their entry, near misses ("cụm" for "khu") and unrelated questions do not.
DENSE_WEIGHT = 0.9
MATCH_THRESHOLD = 0.91
LEXICAL_FLOOR = 0.6  # and the lexical agreement alone reaches this ("cụm" for "khu" is close in meaning only)


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
    _kinds: list[str] = field(default_factory=list)

    def _index(self) -> np.ndarray:
        """The entry questions' vectors, embedded on first use."""
        if self._vectors is None:
            questions = [(i, q) for i, e in enumerate(self.entries) for q in e.questions_vi + e.questions_en]
            # each Vietnamese question also as typed without diacritics: the embedder reads a diacritic-free
            # question as another language, but it is close to the diacritic-free form of its entry
            questions += [(i, fold(q)) for i, e in enumerate(self.entries) for q in e.questions_vi if fold(q) != q.lower()]
            self._owners = [i for i, _ in questions]
            self._questions = [q for _, q in questions]
            self._vectors = np.array([self.kb.embeddings.embed_query(q) for _, q in questions], dtype=np.float32)
            self._kinds = [answer_type(q) for _, q in questions]
        return self._vectors

    def closest(self, question: str) -> tuple[int, float, float]:
        """The entry question nearest to `question` by the combined score: (its position, dense similarity,
        lexical agreement); position -1 when there are no entries."""
        if not self.entries:
            return -1, 0.0, 0.0
        vectors = self._index()
        vector = np.array(self.kb.embeddings.embed_query(question), dtype=np.float32)
        dense = vectors @ vector
        lexical = np.array([lexical_agreement(question, known) for known in self._questions], dtype=np.float32)
        kind = answer_type(question)
        # a question asking for another kind of fact ("where" against "what documents") is another question
        agrees = np.array([same_kind(kind, k) for k in self._kinds], dtype=np.float32)
        combined = (DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * lexical) * agrees
        best = int(np.argmax(combined))
        if not agrees[best]:
            return -1, 0.0, 0.0
        return best, float(dense[best]), float(lexical[best])

    def entry_of(self, position: int) -> FaqEntry:
        """The entry that owns the entry question at `position` (as `closest` returns it)."""
        return self.entries[self._owners[position]]

    def match(self, question: str, lang: str) -> Answer | None:
        """The curated answer for a question that matches an entry in meaning and words, else None."""
        best, dense, lexical = self.closest(question)
        score = DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * lexical
        if best < 0 or score < MATCH_THRESHOLD or lexical < LEXICAL_FLOOR:
            return None
        entry = self.entry_of(best)
        citations: list[Citation] = []
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
        return Answer(f"{body.strip()} {marks}", lang, True, "faq", citations, confidence=round(score, 4))


def same_kind(asked: str, known: str) -> bool:
    """Whether two answer types (`answering.question`) can be the same question's: equal, or one unknown."""
    return asked == known or "other" in (asked, known)


def _terms(text: str) -> set[str]:
    """Folded content words and the pairs of adjacent ones (no diacritics, no case, no stopwords)."""
    words = content_words(text)
    return set(words) | {f"{a} {b}" for a, b in zip(words, words[1:])}


def lexical_agreement(asked: str, known: str) -> float:
    """How far two questions share their folded content words and word pairs (Dice, 0–1): a
    diacritic-free form of a question agrees fully; "cụm công nghiệp" and "khu công nghiệp" only in part."""
    a, b = _terms(asked), _terms(known)
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


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
