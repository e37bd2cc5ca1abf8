"""The proper names a question asks about ("Bắc Ninh", "Báo Đáp", "Campuchia", "ISO 14001"), and whether a
passage mentions them: a question about a place, cluster, country, body or standard the documents never
mention is not answered by a clause about another one."""
from __future__ import annotations

import re
from collections.abc import Iterable

from ingest.language import detect_language, has_syllable_shape, is_vietnamese_syllable
from ingest.vietnamese import (
    EN_STOPWORDS,
    LAW_KINDS,
    NAME_GENERIC_WORDS,
    NOT_TITLE_WORDS,
    PROTECTED_TOKEN_RE,
    STANDARD_PREFIXES,
    VI_FUNCTION_WORDS,
    VI_STOPWORDS,
    fold,
    has_vietnamese_diacritics,
)

# A standard or technical regulation with its number, in any case, spaced or not ("ISO 14001", "iso14001")
_CODE_RE = re.compile(rf"\b({'|'.join(STANDARD_PREFIXES)})[ -]?(\d{{2,}}(?:[:.]\d+)*)\b", re.IGNORECASE)
# the words for an industrial cluster or park, folded, and such a place's name as the documents write it
_FACILITY = r"(?<!\w)(?:cum cong nghiep|khu cong nghiep|ccn|kcn)"
_FACILITY_NAME_RE = re.compile(r"(?i:cụm công nghiệp|khu công nghiệp|CCN|KCN)(?=\s+((?:[^\W\d_]+\s+){0,3}[^\W\d_]+(?:\s+\d{1,2}\b)?))")
_SERIAL_RE = re.compile(r"\d{1,2}")  # a number that continues a cluster's name ("Phú Thịnh 2"), not a year
# words that cannot open a cluster's name ("cụm công nghiệp Tỉnh …" is a heading, not a name)
_NOT_FACILITY_FIRST = frozenset("tỉnh huyện xã phường thị thành trên tại của do và".split())
# Provinces of Việt Nam and the countries the documents deal with, folded, of two syllables or more: a
# question typed without diacritics names them with no capitals to tell ("tinh bac ninh", "viet nam va han
# quoc"); a one-syllable name ("Lào", "Huế") is a common word too once folded ("lao động"), so none is listed.
PLACE_NAMES = frozenset("""
an giang;ba ria vung tau;bac giang;bac kan;bac lieu;bac ninh;ben tre;binh dinh;binh duong;binh phuoc;binh thuan;
ca mau;can tho;cao bang;da nang;dak lak;dak nong;dien bien;dong nai;dong thap;gia lai;ha giang;ha nam;ha noi;
ha tinh;hai duong;hai phong;hau giang;hoa binh;hung yen;khanh hoa;kien giang;kon tum;lai chau;lam dong;lang son;
lao cai;long an;nam dinh;nghe an;ninh binh;ninh thuan;phu tho;phu yen;quang binh;quang nam;quang ngai;
quang ninh;quang tri;soc trang;son la;tay ninh;thai binh;thai nguyen;thanh hoa;thua thien hue;tien giang;
tra vinh;tuyen quang;vinh long;vinh phuc;yen bai;ho chi minh;sai gon;
campuchia;trung quoc;han quoc;nhat ban;thai lan;hoa ky;an do;dai loan;trieu tien;hong kong;singapore;malaysia;
indonesia;philippines;myanmar""".replace("\n", "").split(";"))
# a name with a function word in it ("son la": "sơn là", "can tho": "cần thơ") only after a word for a place
_PLACE_WORD_RE = re.compile(r"(?<!\w)(?:tinh|thanh pho|tp|nuoc)\s+$")
_PLACE_RE = re.compile(r"(?<!\w)(" + "|".join(sorted((re.escape(p) for p in PLACE_NAMES), key=len, reverse=True)) + r")(?!\w)")
_TOKEN_RE = re.compile(r"[^\W_]+(?:[/.-][^\W_]+)*")
_VIET_NAM_RE = re.compile(r"\bVi[ệe]t ?[Nn]am\b")  # the country every document here shares: never the name asked
# "Trung tâm", "Trung ương" (a centre, the central level) name a kind of body, while "Trung Quốc" is a name
_CENTRAL_RE = re.compile(r"\bTrung ([Tt]âm|[Ưư]ơng|[Hh]ạn)\b")
# An English question's name is checked only when every word has the shape of a Vietnamese syllable
# ("Bac Ninh", "Phu Thai"), never a word like "Cambodia" that the documents write otherwise. Folded.
_EN_GENERIC = frozenset("viet nam province city district".split())


def question_names(question: str) -> list[str]:
    """The proper names of a question, as written: stretches of capitalised words, cut at generic words
    ("Tỉnh Bắc Ninh" → "Bắc Ninh") and function words; the sentence's first word only when the next one
    continues it ("Bắc Ninh có …", not "Khóa …"). A name after a kind of law is its title, with the
    lower-case word that follows ("Luật Dầu khí 2022" → "Dầu khí"). Codes of standards ("ISO 14001") are
    names in any language and case. A question in title case, or typed in lower case without diacritics,
    shows no other names; an English question's names count only when shaped like Vietnamese syllables."""
    names = [f"{code.group(1).upper()} {code.group(2)}" for code in _CODE_RE.finditer(question)]
    text = _CENTRAL_RE.sub(r"trung \1", _VIET_NAM_RE.sub(",", _CODE_RE.sub(" ", PROTECTED_TOKEN_RE.sub(" ", question))))
    tokens = _TOKEN_RE.findall(text)
    vietnamese = has_vietnamese_diacritics(question)
    english = not vietnamese and detect_language(question) == "en"
    function = VI_FUNCTION_WORDS if vietnamese else EN_STOPWORDS if english else VI_STOPWORDS

    def continues(position: int) -> bool:
        # "Dai An", "Long An": in English, a capitalised syllable after a name's word continues it, stopword or not
        token, before = tokens[position], tokens[position - 1] if position else ""
        return english and token[:1].isupper() and has_syllable_shape(token) and _name_word(before, vietnamese, function)

    if any(t[:1].isupper() and (t.lower() if vietnamese else fold(t.lower())) in function and not continues(i)
           for i, t in enumerate(tokens) if i):
        return names  # title case ("Hải Dương Có Bao Nhiêu …"): capitals name nothing
    stretch: list[str] = []
    titled = after_law = False
    for position, token in enumerate(tokens + [""]):
        if stretch and position < len(tokens) and continues(position):
            stretch.append(token)
            continue
        if _name_word(token, vietnamese, function) and (
                position > 0 or _name_word(tokens[1] if len(tokens) > 1 else "", vietnamese, function)):
            if not stretch:
                titled = after_law
            stretch.append(token)
            continue
        if stretch and vietnamese and titled and len(stretch) == 1:
            stretch.extend(_title_word(tokens[position:]))
        if stretch:
            names.append(" ".join(stretch))
        stretch = []
        after_law = token[:1].isupper() and token.lower() in LAW_KINDS
    return names


def facility_names(question: str, named_in: Iterable[dict[str, str]]) -> list[str]:
    """The industrial clusters and parks a question names ("cụm công nghiệp Phú Thịnh 2", "CCN Báo Đáp", "the
    Phu Thinh 2 industrial cluster"): its names written next to such a word, with the number that tells one
    of a series from the others; and the names passages give such places (`named_in`: `facility_names_in`
    of each) that the question spells, in any case and without diacritics ("ccn bao dap", "phu thinh 1 va
    phu thinh 2"). A clause about one of them answers about it, not one about its neighbour."""
    folded = " ".join(fold(question).split())
    found: dict[str, str] = {}
    for name in question_names(question):
        key = re.escape(fold(name))
        beside = re.search(rf"{_FACILITY}\s+{key}(?:\s+(\d{{1,2}}))?(?![\w/])|(?<!\w){key}(?:\s+(\d{{1,2}}))?\s+"
                           rf"(?:industrial|economic)\s+(?:cluster|park|zone)", folded)
        if beside:
            number = beside.group(1) or beside.group(2)
            written = f"{name} {number}" if number else name
            found[fold(written)] = written
    known = {name: written for names in named_in for name, written in names.items()}
    for name, written in known.items():
        if name not in found and re.search(rf"(?<!\w){re.escape(name)}(?![\w/])(?!\s+\d)", folded) and (
                len(name.split()) > 1 or re.search(rf"{_FACILITY}\s+{re.escape(name)}(?![\w/])", folded)):
            found[name] = written
    return list(found.values())


def lowercase_place_names(question: str) -> list[str]:
    """The provinces and countries (`PLACE_NAMES`) a Vietnamese question typed without diacritics names, where
    capitals cannot tell them ("tinh bac ninh", "viet nam va han quoc"), title-cased; a name one of whose
    words is a function word once folded ("son la" in "thuy son la bao nhieu") only after "tinh", "thanh pho"
    or "nuoc"; none for a question with diacritics (its capitals tell its names) or in English."""
    if has_vietnamese_diacritics(question) or detect_language(question) == "en":
        return []
    folded = " ".join(fold(question).split())
    names = [match.group(1) for match in _PLACE_RE.finditer(folded)
             if not set(match.group(1).split()) & VI_STOPWORDS or _PLACE_WORD_RE.search(folded[:match.start()])]
    return [name.title() for name in dict.fromkeys(names)]


def facility_names_in(passage: str) -> dict[str, str]:
    """The industrial clusters and parks a passage names, folded, each with its name as written."""
    return {fold(name): name for m in _FACILITY_NAME_RE.finditer(passage) if (name := _capitalised_lead(m.group(1)))}


def _capitalised_lead(words: str) -> str:
    """The capitalised words that open `words`, with a number that continues them ("Phú Thịnh 2 và" → "Phú
    Thịnh 2"); '' when the first is not capitalised or cannot open a name."""
    lead: list[str] = []
    for word in words.split():
        if word[0].isupper() and not word.isupper() and (lead or word.lower() not in _NOT_FACILITY_FIRST):
            lead.append(word)
            continue
        if lead and _SERIAL_RE.fullmatch(word):
            lead.append(word)
        break
    return " ".join(lead)


def _name_word(token: str, vietnamese: bool, function: frozenset[str]) -> bool:
    """Whether a token can be part of a proper name: capitalised, not an abbreviation or number, not a
    generic word nor one of the question language's `function` words (and, in a question without
    diacritics, shaped like a Vietnamese syllable)."""
    if not token or not token[0].isupper() or token.isupper() or token[0].isdigit():
        return False
    if vietnamese:
        return token.lower() not in NAME_GENERIC_WORDS and token.lower() not in function
    folded = fold(token.lower())
    return folded not in function and folded not in _EN_GENERIC and is_vietnamese_syllable(token)


def _title_word(tokens: list[str]) -> list[str]:
    """The lower-case word that continues a law's title ("khí" of "Luật Dầu khí 2022"), unless it is a
    verb or function word that begins the rest of the question ("quy" of "Luật Hóa chất quy định")."""
    token = tokens[0] if tokens else ""
    if not token or not token.islower() or token in NOT_TITLE_WORDS or any(ch.isdigit() for ch in token):
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
