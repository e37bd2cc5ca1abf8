"""Structure-aware chunks: one article per chunk when it fits, else split at clause and point boundaries
with the article heading carried along; never mid-sentence."""
from __future__ import annotations

import re
from itertools import groupby

from ingest.legal import StructuredBlock
from ingest.models import SECTION_SEPARATOR, Chunk

_TOKEN_RE = re.compile(r"\w+|[^\w\s]")
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?;…])\s+(?=[\"“(\[]?[A-ZĐÀ-Ỹ0-9])")


def estimate_tokens(text: str, lang: str = "vi") -> int:
    """Approximate embedder tokens: one per Vietnamese syllable or punctuation mark, a bit more for English."""
    count = len(_TOKEN_RE.findall(text))
    return int(count * 1.25) if lang == "en" else count


def split_sentences(text: str, budget: int, lang: str) -> list[str]:
    """Pieces of a long paragraph under the budget, cut only between sentences and joined with a space
    (a sentence longer than the budget stays whole)."""
    sentences = [s for s in _SENTENCE_SPLIT_RE.split(text.strip()) if s.strip()]
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    for sentence in sentences:
        size = estimate_tokens(sentence, lang)
        if current and used + size > budget:
            pieces.append(" ".join(current))
            current, used = [], 0
        current.append(sentence.strip())
        used += size
    if current:
        pieces.append(" ".join(current))
    return pieces or [text]


class _Builder:
    """Accumulates blocks into chunks, tracking section offsets and pages."""

    def __init__(self, doc_id: str, lang: str, budget: int):
        self.doc_id = doc_id
        self.lang = lang
        self.budget = budget
        self.chunks: list[Chunk] = []

    def emit(self, pieces: list[tuple[str, str, int | None]], heading: str = "") -> None:
        """One chunk from (text, section, page) pieces, prefixed by a carried heading."""
        pieces = [p for p in pieces if p[0].strip()]
        if not pieces:
            return
        parts: list[str] = []
        section_map: list[tuple[int, str]] = []
        offset = 0
        if heading:
            parts.append(heading)
            offset = len(heading) + 1
        for text, section, _page in pieces:
            if not section_map or section_map[-1][1] != section:
                section_map.append((offset, section))
            parts.append(text)
            offset += len(text) + 1
        sections = [s for _, s in section_map]
        pages = [p for _, _, p in pieces if p is not None]
        self.chunks.append(
            Chunk(
                doc_id=self.doc_id,
                ordinal=len(self.chunks),
                text="\n".join(parts),
                section=_common_section(sections),
                page=min(pages) if pages else None,
                page_end=max(pages) if pages else None,
                heading=heading,
                section_map=section_map if len(set(sections)) > 1 else [],
            )
        )

    def pack(self, pieces: list[tuple[str, str, int | None]], heading: str = "") -> None:
        """Greedy packing of pieces into chunks under the budget; an oversize piece is split by sentences."""
        reserve = estimate_tokens(heading, self.lang) if heading else 0
        room = max(self.budget - reserve, self.budget // 3)
        current: list[tuple[str, str, int | None]] = []
        used = 0
        for text, section, page in pieces:
            size = estimate_tokens(text, self.lang)
            if size > room:
                if current:
                    self.emit(current, heading)
                    current, used = [], 0
                for sentence_group in split_sentences(text, room, self.lang):
                    self.emit([(sentence_group, section, page)], heading)
                continue
            if used + size > room and current:
                self.emit(current, heading)
                current, used = [], 0
            current.append((text, section, page))
            used += size
        if current:
            self.emit(current, heading)


def _common_section(sections: list[str]) -> str:
    split = [s.split(SECTION_SEPARATOR) if s else [] for s in sections]
    common: list[str] = []
    for level in zip(*split):
        if all(x == level[0] for x in level):
            common.append(level[0])
        else:
            break
    return SECTION_SEPARATOR.join(common)


def chunk_document(doc_id: str, blocks: list[StructuredBlock], lang: str, budget: int = 350) -> list[Chunk]:
    """Chunks of a structured document. Articles stay whole when they fit the budget."""
    builder = _Builder(doc_id, lang, budget)
    for article, group in groupby(blocks, key=lambda b: (b.article, b.path[:1] if not b.article else ())):
        members = list(group)
        pieces = [(b.block.text, b.section, b.block.page) for b in members]
        total = sum(estimate_tokens(t, lang) for t, _, _ in pieces)
        if total <= budget or not article[0]:
            if total <= budget:
                builder.emit(pieces)
            else:
                builder.pack(pieces)
            continue
        heading_block = members[0] if members[0].is_heading else None
        heading = heading_block.block.text if heading_block else members[0].article_heading
        body = members[1:] if heading_block else members
        _pack_article(builder, body, heading, lang, budget)
    return builder.chunks


def _pack_article(builder: _Builder, body: list[StructuredBlock], heading: str, lang: str, budget: int) -> None:
    """Split an article too long for one chunk at clause boundaries, and an oversize clause at its points."""
    clauses = [list(g) for _, g in groupby(body, key=lambda b: b.clause)]
    pending: list[tuple[str, str, int | None]] = []
    pending_size = 0
    room = budget - estimate_tokens(heading, lang)
    for clause in clauses:
        pieces = [(b.block.text, b.section, b.block.page) for b in clause]
        size = sum(estimate_tokens(t, lang) for t, _, _ in pieces)
        if size > room:
            if pending:
                builder.emit(pending, heading)
                pending, pending_size = [], 0
            lead = clause[0].block.text if clause[0].clause and len(clause) > 1 else ""
            clause_heading = heading + ("\n" + lead if lead and estimate_tokens(lead, lang) < room // 2 else "")
            rest = pieces[1:] if clause_heading != heading else pieces
            builder.pack(rest, clause_heading)
            continue
        if pending_size + size > room and pending:
            builder.emit(pending, heading)
            pending, pending_size = [], 0
        pending.extend(pieces)
        pending_size += size
    if pending:
        builder.emit(pending, heading)
