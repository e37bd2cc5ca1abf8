"""OCR of scanned pages with Tesseract's Vietnamese model: PDF pages rasterised by poppler's pdftoppm, scanned
images (PNG, JPEG, TIFF) read directly. Pages run in parallel, each page's text is cached by the file's
content hash, and the text is cleaned of OCR's usual slips before the legal structure is read from it."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.errors import IngestError
from ingest.textquality import garbled_ratio

MISSING_TESSERACT = (
    "needs OCR, but Tesseract with its Vietnamese model is not installed: "
    "install the packages tesseract-ocr and tesseract-ocr-vie (make converters)"
)
MISSING_POPPLER = "needs OCR, but pdftoppm is not installed: install the package poppler-utils (make converters)"
PAGE_TIMEOUT_SECONDS = 300
MIN_DPI = 200


@dataclass
class OcrOptions:
    """How scanned pages are read (from Settings and `cnht ingest --no-ocr`)."""

    enabled: bool = True
    dpi: int = 300  # the most a page is rasterised at: a scan's own resolution when lower, but at least MIN_DPI
    workers: int = 2
    language: str = "vie"
    cache_dir: Path | None = None
    progress: Callable[[str], None] | None = None

    def say(self, line: str) -> None:
        """Report progress, when someone listens."""
        if self.progress:
            self.progress(line)


def tesseract_available(language: str = "vie") -> bool:
    """Whether tesseract and its model for `language` are installed."""
    path = shutil.which("tesseract")
    return bool(path) and language in _languages(path)


def require_tesseract(language: str = "vie") -> str:
    """Path of the tesseract program, or an IngestError naming the packages to install."""
    path = shutil.which("tesseract")
    if not path or language not in _languages(path):
        raise IngestError(MISSING_TESSERACT)
    return path


@lru_cache(maxsize=4)
def _languages(path: str) -> frozenset[str]:
    result = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=60)
    return frozenset(line.strip() for line in result.stdout.splitlines()[1:] if line.strip())


def _tesseract_env() -> dict[str, str]:
    # one thread per tesseract process: pages are spread over the cores instead
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run an OCR tool on one page; a page that takes too long is a reason, not a crash."""
    try:
        return subprocess.run(command, capture_output=True, timeout=PAGE_TIMEOUT_SECONDS, env=env)
    except subprocess.TimeoutExpired as exc:
        raise IngestError(f"OCR gave up: {Path(command[0]).name} took over {PAGE_TIMEOUT_SECONDS} s on one page") from exc


def _run_tesseract(tesseract: str, image: Path, language: str) -> str:
    result = _run([tesseract, str(image), "stdout", "-l", language, "--psm", "3"], env=_tesseract_env())
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise IngestError(f"OCR failed: {message[-1] if message else 'tesseract exited with ' + str(result.returncode)}")
    return result.stdout.decode("utf-8", "replace")


class _PageCache:
    """OCR text of a page, kept under the data directory by the file's hash, page, resolution and language."""

    def __init__(self, directory: Path | None, file_hash: str, key: str):
        self.directory = directory
        self.prefix = hashlib.sha256(f"{file_hash}|{key}".encode()).hexdigest()[:40]

    def _path(self, page: int) -> Path | None:
        return self.directory / f"{self.prefix}-{page}.txt" if self.directory else None

    def get(self, page: int) -> str | None:
        path = self._path(page)
        return path.read_text(encoding="utf-8") if path and path.is_file() else None

    def put(self, page: int, text: str) -> None:
        path = self._path(page)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)  # never a half-written entry


def ocr_pdf_pages(path: Path, pages: list[int], options: OcrOptions, file_hash: str = "") -> dict[int, str]:
    """OCR text of the given 1-based pages of a PDF, in parallel over `options.workers` processes."""
    cache = _PageCache(options.cache_dir, file_hash or _file_hash(path), f"pdf|{options.dpi}|{options.language}")
    texts: dict[int, str] = {}
    todo = []
    for page in pages:
        cached = cache.get(page)
        if cached is None:
            todo.append(page)
        else:
            texts[page] = cached
    if not todo:
        return texts
    tesseract = require_tesseract(options.language)
    pdftoppm = shutil.which("pdftoppm")
    if not pdftoppm:
        raise IngestError(MISSING_POPPLER)
    options.say(f"  OCR {path.name}: {len(todo)} page(s) to read" + (f", {len(texts)} from the cache" if texts else ""))
    done = 0
    resolutions = _scan_resolutions(path)

    def read(page: int) -> tuple[int, str]:
        dpi = max(MIN_DPI, min(options.dpi, resolutions.get(page, options.dpi)))
        with tempfile.TemporaryDirectory(prefix="cnht-ocr-") as tmp:
            stem = Path(tmp) / "page"
            result = _run([pdftoppm, "-r", str(dpi), "-gray", "-png", "-singlefile", "-f", str(page), "-l", str(page), str(path), str(stem)])
            image = stem.with_suffix(".png")
            if result.returncode != 0 or not image.exists():
                message = result.stderr.decode("utf-8", "replace").strip().splitlines()
                raise IngestError(f"cannot rasterise page {page} for OCR: {message[-1] if message else 'pdftoppm failed'}")
            return page, _run_tesseract(tesseract, image, options.language)

    with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
        for page, text in pool.map(read, todo):
            cache.put(page, text)
            texts[page] = text
            done += 1
            if done % 5 == 0 or done == len(todo):
                options.say(f"  OCR {path.name}: {done}/{len(todo)} page(s) read")
    return texts


def _scan_resolutions(path: Path) -> dict[int, int]:
    """The resolution (ppi) of the largest image on each page, from poppler's pdfimages: rasterising a
    150 ppi scan at 300 dpi costs three times the time and reads no better."""
    pdfimages = shutil.which("pdfimages")
    if not pdfimages:
        return {}
    try:
        result = subprocess.run([pdfimages, "-list", str(path)], capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return {}
    largest: dict[int, tuple[int, int]] = {}
    for line in result.stdout.splitlines()[2:]:
        fields = line.split()
        try:
            page, width, height, ppi = int(fields[0]), int(fields[3]), int(fields[4]), int(fields[12])
        except (IndexError, ValueError):
            continue
        if width * height > largest.get(page, (0, 0))[0]:
            largest[page] = (width * height, ppi)
    return {page: ppi for page, (_, ppi) in largest.items()}


def ocr_image(path: Path, options: OcrOptions, file_hash: str = "") -> list[str]:
    """OCR text of a scanned image, one string per page (a TIFF may hold several)."""
    cache = _PageCache(options.cache_dir, file_hash or _file_hash(path), f"image|{options.language}")
    cached = cache.get(0)
    if cached is not None:
        return cached.split("\f")
    tesseract = require_tesseract(options.language)
    options.say(f"  OCR {path.name}: reading the image")
    text = _run_tesseract(tesseract, path, options.language)
    cache.put(0, text)
    return text.split("\f")


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- cleaning OCR text

_FIXES = (
    # headings and header fields as OCR often misreads them (tone marks misplaced, Đ read as D or Ð)
    (re.compile(r"^[ĐDÐ]i[eêềếểệễ]u\s+(?=\d)", re.M), "Điều "),
    (re.compile(r"^[ĐDÐ]I[EÊỀẾỂỆỄ]U\s+(?=\d)", re.M), "ĐIỀU "),
    (re.compile(r"^Ch[uư][oơ]ng\s+(?=[IVXLC\d])", re.M), "Chương "),
    (re.compile(r"^CH[UƯ][OƠ]NG\s+(?=[IVXLC\d])", re.M), "CHƯƠNG "),
    (re.compile(r"^(?:S[ốôóòổỗộo0-9]|5ố)\s*[:;.]\s*", re.M), "Số: "),
    (re.compile(r"(?<=\d)\s*/\s*([QN])[ĐDÐ]{1,2}\s*-\s*", re.M), r"/\1Đ-"),  # 45/QĐĐ - UBND, 12/ND-CP
)
_ALNUM_RE = re.compile(r"[^\W_]")


def _speck(token: str) -> bool:
    """A token of one or two characters that is not a lower-case Vietnamese word: what a stamp's rim or a
    signature beside the text is read as (`Ã`, `z*`, `.ĐA`, `›`)."""
    word = token.strip(".,;:!?*`'\"’‘“”()[]{}-_|›‹«»")
    if len(token) > 3 or len(word) > 2:
        return False
    vietnamese_word = word.islower() and word.isalpha() and not set(word) & set("fjwz")
    return not (vietnamese_word and token.startswith(word) and token[len(word):] in ("", ")", ".", ",", ":", ";"))


def _trim_specks(line: str) -> str:
    """A line with a run of three or more specks at its start or end, cut of them."""
    tokens = line.split()
    start = 0
    while start < len(tokens) and _speck(tokens[start]):
        start += 1
    end = len(tokens)
    while end > start and _speck(tokens[end - 1]):
        end -= 1
    if start < 3:
        start = 0
    if len(tokens) - end < 3:
        end = len(tokens)
    return " ".join(tokens[start:end])


def clean_ocr_text(text: str) -> str:
    """OCR text ready for the same reading as a text layer: headings and header fields repaired, and lines
    that are only stamp, signature or speckle noise (short and unreadable) dropped."""
    lines = []
    for raw in text.replace("\f", "\n").splitlines():
        line = " ".join(raw.split())
        if not line:
            lines.append("")
            continue
        letters = len(_ALNUM_RE.findall(line))
        if letters < 2 or letters < 0.5 * len(line.replace(" ", "")):
            continue  # rules, dots, seal rims
        line = _trim_specks(line)
        words = line.split()
        if not words or garbled_ratio(line) > (0.5 if len(words) <= 6 else 0.6):
            continue  # a signature or a stamp read as letters
        lines.append(line)
    cleaned = "\n".join(lines)
    for pattern, replacement in _FIXES:
        cleaned = pattern.sub(replacement, cleaned)
    return cleaned
