"""The proper names a question asks about ("Bắc Ninh", "Báo Đáp", "Campuchia", "ISO 14001"), and whether a
passage mentions them: a question about a place, cluster, country, body or standard the documents never
mention is not answered by a clause about another one."""
from __future__ import annotations

import re
from collections.abc import Callable

from ingest.language import detect_language, is_vietnamese_syllable
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
# the words before a place's name, folded ("tinh bac ninh", "giua viet nam va han quoc"), and the words that
# follow them in phrases that name no place ("nước ngoài", "tỉnh thành", "Ủy ban nhân dân tỉnh")
_PLACE_BEFORE_RE = re.compile(r"(?<!\w)(?:tinh|huyen|thanh pho|viet nam (?:va|voi))\s+(\w+)\s+(\w+)(?!\w)")
_PLACE_WORD_CHUNKS = 3  # a pair the documents hold in more chunks than this is a word ("tình hình"), not "tỉnh" + a name
_NOT_PLACE_WORDS = frozenset("ngoai nhan uy ban thanh le lo tren nay ta giao chi dao".split())
_SERIAL_RE = re.compile(r"\d{1,2}")  # a number that continues a name, not a year
_TOKEN_RE = re.compile(r"[^\W_]+(?:[/.-][^\W_]+)*")
_VIET_NAM_RE = re.compile(r"\bVi[ệe]t ?[Nn]am\b")
# "Trung tâm", "Trung ương" (a centre, the central level) name a kind of body, while "Trung Quốc" is a name
_CENTRAL_RE = re.compile(r"\bTrung (tâm|ương|hạn)\b")  # the country every document here shares: never the name asked
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
    function = VI_FUNCTION_WORDS if vietnamese else EN_STOPWORDS if detect_language(question) == "en" else VI_STOPWORDS
    if any(t[:1].isupper() and (t.lower() if vietnamese else fold(t.lower())) in function for t in tokens[1:]):
        return names  # title case ("Hải Dương Có Bao Nhiêu …"): capitals name nothing
    stretch: list[str] = []
    titled = after_law = False
    for position, token in enumerate(tokens + [""]):
        if _name_word(token, vietnamese, function) and (
                position > 0 or _name_word(tokens[1] if len(tokens) > 1 else "", vietnamese, function)):
            if not stretch:
                titled = after_law
            stretch.append(token)
            continue
        if stretch and vietnamese and titled and len(stretch) == 1:
            stretch.extend(_title_word(tokens[position:]))
        elif stretch and _SERIAL_RE.fullmatch(token):
            stretch.append(token)  # "Phú Thịnh 2": the number tells one cluster of a series from the others
        if stretch:
            names.append(" ".join(stretch))
        stretch = []
        after_law = token[:1].isupper() and token.lower() in LAW_KINDS
    return names


def facility_names(question: str, passages: list[str]) -> list[str]:
    """The industrial clusters and parks a question names ("cụm công nghiệp Phú Thịnh 2", "CCN Báo Đáp", "Dai
    An Industrial Park"): its names written next to such a word, and, typed in lower case or without
    diacritics ("cum cong nghiep bao dap"), the names the `passages` give such a place that the question's
    words after that word spell. A clause about one of them answers about it, not one about its neighbour."""
    folded = " ".join(fold(question.lower()).split())
    found = [name for name in question_names(question)
             if re.search(rf"{_FACILITY}\s+{re.escape(fold(name.lower()))}(?!\w)|(?<!\w){re.escape(fold(name.lower()))}\s+"
                          rf"(?:industrial|economic)\s+(?:cluster|park|zone)", folded)]
    known = {name: written for passage in passages for name, written in facility_names_in(passage).items()}
    for after in re.finditer(rf"{_FACILITY}\s+((?:\w+\s*){{1,4}})", folded):
        words = after.group(1).split()
        spelled = next((" ".join(words[:n]) for n in range(len(words), 0, -1) if " ".join(words[:n]) in known), "")
        if spelled and not any(fold(f.lower()) == spelled for f in found):
            found.append(known[spelled])
    return found


def lowercase_place_names(question: str, chunks_with: Callable[[str], int] | None = None) -> list[str]:
    """The places a Vietnamese question typed without diacritics names, where capitals cannot tell them: the two
    words after a word for a province, city, district or country ("tinh bac ninh", "viet nam va han quoc"),
    title-cased; none where those words are function words or a phrase such as "nước ngoài", nor where the
    first of them makes a word with the one before that the documents use often (`chunks_with`: how many
    chunks hold a folded pair such as "tinh_hinh"): "tình hình", "tính chất", typed as "tinh" too."""
    if has_vietnamese_diacritics(question) or detect_language(question) == "en":
        return []
    folded = " ".join(fold(question.lower()).split())
    names = []
    for match in _PLACE_BEFORE_RE.finditer(folded):
        words = match.group(1, 2)
        if folded[:match.start()].split()[-1:] in (["cach"], ["duoc"], ["de"], ["se"], ["phai"], ["khi"]):
            continue  # "cách tính phí", "được tính": the verb "tính", typed as "tinh"
        if chunks_with is not None and chunks_with(f"{match.group(0).split()[-3]}_{words[0]}") > _PLACE_WORD_CHUNKS:
            continue
        if not any(w in VI_STOPWORDS or w in _NOT_PLACE_WORDS or not is_vietnamese_syllable(w) for w in words):
            names.append(" ".join(w.capitalize() for w in words))
    return names


def facility_names_in(passage: str) -> dict[str, str]:
    """The industrial clusters and parks a passage names, folded, each with its name as written."""
    return {fold(name.lower()): name for m in _FACILITY_NAME_RE.finditer(passage) if (name := _capitalised_lead(m.group(1)))}


def _capitalised_lead(words: str) -> str:
    """The capitalised words that open `words`, with a number that continues them ("Phú Thịnh 2 và" → "Phú
    Thịnh 2"); '' when the first is not capitalised."""
    lead: list[str] = []
    for word in words.split():
        if word[0].isupper() and not word.isupper() and (lead or word.lower() not in NAME_GENERIC_WORDS):
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
