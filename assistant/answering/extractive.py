"""The default answerer, fully offline: it picks the clauses and sentences that answer the question from
the best chunks and quotes them, each with a numbered citation."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from assistant.answering.candidates import Candidate, is_enactment, split_candidates, strip_enumerator, title_candidate
from assistant.answering.composition import LIST_ITEMS
from assistant.answering.composition import first_line as compose_first_line
from assistant.answering.english import (
    EnglishRenderer,
    Rendering,
    ascii_word,
    english_date,
    english_label,
    english_section,
    typed_values,
)
from assistant.answering.models import Answer, Citation
from assistant.answering.names import facility_names, facility_names_in, lowercase_place_names, mentions, question_names
from assistant.answering.parts import combine_parts
from assistant.answering.question import (
    EQUIVALENT_PHRASES,
    MEASURE_UNITS,
    QUALIFIER_WORDS,
    Intent,
    analyse_intent,
    asking_positions,
    asks_signer,
    question_parts,
    states_superlative,
)
from assistant.answering.scoring import (
    VALUE_TYPES,
    features,
    head_named,
    head_of,
    linear,
    load_weights,
    probability,
    qualifier_overlap,
)
from assistant.answering.signers import find_signed, header_label, signer_answer
from assistant.answering.texts import document_label, scanned_note, section_label, text
from assistant.answering.tiers import fits, stated_quantities
from assistant.retrieval.glossary import Glossary
from assistant.retrieval.references import find_references, matches_document, numbers_document
from assistant.retrieval.search import Hit, QueryAnalysis, analyse
from ingest.models import section_at
from ingest.vietnamese import EN_STOPWORDS, PEOPLE_COUNTED, VI_STOPWORDS, content_words, fold, folded_terms, question_words

_EN_QUESTION_WORDS = {"how many", "how much", "what", "which", "when", "where", "why", "who", "number", "total",
                      # modals and prepositions the question's wording needs and a Vietnamese clause never echoes
                      "must", "may", "shall", "under", "between", "long", "up"}
_HOW_MANY_RE = re.compile(r"\b(?:how many|number of)\s+(\w[\w' -]*)", re.I)
_SENTENCE_RE = re.compile(r"(?<=[.!?;])\s+(?=[A-ZĐÀ-Ỹ0-9“\"(])")
_IN_FORCE_CLAUSE_RE = re.compile(r"hieu luc[^.;]*?tu ngay|takes? effect|into force|effective (?:from|on|as of)")
# "Thông tư này có hiệu lực (thi hành) kể từ ngày …": the document's own in-force sentence (folded)
_OWN_IN_FORCE_RE = re.compile(r"\b(?:nay|this (?:decree|decision|circular|law|agreement))\b[^.;]{0,30}?(?:hieu luc[^.;]*?tu ngay|takes? effect|into force)")
_WRITTEN_DATE_RE = re.compile(r"(?<=từ )ngày\s+(?P<d>\d{1,2})\s*(?:tháng|[/.-])\s*(?P<m>\d{1,2})\s*(?:năm|[/.-])\s*(?P<y>\d{4})")
_FROM_SIGNING_RE = re.compile(r"kể từ ngày ký(?: ban hành)?|from the date of signing")
MAX_UNITS = 3
NAMED_ITEM_COVERAGE = 0.25  # an item's name must cover this share of the question to stand for the list
ITEM_COVERAGE = 0.6  # an item of the best list that covers this share of a non-list question answers it
ITEM_MARGIN = 0.2  # when it covers the question this much better than the list's lead
DESCRIBED_TYPES = frozenset({"definition", "list", "other"})  # types a clause describing what the question names answers
SUBJECT_TITLE_WORDS = 5  # a title this long states what its document governs ("Hóa chất" does not)
# "văn bản này", "this decree", "it": the document itself is asked about (folded)
_BACK_REFERENCE_RE = re.compile(r"\b(?:van ban|quyet dinh|nghi dinh|thong tu|luat|thong bao|ke hoach|cong van|hiep dinh) (?:nay|do|tren)\b"
                                r"|\b(?:this|that) (?:document|decision|decree|circular|law|notice|plan|letter|agreement)\b|\bit\b")
OWN_SUBJECT_CHARS = 25  # "2. Nghị định này có hiệu lực …": the document is the subject when "này" opens the sentence
PROVISION_MARGIN = 0.1  # how much better a provision's in-force sentence must cover the question than the document's own
TYPE_WINDOW = 5  # how far down the ranking a candidate of the asked type is preferred
SECOND_QUOTE_MARGIN = 1.0  # a second quote scores within this (log-odds) of the best
MAX_WORDS = 110
# the kinds of fact a later part of a question may be answered with, from the first part's documents,
# whatever the confidence (see _answer_parts)
DATE_TYPES = frozenset({"date", "date_in_force", "date_issued", "date_expiry", "deadline"})
# words that only say how a part of a question asks ("bao lâu", "how long does it take"), folded
PART_ASKING_WORDS = frozenset("bao nhieu lau nao gi may dau ai khi sao how long much many take takes".split())
# a count of people under any of their names ("03 học viên", "không quá 10 người"), folded
_PEOPLE_COUNT_RE = re.compile(rf"\d+(?:[.,]\d+)*\s+(?:\w+\s+)?(?:{'|'.join(sorted(PEOPLE_COUNTED))})\b")
ENGLISH_VERSION_MARGIN = 1.0  # an English passage within this (log-odds) of the best answers an English question
READABLE_SHARE = 0.8  # a rendered line that left out more of its sentence's words reads as a word list
READABLE_WORDS = 30  # and so does a longer one (the renderer keeps the Vietnamese word order)
LEGIBLE_SHARE = 0.6  # below this share a rendered line says too little to be shown at all
ENGLISH_COVERAGE_SLACK = 0.2  # and covers the question nearly as well: the topic decides, the language breaks ties
ENGLISH_VALUE_SLACK = 0.1  # a clause whose head an English question names states the value asked when this close


def question_terms(question: str, region: str = "") -> dict[str, float]:
    """Weighted topic terms of a Vietnamese question: folded syllables, numbers (double weight) and the
    syllable pairs that touch a content syllable; the words saying how it asks ("được định nghĩa như thế
    nào") left out, and the deployment's own `region` ("ở Hải Dương": where every local document is, though
    few name it), and a phrase with an equivalent (see EQUIVALENT_PHRASES) kept whole instead of its
    syllables."""
    words = question_words(question)
    content = set(content_words(question))
    asking = asking_positions(words) | _phrase_positions(words, question_words(region))
    whole = {i + k for i, pair in enumerate(zip(words, words[1:])) if " ".join(pair) in EQUIVALENT_PHRASES for k in (0, 1)}
    terms: dict[str, float] = {}
    for i, word in enumerate(words):
        if word in content and i not in asking and i not in whole:
            terms[word] = 2.0 if any(c.isdigit() for c in word) else 1.0
    for i, (a, b) in enumerate(zip(words, words[1:])):
        if f"{a} {b}" in EQUIVALENT_PHRASES:
            terms[f"{a} {b}"] = 3.0
        elif (a in content or b in content) and not {i, i + 1} & (asking | whole):
            terms[f"{a} {b}"] = 1.5
    return terms


_NEGATED_FUNCTION_WORDS = frozenset({"duoc", "phai", "co", "dang"})  # "không được", "không phải", "không có" deny, folded
# words "không" begins that deny nothing ("không gian", "không khí", "không quân", "không người lái") or that
# bound a value ("không quá", "không dưới", "không vượt"); "hàng không" (aviation) before it, folded
_NOT_DENIALS = frozenset({"gian", "khi", "quan", "nguoi", "qua", "duoi", "vuot", "it", "thoi"})


def negated_phrases(question: str) -> list[str]:
    """The folded phrases a Vietnamese question negates ("không điều chỉnh" → "khong dieu"): "không" and the
    word after it; not the "có … không?" of a yes/no question, which negates nothing, nor the words that
    only begin with "không" ("không gian", "hàng không")."""
    words = question_words(question)
    return [f"khong {after}" for before, word, after in zip(["", *words], words, words[1:])
            if word == "khong" and before != "hang" and after not in _NOT_DENIALS
            and (after not in VI_STOPWORDS or after in _NEGATED_FUNCTION_WORDS)]


def _denies(candidate: Candidate, phrases: list[str]) -> bool:
    """Whether a candidate (with its points' lead) states one of the negated phrases."""
    found = unit_terms(f"{candidate.lead} {candidate.text}", candidate.hit.lang)
    return any(_phrase_in(phrase, found) for phrase in phrases)


def _phrase_positions(words: list[str], phrase: list[str]) -> set[int]:
    """The positions of every occurrence of a phrase (folded words) in a question's folded words."""
    if not phrase:
        return set()
    return {start + k for start in range(len(words) - len(phrase) + 1) if words[start:start + len(phrase)] == phrase
            for k in range(len(phrase))}


def unit_terms(value: str, lang: str = "vi") -> set[str]:
    """Folded syllables and syllable pairs of a passage (English words cut to a crude stem)."""
    words = _stems(question_words(value), lang)
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


def _capitalised(question: str) -> set[str]:
    """The words of an English question written with a capital other than its first (names: "Bao Dap",
    "Japanese", "ISO"), lower-cased."""
    words = re.findall(r"[\w'-]+", question)
    return {w.lower() for w in words[1:] if w[:1].isupper()}


def _readable(rendering: Rendering) -> bool:
    """Whether a rendered line reads as a statement rather than a list of words in Vietnamese order: it
    renders most of its sentence (see READABLE_SHARE) and is short (READABLE_WORDS)."""
    return rendering.rendered_share >= READABLE_SHARE and len(rendering.line.split()) <= READABLE_WORDS


_SECTION_HEAD_RE = re.compile(r"^(?:Điều|Mục|Phần|Chương|Khoản)\s+[\dIVXLC]+\w*[.:]?\s*", re.I)
_NAME_LINKS = frozenset({"of", "and", "for", "on", "the"})


def english_subject(item: str) -> str:
    """The name an English list item opens with, as the subject it states something about ("The Provincial
    Industrial Parks Management Board leads …" → "The Provincial Industrial Parks Management Board"): the
    leading run of capitalised words (with "of", "and" … inside); '' when fewer than three words are."""
    words = item.split()
    taken: list[str] = []
    for word in words:
        if word[:1].isupper() or (taken and word in _NAME_LINKS):
            taken.append(word)
            continue
        break
    while taken and taken[-1] in _NAME_LINKS:
        taken.pop()
    return " ".join(taken) if len(taken) >= 3 else ""


def _to_front(candidates: list, chosen) -> None:
    """Move `chosen` to the head of `candidates` (the answer's first line), keeping the others' order."""
    candidates.remove(chosen)
    candidates.insert(0, chosen)


def _prefer(candidates: list[Candidate], test: Callable[[Candidate], object]) -> None:
    """When the first candidate fails `test`, the nearest one (within TYPE_WINDOW) that passes it comes first."""
    if not test(candidates[0]):
        passing = next((c for c in candidates[:TYPE_WINDOW] if test(c)), None)
        if passing is not None:
            _to_front(candidates, passing)


def _open_heading(candidates: list[Candidate]) -> None:
    """An article heading whose one point is itself a list's lead ("Điều 12" → "1. … các loại hàng hóa sau
    đây sẽ được miễn thuế …:") stands for that list: the list, with its items, comes first in its place."""
    best = candidates[0]
    if not (best.is_list and len(best.points) == 1 and best.points[0].rstrip().endswith(":")):
        return
    inner = next((c for c in candidates if c.hit is best.hit and c.is_list and c.points and c.text == best.points[0]), None)
    if inner is not None:
        _to_front(candidates, inner)


_DOSSIER_LIST_RE = re.compile(r"^(?:\S{1,4}[.)]\s+)?(?:thanh phan )?ho so\b.*\b(?:gom|bao gom|gom co)\s*:?$")


def _lists_dossier(candidate: Candidate) -> bool:
    """Whether a candidate lists what an application file consists of ("2. Hồ sơ đề nghị cấp … bao gồm:")."""
    return candidate.is_list and bool(_DOSSIER_LIST_RE.match(" ".join(fold(candidate.text).split())))


def _as_typed(question: str, phrase: str) -> str:
    """A folded phrase of the question as the asker typed it ("lon nhat" → "lớn nhất")."""
    words = question.split()
    size = len(phrase.split())
    for start in range(len(words) - size + 1):
        piece = " ".join(words[start:start + size]).strip("?,.!;:")
        if " ".join(fold(piece).split()) == phrase:
            return piece
    return phrase


def _measures(candidate: Candidate, intent: Intent) -> bool:
    """Whether a candidate names what an amount or rate question measures ("tiền thuê" for a rent cut)."""
    return bool(re.search(rf"\b{re.escape(intent.measured)}\b", fold(f"{candidate.lead} {candidate.text}")))


def _type_missing(candidates: list[Candidate], intent: Intent) -> bool:
    """Whether the kind of value asked is stated by none of the best candidates: no date for "when", no
    figure for "how much", nothing counting the very thing a count question counts ("bao nhiêu công
    nhân" against a cluster's area, in its words or their equivalents; people counted under any of their
    names, "03 học viên" for "bao nhiêu người")."""
    near = candidates[:TYPE_WINDOW * 2]
    if intent.answer_type in VALUE_TYPES and not any(c.features.get("value_match") for c in near):
        return True
    if intent.measured and not any(c.features.get("value_match") and _measures(c, intent) for c in near):
        return True  # "tổng kinh phí": a support ceiling is an amount, but not the one asked
    counted = intent.counted.split()
    if intent.answer_type == "count" and counted and (counted[0] in PEOPLE_COUNTED or " ".join(counted[:2]) in PEOPLE_COUNTED):
        return not any(_PEOPLE_COUNT_RE.search(fold(f"{c.text} {c.lead}")) for c in near)
    if intent.answer_type == "count" and intent.counted in MEASURE_UNITS:
        return not any(c.features.get("unit_match") for c in near)  # "bao nhiêu mét": a distance, not days
    if intent.answer_type == "count" and len(counted) >= 2 and not any(c.features.get("unit_match") for c in near):
        phrase = " ".join(counted[:2])
        names = [phrase, *EQUIVALENT_PHRASES.get(phrase, ())]
        return not any(re.search(rf"\b{re.escape(n)}\b", fold(f"{c.text} {c.lead}")) for c in near for n in names)
    return False


_ABOUT_A_DOCUMENT = frozenset({"date_in_force", "date_issued", "date_expiry", "subject", "signer"})


def _is_document(hit: Hit, reference) -> bool:
    """Whether a hit may be of the document a reference with its year names, not of one that only cites
    it: by its number; or, for a copy whose number was left blank (signed copies often are), by the number
    in its id or title (`tt-37-bgtvt` for "Thông tư 37/2023/TT-BGTVT")."""
    strength = matches_document(reference, hit.doc_number, hit.doc_id, hit.title)
    return strength == 1.0 or (strength > 0 and not hit.doc_number)


def _referenced_documents(query: QueryAnalysis, hits: list[Hit]) -> set[str]:
    """The documents among the hits that the question names with number and year."""
    return {h.doc_id for r in query.references.documents if r.year for h in hits if _is_document(h, r)}


def _unindexed_documents(query: QueryAnalysis, hits: list[Hit], intent: Intent) -> tuple[list[str], list[str]]:
    """The documents a question asks the date or subject of ("Luật Hóa chất số 06/2007/QH12 có hiệu lực
    khi nào") that are not indexed: those no indexed passage mentions, and those an indexed one only
    cites. Neither's date or subject is in the documents."""
    absent: list[str] = []
    cited: list[str] = []
    if intent.answer_type not in _ABOUT_A_DOCUMENT:
        return absent, cited
    for reference in query.references.documents:
        if not reference.year:
            continue
        number = f"{reference.number}/{reference.year}"
        if any(_is_document(h, reference) for h in hits):
            continue
        written = re.search(rf"\b{re.escape(reference.number)}\s*/\s*{reference.year}(?:/[\w-]+)?", query.text)
        shown = written.group(0) if written else number
        (cited if any(number in fold(h.text) for h in hits[:5]) else absent).append(shown)
    return absent, cited


class ExtractiveAnswerer:
    """Composes an answer from quoted clauses; refuses below the calibrated confidence."""

    def __init__(self, glossary: Glossary, agency_vi: str, agency_en: str, threshold: float | None, lexical=None,
                 region: str = ""):
        self.glossary = glossary
        self.region = region  # the deployment's province: context of every question, not its topic
        self.lexical = lexical  # () -> the current BM25 index, whose IDF weighs terms: missing a rare one says more
        self.agency = {"vi": agency_vi, "en": agency_en}
        self.threshold = threshold if threshold is not None else load_weights()["threshold"]
        self.english = EnglishRenderer(glossary)

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
            # a glossary term weighs as its Vietnamese rendering, a number or a code a little
            english = passage_lang == "en"
            named = _capitalised(query.text)
            needle = []
            region = set(question_words(self.region))
            for phrase, renderings in self.glossary.segments(query.text):
                if phrase in EN_STOPWORDS or phrase in _EN_QUESTION_WORDS:
                    continue
                if region and set(question_words(phrase)) <= region:
                    continue  # "in Hai Duong": the deployment's province, context rather than topic
                renderings = [" ".join(question_words(r)) for r in renderings]
                if renderings:
                    value = max(weight(r) for r in renderings)
                elif phrase in named and phrase.isalpha():
                    # a name the glossary lacks weighs as its letters do in the index: "Bao Dap" typed without
                    # diacritics as that name, a name no document holds ("Japanese") as the rarest term; an
                    # everyday word the glossary lacks ("buy") says little either way
                    value = weight(fold(phrase))
                else:
                    value = 1.0
                value *= 2.0 if any(ch.isdigit() for ch in phrase) else 1.0
                literal = " ".join(_stems(fold(phrase).split(), "en" if english else "vi"))
                needle.append((value, [literal] if english else renderings + [literal]))
            return needle
        return [(w * weight(t), [t, *EQUIVALENT_PHRASES.get(t, ())]) for t, w in question_terms(query.text, self.region).items()]

    def _rendered_words(self, query: QueryAnalysis) -> set[str]:
        """The folded Vietnamese words an English question names through its glossary renderings ("define a
        chemical" → "hoa", "chat"), as a Vietnamese clause's head would write them."""
        return {w for _, renderings in self.glossary.segments(query.text) for r in renderings for w in question_words(r)}

    def _english_counted(self, question: str) -> tuple[str, list[str]]:
        """What an English count question counts, in folded Vietnamese through the glossary ("How many
        industrial clusters …" → "cum cong nghiep"), so a clause counting that very thing is preferred as
        for a Vietnamese question, and the renderings of the words after it ("… are still under investment"
        → "dau", "tu", …: `Intent.qualifier`); ('', []) when the words after "how many" are not a glossary term."""
        match = _HOW_MANY_RE.search(question)
        if not match:
            return "", []
        segments = self.glossary.segments(match.group(1))
        phrase, renderings = segments[0]
        if not renderings:
            return "", []
        after = [w for _, found in segments[1:] for r in found[:1] for w in question_words(r)]
        return " ".join(question_words(renderings[0])), after[:QUALIFIER_WORDS]

    def coverage(self, query: QueryAnalysis, passage: str, passage_lang: str = "vi", needle=None) -> float:
        """Share of the question's (IDF-weighted) topic terms a passage contains. An English question read
        against a Vietnamese passage counts each content word found when one of its glossary renderings (or
        the word itself, a name or a number) is in the passage."""
        needle = needle if needle is not None else self._needle(query, passage_lang)
        found = unit_terms(passage, "en" if query.kind == "en" and passage_lang == "en" else "vi")
        total = sum(w for w, _ in needle)
        matched = sum(w for w, alternatives in needle if any(c and _phrase_in(c, found) for c in alternatives))
        return matched / total if total else 0.0

    def rank(self, query: QueryAnalysis, hits: list[Hit], frame: str = "",
             named_documents: set[str] | None = None, intent: Intent | None = None,
             ) -> tuple[list[Candidate], dict[str, float], Intent]:
        """The candidates of the best chunks, best first, with their features; the features of the
        question's answerability; and the question's intent. `frame` is the question a follow-up continues;
        `named_documents`, the documents that mention a name the question asks about: when none of the best
        chunks is theirs, their lower-ranked chunks are read too; `intent`, what one part of a question that
        asks two things asks (by default, read from the question)."""
        intent = intent or analyse_intent(query.text)
        if frame and asks_signer(query.text, frame):
            intent.answer_type = "signer"
        elif frame and intent.answer_type == "other":
            intent.answer_type = analyse_intent(frame).answer_type
        if query.kind == "en" and intent.answer_type == "count" and not intent.counted:
            intent.counted, intent.qualifier = self._english_counted(query.text)
        weights = load_weights()
        top = hits[:5]
        if named_documents and not any(h.doc_id in named_documents for h in top):
            top = top + [h for h in hits[5:] if h.doc_id in named_documents]
        needles = {lang: self._needle(query, lang) for lang in {h.lang for h in top}}
        top_score = top[0].score if top else 0.0
        named = {r.number for r in query.references.documents}
        asked = question_words(query.text)
        asked_words = set(asked) | {w for a, b in zip(asked, asked[1:]) for e in EQUIVALENT_PHRASES.get(f"{a} {b}", ()) for w in e.split()}
        rendered_words = self._rendered_words(query) if query.kind == "en" else asked_words
        candidates: list[Candidate] = []
        titled: set[str] = set()
        for rank, hit in enumerate(top):
            needle = needles[hit.lang]
            pieces = split_candidates(hit, rank)
            if intent.answer_type in ("subject", "reference"):
                for piece in pieces:  # what a document is about and what it details: its enactment formula says
                    piece.boilerplate = piece.boilerplate and not is_enactment(piece.text)
            pieces = [c for c in pieces if intent.asks_boilerplate or not c.boilerplate]
            if hit.doc_id not in titled and hit.title:
                titled.add(hit.doc_id)
                label = document_label(hit.lang, hit.doc_type, hit.doc_number, hit.title)
                pieces.append(title_candidate(hit, rank, label))
            for candidate in pieces:
                coverage = self.coverage(query, f"{candidate.text} {candidate.lead} {hit.title}", hit.lang, needle)
                text_cover = self.coverage(query, candidate.text, hit.lang, needle)
                lead_cover = self.coverage(query, candidate.lead, hit.lang, needle) if candidate.lead else 0.0
                points = " ".join(candidate.points)
                points_cover = self.coverage(query, points, hit.lang, needle) if points else 0.0
                head = head_of(strip_enumerator(candidate.text))
                if not head and candidate.lead and hit.lang == "en":
                    head = english_subject(strip_enumerator(candidate.text))
                head_cover = self.coverage(query, head, hit.lang, needle) if head else 0.0
                candidate.coverage = max(coverage, points_cover)
                names = bool(named) and hit.doc_number.split("/")[0] in named
                clause_head = head_of(strip_enumerator(candidate.text), point=bool(candidate.lead))
                named_head = head_named(clause_head, asked_words)
                candidate.features = features(candidate, intent, coverage, text_cover, lead_cover, top_score, query.lang,
                                              points_cover, head_cover, names, named_head)
                # what the rules below read: the head named in the question's words or, for an English question
                # over a Vietnamese clause, in their renderings (the fitted score keeps the question's own words)
                candidate.features["head_asked"] = head_named(clause_head, rendered_words) if hit.lang != query.lang else named_head
                candidate.score = linear(weights["select"], candidate.features)
                candidates.append(candidate)
        candidates.sort(key=lambda c: -c.score)
        if not candidates:
            return [], {}, intent
        _open_heading(candidates)
        best = candidates[0]
        if best.is_list:
            # the question names one item of the list ("giải pháp về nguồn nhân lực"): that item answers it
            items = sorted((c for c in candidates if c.lead == best.text and c.hit is best.hit),
                           key=lambda c: -c.features["head_coverage"])
            named_item = items[0] if items else None
            runner_up = items[1].features["head_coverage"] if len(items) > 1 else 0.0
            if named_item is not None and named_item.features["head_coverage"] >= NAMED_ITEM_COVERAGE and (
                named_item.features["head_coverage"] > max(runner_up, best.features["coverage_text"])
            ):
                _to_front(candidates, named_item)
            elif items and intent.answer_type not in ("list", "procedure"):
                # not a list question: the one item that states what is asked answers it (for a value or
                # "which document" question, an item stating a value or a document of the type asked)
                asks_value = intent.answer_type in VALUE_TYPES or intent.answer_type == "reference"
                covering = max((c for c in items if c.features["type_match"] or not asks_value),
                               key=lambda c: c.features["coverage_text"], default=None)
                if covering is not None and covering.features["coverage_text"] >= ITEM_COVERAGE and (
                    covering.features["coverage_text"] > best.features["coverage_text"] + ITEM_MARGIN
                ):
                    _to_front(candidates, covering)
        if intent.answer_type in DESCRIBED_TYPES and candidates[0].features["head_asked"] < 1.0:
            # the question names the whole head of a clause ("Doanh nghiệp nhỏ: …", "Hóa chất là …"): the clause
            # that defines or describes that very thing answers it, when it says more than its head (a place,
            # an authority or a yes/no is asked about a thing, not for its description)
            # (an English question's renderings name more heads than its words: "total investment" names a
            # clause about the total investment, not what the question asks of it, unless it covers the question
            # about as well as the best; a definition question names nothing but the term it asks about)
            english = query.kind == "en" and intent.answer_type != "definition"
            floor = candidates[0].coverage - ENGLISH_COVERAGE_SLACK if english else 0.0
            describing = max((c for c in candidates[:TYPE_WINDOW * 2] if c.features["head_asked"] >= 1.0 and not c.is_title and (
                c.is_list or len(c.text.split()) >= len(head_of(strip_enumerator(c.text), point=bool(c.lead)).split()) + 3)
                and c.coverage >= floor), key=lambda c: c.coverage, default=None)
            if describing is not None:
                _to_front(candidates, describing)
        if intent.answer_type in VALUE_TYPES and not (candidates[0].features["head_asked"] >= 1.0 and candidates[0].features["type_match"]):
            # "Chi phí lập hồ sơ mời thầu được tính như thế nào?": the near clause whose subject is the very
            # thing asked and that states a value of the type asked ("Chi phí lập hồ sơ mời thầu được tính
            # bằng 0,05% …") comes first
            # (an English question's renderings name more heads than its words: "approved detailed plan" names
            # a clause about the plans; that clause must cover the question nearly as well as the best)
            floor = candidates[0].coverage - ENGLISH_VALUE_SLACK if query.kind == "en" else 0.0
            stating = next((c for c in candidates[:TYPE_WINDOW] if c.features["head_asked"] >= 1.0 and c.features["type_match"]
                            and not c.is_title and c.coverage >= floor), None)
            if stating is not None:
                _to_front(candidates, stating)
        if intent.answer_type == "subject":
            # "what does Circular X regulate": its title says when it states a subject ("Quy định về lập và phê
            # duyệt kế hoạch quản lý rủi ro …"), else its scope article does ("Luật này quy định về …"), never
            # another clause of it
            documents = {h.doc_id for h in top if named and h.doc_number.split("/")[0] in named} or {
                top[0].doc_id, candidates[0].hit.doc_id}
            title_piece = next((c for c in candidates if c.is_title and c.hit.doc_id in documents), None)
            scoped = next((c for c in candidates[:TYPE_WINDOW * 3] if c.scope and not c.boilerplate and c.hit.doc_id in documents), None)
            stating = title_piece if title_piece is not None and len(title_piece.hit.title.split()) >= SUBJECT_TITLE_WORDS else scoped or title_piece
            if stating is not None:
                _to_front(candidates, stating)
        if intent.dossier and not _lists_dossier(candidates[0]):
            # "hồ sơ gồm những gì": the near list of what the file consists of ("Hồ sơ đề nghị … bao gồm:") answers
            # it, not the procedure's heading or an authority's duty to examine the file
            listing = max((c for c in candidates[:TYPE_WINDOW * 2] if _lists_dossier(c)), key=lambda c: c.coverage, default=None)
            if listing is not None:
                _to_front(candidates, listing)
        # a count question: a near candidate that counts the very thing asked comes first; of several, the one
        # whose count is followed by the question's qualifier ("18 dự án đang triển khai" for "bao nhiêu dự án
        # đang triển khai", not "199 dự án đang hoạt động")
        _prefer(candidates, lambda c: c.features["unit_match"])
        if intent.qualifier and candidates[0].features["unit_match"]:
            counting = [c for c in candidates[:TYPE_WINDOW] if c.features["unit_match"]]
            qualified = max(counting, key=lambda c: qualifier_overlap(c.text, intent))
            if qualifier_overlap(qualified.text, intent) > qualifier_overlap(candidates[0].text, intent):
                _to_front(candidates, qualified)
        denials = negated_phrases(query.text) if intent.answer_type != "yesno" else []
        if denials:
            # "… không điều chỉnh tài sản nào?", "trường hợp nào không được cấp?": the near clause that says
            # what is not covered or not allowed answers it, not the one saying what is
            _prefer(candidates, lambda c: _denies(c, denials))
        if intent.measured and not _measures(candidates[0], intent):
            # an amount or rate question: a near clause stating a value of what it measures comes first
            _prefer(candidates, lambda c: c.features["type_match"] and _measures(c, intent))
        if intent.answer_type in VALUE_TYPES or intent.answer_type in ("subject", "reference"):
            # the type asked is a constraint: a near candidate that states a value of that type comes first
            _prefer(candidates, lambda c: c.features["type_match"])
        quantities = stated_quantities(query.text, query.lang)
        if quantities and fits(f"{candidates[0].lead} {candidates[0].text}", quantities) is False:
            # "a project of VND 1,000 billion": of a regulation's bands ("đến 300 tỷ đồng", "trên 300 tỷ đồng"),
            # the near clause whose band holds the amount asked about answers, not the first band
            banded = next((c for c in candidates[:TYPE_WINDOW] if fits(f"{c.lead} {c.text}", quantities)
                           and (c.features["type_match"] or intent.answer_type not in VALUE_TYPES)), None)
            if banded is not None:
                _to_front(candidates, banded)
        chunk_cover = max(self.coverage(query, h.text + " " + h.title, h.lang, needles[h.lang]) for h in hits[:3])
        missing = self._missing_weight(query, hits[:3], needles)
        best = max(candidates, key=lambda c: c.score)  # the reordering above changes what is quoted, not the confidence
        answerable = {
            "best_select": best.score,
            "best_coverage": best.coverage,
            "chunk_coverage": chunk_cover,
            "type_available": float(any(c.features["type_match"] for c in candidates[:10])),
            "top_dense": best.features["dense"],
            "top_score_raw": top_score,
            "missing_term": missing,
            "english": float(query.kind == "en"),
            "plain": float(query.kind == "vi_plain"),
        }
        return candidates, answerable, intent

    def _missing_weight(self, query: QueryAnalysis, hits: list[Hit], needles: dict) -> float:
        """The weight of the rarest question term that none of the best chunks contains, relative to the
        rarest term of the question (0: every term is found somewhere)."""
        found: dict[str, set[str]] = {}
        for hit in hits:
            lang = "en" if query.kind == "en" and hit.lang == "en" else "vi"
            found.setdefault(hit.doc_id + hit.chunk_id, unit_terms(hit.text + " " + hit.title, lang))
        worst, top = 0.0, 0.0
        needle = needles.get(hits[0].lang, []) if hits else []
        for weight, alternatives in needle:
            top = max(top, weight)
            if not any(any(c and _phrase_in(c, terms) for c in alternatives) for terms in found.values()):
                worst = max(worst, weight)
        return worst / top if top else 0.0

    def confidence(self, query: QueryAnalysis, hits: list[Hit], frame: str = "") -> tuple[float, list[Candidate]]:
        """How likely the best passages answer the question (0–1, calibrated on the tune half), and the
        ranked candidates."""
        candidates, answerable, _ = self.rank(query, hits, frame)
        if not candidates:
            return 0.0, []
        return round(probability(load_weights()["answerable"], answerable), 4), candidates

    def _answer_parts(self, query: QueryAnalysis, hits: list[Hit], parts: list[tuple[str, str]]) -> Answer:
        """The answer to a question asking two kinds of fact, from an answer to each part (the hits stay the
        whole question's). The first part is asked as written. A later one, often elliptical ("bao lâu thì
        có?"), is read from the documents that answered the first when it was answered (the question is
        about one thing: a dossier's place is not read from another programme). Asking a date ("và có
        hiệu lực từ khi nào?"), it is read in its own words and answered by a date of that kind from them
        when their clause names what the part names (`_names_part`), whatever the confidence; otherwise
        (amounts and durations too: a fee is not a support rate, a licence's validity not its processing
        time) in the light of the first part, with the confidence any answer needs."""
        first = parts[0][0]
        answers = [self.answer(replace(analyse(first), lang=query.lang), hits, intent=analyse_intent(first))]
        settled = {c.doc_id for c in answers[0].citations} if answers[0].grounded else set()
        topical = [h for h in hits if h.doc_id in settled] or hits
        for part, kind in parts[1:]:
            if settled and kind in DATE_TYPES:
                # its own words: the first part's would lead back to the clause that answered it
                part_query = replace(analyse(part), lang=query.lang)
                answers.append(self.answer(part_query, topical, intent=analyse_intent(part), settled=True))
            else:
                part_query = replace(analyse(f"{first.rstrip('?')}, {part}"), lang=query.lang)
                intent = analyse_intent(part)
                if kind == "signer":  # "ai là người ký?" names no document: the first part does
                    intent.answer_type = kind
                answers.append(self.answer(part_query, topical, intent=intent))
        return combine_parts(query.lang, [part for part, _ in parts], answers)

    def _names_part(self, query: QueryAnalysis, candidate: Candidate) -> bool:
        """Whether a clause names what a later part of a question names: a third of the part's content
        words (not its asking words: "lệ phí bao nhiêu" names "lệ phí", "bao lâu thì có?" nothing) are in
        the clause, its lead or its document's title; a part that names nothing is about the first part's."""
        if query.kind == "en":
            named = [(phrase, [phrase, *renderings]) for phrase, renderings in self.glossary.segments(query.text)
                     if not set(phrase.split()) <= PART_ASKING_WORDS | EN_STOPWORDS | _EN_QUESTION_WORDS]
        else:
            named = [(w, [w, *EQUIVALENT_PHRASES.get(w, ())]) for w in content_words(query.text) if w not in PART_ASKING_WORDS]
        if not named:
            return True
        found = unit_terms(f"{candidate.text} {candidate.lead} {candidate.hit.title}", candidate.hit.lang)
        hits = sum(1 for _, forms in named if any(_phrase_in(" ".join(question_words(f)), found) for f in forms))
        return hits * 3 >= len(named)

    def answer(self, query: QueryAnalysis, hits: list[Hit], frame: str = "", intent: Intent | None = None,
               settled: bool = False) -> Answer:
        """A grounded answer whose first line states the fact with its citation, then the supporting
        clauses; or a refusal that names the nearest documents. A question that asks two kinds of fact
        ("ở cơ quan nào, bao lâu thì có?") is answered for each (`intent`: the one part answered; `settled`:
        the hits are the documents that answered an earlier part, so a clause naming what this part names
        needs no confidence)."""
        lang = query.lang
        if intent is None and not frame:
            parts = question_parts(query.text)
            if parts:
                return self._answer_parts(query, hits, parts)
        naming = self._naming_documents(question_names(query.text), hits)
        # a province or country typed without capitals is only checked for absence ("Hòa Bình" is also peace)
        unnamed = [name for name, documents in self._naming_documents(lowercase_place_names(query.text), hits).items()
                   if not documents]
        # what the question names is what answers it: another law's date in force, another cluster's area do not
        # (one of them, at least: a place named beside a programme is often only the documents' setting)
        named = set.union(*naming.values()) if naming else None
        candidates, answerable, intent = self.rank(query, hits, frame, named, intent)
        if frame and intent.answer_type in _ABOUT_A_DOCUMENT and not query.references.documents:
            # "Ai ký?", "Văn bản này có hiệu lực khi nào?", "When was it issued?": the document of the previous turn
            query = replace(query, references=replace(query.references, documents=find_references(frame).documents))
        unindexed, cited = _unindexed_documents(query, hits, intent)
        absent = [name for name, documents in naming.items() if not documents] + unnamed + unindexed
        if absent:
            return self.refuse(lang, hits, 0.0, absent)
        if cited:
            return self.refuse(lang, hits, 0.0, cited, reason="cited_only")
        if intent.answer_type == "signer":
            named_text = f"{frame} {query.text}" if frame else query.text  # "Ai ký?" after a question about a document
            references = query.references.documents
            signed = find_signed(named_text, hits, _referenced_documents(query, hits), references,
                                 lambda: set(question_words(named_text)) | (self._rendered_words(query) if query.kind == "en" else set()))
            if signed is not None:
                return signer_answer(lang, signed) or self.refuse(lang, hits, 0.0, [header_label(lang, signed)], reason="signer_missing")
            if references:  # the document it names by number is not indexed
                return self.refuse(lang, hits, 0.0, [document_label(lang, r.doc_type, r.number, "") for r in references[:1]])
        referenced = _referenced_documents(query, hits) if intent.answer_type in _ABOUT_A_DOCUMENT else None
        named = referenced if referenced else named or None
        named_hits = hits if named is None else [h for h in hits if h.doc_id in named]
        if named is not None:
            candidates = [c for c in candidates if c.hit.doc_id in named]
        named_in = [facility_names_in(h.text) for h in hits]  # the clusters each passage names
        facilities = facility_names(query.text, named_in)
        if facilities and not referenced and candidates:
            candidates = self._about_facilities(candidates, hits, named_in, facilities)
            if not candidates:
                return self.refuse(lang, hits, 0.0, facilities, reason="names_unstated")
        confidence = round(probability(load_weights()["answerable"], answerable), 4) if candidates else 0.0
        if query.references.documents or confidence >= self.threshold:
            dated = self._effective_date_answer(query, named_hits, intent) or self._issue_date_answer(query, named_hits, intent)
            if dated is not None:
                return dated
        if not candidates:
            return self.refuse(lang, hits, 0.0)
        if confidence < self.threshold and not (settled and self._names_part(query, candidates[0])):
            return self.refuse(lang, hits, confidence)
        missing = _type_missing(candidates, intent)
        if lang == "en":
            self._prefer_english(candidates, intent)
        chosen = self._choose(candidates)
        if intent.answer_type in VALUE_TYPES and not chosen[0].features.get("value_match"):
            # the passage quoted first states the value asked when one of the chosen does; if none does, the
            # answer says the value is not given
            valued = next((c for c in chosen if c.features.get("value_match")), None)
            if valued is None:
                missing = True
            else:
                _to_front(chosen, valued)
        best = chosen[0]
        if intent.superlative and not states_superlative(intent.superlative, " ".join(fold(f"{best.lead} {best.full_text()}").split())):
            # which of several is the largest: the documents must say so; figures are not compared here
            return self.refuse(lang, hits, confidence, [_as_typed(query.text, intent.superlative)], reason="superlative_unstated")
        citations: list[Citation] = []
        evidence: list[str] = []
        for candidate in chosen:
            key = (candidate.hit.doc_id, candidate.section)
            quote = candidate.full_text() if candidate.is_list else candidate.text
            citation = next((c for c in citations if (c.doc_id, c.section) == key), None)
            if citation is None:
                hit = candidate.hit
                citation = Citation(len(citations) + 1, hit.doc_id, hit.title, hit.doc_number, candidate.section,
                                    hit.page, quote, hit.status, hit.chunk_id)
                citations.append(citation)
                label = document_label(lang, hit.doc_type, hit.doc_number, hit.title)
                evidence.append(text(lang, "according_to", label=label, where=section_label(lang, candidate.section, hit.page)))
            else:
                citation.quote += " … " + quote
            shown = quote.replace("\n", " ")
            shown = f"“{shown}”" if lang == "en" and candidate.hit.lang != "en" else shown
            evidence.append(f"- {shown} [{citation.n}]")
        lines: list[str] = []
        weigh = lambda value: self.coverage(query, value, best.hit.lang)  # noqa: E731
        source_lang = "vi" if lang == "en" and best.hit.lang != "en" else lang
        line = compose_first_line(best, intent, source_lang, weigh, self._in_force_note(best, intent, source_lang))
        what = "what_date" if intent.answer_type.startswith("date") or intent.answer_type == "deadline" else "what_value"
        if source_lang != lang:
            english = self._english_lines(best, line, intent)
            if missing:  # as in Vietnamese: the value asked is not given, what is said is shown
                english[0] = f"{text(lang, 'type_missing', what=text(lang, what))} {english[0]}"
            lines.extend(english)
        else:
            if missing:
                line = f"{text(lang, 'type_missing', what=text(lang, what))} {line}"
            lines.append(line)
        period = self._period_note(best, intent, lang)
        if period:
            # a year the passage does not reach, asked by name ("khóa Kaizen năm 2024"): the answer says so first,
            # then what the passage says of its earlier period, as a refusal; "hiện nay", "this year" keep the
            # answer, with the note under it
            lines.insert(0 if intent.years else 1, period)
            missing = missing or bool(intent.years)
        lines.extend(evidence)
        lines.extend(self._status_notes(lang, [u.hit for u in chosen]))
        lines.extend(scanned_note(lang, [c.n for c in citations if any(u.hit.scanned and u.hit.chunk_id == c.chunk_id for u in chosen)]))
        # the value asked is stated nowhere: what the documents do say is shown, as a refusal
        return Answer("\n".join(lines), lang, not missing, "documents", citations, confidence=confidence)

    @staticmethod
    def _about_facilities(candidates: list[Candidate], hits: list[Hit], named_in: list[dict[str, str]],
                          facilities: list[str]) -> list[Candidate]:
        """The candidates that may answer about the industrial clusters or parks a question names (`named_in`:
        the clusters each of the `hits` names, `facility_names_in`), the clause
        about them first. A passage that names other clusters but not these does not answer (another cluster's
        figure, or the province's total in a report that lists the asked one elsewhere); a passage of a
        document that names no other cluster does (a decision about that one cluster, whose articles do not
        repeat its name). A clause headed by an asked cluster ("4. Cụm công nghiệp Phú Thịnh 2: Chủ đầu tư …")
        comes first; failing that, when the best names another cluster, the nearest clause naming an asked one.
        Names are compared folded: "Thuỷ Sơn" as typed is "Thủy Sơn" as written."""
        asked = [fold(name) for name in facilities]

        def names_asked(passage: str) -> bool:
            return any(mentions(passage, name) for name in asked)

        def names_others(passage: str) -> bool:
            return bool(set(facility_names_in(passage)) - set(asked))

        elsewhere = {h.doc_id for h, names in zip(hits, named_in) if set(names) - set(asked)}
        kept = [c for c in candidates if names_asked(f"{c.hit.title}\n{c.hit.heading}\n{c.hit.text}") or c.hit.doc_id not in elsewhere]
        if not kept:
            return []
        headed = next((c for c in kept if names_asked(head_of(strip_enumerator(c.text)))), None)
        if headed is not None and not names_asked(f"{kept[0].lead}\n{kept[0].text}"):
            _to_front(kept, headed)
        elif names_others(f"{kept[0].lead}\n{kept[0].text}"):
            _prefer(kept, lambda c: names_asked(f"{c.lead}\n{c.text}"))
        return kept

    def _prefer_english(self, candidates: list[Candidate], intent: Intent) -> None:
        """For an English question: an English passage that answers about as well as the best
        Vietnamese one goes first (an English version of the document, or a guide in English)."""
        best = candidates[0]
        if best.hit.lang == "en":
            return
        constrained = intent.answer_type in VALUE_TYPES and best.features.get("type_match")
        for candidate in candidates[1:TYPE_WINDOW * 3]:
            if candidate.hit.lang != "en" or candidate.boilerplate:
                continue
            if candidate.score < best.score - ENGLISH_VERSION_MARGIN:
                break
            if candidate.coverage + ENGLISH_COVERAGE_SLACK < best.coverage:
                continue
            if constrained and not candidate.features.get("type_match"):
                continue
            if best.features["head_coverage"] >= ITEM_COVERAGE and (
                candidate.features["head_coverage"] < best.features["head_coverage"] / 2
            ):
                # the Vietnamese clause is about what is asked (its head names it); the English passage
                # only mentions it among other things
                continue
            if candidate.is_list and not best.is_list:
                # a single item answers, not the list holding it: the English list's item that states it
                item = self._english_item(candidates, candidate)
                if item is None:
                    continue
                candidate = item
            _to_front(candidates, candidate)
            return

    @staticmethod
    def _english_item(candidates: list[Candidate], listed: Candidate) -> Candidate | None:
        """The item of an English list that covers the question as a single fact (see ITEM_COVERAGE), or
        None when no item does."""
        items = [c for c in candidates if c.lead == listed.text and c.hit is listed.hit]
        covering = max(items, key=lambda c: c.features["coverage_text"], default=None)
        if covering is None or covering.features["coverage_text"] < ITEM_COVERAGE:
            return None
        return covering

    def _english_lines(self, best: Candidate, vietnamese_line: str, intent: Intent) -> list[str]:
        """An English first line for a Vietnamese passage: the fact's values and terms rendered by rules and
        the glossary, in a sentence naming the document; then the Vietnamese line labelled as the source.
        A rendering that left many words out or runs long reads as a list of words in Vietnamese order: the
        line then gives only the value asked (when the question asks one), else says the answer is the
        Vietnamese text below."""
        hit = best.hit
        vietnamese = vietnamese_line.removesuffix(" [1]")
        label = english_label(document_label("en", hit.doc_type, hit.doc_number, hit.title))
        label = f"{label[:1].upper()}{label[1:]}"
        section = english_section(best.section)
        where = f", {section}," if section else ""
        source = f"{text('en', 'vi_source_label')} “{vietnamese}”"
        if best.is_list:
            items = [self.english.render(strip_enumerator(p)) or f"item {n}" for n, p in enumerate(best.points, start=1)]
            # the lead's own "Điều 19." / "Mục IV." is the section the line already names
            lead = self.english.rendering(_SECTION_HEAD_RE.sub("", strip_enumerator(best.text), count=1))
            shown = items[:LIST_ITEMS]
            more = f"; and {len(items) - len(shown)} more" if len(items) > len(shown) else ""
            named = f" {lead.line}" if lead.line and lead.rendered_share >= LEGIBLE_SHARE else ""
            return [f"{label}{where} lists{named}: {'; '.join(shown)}{more}. [1]", source]
        rendering = self.english.rendering(vietnamese)
        values = typed_values(rendering.line, intent.answer_type)
        if rendering.line and _readable(rendering):
            first = f"{label}{where} gives: {rendering.line}. [1]"
        elif values:
            first = f"{label}{where} gives {'; '.join(values)} (the Vietnamese source text below states it in full). [1]"
        elif rendering.line and rendering.rendered_share >= LEGIBLE_SHARE:
            # no value to give alone: the terms in the Vietnamese order still name what the clause is about
            first = f"{label}{where} gives: {rendering.line}. [1]"
        else:
            first = f"{label}{where} answers this in Vietnamese (source text below). [1]"
        return [first, source]

    def _period_note(self, best: Candidate, intent: Intent, lang: str) -> str:
        """When the question is about a year (or "this year", "next year") the passage does not speak of:
        which period it does speak of."""
        if not intent.years and not intent.relative_time:
            return ""
        hit = best.hit
        covered = {int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", f"{best.full_text()} {best.lead} {hit.title}")}
        if hit.issued_date:
            covered.add(int(hit.issued_date[:4]))
        if not covered or (intent.years and set(intent.years) & covered):
            return ""
        if intent.years and max(intent.years) <= max(covered):
            return ""
        asked = text(lang, "year", year=max(intent.years)) if intent.years else text(lang, "asked_period")
        return text(lang, "period_note", covered=text(lang, "year", year=max(covered)), asked=asked)

    def _in_force_note(self, best: Candidate, intent: Intent, lang: str) -> str:
        """"(ký ngày 29/10/2021)" after "có hiệu lực kể từ ngày ký": the date the words point to."""
        hit = best.hit
        if intent.answer_type != "date_in_force" or not hit.issued_date or not re.search(r"kể từ ngày ký|date of signing", best.text):
            return ""
        year, month, day = hit.issued_date.split("-")
        date = f"{int(day)}/{int(month)}/{year}"
        return f"(signed on {date})" if lang == "en" else f"(ký ngày {date})"

    def _asks_a_provision_in_force(self, query: QueryAnalysis, hits: list[Hit], hit: Hit) -> bool:
        """Whether the question asks when one provision of `hit`'s document applies ("the certificate
        requirement … take effect"), which a sentence of its own says ("Quy định về Giấy chứng nhận … có
        hiệu lực thi hành từ ngày 01 tháng 7 năm 2026"), rather than when the document does: a retrieved
        sentence naming a provision's date in force covers the question clearly better than the document's own."""
        if _BACK_REFERENCE_RE.search(fold(query.text)):  # "Văn bản này có hiệu lực …": the document itself
            return False
        own, provision = 0.0, 0.0
        # both sentences are read with the document's name and title, so naming the document counts for neither
        name = f"{hit.title} {document_label('vi', hit.doc_type, hit.doc_number, hit.title)}"
        for h in hits:
            if h.doc_id != hit.doc_id:
                continue
            for sentence in (s for line in h.text.split("\n") for s in _SENTENCE_RE.split(line.strip())):
                folded = fold(sentence)
                own_sentence = _OWN_IN_FORCE_RE.search(folded)
                if own_sentence and own_sentence.start() <= OWN_SUBJECT_CHARS:  # "Luật này có hiệu lực …" opens it
                    own = max(own, self.coverage(query, f"{sentence} {name}", h.lang))
                elif _IN_FORCE_CLAUSE_RE.search(folded) and _WRITTEN_DATE_RE.search(sentence):
                    provision = max(provision, self.coverage(query, f"{sentence} {name}", h.lang))
        return provision >= own + PROVISION_MARGIN

    def _effective_date_answer(self, query: QueryAnalysis, hits: list[Hit], intent: Intent) -> Answer | None:
        """"When does Decision 3164 take effect?": the date in force read from the document (the one the
        question names, else the best hit's), quoting the clause that says so when it was retrieved."""
        if not hits or intent.answer_type != "date_in_force":
            return None
        if query.references.documents:
            reference = query.references.documents[0]
            hit = next((h for h in hits if h.effective_date and numbers_document(reference, h.doc_type, h.doc_number)), None)
        else:
            hit = hits[0] if hits[0].effective_date else None
        if hit is None or self._asks_a_provision_in_force(query, hits, hit):
            return None
        lang = query.lang
        clause = next((h for h in hits if h.doc_id == hit.doc_id and _OWN_IN_FORCE_RE.search(fold(h.text))), None) or next(
            (h for h in hits if h.doc_id == hit.doc_id and _IN_FORCE_CLAUSE_RE.search(fold(h.text))), hit)
        sentences = [s for line in clause.text.split("\n") for s in _SENTENCE_RE.split(line.strip())]
        quote = next((s for s in sentences if _OWN_IN_FORCE_RE.search(fold(s))), "") or next(
            (s for s in sentences if _IN_FORCE_CLAUSE_RE.search(fold(s))), "")
        year, month, day = hit.effective_date.split("-")
        date = f"{int(day):02d}/{int(month):02d}/{year}"
        written = _WRITTEN_DATE_RE.search(quote) if _OWN_IN_FORCE_RE.search(fold(quote)) else None
        if written is not None:
            # the document's own sentence, as it writes the date, outranks the date read at ingest
            day, month, year = (written.group(k) for k in ("d", "m", "y"))
            date = f"{int(day):02d}/{int(month):02d}/{year}"
        label = header_label(lang, hit)
        shown = written.group(0) if written else f"ngày {date}"
        if lang == "en":
            label = f"{label[:1].upper()}{label[1:]}"
            body = f"{label} takes effect on {english_date(*date.split('/'))}."
        else:
            body = f"{label} có hiệu lực từ {shown}."
        signing = _FROM_SIGNING_RE.search(quote) if written is None and _OWN_IN_FORCE_RE.search(fold(quote)) else None
        if signing is not None and hit.issued_date:
            # "có hiệu lực thi hành kể từ ngày ký ban hành": the words as written, then the date they point to
            year, month, day = hit.issued_date.split("-")
            signed = f"{int(day):02d}/{int(month):02d}/{year}"
            body = (f"{label} takes effect from the date of signing ({english_date(*signed.split('/'))})." if lang == "en"
                    else f"{label} có hiệu lực {signing.group(0)} ({signed}).")
        section = section_at(clause.section, clause.section_map, clause.text.find(quote)) if quote else clause.section
        citation = Citation(1, hit.doc_id, hit.title, hit.doc_number, section, clause.page, quote or date, hit.status, clause.chunk_id)
        lines = [f"{body} [1]"]
        if quote:
            lines.append(f"- {quote} [1]" if lang != "en" or clause.lang == "en" else f"- “{quote}” [1]")
        lines.extend(self._status_notes(lang, [hit]))
        lines.extend(scanned_note(lang, [1] if clause.scanned else []))
        return Answer("\n".join(lines), lang, True, "documents", [citation], confidence=1.0)

    def _issue_date_answer(self, query: QueryAnalysis, hits: list[Hit], intent: Intent) -> Answer | None:
        """"When was Decision 3164 issued?": answered from the header of the document the question names
        (never "when does it take effect": that is a clause of the document)."""
        if not query.references.documents or intent.answer_type != "date_issued":
            return None
        reference = query.references.documents[0]
        hit = next((h for h in hits if h.issued_date and numbers_document(reference, h.doc_type, h.doc_number)), None)
        if hit is None:
            return None
        lang = query.lang
        year, month, day = hit.issued_date.split("-")
        label = header_label(lang, hit)
        shown_place = ascii_word(hit.place) if lang == "en" else hit.place  # "in Ha Noi"
        place = f" {'in' if lang == 'en' else 'tại'} {shown_place}" if hit.place else ""
        date = f"{int(day)}/{int(month)}/{year}"
        if lang == "en":
            body = f"{label[:1].upper()}{label[1:]} was issued on {english_date(day, month, year)}{place}."
        else:
            body = f"{label} được ban hành ngày {date}{place}."
        citation = Citation(1, hit.doc_id, hit.title, hit.doc_number, "", hit.page, f"{hit.place}, {date}".strip(", "), hit.status, hit.chunk_id)
        return Answer(f"{body} [1]", lang, True, "documents", [citation], confidence=1.0)

    def _naming_documents(self, names: list[str], hits: list[Hit]) -> dict[str, set[str]]:
        """For each name, the documents that mention it: those of the passages retrieved that do, and those the
        lexical index finds it in (folded: documents holding every adjacent pair of its words)."""
        index = self.lexical() if self.lexical else None
        found: dict[str, set[str]] = {}
        for name in names:
            found[name] = {h.doc_id for h in hits if mentions(f"{h.title}\n{h.text}", name)}
            if index is not None:
                terms = folded_terms(name)
                pairs = [t for t in terms if "_" in t] or terms
                found[name] |= set.intersection(*(index.documents_with(t) for t in pairs)) if pairs else set()
        return found

    def _choose(self, candidates: list[Candidate]) -> list[Candidate]:
        """The best candidate, and up to two more that score near it and are not already part of it
        (one quote where one suffices)."""
        best = candidates[0]
        chosen = [best]
        words = len(best.full_text().split())
        for candidate in candidates[1:]:
            if len(chosen) >= MAX_UNITS or candidate.score < best.score - SECOND_QUOTE_MARGIN:
                break
            if candidate.boilerplate or any(candidate.text == c.text or candidate.text in c.points or candidate.lead == c.text for c in chosen):
                continue
            if words + len(candidate.text.split()) > MAX_WORDS:
                continue
            chosen.append(candidate)
            words += len(candidate.text.split())
        return chosen

    def _status_notes(self, lang: str, hits: list[Hit]) -> list[str]:
        notes = []
        for hit in {h.doc_id: h for h in hits}.values():
            if hit.status != "in_force":
                label = document_label(lang, hit.doc_type, hit.doc_number, hit.title)
                by = text(lang, "superseded_by", target=hit.superseded_by) if hit.superseded_by else ""
                notes.append(text(lang, "inactive", label=label, by=by))
        return notes

    def refuse(self, lang: str, hits: list[Hit], confidence: float = 0.0, absent: list[str] | None = None,
               reason: str = "names_absent") -> Answer:
        """Say plainly that the documents do not cover it (or, for `reason`, do not mention the `absent`
        names the question asks about, or only cite the documents it asks about), and name the nearest
        documents."""
        suggestions: list[dict[str, str]] = []
        for hit in hits:
            if hit.doc_id not in (s["doc_id"] for s in suggestions):
                suggestions.append({"doc_id": hit.doc_id, "title": hit.title, "doc_number": hit.doc_number})
            if len(suggestions) == 3:
                break
        quoted = ", ".join(f"“{n}”" for n in absent or [])
        lines = [text(lang, reason, names=quoted) if absent else text(lang, "refusal")]
        if suggestions:
            lines.append(text(lang, "nearest"))
            lines.extend(f"- {document_label(lang, '', s['doc_number'], s['title'])}" for s in suggestions)
        lines.append(text(lang, "contact", agency=self.agency["en" if lang == "en" else "vi"]))
        return Answer("\n".join(lines), lang, False, "none", [], suggestions, confidence)
