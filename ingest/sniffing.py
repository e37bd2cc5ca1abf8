"""Decide a file's format from its content, falling back to its extension only for text formats."""
from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.errors import IngestError

TEXT_EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
}
BINARY_EXTENSIONS = {".pdf": "pdf", ".docx": "docx", ".doc": "doc"}
IMAGE_EXTENSIONS = {".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image"}
SUPPORTED_EXTENSIONS = set(TEXT_EXTENSIONS) | set(BINARY_EXTENSIONS) | set(IMAGE_EXTENSIONS)
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")

_BINARY_SIGNATURES = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "an executable program"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"MZ", "a Windows program"),
)


def sniff_format(path: Path) -> str:
    """Return pdf, docx, doc, image (a scan to OCR), html, markdown, text or jsonl, or raise IngestError
    saying what the file is."""
    with path.open("rb") as handle:
        head = handle.read(8192)
    if not head:
        raise IngestError("empty file (0 bytes)")
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_format(path)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    suffix = path.suffix.lower()
    if suffix in IMAGE_EXTENSIONS and head.startswith(_IMAGE_SIGNATURES):
        return "image"
    for signature, what in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise IngestError(f"content is {what}, not a document (extension {suffix or 'none'})")
    if suffix in BINARY_EXTENSIONS:
        raise IngestError(f"not a {suffix[1:].upper()} file: its content does not start like one (corrupt or renamed)")
    if b"\x00" in head:
        raise IngestError("binary content, not text")
    if suffix in TEXT_EXTENSIONS:
        return TEXT_EXTENSIONS[suffix]
    raise IngestError(f"unsupported file type {suffix or '(no extension)'}")


def _zip_format(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(f"corrupt DOCX/ZIP file: {exc}") from exc
    if "word/document.xml" in names:
        return "docx"
    if "EncryptionInfo" in names or "EncryptedPackage" in names:
        raise IngestError("encrypted Word document: remove the password and ingest again")
    raise IngestError("a ZIP archive that is not a Word (DOCX) document")
