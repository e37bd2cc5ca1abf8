"""Legal structure of Vietnamese (and English) administrative documents: the header block and the
Phần/Chương/Mục/Điều/Khoản/Điểm hierarchy. Nothing is invented: a blank field stays blank."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.models import SECTION_SEPARATOR, Block
from ingest.vietnamese import fold

DOC_TYPES = {
    # key: (Vietnamese, English)
    "decision": ("Quyết định", "Decision"),
    "decree": ("Nghị định", "Decree"),
    "circular": ("Thông tư", "Circular"),
    "plan": ("Kế hoạch", "Plan"),
    "notice": ("Thông báo", "Notice"),
    "official_letter": ("Công văn", "Official letter"),
    "scheme": ("Đề án", "Scheme"),
    "law": ("Luật", "Law"),
    "report": ("Báo cáo", "Report"),
    "resolution": ("Nghị quyết", "Resolution"),
    "directive": ("Chỉ thị", "Directive"),
    "agreement": ("Hiệp định", "Agreement"),
    "guideline": ("Hướng dẫn", "Guideline"),
    "submission": ("Tờ trình", "Submission"),
    "programme": ("Chương trình", "Programme"),
    "regulation": ("Quy chế", "Regulation"),
    "guide": ("Sổ tay", "Guide"),
    "record": ("Biên bản", "Record"),
    "licence": ("Giấy phép", "Licence"),
}
_TYPE_LINES = {
    **{vi.upper(): key for key, (vi, _) in DOC_TYPES.items()},
    **{en.upper(): key for key, (_, en) in DOC_TYPES.items()},
    "QUY ĐỊNH": "regulation",
    "INVESTOR GUIDE": "guide",
}
_FOLDED_TYPE_LINES = {fold(line): line for line in _TYPE_LINES}
_NUMBER_CODES = {
    "QĐ": "decision", "QD": "decision", "NĐ": "decree", "ND": "decree", "TT": "circular",
    "KH": "plan", "TB": "notice", "BC": "report", "NQ": "resolution", "CT": "directive",
    "QH": "law", "HD": "guideline", "TTR": "submission", "ĐA": "scheme", "DA": "scheme", "GP": "licence", "BB": "record",
}
_MOTTO_RE = re.compile(
    r"C[ỘO]NG H(?:[ÒOÀ]A|OÀ) X[ÃA] H[ỘO]I CH[ỦU] NGH[ĨI]A VI[ỆE]T NAM|Độc lập\s*[-–]\s*Tự do\s*[-–]\s*Hạnh phúc"
    r"|SOCIALIST REPUBLIC OF VIET ?NAM|Independence\s*[-–]\s*Freedom\s*[-–]\s*Happiness",
    re.I,
)
_NUMBER_RE = re.compile(
    r"(?:^|\s|\|)(?:Luật\s+số|Số|No\.?|Number)\s*[:.]?\s*"
    r"(?P<num>\d*)\s*/\s*(?P<rest>(?:\d{4}\s*/\s*)?[A-ZĐ][A-ZĐa-z0-9]*(?:\s*[-–]\s*[A-ZĐ0-9][A-ZĐa-z0-9]*)*)",
)
_VI_DATE_RE = re.compile(
    r"(?<![\w-])(?P<place>(?:[A-ZĐÀ-Ỹ][^\s,|:/\d-]*\s+){0,3}[A-ZĐÀ-Ỹ][^\s,|:/\d-]*)\s*,\s*ngày\s*(?P<d>\d{1,2})?\s*tháng\s*(?P<m>\d{1,2})?\s*năm\s*(?P<y>\d{4})"
)
_EN_MONTHS = "January February March April May June July August September October November December".split()
_EN_DATE_RE = re.compile(
    r"(?P<place>[A-Z][A-Za-z .]{1,40}?)\s*,\s*(?:(?P<d>\d{1,2})\s+(?P<mon>" + "|".join(_EN_MONTHS) + r")"
    r"|(?P<mon2>" + "|".join(_EN_MONTHS) + r")\s+(?P<d2>\d{1,2}),?)\s+(?P<y>\d{4})"
)
_TITLE_STOP_RE = re.compile(
    r"^(?:Căn cứ|Kính gửi|Theo đề nghị|Xét đề nghị|Thực hiện|Hôm nay|ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|CHỦ TỊCH|BỘ TRƯỞNG|CHÍNH PHỦ|"
    r"QUYẾT ĐỊNH\s*:|Pursuant|To:|Dear|At the request|Chương|CHƯƠNG|Điều\s+\d|Article\s+\d|Chapter|PHẦN|Phần\s|"
    r"[IVX]+\.\s|\d+\.\s)"
)


_BODY_START_RE = re.compile(
    r"^(?:Căn cứ|Kính gửi|Pursuant|To:|Điều\s+\d|Article\s+\d|Chương\s|CHƯƠNG\s|Chapter\s|PHẦN\s|Phần\s|"
    r"Section\s+\d|Mục\s+\d|[IVX]+\.\s|\d+\.\s)"
)
_NOTE_RE = re.compile(r"^(?:\(|\*|DỮ LIỆU MẪU|SAMPLE DATA|Unofficial|Ghi chú|Note:)", re.I)
_ADMIN_UNIT_RE = re.compile(r"^(?:TỈNH|HUYỆN|THÀNH PHỐ|THỊ XÃ|XÃ|PHƯỜNG|QUẬN|[A-Z ]+ PROVINCE)\b")


@dataclass
class Header:
    """Metadata read from a document's header block."""

    issuer: str = ""
    issuer_parent: str = ""
    doc_number: str = ""
    doc_type: str = ""
    place: str = ""
    issued_date: str = ""
    issued_year: str = ""
    title: str = ""
    body_start: int = 0


def _header_lines(blocks: list[Block], limit: int) -> list[tuple[int, str]]:
    """The first blocks split into single lines, with merged two-column headers pulled apart."""
    lines: list[tuple[int, str]] = []
    for index, block in enumerate(blocks[:limit]):
        for cell in block.text.split(" | "):
            cell = re.sub(r"[-_–=]{3,}", "\n", cell)
            cell = _MOTTO_RE.sub(lambda m: "\n" + m.group(0) + "\n", cell)
            for piece in cell.split("\n"):
                piece = piece.strip(" *-_")
                if piece:
                    lines.append((index, piece))
    return lines


def parse_header(blocks: list[Block], limit: int = 30) -> Header:
    """Issuer, number, place and date, type and title from the top of a document."""
    header = Header()
    lines = _header_lines(blocks, limit)
    for position, (_, text) in enumerate(lines):
        if _BODY_START_RE.match(text):
            lines = lines[:position]
            break
    if not lines:
        return header
    joined = "\n".join(text for _, text in lines)
    last_header_block = -1

    number = _NUMBER_RE.search(joined)
    if number:
        rest = re.sub(r"\s+", "", number.group("rest")).replace("–", "-")
        if number.group("num"):
            header.doc_number = f"{number.group('num')}/{rest}"
        code = re.split(r"[-/]", rest.split("/")[-1] if "/" in rest else rest)[0].upper()
        header.doc_type = _NUMBER_CODES.get(code, "")
        last_header_block = max(last_header_block, _block_of(lines, number.group(0).strip()))

    date = _VI_DATE_RE.search(joined) or _EN_DATE_RE.search(joined)
    if date:
        header.place = _clean_place(date.group("place"))
        year = date.group("y")
        header.issued_year = year
        day = date.groupdict().get("d") or date.groupdict().get("d2")
        month = date.groupdict().get("m")
        if month is None and (date.groupdict().get("mon") or date.groupdict().get("mon2")):
            month = str(_EN_MONTHS.index(date.group("mon") or date.group("mon2")) + 1)
        if day and month and 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            header.issued_date = f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
        last_header_block = max(last_header_block, _block_of(lines, date.group(0).strip()[:20]))

    issuer_lines: list[str] = []
    for _, text in lines:
        if _MOTTO_RE.search(text):
            continue  # the right-hand column, read row by row between the issuer's lines
        if _NUMBER_RE.search(" " + text) or _VI_DATE_RE.search(text) or _EN_DATE_RE.search(text):
            if issuer_lines:
                break
            continue
        if text.isupper() and len(text) <= 80 and text not in _TYPE_LINES:
            issuer_lines.append(text)
        else:
            break
    if len(issuer_lines) > 1 and _ADMIN_UNIT_RE.match(issuer_lines[-1]):
        issuer_lines[-2:] = [" ".join(issuer_lines[-2:])]  # "ỦY BAN NHÂN DÂN" + "TỈNH HẢI DƯƠNG"
    if issuer_lines and (number or date):
        header.issuer = issuer_lines[-1]
        header.issuer_parent = " ".join(issuer_lines[:-1])

    type_index = None
    for position, (index, text) in enumerate(lines):
        if index < max(0, last_header_block) - 1:
            continue
        key = text.upper().strip(" :")
        if key not in _TYPE_LINES and text.isupper() and fold(key) in _FOLDED_TYPE_LINES:
            key = _FOLDED_TYPE_LINES[fold(key)]  # OCR's slipped tone marks: "BIẾN BẢN" for "BIÊN BẢN"
        if key in _TYPE_LINES:
            header.doc_type = _TYPE_LINES[key]
            type_index = position
            break
        prefix = next((t for t in _TYPE_LINES if fold(key).startswith(fold(t) + " ")), None)
        if prefix and text.isupper() and (not (number or date) or index > last_header_block):
            header.doc_type = _TYPE_LINES[prefix]
            lines[position] = (index, text[len(prefix) :].strip())
            type_index = position - 1
            lines.insert(position, (index, prefix))
            break
    if type_index is not None:
        title_parts: list[str] = []
        for index, text in lines[type_index + 1 :]:
            if _TITLE_STOP_RE.match(text) or _NOTE_RE.match(text) or len(title_parts) >= 4:
                break
            if title_parts and (text.endswith((".", ":")) or len(text) > 200):
                break  # a sentence: titles do not end with a full stop
            if title_parts and text.isupper() and not title_parts[-1].isupper():
                break  # the issuer's name under a title in sentence case
            title_parts.append(text)
            last_header_block = max(last_header_block, index)
        title = re.sub(r"\s*\((?:Ban hành|Kèm theo|Issued with|Attached to)[^)]*\)\s*$", "", " ".join(title_parts), flags=re.I)
        header.title = _sentence_case(title)
        header.body_start = lines[type_index][0]
    else:
        for index, text in lines:
            if re.match(r"^(?:V/v|Về việc|Re:)\s*", text):
                header.title = re.sub(r"^(?:V/v|Về việc|Re:)\s*", "", text).strip()
                header.doc_type = header.doc_type or "official_letter"
                last_header_block = max(last_header_block, index)
                break
        header.body_start = last_header_block + 1 if (number or date) else 0
    return header


def is_header_line(text: str) -> bool:
    """A line of the header block that is never a title: the national motto or a bare document type."""
    key = text.upper().strip(" :")
    return bool(_MOTTO_RE.search(text)) or key in _TYPE_LINES or (text.isupper() and fold(key) in _FOLDED_TYPE_LINES)


def _block_of(lines: list[tuple[int, str]], fragment: str) -> int:
    for index, text in lines:
        if fragment and fragment[:15] in text:
            return index
    return -1


def _clean_place(place: str) -> str:
    place = _MOTTO_RE.sub("", place)
    place = re.split(r"[|\n]", place)[-1]
    return place.strip(" ,.-")


def _sentence_case(text: str) -> str:
    text = " ".join(text.split())
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        words = [w if any(c.isdigit() for c in w) else w.lower() for w in text.split(" ")]
        text = " ".join(words)
        text = text[:1].upper() + text[1:]
    return text


# ---------------------------------------------------------------- body structure

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman_to_int(text: str) -> int:
    """Value of a Roman numeral (`XIV` → 14); 0 if it is not one."""
    total, previous = 0, 0
    for ch in reversed(text.upper()):
        value = _ROMAN.get(ch)
        if value is None:
            return 0
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total


@dataclass
class StructuredBlock:
    """A block with its place in the hierarchy."""

    block: Block
    path: tuple[str, ...]
    article: str = ""  # the article label ("Điều 5") this block belongs to, if any
    article_heading: str = ""  # the article's heading line, carried when the article is split
    clause: str = ""  # "Khoản 2" within the article
    is_heading: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def section(self) -> str:
        """The section path as shown in citations."""
        return SECTION_SEPARATOR.join(self.path)


_LABELS = {
    "vi": {"part": "Phần", "chapter": "Chương", "section": "Mục", "article": "Điều", "clause": "Khoản", "point": "Điểm", "appendix": "Phụ lục"},
    "en": {"part": "Part", "chapter": "Chapter", "section": "Section", "article": "Article", "clause": "Clause", "point": "Point", "appendix": "Appendix"},
}
_PART_RE = re.compile(r"^(?:PHẦN|Phần|PART|Part)\s+(THỨ\s+[A-ZÀ-Ỹ]+|[IVXLC]+|\d+)\b(.*)$")
_CHAPTER_RE = re.compile(r"^(?:CHƯƠNG|Chương|CHAPTER|Chapter)\s+([IVXLC]+|\d+)\b\.?(.*)$")
_SECTION_RE = re.compile(r"^(?:MỤC|Mục|SECTION|Section)\s+(\d+|[IVXLC]+)\b\.?(.*)$")
_ARTICLE_RE = re.compile(r"^(?:Điều|ĐIỀU|Article|ARTICLE)\s+(\d{1,3}[a-zđ]?)\s*(?:[.:]\s*(.*))?$", re.S)
_APPENDIX_RE = re.compile(r"^(?:PHỤ LỤC|Phụ lục|APPENDIX|Appendix|ANNEX|Annex)\b\s*([IVXLC]+|\d+)?")
_CLAUSE_RE = re.compile(r"^(\d{1,2})\.\s+(?=\S)")
_POINT_RE = re.compile(r"^\(?([a-zđ])\)\s+(?=\S)")
_ROMAN_HEAD_RE = re.compile(r"^([IVX]{1,5})\.\s+(?=\S)")


def _point_index(letter: str) -> int:
    order = "abcdđefghiklmnopqrstuvxy"
    return order.index(letter) + 1 if letter in order else 0


def structure_blocks(blocks: list[Block], lang: str) -> list[StructuredBlock]:
    """Give every block its section path. Table rows and cross-references never open a section."""
    labels = _LABELS["en" if lang == "en" else "vi"]
    part = chapter = section = article = clause = point = heading_path = ""
    article_heading = ""
    last_article = 0
    last_clause = 0
    last_point = 0
    last_roman = 0
    out: list[StructuredBlock] = []
    for block in blocks:
        text = block.text.strip()
        is_heading = False
        if block.kind == "table_row":
            pass
        elif block.kind == "heading":
            heading_path = text[:80]
            article = clause = point = ""
            last_clause = last_point = 0
            is_heading = True
        elif m := _ARTICLE_RE.match(text):
            number = int(re.sub(r"\D", "", m.group(1)))  # "12a" is article 12
            if number > last_article or number == 1:
                last_article = number
                article = f"{labels['article']} {m.group(1)}"
                article_heading = text if len(text) < 300 else text[:300]
                clause = point = ""
                last_clause = last_point = 0
                is_heading = True
        elif m := _CHAPTER_RE.match(text):
            chapter = f"{labels['chapter']} {m.group(1)}"
            section = article = clause = point = ""
            is_heading = True
        elif m := _PART_RE.match(text):
            part = f"{labels['part']} {m.group(1).title() if m.group(1).startswith('THỨ') else m.group(1)}"
            chapter = section = article = clause = point = ""
            is_heading = True
        elif (m := _SECTION_RE.match(text)) and (article == "" or text.isupper() or len(text) < 120):
            section = f"{labels['section']} {m.group(1)}"
            article = clause = point = ""
            is_heading = True
        elif m := _APPENDIX_RE.match(text):
            part = f"{labels['appendix']} {m.group(1) or ''}".strip()
            chapter = section = article = clause = point = ""
            last_article = 0
            is_heading = True
        elif (m := _ROMAN_HEAD_RE.match(text)) and not article and roman_to_int(m.group(1)) in (last_roman + 1, 1):
            last_roman = roman_to_int(m.group(1))
            section = f"{labels['section']} {m.group(1)}"
            clause = point = ""
            last_clause = last_point = 0
            is_heading = True
        elif (m := _CLAUSE_RE.match(text)) and int(m.group(1)) in (last_clause + 1, 1):
            last_clause = int(m.group(1))
            clause = f"{labels['clause']} {m.group(1)}" if article else m.group(1)
            point = ""
            last_point = 0
        elif (m := _POINT_RE.match(text)) and (0 < _point_index(m.group(1)) - last_point <= 2 or _point_index(m.group(1)) == 1):
            last_point = _point_index(m.group(1))
            point = f"{labels['point']} {m.group(1)}" if article else f"{m.group(1)})"
        if article:
            path = tuple(p for p in (article, clause, point) if p)
        else:
            path = tuple(p for p in (part, chapter, section, heading_path, clause, point) if p)
        out.append(
            StructuredBlock(
                block=block,
                path=path,
                article=article,
                article_heading=article_heading if article else "",
                clause=clause if article else "",
                is_heading=is_heading,
            )
        )
    return out


# ---------------------------------------------------------------- date in force

_DATE_TEXT = r"(?P<d>\d{1,2})\s*(?:thang|[/.-])\s*(?P<m>\d{1,2})\s*(?:nam|[/.-])\s*(?P<y>\d{4})"
_EN_DATE_TEXT = (
    r"(?:(?P<ed>\d{1,2})\s+(?P<emon>" + "|".join(m.lower() for m in _EN_MONTHS) + r")"
    r"|(?P<emon2>" + "|".join(m.lower() for m in _EN_MONTHS) + r")\s+(?P<ed2>\d{1,2}),?)\s+(?P<ey>\d{4})"
)
_SIGNING = r"(?P<signing>(?:ky|ban\s+hanh|ky\s+ban\s+hanh|cong\s+bo)\b)"
_EN_SIGNING = r"(?P<en_signing>the\s+date\s+of\s+(?:its\s+)?(?:signing|signature|issuance|promulgation))"
# Read on diacritic-folded text, so OCR's misplaced or missing tone marks do not matter.
_IN_FORCE_RE = re.compile(
    r"(?P<subject>[\w ]{0,40}?)\s*(?:co|bat\s+dau\s+co)\s+hieu\s+luc(?:\s+thi\s+hanh)?\s*,?\s+(?:ke\s+)?tu\s+ngay\s+"
    r"(?:" + _DATE_TEXT + "|" + _SIGNING + ")"
    r"|(?P<en_subject>this\s+[\w ]{0,30}?)\s+(?:shall\s+)?(?:takes?|comes?|enters?|is|be)\s+(?:into\s+)?(?:effect|force|effective)\s+"
    r"(?:from|on|as\s+of)\s+(?:" + _EN_DATE_TEXT + "|" + _EN_SIGNING + ")"
)


def effective_date(blocks: list[Block], issued_date: str = "") -> str:
    """The date a document comes into force, from its own sentence saying so ("Quyết định này có hiệu lực
    (thi hành) (kể) từ ngày 01/5/2024", "… kể từ ngày ký" = the issue date, "This Decision takes effect
    on 1 May 2024"). Sentences about other documents are ignored; nothing found gives ""."""
    for block in reversed(blocks):
        text = " ".join(fold(block.text).split())
        for match in _IN_FORCE_RE.finditer(text):
            subject = match.group("subject") or match.group("en_subject") or ""
            if not re.search(r"\bnay\b|^\s*(?:quyet dinh|nghi dinh|thong tu|luat|nghi quyet|ke hoach|van ban)\s*$|^this\b", subject):
                continue  # "Nghị định 80/2021 có hiệu lực từ …" speaks of another document
            if re.search(r"\bhet\s*$", subject):
                continue
            if match.group("signing") or match.group("en_signing"):
                if issued_date:
                    return issued_date
                continue
            day = match.group("d") or match.group("ed") or match.group("ed2")
            month = match.group("m")
            if month is None:
                name = match.group("emon") or match.group("emon2")
                month = str([m.lower() for m in _EN_MONTHS].index(name) + 1)
            year = match.group("y") or match.group("ey")
            if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
                return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    return ""
