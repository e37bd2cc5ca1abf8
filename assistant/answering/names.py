"""The proper names a question asks about ("Bắc Ninh", "Báo Đáp", "Campuchia"), and whether a passage
mentions them: a question about a place, cluster, country or body the documents never mention is not
answered by a clause about another one."""
from __future__ import annotations

import re

from ingest.language import is_vietnamese_syllable
from ingest.vietnamese import fold, has_vietnamese_diacritics

# A code with its number: a standard, a technical regulation, a road junction ("ISO 14001", "QCVN 40:2011");
# a standard's code also when typed in lower case ("iso 14001")
_CODE_RE = re.compile(r"\b(?:(?!(?:VND|USD|EUR|VNĐ)\b)[A-Z]{2,}[A-Z0-9]*|(?i:iso|iec|iatf|tcvn|qcvn|astm|jis))[ -]?\d{2,}(?:[:.]\d+)*\b")
_TOKEN_RE = re.compile(r"[^\W_]+(?:[/.-][^\W_]+)*")
# Capitalised words that name a kind of document, body or place rather than one of them ("Luật", "Cụm",
# "Tỉnh", "Sở Công Thương"), and the country every document here shares ("Việt Nam"): they separate
# names, they are never the name asked about. Lower case, with diacritics.
_GENERIC = frozenset(
    "luật nghị định thông tư quyết hiệp chỉ thị công văn kế hoạch đề án cụm khu tỉnh thành phố huyện xã "
    "phường sở bộ ủy uỷ ban ubnd chính phủ nhà nước hội việt nam cộng hòa hoà chủ nghĩa điều khoản "
    "chương mục phụ lục đồng quản lý trung tâm cục vụ phòng doanh nghiệp dự chương trình thương thủ tướng "
    "nhân dân khóa lớp hội thảo giấy phép tiêu chuẩn quy hợp".split()
)
# Words after which a capitalised word begins a title ("Luật Dầu khí", "Nghị định Quy định …"). Lower case.
_LAW_KINDS = frozenset("luật định tư án".split())
_NOT_TITLE = frozenset("quy có là được về của và gì nào năm ban số ngày do cho tại ở mới sửa đổi hiện áp".split())
# An English question's name is checked only when every word has the shape of a Vietnamese syllable
# ("Bac Ninh", "Phu Thai"), never a word like "Cambodia" that the documents write otherwise. Folded.
_EN_GENERIC = frozenset("viet nam province city district".split())


def question_names(question: str) -> list[str]:
    """The proper names of a question, as written: stretches of capitalised words after the sentence's
    first word, between the generic words that lead or join them ("Tỉnh Bắc Ninh" →
    "Bắc Ninh"). A name after a kind of law is its title, with the lower-case words that follow ("Luật
    Dầu khí 2022" → "Dầu khí"). A Vietnamese question typed without diacritics in lower case names nothing
    this can see; an English question's names count only when shaped like Vietnamese syllables. Codes
    with their numbers ("ISO 14001") are names in any language."""
    names = [code.group(0) for code in _CODE_RE.finditer(question)]
    question = _CODE_RE.sub(" ", question)
    tokens = _TOKEN_RE.findall(question)
    vietnamese = has_vietnamese_diacritics(question)
    stretch: list[str] = []
    after_law = False
    for position, token in enumerate(tokens + [""]):
        capital = bool(token) and token[0].isupper() and not token.isupper() and not token[0].isdigit()
        first_alone = position == 0  # a sentence's first word is capitalised whatever it is
        generic = token.lower() in _GENERIC if vietnamese else fold(token.lower()) in _EN_GENERIC or not is_vietnamese_syllable(token)
        if capital and not first_alone and not generic:
            if not stretch:
                titled = after_law
            stretch.append(token)
            continue
        if stretch and vietnamese and titled and len(stretch) == 1:
            stretch.extend(_title_words(tokens[position:]))
        if stretch:
            names.append(" ".join(stretch))
        stretch = []
        after_law = capital and token.lower() in _LAW_KINDS
    return names


def _title_words(tokens: list[str]) -> list[str]:
    """The lower-case word that continues a law's title ("khí" of "Luật Dầu khí 2022"), unless it is a
    verb or function word that begins the rest of the question ("quy" of "Luật Hóa chất quy định")."""
    token = tokens[0] if tokens else ""
    if not token or not token.islower() or token in _NOT_TITLE or any(ch.isdigit() for ch in token):
        return []
    return [token]


def mentions(passage: str, name: str) -> bool:
    """Whether a passage mentions a name: with its diacritics when the name has them ("Dầu" is not
    "đầu"), else folded ("Bac Ninh" meets "Bắc Ninh"); whole words only."""
    if has_vietnamese_diacritics(name):
        haystack, needle = passage.lower(), name.lower()
    else:
        haystack, needle = fold(passage), fold(name)
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", " ".join(haystack.split())) is not None
