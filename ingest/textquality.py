"""Is a text layer readable? Share of words that are neither Vietnamese syllables, plausible plain words nor
numbers, and whether a page reads as Vietnamese or English at all (broken OCR of Vietnamese often looks like
neither: `ceNG noa xA Her cHU Ncuia vrET NAM`)."""
from __future__ import annotations

import re

from ingest.language import EN_STOPWORDS
from ingest.vietnamese import fold, has_vietnamese_diacritics

_SYLLABLE_RE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
    r"[aeiouy]{1,3}"
    r"(?:ng|nh|ch|[cmnpt])?$"
)
_PLAIN_WORD_RE = re.compile(r"^[A-Za-z]+(?:['’-][A-Za-z]+)*$")
_NUMBER_RE = re.compile(r"^[\d.,/%:-]+$")
_CODE_RE = re.compile(r"^[A-ZĐ]*\d+[a-zđA-ZĐ]?$|^[A-ZĐ]+\d+$")
_TOKEN_RE = re.compile(r"\S+")
_ACRONYM_PLURAL_RE = re.compile(r"^[A-ZĐ]{2,}s$")  # SMEs, KCNs
_VOWELS = "aeiouy"
# Consonants an English word may start with (anything else, `Ncuia`, `vrET`, is noise).
_EN_ONSETS = set(
    "b bl br c ch chr cl cr cz d dr dw f fl fr g gh gl gn gr h j k kh kl kn kr l m n p ph phr pl pr ps pt "
    "q qu r rh s sc sch scr sh shr sk sl sm sn sp sph spl spr sq st str sw t th thr tr ts tw v w wh wr x y z".split()
)
_EDGE_PUNCT = "\"'“”‘’()[]{}.,;:!?…-–—•*/|«»<>"


def _readable(token: str) -> bool:
    word = token.strip(_EDGE_PUNCT)
    if not word:
        return True
    if _NUMBER_RE.match(word):
        return True
    if any(ch in word for ch in "\ufffd") or any(0xE000 <= ord(ch) <= 0xF8FF for ch in word):
        return False
    parts = re.split(r"[-/]", word)
    for part in parts:
        if not part:
            continue
        folded = fold(part)
        if _case_flips(part) and not _ACRONYM_PLURAL_RE.match(part):
            return False
        if folded.isascii() and folded.isalpha():
            if _SYLLABLE_RE.match(folded) or (part.isascii() and _PLAIN_WORD_RE.match(part) and _english_onset(folded)):
                continue
            if len(folded) <= 3 or folded.isupper():
                continue  # abbreviations: UBND, QĐ, KCN
        if _CODE_RE.match(part):
            continue  # codes like ISO9001, 2a, QH15
        return False
    return True


def _case_flips(word: str) -> bool:
    """A lower-case letter followed by a capital inside a word (`ceNG`, `cHU`, `xA`): OCR noise."""
    return any(a.islower() and b.isupper() for a, b in zip(word, word[1:]))


def _english_onset(word: str) -> bool:
    """Whether the consonants before a word's first vowel could start an English word."""
    onset = re.split(f"[{_VOWELS}]", word, maxsplit=1)[0]
    return onset == "" or onset in _EN_ONSETS or onset == word  # all consonants: an abbreviation


def garbled_ratio(text: str, sample_words: int = 4000) -> float:
    """Fraction of words (up to a sample) that no reader could make sense of."""
    tokens = _TOKEN_RE.findall(text)
    if not tokens:
        return 1.0
    if len(tokens) > sample_words:
        step = len(tokens) / sample_words
        tokens = [tokens[int(i * step)] for i in range(sample_words)]
    bad = sum(1 for t in tokens if not _readable(t))
    return bad / len(tokens)


def _english_shaped(word: str) -> bool:
    """An ASCII word that is no Vietnamese syllable but could be English (`projects`, `land`, not `Ncuia`)."""
    return word.isascii() and len(word) > 2 and not _SYLLABLE_RE.match(word) and _english_onset(word)


PAGE_GARBLED_LIMIT = 0.25
MIN_WORDS_FOR_LANGUAGE = 25


def page_problem(text: str) -> str:
    """Why a page's text layer cannot be indexed as it is ("" when it reads well): unreadable words over the
    limit, or enough words that read as neither Vietnamese with its diacritics nor English (any script, any
    font mapping; an official text layer that lost its diacritics is broken OCR)."""
    ratio = garbled_ratio(text)
    if ratio > PAGE_GARBLED_LIMIT:
        return f"{ratio:.0%} of words unreadable"
    words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > 1]
    if len(words) < MIN_WORDS_FOR_LANGUAGE:
        return ""
    lowered = [w.lower() for w in words]
    marked = sum(1 for w in lowered if has_vietnamese_diacritics(w)) / len(words)
    english = sum(1 for w in lowered if w in EN_STOPWORDS) / len(words)
    english_shaped = sum(1 for w in lowered if _english_shaped(w)) / len(words)
    if marked >= 0.15 or english >= 0.1 or english_shaped >= 0.4:
        return ""
    return "reads as neither Vietnamese nor English"


def readable(text: str, limit: float = 0.2) -> bool:
    """Whether a short text (a title, a first line) is something to show a person."""
    return bool(text.strip()) and garbled_ratio(text) <= limit
