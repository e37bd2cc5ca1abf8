""""Ai ký Nghị định 178/2026/NĐ-CP?", "Who signed the agreement?": answered from the signer ingestion read
under the document's signature block (`DocumentMeta.signer`), never from a clause."""
from __future__ import annotations

from collections.abc import Callable

from assistant.answering.english import ascii_word, english_label, english_number
from assistant.answering.models import Answer, Citation
from assistant.answering.texts import document_label
from assistant.retrieval.references import Reference, numbers_document
from assistant.retrieval.search import Hit
from ingest.legal import DOC_TYPES
from ingest.vietnamese import content_words, fold, question_words

_SIGNING_WORDS = {"ky", "signed", "sign"}
TITLE_NAMED = 0.6  # share of a document's title words a question must hold to name it without its number
# signing positions in English, by their folded Vietnamese; a position not listed is left out of the English line
ENGLISH_POSITIONS = {
    "thu tuong": "Prime Minister", "pho thu tuong": "Deputy Prime Minister", "bo truong": "Minister",
    "thu truong": "Deputy Minister", "chu tich": "Chairman", "pho chu tich": "Vice Chairman",
    "chu tich quoc hoi": "Chairman of the National Assembly", "giam doc": "Director", "pho giam doc": "Deputy Director",
    "tong giam doc": "General Director", "cuc truong": "Director General", "pho cuc truong": "Deputy Director General",
    "truong ban": "Head", "pho truong ban": "Deputy Head", "chanh van phong": "Chief of Office",
}


def names_document(question: str, hit: Hit, asked_words: set[str]) -> bool:
    """Whether a question names a passage's document without its number: by its type ("báo cáo",
    "agreement") or by most words of its title (`asked_words`: the question's folded words, and for an
    English question their glossary renderings)."""
    folded = f" {' '.join(fold(question).split())} "
    names = DOC_TYPES.get(hit.doc_type)
    for name in names or ():
        # by its type alone only when nothing after it describes a kind of document ("Ai ký báo cáo?", not
        # "Ai ký quyết định thành lập cụm công nghiệp?", which asks who is competent)
        after = folded.partition(f" {fold(name)} ")[2] if f" {fold(name)} " in folded else None
        if after is not None and not set(content_words(" ".join(after.split()[:3]))) - _SIGNING_WORDS:
            return True
    title = set(content_words(hit.title)) or set(question_words(hit.title))
    return bool(title) and len(title & asked_words) >= TITLE_NAMED * len(title)


def header_label(lang: str, hit: Hit) -> str:
    """How an answer in `lang` about what a document's header or signature says (its date, its signer)
    names `hit`'s document."""
    label = document_label(lang, hit.doc_type, hit.doc_number, hit.title)
    if lang != "en":
        return label
    if hit.lang == "en":
        return english_number(label)
    if not hit.doc_number and hit.doc_type in DOC_TYPES:  # a copy without its number: "the cited agreement"
        return f"the cited {DOC_TYPES[hit.doc_type][1].lower()}"
    return english_label(label)


def signer_answer(lang: str, hit: Hit) -> Answer | None:
    """Who signed `hit`'s document, in `lang`, cited to its signature; None when ingestion found no signer
    under it (a copy without its signature block)."""
    meta = hit.meta
    if not meta.signer:
        return None
    label = header_label(lang, hit)
    if lang == "en":
        position = ENGLISH_POSITIONS.get(" ".join(fold(meta.signer_title).split()), "")
        signer = ascii_word(meta.signer) + (f", {position}" if position else "")
        body = f"{label[:1].upper()}{label[1:]} was signed by {signer}."
    else:
        body = f"{label} do {f'{meta.signer_title} ' if meta.signer_title else ''}{meta.signer} ký."
    quote = f"{meta.signer_title.upper()} {meta.signer}".strip()
    citation = Citation(1, hit.doc_id, hit.title, hit.doc_number, "", meta.signer_page, quote, hit.status, hit.chunk_id)
    return Answer(f"{body} [1]", lang, True, "documents", [citation], confidence=1.0)


def find_signed(question: str, hits: list[Hit], referenced: set[str], references: list[Reference],
                asked_words: Callable[[], set[str]]) -> Hit | None:
    """The passage whose document a signer question asks about: one of the document it names by number and
    year (`referenced`) or by its number ("công văn 6791/SNNMT-KHTC", `references`: type and code must
    agree), else, when the question names no number, the best passage if the question names its document
    by type or title. None when the document asked is not among the hits."""
    if referenced:
        return next((h for h in hits if h.doc_id in referenced), None)
    if references:
        return next((h for h in hits for r in references if numbers_document(r, h.doc_type, h.doc_number)), None)
    if hits and names_document(question, hits[0], asked_words()):
        return hits[0]
    return None
