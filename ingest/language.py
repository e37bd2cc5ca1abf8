"""Which language a text is written in: Vietnamese (with or without diacritics) or English."""
from __future__ import annotations

import re

from ingest.vietnamese import EN_STOPWORDS, VI_COMMON_SYLLABLES, fold, has_vietnamese_diacritics

_WORD_RE = re.compile(r"[^\W\d_]+")
_VOWEL_RE = re.compile(r"[aeiouy]")


# The shape of a Vietnamese syllable typed without diacritics: initial consonant(s), one to three vowels,
# an allowed final. Most English words do not fit it ("gold", "price", "what", "industrial").
_VI_SYLLABLE_RE = re.compile(r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?$")
# Frequent English words that happen to have that shape.
_EN_SHAPED = frozenset("a an the to in on do go no so on me we he be by my at it is of or if up as us am can man ban then than ten hot not got lot top map tap men pen chin thin tin pin cup cut hat cat mat".split())


def has_syllable_shape(word: str) -> bool:
    """Whether a word typed without diacritics has the shape of a Vietnamese syllable, English or not ("an")."""
    return bool(_VI_SYLLABLE_RE.match(fold(word)))


def is_vietnamese_syllable(word: str) -> bool:
    """Whether a word typed without diacritics has the shape of a Vietnamese syllable ("bac", "ninh")
    and is not a frequent English word of that shape."""
    return has_syllable_shape(word) and fold(word) not in _EN_SHAPED


def _vietnamese_shape(words: list[str]) -> float:
    """Share of words shaped like Vietnamese syllables and not frequent English words."""
    return sum(1 for w in words if _VI_SYLLABLE_RE.match(w) and w not in _EN_SHAPED) / len(words)


def detect_language(text: str) -> str:
    """'vi' or 'en'. Short questions typed without diacritics (`ho tro may moc det may`) are Vietnamese."""
    words = _WORD_RE.findall(text.lower())
    # a word without a vowel is a code or an abbreviation of either language ("tt", "bct", "fdi" has one): it
    # says nothing of the language ("tt 15/2026/tt-bct ky ngay j, ai ky?")
    words = [w for w in words if _VOWEL_RE.search(fold(w))] or words
    if not words:
        return "vi"
    marked = sum(1 for w in words if has_vietnamese_diacritics(w))
    if marked / len(words) >= 0.15 or (len(words) <= 3 and marked):
        return "vi"
    folded = [fold(w) for w in words]
    vi_hits = sum(1 for w in folded if w in VI_COMMON_SYLLABLES)
    en_hits = sum(1 for w in words if w in EN_STOPWORDS)
    if vi_hits > en_hits and vi_hits / len(words) >= 0.3:
        return "vi"
    if not marked and len(words) >= 2 and _vietnamese_shape(folded) >= 0.8 and en_hits <= 0.15 * len(words):
        return "vi"  # "gia vang hom nay": every word is a Vietnamese syllable
    if marked and marked >= en_hits:
        return "vi"
    return "en"
