"""Which language a text is written in: Vietnamese (with or without diacritics) or English."""
from __future__ import annotations

import re

from ingest.vietnamese import EN_STOPWORDS, VI_COMMON_SYLLABLES, fold, has_vietnamese_diacritics

_WORD_RE = re.compile(r"[^\W\d_]+")
def detect_language(text: str) -> str:
    """'vi' or 'en'. Short questions typed without diacritics (`ho tro may moc det may`) are Vietnamese."""
    words = _WORD_RE.findall(text.lower())
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
    if marked and marked >= en_hits:
        return "vi"
    return "en"
