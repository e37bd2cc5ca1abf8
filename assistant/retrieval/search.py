"""Hybrid retrieval: dense (multilingual-e5), BM25 over segmented and diacritic-folded text, glossary
expansion for English questions, and exact references — fused with weights that depend on the question's
language and on how sure each signal is."""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.embeddings import embed_queries
from assistant.knowledge.lexical import LexicalIndex
from assistant.retrieval.abbreviations import expand_shorthand, spell_out
from assistant.retrieval.diacritics import DiacriticRestorer
from assistant.retrieval.glossary import Glossary, load_glossary
from assistant.retrieval.references import References, find_references, matches_document
from ingest.language import detect_language
from ingest.models import DocumentMeta
from ingest.vietnamese import EN_STOPWORDS, fold, folded_terms, has_vietnamese_diacritics, segment_words

CANDIDATES = 60

# Base weight of each signal by kind of question (tuned on corpus/eval and ALQAC, see bench/RESULTS.md).
WEIGHTS = {
    "vi": {"words": 0.45, "folded": 0.2, "dense": 0.35},
    "vi_plain": {"folded": 0.55, "dense": 0.45},
    "en": {"dense": 0.45, "gloss": 0.3, "dense_vi": 0.25, "words": 0.1},
}


@dataclass
class Filters:
    """Restrictions a caller puts on a search."""

    doc_types: list[str] = field(default_factory=list)
    lang: str = ""
    date_from: str = ""  # ISO dates, inclusive
    date_to: str = ""
    effective_from: str = ""  # in force (by its own date in force) on or after / on or before, ISO dates
    effective_to: str = ""
    include_inactive: bool = False

    def admits(self, meta: DocumentMeta) -> bool:
        """Whether a document's metadata passes the type, language, issue-date and date-in-force filters."""
        if self.doc_types and meta.doc_type not in self.doc_types:
            return False
        if self.lang and meta.lang != self.lang:
            return False
        date = meta.issued_date
        if (self.date_from or self.date_to) and not date:
            return False
        if self.date_from and date < self.date_from:
            return False
        if self.date_to and date > self.date_to:
            return False
        effective = meta.effective_date
        if (self.effective_from or self.effective_to) and not effective:
            return False
        if self.effective_from and effective < self.effective_from:
            return False
        if self.effective_to and effective > self.effective_to:
            return False
        return True


def lexical_mask(lexical: LexicalIndex, admitted: set[str]) -> np.ndarray:
    """True for the BM25 rows of admitted documents."""
    documents = lexical.row_documents
    return np.fromiter((doc in admitted for doc in documents), dtype=bool, count=len(documents))


def chroma_where(admitted: set[str] | None, every: set[str]) -> dict | None:
    """The Chroma `where` that keeps the dense candidates to the admitted documents: by doc_id (the
    registry decides what a filter admits), listing whichever of the admitted or the excluded is shorter."""
    if admitted is None:
        return None
    excluded = every - admitted
    if len(admitted) <= len(excluded):
        return {"doc_id": {"$in": sorted(admitted)}}
    return {"doc_id": {"$nin": sorted(excluded)}}


@dataclass
class Hit:
    """One retrieved chunk with its document's metadata: what a citation needs."""

    meta: DocumentMeta
    chunk_id: str
    vector_id: str
    section: str
    page: int | None
    score: float
    text: str
    heading: str = ""
    section_map: list = field(default_factory=list)
    signals: dict[str, float] = field(default_factory=dict)
    scanned: bool = False  # the chunk was read by OCR from a scanned page

    # The document's fields, read through: answers quote them on every hit.
    @property
    def doc_id(self) -> str:
        """The document's id."""
        return self.meta.doc_id

    @property
    def title(self) -> str:
        """The document's title."""
        return self.meta.title

    @property
    def doc_number(self) -> str:
        """The document's number (may be blank on a signed copy)."""
        return self.meta.doc_number

    @property
    def status(self) -> str:
        """in_force, superseded or expired."""
        return self.meta.status

    @property
    def superseded_by(self) -> str:
        """The document that replaced this one, if any."""
        return self.meta.superseded_by

    @property
    def lang(self) -> str:
        """The document's language."""
        return self.meta.lang

    @property
    def doc_type(self) -> str:
        """decision, decree, notice, …"""
        return self.meta.doc_type

    @property
    def issued_date(self) -> str:
        """ISO date of issue, when the document gives a full one."""
        return self.meta.issued_date

    @property
    def effective_date(self) -> str:
        """ISO date it comes into force, when the document says."""
        return self.meta.effective_date

    @property
    def place(self) -> str:
        """Where it was issued."""
        return self.meta.place

    def public(self) -> dict[str, Any]:
        """The fields of `cnht search --json`."""
        return {
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "title": self.title,
            "doc_number": self.doc_number,
            "section": self.section,
            "page": self.page,
            "score": round(self.score, 4),
            "text": self.text,
        }


@dataclass
class QueryAnalysis:
    """What the searcher understood of a question."""

    text: str
    lang: str
    accented: bool
    references: References

    @property
    def kind(self) -> str:
        """vi, vi_plain (Vietnamese typed without diacritics) or en."""
        if self.lang == "en":
            return "en"
        return "vi" if self.accented else "vi_plain"


def analyse(question: str) -> QueryAnalysis:
    """Language, diacritics and exact references of a question; a Vietnamese one is read with its chat
    shorthand written out ("bn" → "bao nhiêu")."""
    accented = has_vietnamese_diacritics(question)
    expanded = expand_shorthand(question, accented)
    lang = detect_language(expanded)  # shorthand hides the language: "moi cty dc cu bn hoc vien"
    if lang == "vi":
        question = expanded
    elif expanded != question:
        lang = detect_language(question)
    return QueryAnalysis(question, lang, accented, find_references(question))


class Reranker:
    """A sentence-transformers cross-encoder on disk that reorders the best candidates."""

    def __init__(self, path: str):

        if not Path(path).exists():
            raise FileNotFoundError(f"CNHT_RERANKER {path!r}: no such model folder on disk")

        os.environ["HF_HUB_OFFLINE"] = "1"
        from sentence_transformers import CrossEncoder  # noqa: PLC0415 — optional reranker: torch only when configured

        self.model = CrossEncoder(path, device="cpu", local_files_only=True)

    def rerank(self, question: str, hits: list[Hit]) -> list[Hit]:
        """Hits reordered by the cross-encoder's score."""
        if not hits:
            return hits
        scores = self.model.predict([(question, h.text) for h in hits])
        for hit, score in zip(hits, scores):
            hit.signals["rerank"] = float(score)
        return sorted(hits, key=lambda h: -h.signals["rerank"])


class HybridSearcher:
    """Searches one knowledge base. Build it with `build_searcher`."""

    def __init__(self, kb: KnowledgeBase, glossary: Glossary, reranker: Reranker | None = None):
        self.kb = kb
        self.glossary = glossary
        self.reranker = reranker
        self._generation = -1
        self._docs: dict[str, DocumentMeta] = {}
        self._by_number: dict[str, list[str]] = {}
        self._admitted_cache: dict[tuple, set[str] | None] = {}
        self._restorer: tuple[int, DiacriticRestorer] | None = None

    def _refresh(self) -> None:
        generation = self.kb.registry.generation()
        if generation != self._generation:
            self._docs = {r.doc_id: r.meta for r in self.kb.documents()}
            self._by_number = {}
            for doc_id, meta in self._docs.items():
                keys = set(re.findall(r"(?<!\d)(\d{1,5})(?!\d)", f"{meta.doc_number} {doc_id} {meta.title}"))
                for key in keys:
                    self._by_number.setdefault(key, []).append(doc_id)
            self._generation = generation

    def restore_diacritics(self, question: str) -> str:
        """A question typed without diacritics, with them put back from the indexed words (unchanged
        when typed with them, or in English)."""
        return self._restored(analyse(question), self.kb.lexical())

    def _restored(self, query: QueryAnalysis, lexical: LexicalIndex) -> str:
        """`restore_diacritics` of an analysed question, with the index the search reads."""
        if query.kind != "vi_plain":
            return query.text
        cached = self._restorer  # read once: another thread may replace it for a newer generation
        if cached is None or cached[0] != lexical.generation:
            cached = (lexical.generation, DiacriticRestorer(lexical.word_frequencies()))
            self._restorer = cached
        return cached[1].restore(query.text)

    def search(self, question: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        """The best chunks for a question, best first, at most one hit per chunk. A question typed
        without diacritics is searched as restored (its folded syllables are matched as typed, too), and
        a Vietnamese question's abbreviations are searched spelled out too."""
        self._refresh()
        filters = filters or Filters()
        query = analyse(question)
        lexical = self.kb.lexical()
        restored = spell_out(self._restored(query, lexical)) if query.kind != "en" else question
        signals_query = analyse(restored) if restored != question else query
        vietnamese = self.glossary.vietnamese_terms(question) if query.kind == "en" else []
        scores: dict[str, dict[str, float]] = {}

        def add(signal: str, vector_ids: list[str], values: np.ndarray | list[float]) -> None:
            for vid, value in zip(vector_ids, values):
                scores.setdefault(vid, {})[signal] = float(value)

        named = self._named_documents(query, vietnamese)
        admitted = self._admitted(filters, named)
        if admitted is not None and not admitted:
            return []
        mask = lexical_mask(lexical, admitted) if admitted is not None else None
        for signal, raw in self._lexical_signals(signals_query, lexical, vietnamese).items():
            if mask is not None:  # filters apply before the candidates are cut, so k admitted hits come back
                raw = np.where(mask, raw, 0.0)
            top = np.argsort(-raw)[:CANDIDATES]
            top = top[raw[top] > 0]
            if len(top):
                add(signal, [lexical.vector_ids[i] for i in top], raw[top])
        dense_queries = {"dense": signals_query.text}
        if vietnamese:
            dense_queries["dense_vi"] = " ".join(vietnamese)
        vectors = embed_queries(self.kb.embeddings, list(dense_queries.values()))
        where = chroma_where(admitted, set(self._docs))
        for signal, dense_hits in zip(dense_queries, self.kb.dense_search_many(vectors, k=CANDIDATES, where=where)):
            if dense_hits:
                add(signal, [h["vector_id"] for h, _ in dense_hits], [s for _, s in dense_hits])

        weights = self._weights(signals_query, scores)
        fused: list[tuple[float, str]] = []
        for vid in scores:
            doc_id = vid.split("#", 1)[0]
            meta = self._docs.get(doc_id)
            if meta is None or not filters.admits(meta):
                continue
            if not meta.in_force and not filters.include_inactive and doc_id not in named:
                continue
            fused.append((self._score_of(vid, scores, weights), vid))
        for doc_id, strength in named.items():  # named documents come first, the named article first of all
            meta = self._docs.get(doc_id)
            if meta is None or not filters.admits(meta):
                continue
            for chunk in self.kb.registry.chunks_of(doc_id):
                bonus = 1.0 * strength + (0.5 if _article_matches(chunk["section"], query.references) else 0.0)
                vid = chunk["vector_id"]
                fused.append((bonus + self._score_of(vid, scores, weights), vid))
        best: dict[str, float] = {}
        for score, vid in fused:
            best[vid] = max(best.get(vid, -math.inf), score)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])[: max(k, 20 if self.reranker else k)]
        live = self.kb.registry.chunks_by_vector_ids([vid for vid, _ in ranked])
        hits = []
        for vid, score in ranked:
            found = live.get(vid)
            if found is None:
                continue
            chunk = found
            meta = self._docs[chunk["doc_id"]]
            hits.append(
                Hit(
                    meta=meta,
                    chunk_id=chunk["chunk_id"],
                    vector_id=vid,
                    section=chunk["section"],
                    page=chunk["page"],
                    score=score,
                    text=chunk["text"],
                    heading=chunk["heading"],
                    section_map=chunk["section_map"],
                    scanned=(chunk["page"] or 1) in meta.ocr_pages,
                    signals=scores.get(vid, {}),
                )
            )
        if self.reranker:
            hits = self.reranker.rerank(question, hits)
        return hits[:k]

    def _admitted(self, filters: Filters, named: dict[str, float]) -> set[str] | None:
        """The documents a search may return under `filters` (type, language, dates, and status: inactive
        documents only when asked for or named by the question); None when that is all of them."""
        key = (self._generation, tuple(filters.doc_types), filters.lang, filters.date_from, filters.date_to,
               filters.include_inactive, frozenset(named))
        if key not in self._admitted_cache:
            admitted = {
                doc_id
                for doc_id, meta in self._docs.items()
                if filters.admits(meta)
                and (meta.in_force or filters.include_inactive or doc_id in named)
            }
            if len(self._admitted_cache) >= 64:
                self._admitted_cache.clear()
            self._admitted_cache[key] = None if len(admitted) == len(self._docs) else admitted
        return self._admitted_cache[key]

    # ---------------------------------------------------------------- signals

    def _lexical_signals(self, query: QueryAnalysis, lexical, vietnamese: list[str]) -> dict[str, np.ndarray]:
        text = query.text
        if query.kind == "vi":
            return {"words": lexical.scores(segment_words(text)), "folded": lexical.scores(folded_terms(text), folded=True)}
        if query.kind == "vi_plain":
            return {"folded": lexical.scores(folded_terms(text), folded=True)}
        english = [w for w in re.findall(r"[a-z0-9]+(?:[-/][a-z0-9]+)*", text.lower()) if w not in EN_STOPWORDS]
        signals = {"words": lexical.scores(english)}
        if vietnamese:
            signals["gloss"] = lexical.scores(folded_terms(" . ".join(vietnamese)), folded=True)
        return signals

    def _weights(self, query: QueryAnalysis, scores: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        """Each signal's weight: its base weight for this kind of question, scaled by how clearly its
        best candidate stands out from the rest (a flat signal knows little)."""
        base = WEIGHTS[query.kind]
        out: dict[str, dict[str, float]] = {}
        for signal in {s for v in scores.values() for s in v}:
            values = sorted((v[signal] for v in scores.values() if signal in v), reverse=True)
            top, floor = values[0], values[min(len(values) - 1, CANDIDATES - 1)]
            spread = top - floor
            rest = values[1:6] or [floor]
            margin = (top - sum(rest) / len(rest)) / spread if spread > 0 else 0.0
            out[signal] = {"w": base.get(signal, 0.0) * (0.6 + margin), "top": top, "floor": floor}
        return out

    def _score_of(self, vid: str, scores: dict[str, dict[str, float]], weights: dict[str, dict[str, float]]) -> float:
        return sum(weights[s]["w"] * _normalise(v, weights[s]) for s, v in scores.get(vid, {}).items())

    def _named_documents(self, query: QueryAnalysis, vietnamese: list[str]) -> dict[str, float]:
        """Documents the question names: by number (strongly) or by a title it repeats (an English
        question through its glossary renderings `vietnamese`)."""
        named: dict[str, float] = {}
        for reference in query.references.documents:
            for doc_id in self._by_number.get(reference.number, []):
                meta = self._docs[doc_id]
                strength = matches_document(reference, meta.doc_number, doc_id, meta.title)
                if strength:
                    named[doc_id] = max(named.get(doc_id, 0.0), strength)
        text = " ".join([query.text, *vietnamese])
        question_pairs, question_syllables = _pairs(text), set(re.findall(r"\w+", fold(text)))
        for doc_id, meta in self._docs.items():
            if meta.in_force or doc_id in named:
                continue
            title = meta.title
            title_pairs, title_syllables = _pairs(title), set(re.findall(r"\w+", fold(title)))
            numbers = {s for s in title_syllables if s.isdigit()}
            by_pairs = bool(title_pairs) and len(title_pairs & question_pairs) / len(title_pairs) >= 0.6
            by_words = bool(numbers) and numbers <= question_syllables and len(title_syllables & question_syllables) / len(title_syllables) >= 0.6
            if by_pairs or by_words:
                named[doc_id] = 0.6
        return named


def _pairs(text: str) -> set[str]:
    syllables = re.findall(r"\w+", fold(text))
    return {f"{a} {b}" for a, b in zip(syllables, syllables[1:])}


def _normalise(value: float, stats: dict[str, float]) -> float:
    spread = stats["top"] - stats["floor"]
    return (value - stats["floor"]) / spread if spread > 0 else 1.0


def _article_matches(section: str, references: References) -> bool:
    if not references.article:
        return False
    head = fold(section.split(" › ")[0]) if section else ""
    return head in (f"dieu {references.article}", f"article {references.article}")


class CnhtRetriever(BaseRetriever):
    """LangChain retriever over the hybrid searcher: Documents whose metadata carries the citation."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    searcher: Any
    k: int = 5
    filters: Any = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(page_content=h.text, metadata={k: v for k, v in h.public().items() if k != "text"} | {"status": h.status})
            for h in self.searcher.search(query, k=self.k, filters=self.filters)
        ]


def build_searcher(settings, kb: KnowledgeBase) -> HybridSearcher:
    """The searcher for a knowledge base, with the glossary and the configured reranker (if any)."""

    reranker = Reranker(settings.reranker) if settings.reranker else None
    return HybridSearcher(kb, load_glossary(settings.glossary_path()), reranker)
