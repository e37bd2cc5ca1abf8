"""The English first line of an answer drawn from a Vietnamese passage: no offline translation model
exists, so the values of the fact sentence (VND amounts, percentages, areas, durations and working days,
dates, document numbers) are rendered by rules, and its authorities and terms through the glossary, into
an English sentence; the Vietnamese clause follows, labelled as the source text."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from assistant.retrieval.glossary import Glossary
from ingest.vietnamese import has_vietnamese_diacritics

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_SCALES = {"nghìn": "thousand", "ngàn": "thousand", "triệu": "million", "tỷ": "billion", "tỉ": "billion"}
_DURATION_UNITS = {"ngày làm việc": "working day", "ngày": "day", "tháng": "month", "năm": "year", "tuần": "week",
                   "giờ": "hour", "buổi": "session"}
# Function phrases a fact sentence turns on, rendered before the glossary is consulted.
_PHRASES = {
    "không quá": "not exceeding", "tối đa": "at most", "chi phí mua": "of the cost of purchasing", "tối thiểu": "minimum", "trên": "over", "dưới": "under",
    "ít nhất": "at least", "miễn phí": "free of charge", "kể từ ngày ký": "from the date of signing",
    "có hiệu lực": "takes effect", "hết hiệu lực": "ceases to have effect", "hạn chót": "deadline",
    "trước ngày": "before", "chậm nhất": "no later than", "người": "people", "lao động": "employees",
    "quốc gia và vùng lãnh thổ": "countries and territories", "quốc gia": "countries", "nhóm giải pháp": "groups of solutions",
    "nhóm": "groups", "dự án": "projects", "có vốn đầu tư nước ngoài": "foreign-invested", "fdi": "FDI",
    "miễn thuế nhập khẩu": "exempt from import duty", "đơn đăng ký": "application form",
    "doanh nghiệp nhỏ và vừa": "small and medium-sized enterprises", "hợp tác xã": "cooperatives",
    "hộ kinh doanh": "household businesses", "chi phí": "of the cost", "không": "does not", "không được": "must not",
    "việt nam": "Viet Nam", "trung quốc": "China",
    # how often
    "định kỳ hằng năm": "annually", "định kỳ hàng năm": "annually", "hằng năm": "annually", "hàng năm": "annually",
    "hằng tháng": "monthly", "hàng tháng": "monthly", "hằng quý": "quarterly", "hàng quý": "quarterly",
}
# Words that connect the terms of a sentence: rendered only between two rendered pieces; "" for a word
# English does without (a plural marker makes the next term plural).
_LINKS = {
    "và": "and", "hoặc": "or", "của": "of", "về": "on", "theo": "under", "trong": "in", "tại": "at",
    "cho": "for", "với": "with", "từ": "from", "đến": "to", "để": "to", "là": "is", "gồm": "including",
    "bao gồm": "including", "đối với": "for", "trên địa bàn": "in", "thuộc": "in", "mỗi": "each",
    "trong thời hạn": "for", "kể cả": "including", "như": "such as",
    "các": "", "những": "", "được": "", "việc": "", "đã": "", "sẽ": "", "đang": "", "cần": "",
}
_MEASURES = {"km": "kilometre", "m": "metre", "tấn": "tonne", "kg": "kilogram", "lít": "litre"}  # units of measure after a number
# a number followed by itself in words, as legal texts write it ("05 (năm) ngày", "30 (ba mươi) ngày")
_SPELLED_NUMBER_RE = re.compile(r"(\d+)\s*\((?:một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mươi|mốt|lăm|tư|trăm|nghìn|linh|lẻ|\s)+\)\s*", re.I)
_PLURAL_MARKERS = {"các", "những"}
_LONGEST_LINK = max(len(k.split()) for k in _LINKS)
_SECTION_WORDS = {"Điều": "Article", "Khoản": "Clause", "Điểm": "Point", "Chương": "Chapter", "Mục": "Section",
                  "Phần": "Part", "Phụ lục": "Appendix"}
_WORD_RE = re.compile(r"\x00\d+\x00|" + _NUMBER + r"|[\w'-]+|[;:,.()]")


def _number(value: str) -> str:
    """A Vietnamese-written number in English notation: `2.567` → `2,567`, `1.860,24` → `1,860.24`,
    `03` → `3`."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", value):
        whole, _, decimals = value.partition(",")
        value = whole.replace(".", ",") + (f".{decimals}" if decimals else "")
    elif re.fullmatch(r"\d+,\d+", value):
        value = value.replace(",", ".")
    if re.fullmatch(r"0\d", value):
        value = value.lstrip("0") or "0"
    return value


def ascii_word(word: str) -> str:
    """A Vietnamese word (or name) without its diacritics, its case kept: `Trấn` → `Tran`, `Hà Nội` → `Ha Noi`."""
    word = word.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def _in_name(tokens: list[str], position: int) -> bool:
    """Whether a token is a syllable of a name inside the sentence: capitalised, as is a syllable next to it
    (a Vietnamese name capitalises every syllable, "Trấn Yên"; a body's name only its first, "Ban chấp hành").
    The sentence's first word is capitalised anyway, so it starts no name."""

    def capital(at: int) -> bool:
        return 0 < at < len(tokens) and tokens[at][:1].isupper() and tokens[at - 1] != "."

    return capital(position) and (capital(position - 1) or capital(position + 1))


def _plural(unit: str, number: str) -> str:
    return unit if number in ("1", "01") else unit + "s"


_AUTHORITY_RE = re.compile(r"\b(?:department|ministry|committee|management board|government|council)\b")


def _proper(term: str) -> str:
    """An authority's name in title case (`department of industry and trade` → `Department of Industry and
    Trade`); other terms as they are."""
    if not _AUTHORITY_RE.search(term):
        return term
    return " ".join(w if w in ("of", "and", "for", "the", "on") else w[:1].upper() + w[1:] for w in term.split())


def english_date(day: str | int, month: str | int, year: str | int) -> str:
    """A date as the English line writes it: `29 October 2021`."""
    return f"{int(day)} {_MONTHS[int(month) - 1]} {year}"


def english_number(doc_number: str) -> str:
    """A document number in ASCII: `3164/QĐ-UBND` → `3164/QD-UBND`."""
    return doc_number.replace("Đ", "D").replace("đ", "d")


def _value_rules() -> list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]:
    """(pattern, rendering) pairs, most specific first."""
    scale = "|".join(_SCALES)
    units = "|".join(sorted(_DURATION_UNITS, key=len, reverse=True))
    return [
        # "trước ngày 15 tháng 3": "before" (the glossary's "trước" is "in advance")
        (re.compile(r"\btrước(?=\s+ngày\s+\d)", re.I), lambda m: "before"),
        (re.compile(r"(?:ngày\s+)?(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.I),
         lambda m: f"{int(m[1])} {_MONTHS[int(m[2]) - 1]} {m[3]}" if 1 <= int(m[2]) <= 12 else m[0]),
        (re.compile(r"(?:ngày\s+)?(\d{1,2})/(\d{1,2})/(\d{4})\b", re.I),
         lambda m: f"{int(m[1])} {_MONTHS[int(m[2]) - 1]} {m[3]}" if 1 <= int(m[2]) <= 12 else m[0]),
        (re.compile(r"ngày\s+(\d{1,2})\s*(?:tháng\s+|/)(\d{1,2})\b(?!\s*(?:/|năm))", re.I),
         lambda m: f"{int(m[1])} {_MONTHS[int(m[2]) - 1]}" if 1 <= int(m[2]) <= 12 else m[0]),
        (re.compile(r"tháng\s+(\d{1,2})(?:\s*/\s*|\s+năm\s+)(\d{4})\b", re.I),
         lambda m: f"{_MONTHS[int(m[1]) - 1]} {m[2]}" if 1 <= int(m[1]) <= 12 else m[0]),
        (re.compile(r"\d+(?:/\d{2,4})?/[A-ZĐ][\wĐđ]*(?:-[\wĐđ]+)*"), lambda m: english_number(m[0])),
        # "Luật Đầu tư", "luật hóa chất" (a title in lower case): a law is named "Law on …"; not "Luật này"
        # (this law), "luật sư" (a lawyer), "pháp luật Việt Nam" (the law of Viet Nam)
        (re.compile(r"(?<![Pp]háp )\b[Ll]uật(?=\s+(?!(?:này|và|về|số|sư|pháp|lệ|định|khác|hiện|chuyên|liên|có|của|được|đã|sẽ|thì|là|quy|nêu)\b)[^\W\d_])"),
         lambda m: "Law on"),
        (re.compile(rf"({_NUMBER})\s*({scale})\s+(?:đồng|VNĐ|VND)\b", re.I),
         lambda m: f"VND {_number(m[1])} {_SCALES[m[2].lower()]}"),
        (re.compile(rf"({_NUMBER})\s*(?:đồng|VNĐ|VND|đ)\b", re.I), lambda m: f"VND {_number(m[1])}"),
        (re.compile(rf"({_NUMBER})\s*%"), lambda m: f"{_number(m[1])}%"),
        (re.compile(rf"({_NUMBER})\s*(?:ha|héc-?ta)\b", re.I), lambda m: f"{_number(m[1])} hectares"),
        (re.compile(rf"({_NUMBER})\s*(?:m2|m²)", re.I), lambda m: f"{_number(m[1])} square metres"),
        (re.compile(rf"({_NUMBER})\s*(km|m|tấn|kg|lít)(?![\w²³])", re.I),
         lambda m: f"{_number(m[1])} {_plural(_MEASURES[m[2].lower()], _number(m[1]))}"),
        (re.compile(rf"({_NUMBER})\s+({units})\b", re.I),
         lambda m: f"{_number(m[1])} {_plural(_DURATION_UNITS[m[2].lower()], _number(m[1]))}"),
    ]


@dataclass
class Rendering:
    """A Vietnamese sentence rendered: the English line, the values in it (amounts, dates, durations …, as
    rendered, in order) and the share of the sentence's words that were rendered (the rest left out)."""

    line: str
    values: list[str]
    rendered_share: float


class EnglishRenderer:
    """Renders the fact of a Vietnamese sentence in English by rules and the glossary."""

    def __init__(self, glossary: Glossary):
        self.glossary = glossary
        self._rules = _value_rules()
        self._phrases = {k.lower(): v for k, v in _PHRASES.items()}
        self._longest = max(len(k.split()) for k in self._phrases)

    def _term(self, phrase: str, after_number: str) -> str | None:
        """The English for a Vietnamese phrase (function phrases, then the glossary), plural after a
        number other than one or a plural marker."""
        if phrase in self._phrases:
            return self._phrases[phrase]
        options = self.glossary.vi_to_en.get(phrase)
        if not options:
            return None
        if after_number and after_number not in ("1", "01"):  # "many": after "các" / "những"
            plural = [o for o in options if o.endswith("s")]
            if plural:
                return _proper(plural[0])
        singular = [o for o in options if not o.endswith("s") or o.endswith("ss")]
        return _proper((singular or options)[0])

    def render(self, sentence: str) -> str:
        """The values and terms of a Vietnamese sentence, in order, in English; words neither rule nor
        glossary knows are left out (a run of them becomes a comma), and a connecting word ("và" → "and",
        "của" → "of") is kept only between two rendered pieces. '' when no value or term is known."""
        return self.rendering(sentence).line

    def rendering(self, sentence: str) -> Rendering:
        """The rendered line of `render`, with the values it holds and the share of the sentence's words
        it could render."""
        values: list[str] = []

        def keep(rendering: str) -> str:
            values.append(rendering)
            return f" \x00{len(values) - 1}\x00 "

        text = _SPELLED_NUMBER_RE.sub(r"\1 ", sentence)  # "05 (năm) ngày": the number, not its words
        for pattern, rendering in self._rules:

            def substitute(match: re.Match[str], render: Callable[[re.Match[str]], str] = rendering) -> str:
                return keep(render(match))

            text = pattern.sub(substitute, text)
        tokens = _WORD_RE.findall(text)
        pieces: list[tuple[str, str]] = []  # (English, kind): kind is "piece", "link" or "gap"
        position = 0
        count = ""  # the number just rendered, or "many" after a plural marker: the next term is plural
        read = dropped = 0  # the sentence's words (and values) read, and those left out
        longest = max(self.glossary.longest, self._longest, _LONGEST_LINK)
        while position < len(tokens):
            token = tokens[position]
            kind = "piece"
            if token.startswith("\x00"):
                piece, size = values[int(token.strip("\x00"))], 1
            elif re.fullmatch(_NUMBER, token):
                piece, size = _number(token), 1
            elif token in ";:,.()":
                if token in ";:,":
                    pieces.append((",", "gap"))
                count = ""
                position += 1
                continue
            else:
                piece, size = "", 0
                for length in range(min(longest, len(tokens) - position), 0, -1):
                    words = tokens[position : position + length]
                    if any(w.startswith("\x00") or w in ";:,.()" for w in words):
                        continue
                    phrase = " ".join(words).lower()
                    if phrase in _LINKS:
                        piece, size, kind = _LINKS[phrase], length, "link"
                        break
                    found = self._term(phrase, count)
                    if found:
                        piece, size = found, length
                        break
            if kind == "link" and not piece:  # a plural marker or a word English does not need
                count = "many" if tokens[position].lower() in _PLURAL_MARKERS else count
                position += size
                read += size
                continue
            if not piece and _in_name(tokens, position):
                # a name no rule or term knows ("xã Trấn Yên", "Cụm công nghiệp Phú Thịnh 3"), written as
                # English text writes Vietnamese names
                piece, size = ascii_word(token), 1
            if not piece:
                pieces.append((",", "gap"))
                count = ""
                position += 1
                dropped += 1
                continue
            pieces.append((piece, kind))
            count = piece if re.fullmatch(r"[\d.,]+", piece) else ""
            position += size
            read += size
        read += dropped
        return Rendering(_join(pieces), values, 1.0 - dropped / read if read else 0.0)


def _join(pieces: list[tuple[str, str]]) -> str:
    """The rendered pieces as a line: a connecting word only between two pieces, one comma for a run of
    gaps; a bare qualifier at the end dropped; '' when nothing but connecting words is left."""
    changed = True
    while changed:
        changed = False
        for i, (_, kind) in enumerate(pieces):
            if kind != "link":
                continue
            before = pieces[i - 1][1] if i else "gap"
            after = pieces[i + 1][1] if i + 1 < len(pieces) else "gap"
            if before == "gap" or after == "gap":
                del pieces[i]
                changed = True
                break
    out: list[str] = []
    for piece, kind in pieces:
        if kind == "gap":
            if out and out[-1] != ",":
                out.append(",")
            continue
        out.append(piece)
    # a bare "not" or "up to" with nothing after it says nothing
    while out and out[-1] in (",", "not", "does not", "must not", "not exceeding", "at most", "over", "under", "minimum", "at least"):
        out.pop()
    if not any(kind == "piece" for _, kind in pieces):
        return ""
    line = " ".join(out).replace(" ,", ",")
    return line if not has_vietnamese_diacritics(line) else ""


_MONTH = "|".join(_MONTHS)
_AMOUNT = r"VND \d[\d.,]*(?: (?:thousand|million|billion))?"
_DATE = rf"(?:\d{{1,2}} )?(?:{_MONTH})(?: \d{{4}})?"
# An English value of each answer type as the renderer writes it.
_TYPED_VALUES = {
    "duration": r"\d[\d.,]* (?:working )?(?:days?|months?|years?|weeks?|hours?|sessions?)\b",
    "amount": rf"{_AMOUNT}|\d[\d.,]*%|free of charge",
    "percentage": r"\d[\d.,]*%",
    "area": r"\d[\d.,]* (?:hectares|square metres)",
    "date": _DATE, "date_issued": _DATE, "date_in_force": _DATE, "date_expiry": _DATE, "deadline": _DATE,
    # a number and the one or two words of what it counts ("56 industrial clusters"), not an amount's scale
    "count": r"(?<!VND )\b\d(?:[\d.,]*\d)? (?!(?:and|or|of|to|for|in|at|is|thousand|million|billion)\b)[a-z][a-z-]*"
             r"(?: (?!(?:and|or|of|to|for|in|at|is)\b)[a-z][a-z-]*)?",
}
_QUALIFIER = r"(?:(?:at most|not exceeding|minimum|at least|before|no later than|over|under|from|within|for)(?: is)? )?"


def typed_values(line: str, answer_type: str) -> list[str]:
    """The values of the type asked in a rendered line, each with the qualifier before it and a range's
    other end ("at most 30%", "from 1.5% to 3%", "before 15 March"), in order; [] for a type without
    a written form here (a count, a name)."""
    pattern = _TYPED_VALUES.get(answer_type)
    if pattern is None:
        return []
    found = re.finditer(rf"{_QUALIFIER}(?:{pattern})(?: (?:to|and) (?:{pattern}))?", line)
    return list(dict.fromkeys(m.group(0) for m in found))


def english_section(section: str) -> str:
    """`Điều 2 › Khoản 1` → `Article 2 › Clause 1`; '' when a part stays Vietnamese (a heading's words)."""
    for vietnamese, english in _SECTION_WORDS.items():
        section = re.sub(rf"\b{vietnamese}\b", english, section)
    return "" if has_vietnamese_diacritics(section) else section


def english_label(label: str) -> str:
    """How the English line names a Vietnamese document: its number in ASCII, else "the cited document"."""
    if not label.startswith("“"):
        return english_number(label)
    return "the cited document"

