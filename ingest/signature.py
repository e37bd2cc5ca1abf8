"""Who signed a document: the signature block of a Vietnamese (or English) administrative text — the
signing position in capitals ("KT. BỘ TRƯỞNG" / "THỨ TRƯỞNG", "CHAIRMAN") and, a few lines under it, the
signer's name ("Phan Thị Thắng"). Table layouts put the recipients (Nơi nhận) beside it: their cells are read
in order and skipped. Nothing is guessed: a block whose name is missing or unreadable gives no signer."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.models import Block
from ingest.vietnamese import fold

# Signing positions, folded; a "KT."/"TM."/"Q."/"TL."/"TUQ." line names the body signed for, the next the signer's own
_POSITION_RE = re.compile(
    r"^(?:(?:kt|tm|q|tl|tuq)\s*\.\s*|for the\s+|on behalf of\s+)?(?:pho\s+|deputy\s+|vice[- ]?)?"
    r"(?:chu tich|giam doc|bo truong|thu truong|thu tuong|tong giam doc|cuc truong|vu truong|chanh van phong|truong ban|"
    r"tong cuc truong|chu nhiem|truong phong|vien truong|hieu truong|chairman|chairwoman|chairperson|director|"
    r"minister|prime minister|president|head)\b(?P<organ>(?:\s+\S+){0,3})$"
)
_SIGNED = r"(?:đã ký|ký bởi|signed)"
_SIGNED_MARK_RE = re.compile(rf"\(?\s*{_SIGNED}\s*\)?\s*:?\s*", re.I)
_SIGNED_INLINE_RE = re.compile(rf"{_SIGNED}\s*:\s*", re.I)
_RANKS = ("thượng tướng", "đại tướng", "trung tướng", "thiếu tướng", "đại tá", "pgs.ts.", "pgs. ts.", "gs.ts.", "ts.", "ths.")
_STOP_RE = re.compile(r"^(?:phụ lục|appendix|annex|mẫu số|điều \d|article \d|chương\b|chapter\b|mục\b|phần\b|căn cứ\b)", re.I)
# first words of a body's name, never of a person's ("Sở Công Thương", "Văn phòng"), folded
_BODY_WORDS = frozenset({"so", "bo", "uy", "ban", "cuc", "phong", "van", "tong", "cong", "chi", "vien", "cac", "nhu", "the", "department", "ministry"})
_ROMAN = {"I", "V", "X"}  # "Chương I" is a heading, not a name
LOOKAHEAD = 12  # lines after the position within which the name stands (recipient cells may come between)
NAME_WORDS = (2, 5)


@dataclass
class Signature:
    """The signer's name, the position they signed in ("Phó Thủ tướng", as capitals are written in a
    sentence) and the page it stands on."""

    name: str
    title: str = ""
    page: int | None = None


def _lines(blocks: list[Block]) -> list[tuple[str, int | None]]:
    """The lines of the blocks with their pages, a table row's cells one after another."""
    lines: list[tuple[str, int | None]] = []
    for block in blocks:
        for cell in block.text.split(" | ") if block.kind == "table_row" else [block.text]:
            lines.extend((line.strip(), block.page) for line in cell.split("\n") if line.strip())
    return lines


def _is_position(line: str) -> bool:
    """A signing position written in capitals."""
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and line.upper() == line and len(line.split()) <= 8 and bool(_POSITION_RE.match(" ".join(fold(line).split())))


def signer_name(line: str) -> str:
    """The person's name a line of a signature block consists of ("Thượng tướng Tô Lâm" → "Tô Lâm",
    "Đã ký: Bùi Văn Sướng" → "Bùi Văn Sướng"); '' when the line is not a name."""
    text = _SIGNED_MARK_RE.sub("", line, count=1) if _SIGNED_MARK_RE.match(line) else line
    lowered = text.lower()
    for rank in _RANKS:
        if lowered.startswith(rank + " ") or (rank.endswith(".") and lowered.startswith(rank)):
            text = text[len(rank):].strip()
            break
    words = text.split()
    if not NAME_WORDS[0] <= len(words) <= NAME_WORDS[1]:
        return ""
    if fold(words[0]) not in _BODY_WORDS and all(w.isalpha() and w not in _ROMAN and w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words):
        return " ".join(words)
    return ""


def _signed_inline(line: str) -> str:
    """A name written after "Đã ký:" inside a longer line (two signers of an agreement side by side)."""
    marks = list(_SIGNED_INLINE_RE.finditer(line))
    for match, following in zip(marks, [*marks[1:], None]):
        words = line[match.end():following.start() if following else len(line)].split()
        for size in range(NAME_WORDS[1], NAME_WORDS[0] - 1, -1):
            name = signer_name(" ".join(words[:size]))
            if name:
                return name
    return ""


def _title(position: str) -> str:
    """A position as a sentence writes it: "PHÓ THỦ TƯỚNG" → "Phó Thủ tướng", "BỘ TRƯỞNG" → "Bộ trưởng",
    "CHỦ TỊCH QUỐC HỘI" → "Chủ tịch Quốc hội" (the body named after the position begins with a capital)."""
    words = position.lower().split()
    if not words:
        return ""
    words[0] = words[0].capitalize()
    match = _POSITION_RE.match(" ".join(fold(position).split()))
    organ = len(match.group("organ").split()) if match else 0
    if organ:
        words[-organ] = words[-organ].capitalize()
    if len(words) > 1 and fold(words[0]) == "pho":  # "Phó Chủ tịch", "Phó Giám đốc"
        words[1] = words[1].capitalize()
    folded = [fold(w) for w in words]
    for i in range(1, len(words)):
        if folded[i - 1:i + 1] == ["thu", "tuong"] and (i < 2 or folded[i - 2] != "bo"):  # "Thủ tướng" is capitalised
            words[i - 1] = words[i - 1].capitalize()
    return " ".join(words)


def find_signature(blocks: list[Block]) -> Signature | None:
    """The first signature block of a document's body: its position and signer, or an inline "Đã ký: …"
    name; None when the document has none with a readable name."""
    lines = _lines(blocks)
    for i, (line, page) in enumerate(lines):
        inline = _signed_inline(line)
        if inline:
            return Signature(inline, "", page)
        if not _is_position(line):
            continue
        position = line
        for later, later_page in lines[i + 1:i + 1 + LOOKAHEAD]:
            if _STOP_RE.match(later):
                break
            if _is_position(later):
                position = later  # "KT. BỘ TRƯỞNG" then "THỨ TRƯỞNG": the signer's own position is the last
                continue
            name = signer_name(later) or _signed_inline(later)
            if name:
                return Signature(name, _title(re.sub(r"^(?:KT|TM|TL|TUQ)\s*\.\s*", "", re.sub(r"^Q\s*\.\s*", "QUYỀN ", position))), later_page)
    return None
