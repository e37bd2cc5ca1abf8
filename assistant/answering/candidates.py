"""The quotable pieces of the best chunks: clauses, points and sentences. A clause that ends with ':'
carries the points enumerated under it; boilerplate (legal basis, addressees, recipients, headers,
signature blocks, sample-data notes) is marked so that it is never quoted unless it is what was asked."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.retrieval.search import Hit
from ingest.models import section_at
from ingest.vietnamese import fold

_HEADING_LINE_RE = re.compile(r"^(?:Điều|Article|Chương|Chapter|Mục|Section|Phần|Part|PHẦN|CHƯƠNG|MỤC)\s+[\dIVXLC]+[a-zđ]?\.?\s*\S{0,80}$")
_SENTENCE_RE = re.compile(r"(?<=[.!?;])\s+(?=[A-ZĐÀ-Ỹ0-9“\"(])")
_ENUMERATOR_RE = re.compile(r"(?:\d{1,3}|[a-zđ]|[IVXLC]{1,6})[.)]")
_POINT_RE = re.compile(r"^(?:[a-zđ]\)|\d{1,2}(?:\.\d{1,2})*[.)]|[-–•+*]|\([a-zđ0-9]{1,3}\)|[ivx]{1,4}\))\s*")
_LEADING_ENUMERATOR_RE = re.compile(r"^(?:[a-zđ]\)|\d{1,2}(?:\.\d{1,2})*[.)]|[IVXLC]{1,6}\.|[-–•+*]|\([a-zđ0-9]{1,3}\))\s+")
_FIRST_POINT_RE = re.compile(r"^(?:1[.)]|a\)|[-–•+])\s")
# Lines that are the frame of a document, not its content (folded, start of line).
_BOILERPLATE_RE = re.compile(
    r"^(?:can cu\b|kinh gui\b|ve viec\b|noi nhan\b|theo de nghi cua\b|xet de nghi\b|thuc hien y kien chi dao\b|"
    r"cong hoa xa hoi chu nghia|doc lap - tu do|so:|luat so:|v/v\b|tm\.|kt\.|q\.|"
    r"nguoi ky\b|\(da ky\)|luu:|- luu\b|"
    r"du lieu mau\b|\*du lieu mau|pursuant to\b|to:|at the request of\b|recipients\b|socialist republic|"
    r"independence - freedom|no\.:|unofficial english translation|sample data|"
    r"[\w ]{2,40}, ngay\b.{0,20}thang\b.{0,12}nam \d{4}$|[\w ]{2,30}, \d{1,2} \w+ \d{4}$)"
)


@dataclass
class Candidate:
    """A clause, point or sentence that can be quoted, with the points it introduces."""

    text: str
    hit: Hit
    rank: int
    section: str
    points: list[str] = field(default_factory=list)  # the enumerated points of a clause ending with ':'
    lead: str = ""  # the clause a point is enumerated under
    boilerplate: bool = False
    is_title: bool = False  # the document's title, stated as what the document is about
    scope: bool = False  # part of the document's scope article ("Phạm vi điều chỉnh"; "Thông tư này quy định …")
    position: int = 0  # where it starts in its chunk
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    coverage: float = 0.0

    @property
    def is_list(self) -> bool:
        """A clause ending with ':' that carries its points."""
        return bool(self.points)

    def full_text(self) -> str:
        """The clause with its points (as shown in evidence)."""
        return "\n".join([self.text, *self.points]) if self.points else self.text


_SIGNATURE_RE = re.compile(r"^(?:chu tich|pho chu tich|giam doc|pho giam doc|bo truong|thu truong|thu tuong|chairman|director|minister)\b")


# The enactment formula: "Quốc hội ban hành Luật Hóa chất.", "Chính phủ ban hành Nghị định quy định …"
_ENACTMENT_RE = re.compile(r"^(?:quoc hoi|chinh phu|thu tuong chinh phu|bo truong [\w ]{2,60}?|(?:uy ban nhan dan|ubnd) [\w ]{2,40}?) ban hanh "
                           r"(?:luat|nghi dinh|thong tu|quyet dinh|nghi quyet)\b")


# What a document governs: its scope article, or the sentence that opens it (folded).
_SCOPE_HEADING_RE = re.compile(r"pham vi dieu chinh|\bscope\b")
_SCOPE_SENTENCE_RE = re.compile(r"^(?:\d{1,2}[.)]\s*)?(?:luat|nghi dinh|thong tu|quyet dinh|hiep dinh|de an|ke hoach|nghi quyet|this (?:law|decree|circular|decision)) nay (?:quy dinh|khong dieu chinh|regulates|governs)")


def is_scope(line: str, heading: str = "") -> bool:
    """Whether a line states what its document governs: it opens with "Thông tư này quy định …" or sits
    under the heading "Phạm vi điều chỉnh"."""
    return bool(_SCOPE_SENTENCE_RE.match(" ".join(fold(line.strip()).split())) or _SCOPE_HEADING_RE.search(fold(heading)))


def is_enactment(line: str) -> bool:
    """The enactment formula of a legal document (it states what the document is about, nothing else)."""
    return bool(_ENACTMENT_RE.match(" ".join(fold(line.strip()).split())))


def is_boilerplate(line: str) -> bool:
    """The legal basis, addressee, recipients, header, date line, signature, enactment formula or a
    sample-data note."""
    folded = " ".join(fold(line.strip()).split())
    if _SIGNATURE_RE.match(folded) and len(folded.split()) <= 8:
        return True
    return bool(_BOILERPLATE_RE.match(folded) or _ENACTMENT_RE.match(folded))


def strip_enumerator(text: str) -> str:
    """`3. Đề án …` → `Đề án …`; `a) Dệt may;` → `Dệt may;`."""
    return _LEADING_ENUMERATOR_RE.sub("", text.strip(), count=1)


def _is_caps_heading(line: str) -> bool:
    return len(line) <= 160 and line == line.upper() and sum(c.isalpha() for c in line) >= 3


def _is_point(line: str) -> bool:
    return bool(_POINT_RE.match(line))


def _level(line: str) -> str:
    """The enumeration style of a point: 'letter', 'number', 'dash', 'paren' (a point under a clause
    must differ in style from the clause itself)."""
    if re.match(r"^[a-zđ]\)", line):
        return "letter"
    if re.match(r"^\d", line):
        return "number"
    if re.match(r"^\(", line):
        return "paren"
    return "dash" if _is_point(line) else "none"


def _is_heading(line: str, lines: int) -> bool:
    """A heading: "Điều 5. …", an upper-case line, or a short line without closing punctuation."""
    if lines <= 1:
        return False
    if _HEADING_LINE_RE.match(line) and len(line.split()) <= 12:
        return True
    if _is_caps_heading(line):
        return True
    return len(line.split()) <= 8 and not line.endswith((".", ";", ":", "!", "”"))


def _sentence_case(line: str) -> str:
    """"I. NỘI DUNG HỖ TRỢ" → "I. Nội dung hỗ trợ" (an upper-case heading quoted as a lead)."""
    if line != line.upper():
        return line
    enumerator = _LEADING_ENUMERATOR_RE.match(line)
    head = enumerator.group(0) if enumerator else ""
    rest = line[len(head):].lower()
    return head + rest[:1].upper() + rest[1:]


def _is_title(line: str, title: str) -> bool:
    """The document's title (or subject line) repeated in its body."""
    folded = " ".join(fold(line).split()).strip(" .")
    return bool(title) and len(folded) > 10 and folded in " ".join(fold(title).split())


def title_candidate(hit: Hit, rank: int, label: str) -> Candidate:
    """What the document is, from its title: `Nghị định 178/2026/NĐ-CP: Quy định việc quản lý, …`."""
    title = hit.title.strip().rstrip(".")
    title = _sentence_case(title) if title == title.upper() else title
    title = title[:1].upper() + title[1:]
    text = f"{label}: {title}." if label and not label.startswith("“") else f"{title}."
    return Candidate(text, hit, rank, "", is_title=True, position=-1)


def split_candidates(hit: Hit, rank: int) -> list[Candidate]:
    """The quotable pieces of a chunk: its lines (long ones split into sentences), each clause that
    ends with ':' carrying the points under it; bare headings left out, boilerplate marked."""
    out: list[Candidate] = []
    offset = 0
    lines = hit.text.split("\n")
    open_list: Candidate | None = None
    heading = hit.heading.split("\n")[0] if hit.heading else ""
    for index, line in enumerate(lines):
        start = offset
        offset += len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        if index == 0 and hit.heading and stripped == hit.heading.split("\n")[0].strip():
            following = next((x.strip() for x in lines[1:] if x.strip()), "")
            if not _FIRST_POINT_RE.match(following):
                continue  # the chunk's heading repeated; kept only over the points it enumerates from the first
            open_list = Candidate(_sentence_case(stripped), hit, rank, section_at(hit.section, hit.section_map, start), position=start,
                                  scope=is_scope("", stripped))
            out.append(open_list)
            continue
        section = section_at(hit.section, hit.section_map, start)
        if stripped.endswith("?"):
            continue  # the "Hỏi:" of a Q&A record answers nothing
        if open_list is not None:
            previous_item = open_list.points[-1] if open_list.points else ""
            if _is_point(stripped) and _level(stripped) != _level(open_list.text):
                open_list.points.append(stripped)
            elif not _is_point(stripped) and not stripped.endswith(":") and not _is_heading(stripped, len(lines)) and not is_boilerplate(stripped) and (
                stripped.endswith(";") or previous_item.endswith(";")
            ):
                open_list.points.append(stripped)  # an unnumbered item ("Thực hành 5S tại nơi làm việc;")
            else:
                open_list = None
        lead = open_list.text if open_list is not None else ""
        unpunctuated = len(stripped.split()) <= 20 and not stripped.endswith((".", ";", ":", "!", "”"))
        if (unpunctuated or _is_heading(stripped, len(lines))) and not lead and len(lines) > 1:
            following = next((x.strip() for x in lines[index + 1 :] if x.strip()), "")
            if not is_boilerplate(following) and (
                following.endswith(";") or (_is_point(following) and _level(following) != _level(stripped))
            ):
                # a heading over the items it names: "I. NỘI DUNG HỖ TRỢ", "3. Nội dung chính"
                open_list = Candidate(_sentence_case(stripped), hit, rank, section, position=start, scope=is_scope("", stripped))
                out.append(open_list)
                heading = stripped
                continue
            if _is_heading(stripped, len(lines)):
                heading = stripped
                continue
        boilerplate = is_boilerplate(stripped) or _is_title(stripped, hit.title)
        if stripped.endswith(":") and not boilerplate:
            candidate = Candidate(stripped, hit, rank, section, boilerplate=False, position=start, scope=is_scope(stripped, heading))
            out.append(candidate)
            open_list = candidate
            continue
        pieces = _SENTENCE_RE.split(stripped) if len(stripped.split()) > 60 else [stripped]
        merged: list[str] = []
        for piece in pieces:
            if merged and _ENUMERATOR_RE.fullmatch(merged[-1]):
                merged[-1] += " " + piece  # "1." belongs to the sentence it numbers
            else:
                merged.append(piece)
        for piece in merged:
            out.append(Candidate(piece.strip(), hit, rank, section, lead=lead, boilerplate=boilerplate, position=start,
                                 scope=is_scope(piece, heading)))
    return out
