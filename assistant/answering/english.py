"""The English first line of an answer drawn from a Vietnamese passage: no offline translation model
exists, so the values of the fact sentence (VND amounts, percentages, areas, durations and working days,
dates, document numbers) are rendered by rules, and its authorities and terms through the glossary, into
an English sentence; the Vietnamese clause follows, labelled as the source text."""
from __future__ import annotations

import re
from collections.abc import Callable

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
    "không quá": "up to", "tối đa": "maximum", "tối thiểu": "minimum", "trên": "over", "dưới": "under",
    "ít nhất": "at least", "miễn phí": "free of charge", "kể từ ngày ký": "from the date of signing",
    "có hiệu lực": "takes effect", "hết hiệu lực": "ceases to have effect", "hạn chót": "deadline",
    "trước ngày": "before", "chậm nhất": "no later than", "người": "people", "lao động": "employees",
    "quốc gia và vùng lãnh thổ": "countries and territories", "quốc gia": "countries", "nhóm giải pháp": "groups of solutions",
    "nhóm": "groups", "dự án": "projects", "có vốn đầu tư nước ngoài": "foreign-invested", "fdi": "FDI",
    "miễn thuế nhập khẩu": "exempt from import duty", "đơn đăng ký": "application form",
    "doanh nghiệp nhỏ và vừa": "small and medium-sized enterprises", "hợp tác xã": "cooperatives",
    "hộ kinh doanh": "household businesses", "chi phí": "of the cost", "không": "not",
}
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


def _plural(unit: str, number: str) -> str:
    return unit if number in ("1", "01") else unit + "s"


_AUTHORITY_RE = re.compile(r"\b(?:department|ministry|committee|management board|government|council)\b")


def _proper(term: str) -> str:
    """An authority's name in title case (`department of industry and trade` → `Department of Industry and
    Trade`); other terms as they are."""
    if not _AUTHORITY_RE.search(term):
        return term
    return " ".join(w if w in ("of", "and", "for", "the", "on") else w[:1].upper() + w[1:] for w in term.split())


def english_number(doc_number: str) -> str:
    """A document number in ASCII: `3164/QĐ-UBND` → `3164/QD-UBND`."""
    return doc_number.replace("Đ", "D").replace("đ", "d")


def _value_rules() -> list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]:
    """(pattern, rendering) pairs, most specific first."""
    scale = "|".join(_SCALES)
    units = "|".join(sorted(_DURATION_UNITS, key=len, reverse=True))
    return [
        (re.compile(r"(?:ngày\s+)?(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.I),
         lambda m: f"{int(m[1])} {_MONTHS[int(m[2]) - 1]} {m[3]}" if 1 <= int(m[2]) <= 12 else m[0]),
        (re.compile(r"(?:ngày\s+)?(\d{1,2})/(\d{1,2})/(\d{4})\b", re.I),
         lambda m: f"{int(m[1])} {_MONTHS[int(m[2]) - 1]} {m[3]}" if 1 <= int(m[2]) <= 12 else m[0]),
        (re.compile(r"\d+(?:/\d{2,4})?/[A-ZĐ][\wĐđ]*(?:-[\wĐđ]+)*"), lambda m: english_number(m[0])),
        (re.compile(rf"({_NUMBER})\s*({scale})\s+(?:đồng|VNĐ|VND)\b", re.I),
         lambda m: f"VND {_number(m[1])} {_SCALES[m[2].lower()]}"),
        (re.compile(rf"({_NUMBER})\s*(?:đồng|VNĐ|VND|đ)\b", re.I), lambda m: f"VND {_number(m[1])}"),
        (re.compile(rf"({_NUMBER})\s*%"), lambda m: f"{_number(m[1])}%"),
        (re.compile(rf"({_NUMBER})\s*(?:ha|héc-?ta)\b", re.I), lambda m: f"{_number(m[1])} hectares"),
        (re.compile(rf"({_NUMBER})\s*(?:m2|m²)", re.I), lambda m: f"{_number(m[1])} square metres"),
        (re.compile(rf"({_NUMBER})\s+({units})\b", re.I),
         lambda m: f"{_number(m[1])} {_plural(_DURATION_UNITS[m[2].lower()], _number(m[1]))}"),
    ]


class EnglishRenderer:
    """Renders the fact of a Vietnamese sentence in English by rules and the glossary."""

    def __init__(self, glossary: Glossary):
        self.glossary = glossary
        self._rules = _value_rules()
        self._phrases = {k.lower(): v for k, v in _PHRASES.items()}
        self._longest = max(len(k.split()) for k in self._phrases)

    def _term(self, phrase: str, after_number: str) -> str | None:
        """The English for a Vietnamese phrase (function phrases, then the glossary), plural after a
        number other than one."""
        if phrase in self._phrases:
            return self._phrases[phrase]
        options = self.glossary.vi_to_en.get(phrase)
        if not options:
            return None
        if after_number and after_number not in ("1", "01"):
            plural = [o for o in options if o.endswith("s")]
            if plural:
                return _proper(plural[0])
        singular = [o for o in options if not o.endswith("s") or o.endswith("ss")]
        return _proper((singular or options)[0])

    def render(self, sentence: str) -> str:
        """The values and terms of a Vietnamese sentence, in order, in English; words neither rule nor
        glossary knows are left out (a run of them becomes a comma). '' when nothing is known."""
        values: list[str] = []

        def keep(rendering: str) -> str:
            values.append(rendering)
            return f" \x00{len(values) - 1}\x00 "

        text = sentence
        for pattern, rendering in self._rules:

            def substitute(match: re.Match[str], render: Callable[[re.Match[str]], str] = rendering) -> str:
                return keep(render(match))

            text = pattern.sub(substitute, text)
        tokens = _WORD_RE.findall(text)
        out: list[str] = []
        gap = False
        position = 0
        last_number = ""
        longest = max(self.glossary.longest, self._longest)
        while position < len(tokens):
            token = tokens[position]
            if token.startswith("\x00"):
                piece, size = values[int(token.strip("\x00"))], 1
            elif re.fullmatch(_NUMBER, token):
                piece, size = _number(token), 1
            elif token in ";:,.()":
                gap = gap or token in ";:," and bool(out)
                position += 1
                continue
            else:
                piece, size = "", 0
                for length in range(min(longest, len(tokens) - position), 0, -1):
                    words = tokens[position : position + length]
                    if any(w.startswith("\x00") or w in ";:,.()" for w in words):
                        continue
                    found = self._term(" ".join(words).lower(), last_number)
                    if found:
                        piece, size = found, length
                        break
            if not piece:
                gap = bool(out)
                last_number = ""
                position += 1
                continue
            if gap and out and out[-1] != ",":
                out.append(",")
            gap = False
            out.append(piece)
            last_number = piece if re.fullmatch(r"[\d.,]+", piece) else ""
            position += size
        # a bare "not" or "up to" with nothing after it says nothing
        while out and out[-1] in (",", "not", "up to", "over", "under", "maximum", "minimum"):
            out.pop()
        line = " ".join(out).replace(" ,", ",")
        return line if not has_vietnamese_diacritics(line) else ""


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

