"""Plain data types that flow from the loaders to the knowledge base."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

SECTION_SEPARATOR = " › "

DOCUMENT_STATUSES = ("in_force", "expired", "superseded")


@dataclass
class Block:
    """One paragraph or table row of a loaded file, with the page it sits on."""

    text: str
    page: int | None = None
    kind: str = "para"  # "para" or "table_row"
    ocr: bool = False  # read by OCR from a scanned page


@dataclass
class SourceDocument:
    """What a loader read from one file (or one JSONL record), before structure analysis."""

    doc_id: str
    source: str
    fmt: str
    blocks: list[Block]
    meta: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""


@dataclass
class DocumentMeta:
    """Metadata of a document: from its header block, front matter or sidecar. Empty stays empty."""

    doc_id: str
    source: str
    fmt: str
    title: str = ""
    doc_number: str = ""
    doc_type: str = ""
    issuer: str = ""
    place: str = ""
    issued_date: str = ""  # ISO yyyy-mm-dd, only when the document gives a full date
    effective_date: str = ""  # ISO yyyy-mm-dd: the date it comes into force, when the document says
    signer: str = ""  # the name under its signature block, as written
    signer_title: str = ""  # the position signed in ("Phó Thủ tướng"), when the block gives one
    signer_page: int | None = None
    status: str = "in_force"
    superseded_by: str = ""
    lang: str = "vi"
    pages: int | None = None
    ocr_pages: list[int] = field(default_factory=list)  # pages read by OCR from a scan
    extra: dict[str, Any] = field(default_factory=dict)

    PUBLIC: ClassVar[tuple[str, ...]] = (  # what the API and the document list show of a document
        "doc_id", "title", "doc_number", "doc_type", "issuer", "issued_date", "effective_date", "status", "superseded_by",
        "lang", "pages",
    )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentMeta:
        """Metadata from its stored form (`as_dict`); keys it does not know go to `extra`."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known and k != "extra"}
        extra = {**dict(data.get("extra") or {}), **{k: v for k, v in data.items() if k not in known}}
        return cls(**values, extra=extra)

    @property
    def in_force(self) -> bool:
        """Whether the document is in force (not superseded or expired)."""
        return self.status == "in_force"

    def as_dict(self) -> dict[str, Any]:
        """Metadata as a flat dict (extra keys last), as the registry stores it."""
        data = {k: (list(v) if isinstance(v, list) else v) for k, v in self.__dict__.items() if k != "extra"}
        data["extra"] = dict(self.extra)
        return data

    def public(self) -> dict[str, Any]:
        """The fields shown to users (API, document list)."""
        return {name: getattr(self, name) for name in self.PUBLIC}


@dataclass
class Chunk:
    """A retrievable piece of a document with its place in the legal structure."""

    doc_id: str
    ordinal: int
    text: str
    section: str = ""
    page: int | None = None
    page_end: int | None = None
    heading: str = ""  # context carried from the enclosing article when it was split
    section_map: list[tuple[int, str]] = field(default_factory=list)  # (char offset, section path)

    @property
    def chunk_id(self) -> str:
        """Stable id of the chunk inside its document."""
        return f"{self.doc_id}#{self.ordinal}"

    def section_at(self, offset: int) -> str:
        """Section path of the text at a character offset of `text`."""
        return section_at(self.section, self.section_map, offset)


def section_at(section: str, section_map: list, offset: int) -> str:
    """The section path in force at a character offset of a chunk's text, from its section map."""
    current = section
    for start, path in section_map:
        if start > offset:
            break
        current = path
    return current


@dataclass
class ParsedDocument:
    """A document ready to index: metadata, chunks and the hash that decides re-indexing."""

    meta: DocumentMeta
    chunks: list[Chunk]
    content_hash: str
