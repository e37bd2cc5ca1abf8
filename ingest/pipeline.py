"""From paths on disk to parsed, chunked documents, with a reason for everything that did not go in."""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ingest import loaders
from ingest.chunking import chunk_document
from ingest.errors import Failure, IngestError
from ingest.language import detect_language
from ingest.legal import effective_date, is_header_line, parse_header, structure_blocks
from ingest.models import DOCUMENT_STATUSES, Block, DocumentMeta, ParsedDocument
from ingest.ocr import OcrOptions
from ingest.privacy import mask_personal_data
from ingest.signature import find_signature
from ingest.sniffing import SUPPORTED_EXTENSIONS, sniff_format
from ingest.textquality import readable
from ingest.vietnamese import fold, normalize_text

PARSER_VERSION = "3"  # 2: sentences joined without the splitter pattern; personal data masked in metadata too; 3: the signer
SIDECAR_SUFFIX = ".meta.yaml"
_META_FIELDS = {
    "title", "doc_number", "doc_type", "issuer", "place", "issued_date", "effective_date", "status", "superseded_by", "lang"
}


@dataclass
class ParseOptions:
    """Knobs of the parsing step (from Settings)."""

    chunk_tokens: int = 350
    mask_pii: bool = True
    keep_email_domains: tuple[str, ...] = ("gov.vn",)
    max_bytes: int = 50 * 1024 * 1024
    ocr: OcrOptions = field(default_factory=OcrOptions)
    limits: loaders.ParseLimits = field(default_factory=loaders.ParseLimits)

    def fingerprint(self) -> str:
        """What, besides the file, decides the chunks: part of every content hash."""
        return f"{PARSER_VERSION}|{self.chunk_tokens}|{self.mask_pii}|{','.join(self.keep_email_domains)}|ocr{self.ocr.dpi}"


@dataclass
class Discovery:
    """Files found under the given paths, and what was skipped with why."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Failure] = field(default_factory=list)
    missing: list[Failure] = field(default_factory=list)


def discover(paths: Iterable[Path | str]) -> Discovery:
    """Walk files and folders (recursively), skipping hidden files, sidecars and unsupported types."""
    found = Discovery()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            found.missing.append(Failure(str(path), "no such file or folder"))
            continue
        if path.is_file():
            if path.name.endswith(SIDECAR_SUFFIX):
                found.skipped.append(Failure(str(path), "metadata sidecar, read with its document"))
            else:
                found.files.append(path)
            continue
        for child in sorted(path.rglob("*")):
            relative = child.relative_to(path)
            if any(part.startswith(".") for part in relative.parts) or not child.is_file():
                continue
            if child.name.endswith(SIDECAR_SUFFIX):
                continue
            if child.suffix.lower() not in SUPPORTED_EXTENSIONS:
                found.skipped.append(Failure(str(child), f"unsupported file type {child.suffix or '(none)'}"))
                continue
            found.files.append(child)
    return found


def slug(text: str) -> str:
    """An ASCII id from a file name (`QĐ 3164 (2021).pdf` → `qd-3164-2021`)."""
    value = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return value or "document"


def sidecar_path(path: Path) -> Path | None:
    """The NAME.meta.yaml (or NAME.ext.meta.yaml) beside a document, if there is one."""
    for candidate in (path.with_name(path.stem + SIDECAR_SUFFIX), path.with_name(path.name + SIDECAR_SUFFIX)):
        if candidate.is_file():
            return candidate
    return None


@dataclass
class FileResult:
    """What one file gave: documents to index, ids of documents already indexed unchanged, failures."""

    documents: list[ParsedDocument] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


UnchangedLookup = Callable[[str, str], "str | None"]


def parse_file(path: Path, options: ParseOptions, unchanged: UnchangedLookup | None = None,
               on_record: Callable[[int, int], None] | None = None) -> FileResult:
    """Parse one file into documents (one, or one per JSONL record); failures carry the reason.
    `unchanged(content_hash, source)` names an already-indexed document so its parsing is skipped;
    `on_record(done, total)` follows the records of a JSONL file."""
    source = str(path)
    lookup = unchanged or (lambda _hash, _source: None)
    try:
        size = path.stat().st_size
        if size > options.max_bytes:
            raise IngestError(
                f"file is {size / 1048576:.1f} MB, over the {options.max_bytes / 1048576:.0f} MB limit (CNHT_MAX_FILE_MB)"
            )
        fmt = sniff_format(path)
        sidecar_file = sidecar_path(path)
        sidecar, sidecar_bytes = _read_sidecar(sidecar_file) if sidecar_file else ({}, b"")
        raw = path.read_bytes()
        if fmt == "jsonl":
            return _parse_jsonl(path, _decode(raw), sidecar, options, lookup, on_record)
        content_hash = _hash(raw, sidecar_bytes, options.fingerprint().encode())
        known = lookup(content_hash, source)
        if known:
            return FileResult(unchanged=[known])
        blocks, meta = _load_blocks(path, fmt, raw, options)
        meta.update(sidecar)
        document = build_document(slug_from_meta(meta, path), source, fmt, blocks, meta, content_hash, options)
        return FileResult(documents=[document])
    except IngestError as exc:
        return FileResult(failures=[Failure(source, str(exc))])
    except RecursionError:
        return FileResult(failures=[Failure(source, "content nested too deeply to read")])
    except MemoryError:
        return FileResult(failures=[Failure(source, "too large to read in memory")])
    except OSError as exc:
        return FileResult(failures=[Failure(source, f"cannot read file: {exc.strerror or exc}")])


def slug_from_meta(meta: dict[str, Any], path: Path) -> str:
    """The doc_id a file gets: `doc_id` from front matter or sidecar, else its file name."""
    given = meta.pop("doc_id", None)
    return str(given).strip() if given else slug(path.stem)


def _hash(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start}): save it as UTF-8"
        ) from exc


def _read_sidecar(path: Path) -> tuple[dict[str, Any], bytes]:
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw.decode("utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise IngestError(f"sidecar {path.name} is not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict):
        raise IngestError(f"sidecar {path.name} must be a YAML mapping of key: value")
    return data, raw


def _load_blocks(path: Path, fmt: str, raw: bytes, options: ParseOptions) -> tuple[list[Block], dict[str, Any]]:
    ocr = options.ocr
    if fmt == "pdf":
        return loaders.load_pdf(path, ocr, _hash(raw), options.limits), {}
    if fmt == "image":
        return loaders.load_image(path, ocr, _hash(raw)), {}
    if fmt == "docx":
        return loaders.load_docx(path, options.limits), {}
    if fmt == "doc":
        return loaders.load_doc(path), {}
    text = _decode(raw)
    meta, body = loaders.split_front_matter(text)
    if fmt == "html":
        blocks, html_meta = loaders.load_html(body)
        return blocks, {**html_meta, **meta}
    if fmt == "markdown":
        return loaders.load_markdown(body), meta
    return loaders.load_text(body), meta


def build_document(
    doc_id: str,
    source: str,
    fmt: str,
    blocks: list[Block],
    meta: dict[str, Any],
    content_hash: str,
    options: ParseOptions,
    read_header: bool = True,
) -> ParsedDocument:
    """Normalise, read the header and structure, mask personal data and chunk one document."""
    for block in blocks:
        block.text = normalize_text(block.text).strip()
    blocks = [b for b in blocks if b.text]
    if not blocks:
        raise IngestError("no text in the document")
    sample = "\n".join(b.text for b in blocks[:200])[:4000]
    lang = str(meta.get("lang") or detect_language(sample))
    if lang not in ("vi", "en"):
        raise IngestError(f"lang {lang!r} is not supported (use vi or en)")
    header = parse_header(blocks) if read_header else None
    document = DocumentMeta(doc_id=doc_id, source=source, fmt=fmt, lang=lang)
    if header:
        document.title = header.title
        document.doc_number = header.doc_number
        document.doc_type = header.doc_type
        document.issuer = header.issuer
        document.place = header.place
        document.issued_date = header.issued_date
        if header.issued_year:
            document.extra["issued_year"] = header.issued_year
        if header.issuer_parent:
            document.extra["issuer_parent"] = header.issuer_parent
        blocks = blocks[header.body_start :] or blocks
    _apply_meta(document, meta)
    if not document.effective_date:
        document.effective_date = effective_date(blocks, document.issued_date)
    signature = find_signature(blocks)
    if signature is not None:
        document.signer, document.signer_title, document.signer_page = signature.name, signature.title, signature.page
    document.ocr_pages = sorted({b.page or 1 for b in blocks if b.ocr})
    if read_header and not readable(document.title):
        found_header = header is not None and bool(header.doc_type or header.doc_number or header.issued_year)
        first = "" if found_header else next((b.text for b in blocks[:5] if not is_header_line(b.text)), "")
        document.title = first if len(first) <= 150 and readable(first) else _file_title(source)
    elif not document.title:
        first = blocks[0].text
        document.title = first if len(first) <= 150 else _file_title(source)
    if document.doc_number and not readable(document.doc_number, limit=0.0):
        document.doc_number = ""  # an illegible number stays blank: never a guess
    if options.mask_pii:
        for block in blocks:
            block.text = mask_personal_data(block.text, options.keep_email_domains)
        _mask_meta(document, options.keep_email_domains)
    pages = [b.page for b in blocks if b.page is not None]
    document.pages = max(pages) if pages else None
    structured = structure_blocks(blocks, lang)
    if not any(s.article for s in structured):
        article = re.search(r"(?:Điều|Article)\s+(\d+[a-zđ]?)", document.title)
        if article:
            label = ("Article " if lang == "en" else "Điều ") + article.group(1)
            for item in structured:
                item.path = (label, *item.path)
    chunks = chunk_document(doc_id, structured, lang, options.chunk_tokens)
    if not chunks:
        raise IngestError("no text in the document")
    return ParsedDocument(meta=document, chunks=chunks, content_hash=content_hash)


def _file_title(source: str) -> str:
    """A title from the file name, for a document whose own title cannot be read (`QĐ_45-2024.pdf` → `QĐ 45-2024`)."""
    return " ".join(re.sub(r"[_]+", " ", Path(source).stem).split()) or Path(source).name


def _mask_meta(document: DocumentMeta, keep_email_domains: tuple[str, ...]) -> None:
    """Personal data masked in every shown or searched metadata field too (a title is often a first line)."""
    for name in ("title", "issuer", "place"):
        value = getattr(document, name)
        if value:
            setattr(document, name, mask_personal_data(value, keep_email_domains))
    for key, value in document.extra.items():
        if isinstance(value, str):
            document.extra[key] = mask_personal_data(value, keep_email_domains)


def _apply_meta(document: DocumentMeta, meta: dict[str, Any]) -> None:
    for key, value in meta.items():
        if key in _META_FIELDS:
            if value is None:
                continue
            text = value.isoformat() if hasattr(value, "isoformat") else str(value).strip()
            setattr(document, key, text)
        elif key not in ("id", "text"):
            document.extra[key] = value if isinstance(value, (str, int, float, bool)) else json.dumps(value, ensure_ascii=False)
    if document.status not in DOCUMENT_STATUSES:
        raise IngestError(f"status {document.status!r} is not one of {', '.join(DOCUMENT_STATUSES)}")
    for key in ("issued_date", "effective_date"):
        value = getattr(document, key)
        if value and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise IngestError(f"{key} {value!r} must be YYYY-MM-DD")


def _parse_jsonl(
    path: Path, text: str, sidecar: dict[str, Any], options: ParseOptions, lookup: UnchangedLookup,
    on_record: Callable[[int, int], None] | None = None,
) -> FileResult:
    records, failures = loaders.load_jsonl(text, str(path))
    result = FileResult(failures=failures)
    sidecar_json = json.dumps(sidecar, ensure_ascii=False, sort_keys=True, default=str).encode()
    for done, (number, record) in enumerate(records, start=1):
        if on_record:
            on_record(done - 1, len(records))
        doc_id = str(record["id"]).strip()
        meta = {**sidecar, **{k: v for k, v in record.items() if k not in ("id", "text")}}
        blocks = [Block(text=line) for line in record["text"].splitlines() if line.strip()]
        content_hash = _hash(
            json.dumps(record, ensure_ascii=False, sort_keys=True).encode(), sidecar_json, options.fingerprint().encode()
        )
        known = lookup(content_hash, str(path))
        if known == doc_id:
            result.unchanged.append(doc_id)
            continue
        try:
            result.documents.append(
                build_document(doc_id, str(path), "jsonl", blocks, meta, content_hash, options, read_header=False)
            )
        except IngestError as exc:
            result.failures.append(Failure(str(path), str(exc), number))
    if on_record:
        on_record(len(records), len(records))
    return result
