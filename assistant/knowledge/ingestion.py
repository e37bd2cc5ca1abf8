"""`cnht ingest`: files and folders into the knowledge base, with a per-file result and a summary."""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from assistant.knowledge.base import KnowledgeBase
from ingest.errors import Failure
from ingest.loaders import ParseLimits
from ingest.models import ParsedDocument
from ingest.ocr import OcrOptions
from ingest.pipeline import ParseOptions, discover, parse_file

Progress = Callable[[str, str, int, int], None]  # source, stage (parsed | embedded), done, total


@dataclass
class FileReport:
    """What happened to one input file."""

    source: str
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def status(self) -> str:
        """One word for the file: failed, partial, added, replaced or unchanged."""
        if self.failures:
            return "partial" if (self.added or self.replaced or self.unchanged) else "failed"
        if self.added:
            return "added"
        if self.replaced:
            return "replaced"
        return "unchanged"


@dataclass
class IngestReport:
    """The outcome of one `cnht ingest` run."""

    files: list[FileReport] = field(default_factory=list)
    skipped: list[Failure] = field(default_factory=list)
    missing: list[Failure] = field(default_factory=list)

    def count(self, what: str) -> int:
        """Documents added, replaced or unchanged across all files."""
        return sum(len(getattr(f, what)) for f in self.files)

    @property
    def failures(self) -> list[Failure]:
        """Every failure, missing paths first."""
        return self.missing + [failure for f in self.files for failure in f.failures]

    @property
    def ok(self) -> bool:
        """True when nothing failed (skipped files are not failures)."""
        return not self.failures


def parse_options(settings) -> ParseOptions:
    """Parsing options from settings."""
    return ParseOptions(
        chunk_tokens=settings.chunk_tokens,
        mask_pii=settings.mask_personal_data,
        keep_email_domains=settings.email_domains(),
        max_bytes=int(settings.max_file_mb * 1024 * 1024),
        limits=ParseLimits(settings.max_pages, int(settings.max_unpacked_mb * 1024 * 1024), settings.parse_seconds),
        ocr=OcrOptions(
            enabled=settings.ocr, dpi=settings.ocr_dpi, workers=settings.ocr_workers, cache_dir=settings.data_dir / "ocr-cache"
        ),
    )


def ingest_paths(
    kb: KnowledgeBase,
    paths: Iterable[Path | str],
    options: ParseOptions,
    on_file: Callable[[int, int, FileReport], None] | None = None,
    on_progress: Progress | None = None,
) -> IngestReport:
    """Ingest files and folders. Unchanged documents are skipped, changed ones replaced, failures
    reported; what is already indexed is never touched by a failing input. The documents of one file (every
    record of a JSONL file) go live together in one commit, or none of them. `on_progress(source, stage,
    done, total)` follows a file's records as they are "parsed", then "embedded"."""
    found = discover(paths)
    report = IngestReport(skipped=found.skipped, missing=found.missing)
    live = kb.registry.hashes()
    by_hash = {h: (doc_id, src) for doc_id, (h, src) in live.items()}
    claimed: dict[str, str] = {}

    def unchanged(content_hash: str, source: str) -> str | None:
        hit = by_hash.get(content_hash)
        return hit[0] if hit and hit[1] == source else None

    for position, path in enumerate(found.files, start=1):
        source = str(path)
        parsed = (lambda done, total, source=source: on_progress(source, "parsed", done, total)) if on_progress else None
        result = parse_file(path, options, unchanged, parsed)
        file_report = FileReport(source=source, unchanged=result.unchanged, failures=list(result.failures))
        for doc_id in result.unchanged:
            claimed[doc_id] = source
        accepted: list[ParsedDocument] = []
        for document in result.documents:
            reason = _conflict(document.meta.doc_id, source, claimed, live)
            if reason:
                file_report.failures.append(Failure(source, reason))
                continue
            claimed[document.meta.doc_id] = source
            accepted.append(document)
        try:
            replaced = {doc_id for doc_id, _ in kb.apply(accepted, _embedded(source, accepted, on_progress))}
        except Exception as exc:  # an embedder or store error fails this file's documents, and no other's
            which = accepted[0].meta.doc_id if len(accepted) == 1 else f"{len(accepted)} records (none went live)"
            file_report.failures.append(Failure(source, f"{which}: could not be indexed: {type(exc).__name__}: {exc}"))
            accepted = []
        for document in accepted:
            target = file_report.replaced if document.meta.doc_id in replaced else file_report.added
            target.append(document.meta.doc_id)
        report.files.append(file_report)
        if on_file:
            on_file(position, len(found.files), file_report)
    return report


def _conflict(doc_id: str, source: str, claimed: dict[str, str], live: dict[str, tuple[str, str]]) -> str | None:
    if doc_id in claimed and claimed[doc_id] != source:
        return f"duplicate doc_id {doc_id!r}: already given by {claimed[doc_id]} in this run"
    if doc_id in live:
        owner = live[doc_id][1]
        if owner != source and Path(owner).exists() and Path(owner).resolve() != Path(source).resolve():
            return (
                f"duplicate doc_id {doc_id!r}: already indexed from {owner}; "
                "set another doc_id in a NAME.meta.yaml sidecar or remove the other document first"
            )
    return None


def _embedded(source: str, documents: list[ParsedDocument], on_progress: Progress | None) -> Callable[[int, int], None] | None:
    """The knowledge base's progress in chunks, told as records (documents) whose chunks are all embedded."""
    if on_progress is None:
        return None
    ends = list(accumulate(len(d.chunks) for d in documents))
    return lambda chunks, _total: on_progress(source, "embedded", bisect_right(ends, chunks), len(documents))
