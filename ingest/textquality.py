"""Is a text layer readable? Share of words that are neither Vietnamese syllables, plain words nor numbers."""
from __future__ import annotations

import re

from ingest.vietnamese import fold

_SYLLABLE_RE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
    r"[aeiouy]{1,3}"
    r"(?:ng|nh|ch|[cmnpt])?$"
)
_PLAIN_WORD_RE = re.compile(r"^[A-Za-z]+(?:['’-][A-Za-z]+)*$")
_NUMBER_RE = re.compile(r"^[\d.,/%:-]+$")
_CODE_RE = re.compile(r"^[A-ZĐ]*\d+[a-zđA-ZĐ]?$|^[A-ZĐ]+\d+$")
_TOKEN_RE = re.compile(r"\S+")
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
        if folded.isascii() and folded.isalpha():
            if _SYLLABLE_RE.match(folded) or (part.isascii() and _PLAIN_WORD_RE.match(part)):
                continue
            if len(folded) <= 3 or folded.isupper():
                continue  # abbreviations: UBND, QĐ, KCN
        if _CODE_RE.match(part):
            continue  # codes like ISO9001, 2a, QH15
        return False
    return True


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
