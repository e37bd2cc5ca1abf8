"""Which language a text is written in: Vietnamese (with or without diacritics) or English."""
from __future__ import annotations

import re

from ingest.vietnamese import fold, has_vietnamese_diacritics

_WORD_RE = re.compile(r"[^\W\d_]+")
# Frequent Vietnamese syllables that are not English words, as typed without diacritics.
_VI_FOLDED = set(
    "cua va cac nhung duoc cho voi trong khong nay theo tai ve nguoi doanh nghiep ho tro cong "
    "nghiep khu cum dau tu thue dat tinh huyen xa nam ngay thang so quyet dinh nghi thong "
    "dieu khoan diem muc chuong phan hoac phai neu thi khi da se dang bao nhieu gi nao sao "
    "the nhu mot hai ba bon chinh sach uu dai vay von san xuat may moc det thiet bi dao tao "
    "chuong trinh ke hoach viec lam lao dong duong nuoc dien phat trien quy hoach hang hoa "
    "thu tuc ho so nop o dau ai lien he co duoc khong can muon biet tim hieu ra".split()
)
EN_STOPWORDS = frozenset(
    "a an the of and or to in on for with by from at as is are was were be been does do did can could should would "
    "what which who whom whose how when where why there this that these those it its my our your their i we you they "
    "me us any some many much about into than then so if not no get gets have has".split()
)


# The shape of a Vietnamese syllable typed without diacritics: initial consonant(s), one to three vowels,
# an allowed final. Most English words do not fit it ("gold", "price", "what", "industrial").
_VI_SYLLABLE_RE = re.compile(r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?$")
# Frequent English words that happen to have that shape.
_EN_SHAPED = frozenset("a an the to in on do go no so on me we he be by my at it is of or if up as us am can man ban then than ten hot not got lot top map tap men pen chin thin tin pin cup cut hat cat mat".split())


def _vietnamese_shape(words: list[str]) -> float:
    """Share of words shaped like Vietnamese syllables and not frequent English words."""
    return sum(1 for w in words if _VI_SYLLABLE_RE.match(w) and w not in _EN_SHAPED) / len(words)


def detect_language(text: str) -> str:
    """'vi' or 'en'. Short questions typed without diacritics (`ho tro may moc det may`) are Vietnamese."""
    words = _WORD_RE.findall(text.lower())
    if not words:
        return "vi"
    marked = sum(1 for w in words if has_vietnamese_diacritics(w))
    if marked / len(words) >= 0.15 or (len(words) <= 3 and marked):
        return "vi"
    folded = [fold(w) for w in words]
    vi_hits = sum(1 for w in folded if w in _VI_FOLDED)
    en_hits = sum(1 for w in words if w in EN_STOPWORDS)
    if vi_hits > en_hits and vi_hits / len(words) >= 0.3:
        return "vi"
    if not marked and len(words) >= 2 and _vietnamese_shape(folded) >= 0.8 and en_hits <= 0.15 * len(words):
        return "vi"  # "gia vang hom nay": every word is a Vietnamese syllable
    if marked and marked >= en_hits:
        return "vi"
    return "en"
