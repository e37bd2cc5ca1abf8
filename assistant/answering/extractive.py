"""The default answerer, fully offline: it picks the clauses and sentences that answer the question from
the best chunks and quotes them, each with a numbered citation."""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answering.models import Answer, Citation
from assistant.answering.texts import document_label, scanned_note, section_label, text
from assistant.glossary import Glossary
from assistant.retrieval import Hit, QueryAnalysis
from ingest.language import EN_STOPWORDS
from ingest.models import section_at
from ingest.vietnamese import fold

# Function syllables that say nothing about a question's topic (as typed without diacritics).
_VI_STOP = set(
    "la gi cua va cac nhung co khong duoc cho voi trong nao bao nhieu the nhu ve o dau tai theo mot nay do thi hay "
    "hoac khi nao sao vi neu can phai da se dang con toi chung ban minh duoc ai moi ra vao len xuong rang tu den "
    "nhung ma ca vay a nhi".split()
)
_EN_QUESTION_WORDS = {"how many", "how much", "what", "which", "when", "where", "why", "who", "number", "total"}
_QUANTITY_RE = re.compile(r"\b(bao nhieu|may|how many|how much|what is the (?:total|maximum|minimum)|muc|ty le|dien tich)\b")
_HEADING_LINE_RE = re.compile(r"^(?:Điều|Article|Chương|Chapter|Mục|Section|Phần|Part|PHẦN|CHƯƠNG|MỤC)\s+[\dIVXLC]+[a-zđ]?\.?\s*\S{0,80}$")
_SENTENCE_RE = re.compile(r"(?<=[.!?;])\s+(?=[A-ZĐÀ-Ỹ0-9“\"(])")
_ENUMERATOR_RE = re.compile(r"(?:\d{1,3}|[a-zđ]|[IVXLC]{1,6})[.)]")
_IN_FORCE_RE = re.compile(
    r"(?:co )?hieu luc|hieu luc thi hanh|take[s]? effect|come[s]? into force|enter[s]? into force|in force from|effective"
)
_IN_FORCE_CLAUSE_RE = re.compile(r"hieu luc[^.;]*?tu ngay|takes? effect|into force|effective (?:from|on|as of)")
_WHEN_RE = re.compile(r"khi nao|ngay nao|bao gio|luc nao|thoi diem nao|tu ngay|when|what date|from which date|since when")
_ISSUE_DATE_RE = re.compile(r"ban hanh ngay|ngay ban hanh|ngay nao|ky ngay|when was|issued on|date of issue|issue date|dated")
MAX_UNITS = 3
MAX_WORDS = 110


@dataclass
class Unit:
    """A clause, point or sentence that can be quoted."""

    text: str
    hit: Hit
    rank: int
    section: str
    score: float = 0.0
    coverage: float = 0.0


def question_terms(question: str) -> dict[str, float]:
    """Weighted topic terms of a Vietnamese question: folded syllables, numbers (double weight) and the
    syllable pairs that touch a content syllable."""
    words = re.findall(r"\w+(?:[/,.-]\w+)*", fold(question))
    content = {w for w in words if w not in _VI_STOP and w not in EN_STOPWORDS}
    terms: dict[str, float] = {}
    for word in words:
        if word in content:
            terms[word] = 2.0 if any(c.isdigit() for c in word) else 1.0
    for a, b in zip(words, words[1:]):
        if a in content or b in content:
            terms[f"{a} {b}"] = 1.5
    return terms


def unit_terms(value: str, lang: str = "vi") -> set[str]:
    """Folded syllables and syllable pairs of a passage (English words cut to a crude stem)."""
    words = _stems(re.findall(r"\w+(?:[/,.-]\w+)*", fold(value)), lang)
    return set(words) | {f"{a} {b}" for a, b in zip(words, words[1:])}


def _stems(words: list[str], lang: str) -> list[str]:
    """English words cut to six letters, so `implementing` meets `implementation`; Vietnamese left whole."""
    return [w[:6] if lang == "en" and w.isalpha() else w for w in words]


def _phrase_in(phrase: str, found: set[str]) -> bool:
    """A folded phrase is in a passage when all its adjacent syllable pairs are (a single word: itself)."""
    words = phrase.split()
    if len(words) == 1:
        return phrase in found
    return all(f"{a} {b}" in found for a, b in zip(words, words[1:]))


def _is_caps_heading(line: str) -> bool:
    """An upper-case line (a document type or a section title), not a row of figures."""
    return len(line) <= 160 and line == line.upper() and sum(c.isalpha() for c in line) >= 3


def split_units(hit: Hit, rank: int) -> list[Unit]:
    """The quotable pieces of a chunk: its lines, and the sentences of long lines; bare headings left out."""
    units: list[Unit] = []
    offset = 0
    lines = hit.text.split("\n")
    for index, line in enumerate(lines):
        start = offset
        offset += len(line) + 1
        stripped = line.strip()
        if not stripped or (index == 0 and hit.heading and stripped == hit.heading.split("\n")[0].strip()):
            continue
        if _HEADING_LINE_RE.match(stripped) and len(stripped.split()) <= 12 and len(lines) > 1:
            continue
        if _is_caps_heading(stripped):
            continue  # "KẾ HOẠCH", "QUYẾT ĐỊNH:", "V. THỜI HẠN VÀ NƠI NỘP HỒ SƠ"
        if stripped.endswith("?"):
            continue  # a question (the "Hỏi:" of a Q&A record) answers nothing
        if len(lines) > 1 and len(stripped.split()) <= 8 and not stripped.endswith((".", ";", ":", "!", "?", "”")):
            continue  # a heading such as "2. Doanh nghiệp đang hoạt động"
        pieces = _SENTENCE_RE.split(stripped) if len(stripped.split()) > 60 else [stripped]
        merged: list[str] = []
        for piece in pieces:
            if merged and _ENUMERATOR_RE.fullmatch(merged[-1]):
                merged[-1] += " " + piece  # "1." belongs to the sentence it numbers
            else:
                merged.append(piece)
        for piece in merged:
            units.append(Unit(piece.strip(), hit, rank, section_at(hit.section, hit.section_map, start)))
    return units


class ExtractiveAnswerer:
    """Composes an answer from quoted clauses; refuses below the calibrated confidence."""

    def __init__(self, glossary: Glossary, agency_vi: str, agency_en: str, threshold: float, lexical=None):
        self.glossary = glossary
        self.lexical = lexical  # () -> the current BM25 index, whose IDF weighs terms: missing a rare one says more
        self.agency = {"vi": agency_vi, "en": agency_en}
        self.threshold = threshold

    def _needle(self, query: QueryAnalysis, passage_lang: str) -> list[tuple[float, list[str]]]:
        """The question as (weight, alternatives) pairs to look for in a passage of `passage_lang`."""
        index = self.lexical() if self.lexical else None
        weights: dict[str, float] = {}

        def weight(term: str) -> float:
            if term not in weights:
                words = term.split()
                pairs = [f"{a}_{b}" for a, b in zip(words, words[1:])] or words
                weights[term] = max(index.idf(p) for p in pairs) if index else 1.0
            return weights[term]

        if query.kind == "en":
            # the same weights whatever the passage's language, so an English version competes fairly;
            # a glossary term weighs as its Vietnamese rendering, an untranslated word (a name, a number,
            # a word the glossary lacks) a little
            english = passage_lang == "en"
            needle = []
            for phrase, renderings in self.glossary.segments(query.text):
                if phrase in EN_STOPWORDS or phrase in _EN_QUESTION_WORDS:
                    continue
                renderings = [" ".join(re.findall(r"\w+(?:[/,.-]\w+)*", fold(r))) for r in renderings]
                value = max(weight(r) for r in renderings) if renderings else 1.0
                value *= 2.0 if any(ch.isdigit() for ch in phrase) else 1.0
                literal = " ".join(_stems(fold(phrase).split(), "en" if english else "vi"))
                needle.append((value, [literal] if english else renderings + [literal]))
            return needle
        return [(w * weight(t), [t]) for t, w in question_terms(query.text).items()]

    def coverage(self, query: QueryAnalysis, passage: str, passage_lang: str = "vi", needle=None) -> float:
        """Share of the question's (IDF-weighted) topic terms a passage contains. An English question read
        against a Vietnamese passage counts each content word found when one of its glossary renderings (or
        the word itself, a name or a number) is in the passage."""
        needle = needle if needle is not None else self._needle(query, passage_lang)
        found = unit_terms(passage, "en" if query.kind == "en" and passage_lang == "en" else "vi")
        total = sum(w for w, _ in needle)
        matched = sum(w for w, alternatives in needle if any(c and _phrase_in(c, found) for c in alternatives))
        return matched / total if total else 0.0

    def confidence(self, query: QueryAnalysis, hits: list[Hit], frame: str = "") -> tuple[float, list[Unit]]:
        """How well the best passages cover the question's topic terms (0–1), and the ranked units.
        `frame` is the question a follow-up continues (it decides whether numbers are wanted)."""
        needles = {lang: self._needle(query, lang) for lang in {h.lang for h in hits[:5]}}
        wants_numbers = bool(_QUANTITY_RE.search(fold(query.text + " " + frame)))
        units: list[Unit] = []
        for rank, hit in enumerate(hits[:5]):
            for unit in split_units(hit, rank):
                unit.coverage = self.coverage(query, unit.text + " " + hit.title, hit.lang, needles[hit.lang])
                unit.score = unit.coverage / (1 + len(unit.text.split()) / 200) + 0.12 / (1 + rank)
                if hit.lang == query.lang:
                    unit.score += 0.08  # an English version of a document is preferred for an English question
                if wants_numbers and re.search(r"\d", unit.text):
                    unit.score += 0.1
                units.append(unit)
        units.sort(key=lambda u: -u.score)
        if not units:
            return 0.0, []
        chunk_cover = max(self.coverage(query, h.text + " " + h.title, h.lang, needles[h.lang]) for h in hits[:3])
        confidence = 0.5 * units[0].coverage + 0.5 * chunk_cover
        return round(confidence, 4), units

    def answer(self, query: QueryAnalysis, hits: list[Hit], frame: str = "") -> Answer:
        """A grounded answer with citations, or a refusal that names the nearest documents."""
        lang = query.lang
        dated = self._effective_date_answer(query, hits) or self._issue_date_answer(query, hits)
        if dated is not None:
            return dated
        confidence, units = self.confidence(query, hits, frame)
        if not hits or confidence < self.threshold:
            return self.refuse(lang, hits, confidence)
        chosen = self._choose(units)
        citations: list[Citation] = []
        lines: list[str] = []
        for unit in chosen:
            key = (unit.hit.doc_id, unit.section)
            citation = next((c for c in citations if (c.doc_id, c.section) == key), None)
            if citation is None:
                citation = Citation(
                    n=len(citations) + 1,
                    doc_id=unit.hit.doc_id,
                    title=unit.hit.title,
                    doc_number=unit.hit.doc_number,
                    section=unit.section,
                    page=unit.hit.page,
                    quote=unit.text,
                    status=unit.hit.status,
                    chunk_id=unit.hit.chunk_id,
                )
                citations.append(citation)
                label = document_label(lang, unit.hit.doc_type, unit.hit.doc_number, unit.hit.title)
                lines.append(text(lang, "according_to", label=label, where=section_label(lang, unit.section, unit.hit.page)))
            else:
                citation.quote += " … " + unit.text
            quote = f"“{unit.text}”" if lang == "en" and unit.hit.lang != "en" else unit.text
            lines.append(f"- {quote} [{citation.n}]")
        if lang == "en" and any(u.hit.lang != "en" for u in chosen):
            lines.insert(0, text(lang, "vi_source"))
        lines.extend(self._status_notes(lang, chosen))
        lines.extend(scanned_note(lang, [c.n for c in citations if any(u.hit.scanned and u.hit.chunk_id == c.chunk_id for u in chosen)]))
        return Answer("\n".join(lines), lang, True, "documents", citations, confidence=confidence)

    def _effective_date_answer(self, query: QueryAnalysis, hits: list[Hit]) -> Answer | None:
        """"When does Decision 3164 take effect?": the date in force read from the document (the one the
        question names, else the best hit's), quoting the clause that says so when it was retrieved."""
        folded = fold(query.text)
        if not hits or not _IN_FORCE_RE.search(folded) or not _WHEN_RE.search(folded):
            return None
        if query.references.documents:
            number = query.references.documents[0].number
            hit = next((h for h in hits if h.doc_number.split("/")[0] == number and h.effective_date), None)
        else:
            hit = hits[0] if hits[0].effective_date else None
        if hit is None:
            return None
        lang = query.lang
        clause = next((h for h in hits if h.doc_id == hit.doc_id and _IN_FORCE_CLAUSE_RE.search(fold(h.text))), hit)
        sentences = [s for line in clause.text.split("\n") for s in _SENTENCE_RE.split(line.strip())]
        quote = next((s for s in sentences if _IN_FORCE_CLAUSE_RE.search(fold(s))), "")
        year, month, day = hit.effective_date.split("-")
        date = f"{int(day):02d}/{int(month):02d}/{year}"
        label = document_label(lang, hit.doc_type, hit.doc_number, hit.title)
        body = f"{label} takes effect on {date}." if lang == "en" else f"{label} có hiệu lực từ ngày {date}."
        section = section_at(clause.section, clause.section_map, clause.text.find(quote)) if quote else clause.section
        citation = Citation(1, hit.doc_id, hit.title, hit.doc_number, section, clause.page, quote or date, hit.status, clause.chunk_id)
        lines = [f"{body} [1]"]
        if quote:
            lines.append(f"- {quote} [1]" if lang != "en" or clause.lang == "en" else f"- “{quote}” [1]")
        lines.extend(self._status_notes(lang, [Unit(quote, hit, 0, section)]))
        lines.extend(scanned_note(lang, [1] if clause.scanned else []))
        return Answer("\n".join(lines), lang, True, "documents", [citation], confidence=1.0)

    def _issue_date_answer(self, query: QueryAnalysis, hits: list[Hit]) -> Answer | None:
        """"When was Decision 3164 issued?": answered from the header of the document the question names."""
        if not query.references.documents or not _ISSUE_DATE_RE.search(fold(query.text)):
            return None
        number = query.references.documents[0].number
        hit = next((h for h in hits if h.doc_number.split("/")[0] == number and h.issued_date), None)
        if hit is None:
            return None
        lang = query.lang
        year, month, day = hit.issued_date.split("-")
        label = document_label(lang, hit.doc_type, hit.doc_number, hit.title)
        place = f" {'in' if lang == 'en' else 'tại'} {hit.place}" if hit.place else ""
        date = f"{int(day)}/{int(month)}/{year}"
        body = f"{label} was issued on {date}{place}." if lang == "en" else f"{label} được ban hành ngày {date}{place}."
        citation = Citation(1, hit.doc_id, hit.title, hit.doc_number, "", hit.page, f"{hit.place}, {date}".strip(", "), hit.status, hit.chunk_id)
        return Answer(f"{body} [1]", lang, True, "documents", [citation], confidence=1.0)

    def _choose(self, units: list[Unit]) -> list[Unit]:
        best = units[0]
        chosen = [best]
        words = len(best.text.split())
        for unit in units[1:]:
            if len(chosen) >= MAX_UNITS or unit.score < 0.75 * best.score:
                break
            if unit.text in (c.text for c in chosen) or words + len(unit.text.split()) > MAX_WORDS:
                continue
            chosen.append(unit)
            words += len(unit.text.split())
        order = {id(u): (u.rank, u.hit.text.find(u.text)) for u in chosen}
        return sorted(chosen, key=lambda u: order[id(u)]) if len({u.hit.doc_id for u in chosen}) == 1 else chosen

    def _status_notes(self, lang: str, chosen: list[Unit]) -> list[str]:
        notes = []
        for hit in {u.hit.doc_id: u.hit for u in chosen}.values():
            if hit.status != "in_force":
                label = document_label(lang, hit.doc_type, hit.doc_number, hit.title)
                by = text(lang, "superseded_by", target=hit.superseded_by) if hit.superseded_by else ""
                notes.append(text(lang, "inactive", label=label, by=by))
        return notes

    def refuse(self, lang: str, hits: list[Hit], confidence: float = 0.0) -> Answer:
        """Say plainly that the documents do not cover it, and name the nearest documents."""
        suggestions: list[dict[str, str]] = []
        for hit in hits:
            if hit.doc_id not in (s["doc_id"] for s in suggestions):
                suggestions.append({"doc_id": hit.doc_id, "title": hit.title, "doc_number": hit.doc_number})
            if len(suggestions) == 3:
                break
        lines = [text(lang, "refusal")]
        if suggestions:
            lines.append(text(lang, "nearest"))
            lines.extend(f"- {document_label(lang, '', s['doc_number'], s['title'])}" for s in suggestions)
        lines.append(text(lang, "contact", agency=self.agency["en" if lang == "en" else "vi"]))
        return Answer("\n".join(lines), lang, False, "none", [], suggestions, confidence)
