"""One reader per format; each turns a file into blocks of text with page numbers where the format has pages."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import yaml
from bs4 import BeautifulSoup
from docx.opc.exceptions import PackageNotFoundError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ingest.errors import Failure, IngestError
from ingest.models import Block
from ingest.ocr import MISSING_TESSERACT, OcrOptions, clean_ocr_text, ocr_image, ocr_pdf_pages, tesseract_available
from ingest.textquality import page_problem

MIN_CHARS_PER_PAGE = 25


@dataclass(frozen=True)
class ParseLimits:
    """What one file may cost to read: pages, bytes once unpacked (DOCX), seconds of text extraction."""

    pages: int = 5000
    unpacked_bytes: int = 200 * 1024 * 1024
    seconds: float = 300.0


# ---------------------------------------------------------------- PDF

def load_pdf(
    path: Path, ocr: OcrOptions | None = None, file_hash: str = "", limits: ParseLimits | None = None
) -> list[Block]:
    """Text of a PDF, page by page, with running headers/footers, page numbers and line wraps repaired.
    Pages without a text layer, or whose layer is garbled, are read by OCR (their blocks marked `ocr`)
    unless OCR is off, in which case the file is refused with the reason. A file over the page or time
    limit is refused naming the limit."""
    limits = limits or ParseLimits()
    deadline = time.monotonic() + limits.seconds
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("encrypted PDF: remove the password and ingest again")
        count = len(reader.pages)
        if count > limits.pages:
            raise IngestError(f"{count} pages is over the limit of {limits.pages} (CNHT_MAX_PAGES)")
        pages = []
        for page in reader.pages:
            if time.monotonic() > deadline:
                raise IngestError(f"reading the text took longer than {limits.seconds:g} s (CNHT_PARSE_SECONDS)")
            pages.append(page.extract_text() or "")
        if pages:
            pages[0] = fill_stamped_blanks(pages[0], signature_stamps(reader.pages[0]))
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise IngestError(f"corrupt PDF: {type(exc).__name__}: {str(exc)[:120]}") from exc
    if "encrypt" in str(reader.trailer.keys()).lower() and not any(p.strip() for p in pages):
        raise IngestError("encrypted PDF: remove the password and ingest again")
    if not pages:
        raise IngestError("PDF has no pages")
    ocr_pages = _pages_needing_ocr(pages, ocr)
    if ocr_pages and ocr is not None:  # pages need OCR only when it is on
        for number, text in ocr_pdf_pages(path, ocr_pages, ocr, file_hash).items():
            pages[number - 1] = clean_ocr_text(text)
        if not any(len(pages[n - 1].strip()) >= MIN_CHARS_PER_PAGE for n in ocr_pages) and len(ocr_pages) == len(pages):
            raise IngestError(f"no text found, even by OCR ({len(pages)} scanned page(s)): a picture, or a blank scan")
    pages_lines = _strip_running_lines([p.split("\n") for p in pages])
    for previous, lines in zip(pages_lines, pages_lines[1:]):
        if (
            previous and len(lines) >= 2 and lines[1].strip()[:1].islower()
            and not previous[-1].rstrip().endswith(_SENTENCE_END)
            and not STRUCTURE_START_RE.match(lines[0])
        ):
            del lines[0]  # a header line interrupting a sentence that runs over the page break
    # Paragraphs are kept as lists of pieces and joined once: joining strings as pages go was quadratic.
    kept: list[tuple[list[str], int]] = []
    for number, lines in enumerate(pages_lines, start=1):
        paragraphs = _paragraph_pieces(lines)
        if paragraphs and kept and _continues(kept[-1][0][-1], paragraphs[0][0]) and paragraphs[0][0][:1].islower():
            kept[-1][0].extend(paragraphs.pop(0))  # a paragraph running over the page break
        kept.extend((pieces, number) for pieces in paragraphs)
    return [Block(text=" ".join(pieces), page=number, ocr=number in ocr_pages) for pieces, number in kept]


# The blanks a signing system fills in on a signed copy: the number ("Số:      /2023/TT-BGTVT") and the
# day and month of the date ("ngày      tháng      năm 2023").
_STAMP_SLOT_RE = re.compile(r"(?<=Số:)[ \t]+(?=/)|(?<=ngày)[ \t]{2,}(?=tháng)|(?<=tháng)[ \t]{2,}(?=năm)")
_STAMP_LINE_POINTS = 15  # stamps further apart in height than this are not the header's one line


@dataclass(frozen=True)
class Stamp:
    """A number a signature field stamps on a page, with where it stands (PDF points from the bottom left)."""

    text: str
    left: float
    top: float


def _is_signature(field: Any) -> bool:
    """A signature field, its type set on it or inherited from its parent field."""
    while field is not None:
        if field.get("/FT") == "/Sig":
            return True
        parent = field.get("/Parent")
        field = parent.get_object() if parent is not None else None
    return False


def signature_stamps(page: Any) -> list[Stamp]:
    """The numbers stamped on a page by signature fields: an electronically signed copy carries its number
    and the day and month of its date there, not in its text layer. Best effort: a field that cannot be
    read is skipped, and a page whose fields cannot be read at all has none."""
    stamps: list[Stamp] = []
    try:
        annotations = page.get("/Annots")
        annotations = annotations.get_object() if annotations is not None else []
        for reference in annotations if isinstance(annotations, list) else []:
            try:
                annotation = reference.get_object()
                appearance = annotation["/AP"]["/N"].get_object()
                if annotation.get("/Subtype") != "/Widget" or not _is_signature(annotation):
                    continue
                text = page.extract_xform_text(appearance).strip()
                left, bottom, right, top = (float(v) for v in annotation["/Rect"])
            except Exception:  # noqa: BLE001 — one malformed field must not refuse a readable document
                continue
            if re.fullmatch(r"\d{1,4}", text):
                stamps.append(Stamp(text, min(left, right), max(top, bottom)))
    except Exception:  # noqa: BLE001 — nor a malformed annotation list
        return []
    return stamps


def fill_stamped_blanks(text: str, stamps: list[Stamp]) -> str:
    """The first page's text with its blank number and date filled from the signature stamps, by role: the
    leftmost stamp is the number, the others the day then the month, left to right. Unchanged unless
    there is exactly one stamp per blank, on one line, with a day and month that can be a date: a guess
    would put a wrong number on the document."""
    slots = list(_STAMP_SLOT_RE.finditer(text))
    if not slots or len(slots) != len(stamps) or max(s.top for s in stamps) - min(s.top for s in stamps) > _STAMP_LINE_POINTS:
        return text
    numbered = [slot for slot in slots if text[slot.start() - 1] == ":"]
    dated = [slot for slot in slots if slot not in numbered]
    by_slot = {slot.start(): stamp.text for slot, stamp in zip(numbered + dated, sorted(stamps, key=lambda s: s.left))}
    if any(not 1 <= int(by_slot[slot.start()]) <= (31 if text[:slot.start()].endswith("ngày") else 12) for slot in dated):
        return text
    pieces, end = [], 0
    for slot in slots:
        stamp = by_slot[slot.start()]
        pieces += [text[end:slot.start()], f" {stamp}" if slot in numbered else f" {stamp} "]
        end = slot.end()
    return "".join(pieces + [text[end:]])


def _pages_needing_ocr(pages: list[str], ocr: OcrOptions | None) -> list[int]:
    """1-based pages whose text layer is missing or garbled. With OCR off, a file that needs it is refused,
    and without Tesseract the refusal names the packages to install (either way a few blank pages among
    readable ones are left as they are)."""
    empty = [n for n, text in enumerate(pages, start=1) if len(text.strip()) < MIN_CHARS_PER_PAGE]
    garbled = {n: problem for n, text in enumerate(pages, start=1) if n not in empty and (problem := page_problem(text))}
    total = sum(len(p.strip()) for p in pages)
    readable_enough = not garbled and total >= MIN_CHARS_PER_PAGE * len(pages)
    if ocr and ocr.enabled:
        if (empty or garbled) and not tesseract_available(ocr.language):
            if readable_enough:
                return []
            raise IngestError(MISSING_TESSERACT)
        return sorted([*empty, *garbled])
    off = " (OCR is off: run without --no-ocr)"
    if total < MIN_CHARS_PER_PAGE * len(pages):
        raise IngestError(f"no text layer: needs OCR ({len(pages)} page(s), {total} characters of text){off}")
    if garbled:
        first, problem = next(iter(garbled.items()))
        raise IngestError(
            f"text layer is garbled on {len(garbled)} of {len(pages)} page(s) (page {first}: {problem}; "
            f"wrong font mapping or OCR noise): needs OCR{off}"
        )
    return []


_PAGE_NUMBER_RE = re.compile(r"^(?:-\s*)?(?:trang|page)?\s*\d{1,4}(?:\s*/\s*\d{1,4})?(?:\s*-)?$", re.I)


def _strip_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers and lines repeated at the top or bottom of most pages."""
    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line.strip().lower())

    edge_counts: Counter[str] = Counter()
    for lines in pages[1:]:  # many documents start their running header on page 2
        content = [l for l in lines if l.strip()]
        for line in set(content[:2] + content[-2:]):
            edge_counts[key(line)] += 1
    threshold = max(2, len(pages[1:]) // 2 + 1)
    repeated = {k for k, n in edge_counts.items() if n >= threshold}
    cleaned = []
    for lines in pages:
        content = [l for l in lines if l.strip()]
        edges = set(content[:2] + content[-2:])
        cleaned.append(
            [
                l
                for l in content
                if not _PAGE_NUMBER_RE.match(l.strip()) and not (l in edges and key(l) in repeated)
            ]
        )
    return cleaned


STRUCTURE_START_RE = re.compile(
    r"^\s*(?:Điều|Chương|Mục|Phần|PHẦN|CHƯƠNG|MỤC|ĐIỀU|Article|Chapter|Section|Part|PHỤ LỤC|Phụ lục|APPENDIX|Appendix)\s+\S"
    r"|^\s*(?:\d{1,3}[.)]|[a-zđ]\)|[IVXLC]{1,6}\.|[-+•*–])\s"
)
_SENTENCE_END = tuple(".:;!?\"”)")


def join_wrapped_lines(lines: list[str]) -> list[str]:
    """Rejoin lines a PDF wrapped mid-paragraph, undoing end-of-line hyphenation. A short line
    followed by a capitalised one ended its paragraph."""
    return [" ".join(pieces) for pieces in _paragraph_pieces(lines)]


def _paragraph_pieces(lines: list[str]) -> list[list[str]]:
    """`join_wrapped_lines` before the join: each paragraph as its pieces (linear in the text)."""
    paragraphs: list[list[str]] = []
    widest = max((len(l.strip()) for l in lines), default=0)
    previous_line = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        short = len(previous_line) < 0.7 * widest and line[:1].isupper()
        previous_line = line
        if paragraphs and not short and _continues(paragraphs[-1][-1], line):
            pieces = paragraphs[-1]
            if _HYPHENATED_RE.search(pieces[-1]) and line[:1].islower():
                pieces[-1] = pieces[-1][:-1] + line
            else:
                pieces.append(line)
        else:
            paragraphs.append([line])
    return paragraphs


_HYPHENATED_RE = re.compile(r"[A-Za-zÀ-ỹ]-$")


_HEADER_LINE_RE = re.compile(
    r"^(?:Số\s*:|Số\s+\d|V/v|Về việc|Kính gửi|Căn cứ|Độc lập|No\.|Re:|Pursuant)"
    r"|^[A-ZĐ][\wÀ-ỹ]*(?: [A-ZĐ][\wÀ-ỹ]*){0,3}, ngày"
)
_BARE_HEADING_RE = re.compile(r"^(?:Điều|Article|Chương|Chapter|CHƯƠNG|Mục|Phần|PHẦN|Section|Part)\s+[\dIVXLC]+[a-zđ]?\.?$")


def _continues(previous: str, line: str) -> bool:
    if STRUCTURE_START_RE.match(line) or _HEADER_LINE_RE.match(line):
        return False
    if previous.endswith(_SENTENCE_END) or re.search(r"[-–_]{3,}$", previous[-80:]):
        return False
    if _BARE_HEADING_RE.match(previous):
        return False
    if _is_caps(previous) != _is_caps(line):
        return False
    return True


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


# ---------------------------------------------------------------- scanned images

def load_image(path: Path, ocr: OcrOptions | None = None, file_hash: str = "") -> list[Block]:
    """A scanned page (PNG, JPEG, or TIFF with one page per frame) read by OCR, every block marked `ocr`."""
    if not (ocr and ocr.enabled):
        raise IngestError("a scanned image: needs OCR (OCR is off: run without --no-ocr)")
    pages = [clean_ocr_text(text) for text in ocr_image(path, ocr, file_hash)]
    while pages and not pages[-1].strip():
        pages.pop()
    if sum(len(p.strip()) for p in pages) < MIN_CHARS_PER_PAGE:
        raise IngestError("no text found, even by OCR: a picture, or a blank scan")
    blocks: list[Block] = []
    for number, text in enumerate(pages, start=1):
        page = number if len(pages) > 1 else 1
        blocks.extend(Block(text=para, page=page, ocr=True) for para in join_wrapped_lines(text.split("\n")))
    return blocks


# ---------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_TABLE_DEPTH = 5


def check_unpacked_size(path: Path, limit: int) -> None:
    """Refuse a zip container (DOCX) that unpacks to more than `limit` bytes, counting what each member
    really inflates to (a zip bomb declares small sizes): before any parser reads it."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = 0
            for member in archive.infolist():
                with archive.open(member) as stream:
                    while block := stream.read(1 << 20):
                        total += len(block)
                        if total > limit:
                            raise IngestError(
                                f"unpacks to more than {limit // (1024 * 1024)} MB (CNHT_MAX_UNPACKED_MB): "
                                "a zip bomb or an oversized document"
                            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
        raise IngestError(f"corrupt DOCX: {type(exc).__name__}: {str(exc)[:120]}") from exc


def load_docx(path: Path, limits: ParseLimits | None = None) -> list[Block]:
    """Paragraphs and table rows in reading order; pages counted from the page breaks Word saved."""
    check_unpacked_size(path, (limits or ParseLimits()).unpacked_bytes)

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise IngestError(f"corrupt DOCX: {type(exc).__name__}: {str(exc)[:120]}") from exc
    except Exception as exc:  # lxml raises its own syntax errors for a broken document.xml
        raise IngestError(f"corrupt DOCX: {type(exc).__name__}: {str(exc)[:120]}") from exc
    body = document.element.body
    has_breaks = body.find(f".//{_W}lastRenderedPageBreak") is not None or any(
        br.get(f"{_W}type") == "page" for br in body.iter(f"{_W}br")
    )
    state = {"page": 1 if has_breaks else None}
    blocks: list[Block] = []
    for child in body.iterchildren():
        if child.tag == f"{_W}p":
            _docx_paragraph(child, state, blocks)
        elif child.tag == f"{_W}tbl":
            _docx_table(child, state, blocks, depth=0)
    return blocks


def _docx_paragraph(element, state: dict, blocks: list[Block]) -> None:
    parts: list[str] = []
    page_at_start = state["page"]
    for node in element.iter():
        tag = node.tag
        if tag == f"{_W}t" and node.text:
            parts.append(node.text)
        elif tag == f"{_W}tab":
            parts.append(" ")
        elif tag in (f"{_W}br", f"{_W}cr"):
            if node.get(f"{_W}type") == "page" and state["page"] is not None:
                state["page"] += 1
            else:
                parts.append("\n")
        elif tag == f"{_W}lastRenderedPageBreak" and state["page"] is not None:
            if parts and "".join(parts).strip():
                state["page"] += 1
            elif state["page"] == page_at_start:
                state["page"] += 1
                page_at_start = state["page"]
    for piece in "".join(parts).split("\n"):
        if piece.strip():
            blocks.append(Block(text=piece, page=page_at_start))


def _docx_table(element, state: dict, blocks: list[Block], depth: int) -> None:
    if depth >= MAX_TABLE_DEPTH:
        raise IngestError(f"tables nested more than {MAX_TABLE_DEPTH} deep")
    for row in element.iterchildren(f"{_W}tr"):
        cells: list[str] = []
        for cell in row.iterchildren(f"{_W}tc"):
            inner: list[Block] = []
            for child in cell.iterchildren():
                if child.tag == f"{_W}p":
                    _docx_paragraph(child, state, inner)
                elif child.tag == f"{_W}tbl":
                    _docx_table(child, state, inner, depth + 1)
            text = "\n".join(b.text.strip() for b in inner if b.text.strip())
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        if cells:
            blocks.append(Block(text=" | ".join(cells), page=state["page"], kind="table_row"))


# ---------------------------------------------------------------- DOC (Word 97-2003)

def load_doc(path: Path) -> list[Block]:
    """Word 97-2003 through antiword, or LibreOffice when antiword is absent."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    if "EncryptedPackage".encode("utf-16-le") in head:
        raise IngestError("encrypted Word document: remove the password and ingest again")
    antiword = shutil.which("antiword")
    if antiword:
        result = subprocess.run(
            [antiword, "-m", "UTF-8.txt", "-w", "0", str(path)], capture_output=True, timeout=120
        )
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip().splitlines()
            raise IngestError(f"cannot read this Word 97-2003 file: {message[-1] if message else 'antiword failed'}")
        return _plain_blocks(result.stdout.decode("utf-8", "replace"))
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [office, "--headless", "--convert-to", "docx", "--outdir", tmp, str(path)],
                capture_output=True,
                timeout=300,
            )
            converted = Path(tmp) / (path.stem + ".docx")
            if not converted.exists():
                raise IngestError("LibreOffice could not convert this Word 97-2003 file")
            return load_docx(converted)
    raise IngestError(
        "DOC (Word 97-2003) needs a converter: install antiword (apt-get install antiword) "
        "or LibreOffice, or save the file as DOCX"
    )


def _plain_blocks(text: str) -> list[Block]:
    blocks = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("|") and stripped.endswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|") if c.strip()]
            if cells:
                blocks.append(Block(text=" | ".join(cells), kind="table_row"))
        else:
            blocks.append(Block(text=stripped))
    return blocks


# ---------------------------------------------------------------- HTML

_HTML_NOISE = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg", "template", "button")
_HTML_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "br", "tr", "section", "article", "blockquote", "pre", "dd", "dt"}


MAX_HTML_DEPTH = 400
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "p", "li", "td", "tr", "th", "option"}
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")


def _html_depth(text: str) -> int:
    """Deepest element nesting, counted in one pass (tags HTML lets authors leave open are not counted)."""
    depth = deepest = 0
    for closing, name, self_closing in _TAG_RE.findall(text):
        if name.lower() in _VOID_TAGS or self_closing:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def load_html(text: str) -> tuple[list[Block], dict[str, Any]]:
    """Main text of a page (navigation, scripts and boilerplate dropped), tables as rows; <title> as title."""

    if _html_depth(text) > MAX_HTML_DEPTH:
        raise IngestError(f"HTML nested more than {MAX_HTML_DEPTH} levels deep: not a readable page")

    try:
        soup = BeautifulSoup(text, "lxml")
        meta: dict[str, Any] = {}
        if soup.title and soup.title.string:
            meta["title"] = soup.title.string.strip()
        for tag in soup.find_all(_HTML_NOISE):
            tag.decompose()
        for tag in soup.find_all(name=None, attrs={"role": ["navigation", "banner", "contentinfo"]}):
            tag.decompose()
        root = soup.find("main") or soup.find("article") or soup.find(name=None, attrs={"role": "main"}) or soup.body or soup
        blocks: list[Block] = []
        for table in root.find_all("table"):
            rows = []
            for tr in table.find_all("tr"):
                cells = [c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"])]
                cells = [c for c in cells if c]
                if cells:
                    rows.append(" | ".join(cells))
            table.replace_with(soup.new_string("\n" + "\n".join(f"\ue001{r}" for r in rows) + "\n"))
        for tag in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
            tag.insert(0, "\ue000")
        for tag in root.find_all(_HTML_BLOCKS):
            tag.insert_before("\n")
            tag.insert_after("\n")
        raw = root.get_text()
    except RecursionError as exc:
        raise IngestError("HTML nested too deeply to read") from exc
    for line in raw.split("\n"):
        stripped = " ".join(line.split())
        if not stripped:
            continue
        if stripped.startswith("\ue001"):
            blocks.append(Block(text=stripped[1:].strip(), kind="table_row"))
        elif stripped.startswith("\ue000"):
            blocks.append(Block(text=stripped[1:].strip(), kind="heading"))
        else:
            blocks.append(Block(text=stripped))
    return blocks, meta


# ---------------------------------------------------------------- Markdown and plain text

_FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """YAML front matter (between --- lines at the top) and the rest of the text."""
    match = _FRONT_MATTER_RE.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise IngestError(f"front matter is not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict):
        raise IngestError("front matter must be a YAML mapping of key: value")
    return data, text[match.end() :]


def load_markdown(text: str) -> list[Block]:
    """Markdown with markup removed; headings, list items and table rows become blocks."""
    blocks = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or re.fullmatch(r"\|?[\s:|-]+\|?", stripped) and "-" in stripped:
            continue
        if stripped.startswith("|") and stripped.endswith("|"):
            cells = [_strip_inline_markdown(c.strip()) for c in stripped.strip("|").split("|")]
            blocks.append(Block(text=" | ".join(c for c in cells if c), kind="table_row"))
            continue
        heading = re.match(r"^#{1,6}\s+", stripped)
        stripped = re.sub(r"^>\s?", "", stripped[heading.end():] if heading else stripped)
        blocks.append(Block(text=_strip_inline_markdown(stripped), kind="heading" if heading else "para"))
    return [b for b in blocks if b.text]


def _strip_inline_markdown(text: str) -> str:
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__|`)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<!\w)\*(?!\s)(.+?)(?<!\s)\*(?!\w)", r"\1", text)
    return text.strip()


def load_text(text: str) -> list[Block]:
    """Plain text, one block per paragraph line."""
    return [Block(text=line.strip()) for line in text.splitlines() if line.strip()]


# ---------------------------------------------------------------- JSONL

def load_jsonl(text: str, source: str) -> tuple[list[tuple[int, dict[str, Any]]], list[Failure]]:
    """Records `{"id","text",...}` with their line numbers, and a failure for each bad line."""
    records: list[tuple[int, dict[str, Any]]] = []
    failures: list[Failure] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            failures.append(Failure(source, f"not valid JSON ({exc.msg})", number))
            continue
        except RecursionError:
            failures.append(Failure(source, "JSON nested too deeply", number))
            continue
        if not isinstance(record, dict):
            failures.append(Failure(source, "a line must be a JSON object", number))
            continue
        missing = [k for k in ("id", "text") if k not in record or record[k] in (None, "")]
        if missing:
            failures.append(Failure(source, f"missing {' and '.join(repr(k) for k in missing)}", number))
            continue
        if not isinstance(record["text"], str):
            failures.append(Failure(source, "'text' must be a string", number))
            continue
        doc_id = str(record["id"]).strip()
        if doc_id in seen:
            failures.append(Failure(source, f"duplicate id {doc_id!r} (first on line {seen[doc_id]})", number))
            continue
        seen[doc_id] = number
        records.append((number, record))
    return records, failures
