"""The documents staff manage from the workspace: uploads kept under `data_dir/library/`, a status set
through the document's sidecar, removal and re-ingestion — all with the command line's atomicity (a
failing file never touches what is indexed)."""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import yaml
from typing_extensions import TypedDict

from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.ingestion import FileReport, ingest_paths, parse_options
from assistant.settings import Settings
from assistant.workspace.errors import NotFound, WorkspaceError
from ingest.errors import IngestError
from ingest.pipeline import SIDECAR_SUFFIX, sidecar_path
from ingest.sniffing import sniff_format

EXTENSION = {"pdf": ".pdf", "docx": ".docx", "doc": ".doc", "html": ".html", "markdown": ".md", "text": ".txt",
             "jsonl": ".jsonl"}
STATUSES = ("in_force", "superseded", "expired")


class LibraryError(WorkspaceError):
    """An upload or change refused; the message names the file or document and the reason."""

    code = "document_refused"


def library_dir(settings) -> Path:
    """Where uploaded documents are kept."""
    return Path(settings.data_dir) / "library"


def _safe_stem(filename: str) -> str:
    stem = Path(filename.replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = re.sub(r"[^\w.-]+", "-", stem, flags=re.UNICODE).strip(".-")
    return stem[:120] or "document"


class IngestReport(TypedDict):
    """What became of a file given to the knowledge base (the workspace shows it)."""

    source: str
    status: str  # added | replaced | unchanged | failed | partial
    added: list[str]
    replaced: list[str]
    unchanged: list[str]
    failures: list[str]


class UploadReport(IngestReport):
    """An upload's ingest report, with the name it is kept under and the format read from its content."""

    stored_as: str
    format: str


def _report(file: FileReport) -> IngestReport:
    return IngestReport(source=Path(file.source).name, status=file.status, added=file.added, replaced=file.replaced,
                        unchanged=file.unchanged, failures=[f.reason for f in file.failures])


@dataclass
class StagedUpload:
    """An upload copied to its staging folder and checked (size, name, format), waiting to be ingested."""

    filename: str  # as the uploader named it
    path: Path  # the staged copy
    format: str
    target: Path  # where the library will keep it


STAGING_CHUNK = 1024 * 1024


def stage_upload(settings: Settings, filename: str, stream: BinaryIO, folder: Path) -> StagedUpload:
    """Copy an upload chunk by chunk (never whole in memory) into `folder` and check it: an oversized
    file, a too long extension or content that is no document is refused (LibraryError) and the folder
    removed. The type comes from the content (a PDF named .docx is kept as .pdf)."""
    limit = settings.max_file_mb * 1024 * 1024
    stem, suffix = _safe_stem(filename), Path(filename.replace("\\", "/")).suffix.lower()
    if len(suffix) > 16:
        raise LibraryError(f"{stem}: the file name's extension is over 16 characters")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        probe = folder / (stem + suffix)
        size = 0
        with probe.open("wb") as out:
            while chunk := stream.read(STAGING_CHUNK):
                size += len(chunk)
                if size > limit:
                    break
                out.write(chunk)
        if size > limit:
            if stream.seekable():
                size = stream.seek(0, os.SEEK_END)
            raise LibraryError(f"{filename}: {size / 1048576:.1f} MB is over the {settings.max_file_mb:g} MB limit")
        try:
            fmt = sniff_format(probe)
        except IngestError as exc:
            raise LibraryError(f"{filename}: {exc}") from exc
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    target = library_dir(settings) / (stem + EXTENSION.get(fmt, suffix))  # a scan keeps .png/.jpg/.tif
    return StagedUpload(filename, probe, fmt, target)


def ingest_staged(kb: KnowledgeBase, settings: Settings, staged: StagedUpload) -> UploadReport:
    """Ingest a staged upload into the library: a file of the same name is replaced, swapped only when
    the ingest commits. A file the parser cannot read is refused (LibraryError) and nothing changes."""
    target = staged.target
    target.parent.mkdir(parents=True, exist_ok=True)
    recover_replacements(kb, settings)
    journal = _begin_replacement(kb, settings, target, staged.path)
    file = ingest_paths(kb, [target], parse_options(settings)).files[0]  # raising, it leaves the journal to recovery
    committed = not (file.failures and not (file.added or file.replaced or file.unchanged))
    _end_replacement(journal, committed, target)
    if not committed:
        raise LibraryError(f"{staged.filename}: {'; '.join(f.reason for f in file.failures)}")
    return UploadReport(**_report(file), stored_as=target.name, format=staged.format)


def upload(kb: KnowledgeBase, settings: Settings, filename: str, data: bytes) -> UploadReport:
    """Stage and ingest an upload given in memory, at once (the command line and tests; the workspace
    stages from the request and ingests in the background: see `uploads`)."""
    with tempfile.TemporaryDirectory(dir=Path(settings.data_dir)) as staging:
        staged = stage_upload(settings, filename, io.BytesIO(data), Path(staging))
        return ingest_staged(kb, settings, staged)


# A replacement is journalled so that a crash between writing the new file and committing its ingest
# never leaves the library holding content the index did not take (a later status change would
# publish it): the old file is kept under .replacing/ with the versions the index had, until the end.

def _replacing_dir(settings: Settings) -> Path:
    return library_dir(settings) / ".replacing"


def _begin_replacement(kb: KnowledgeBase, settings: Settings, target: Path, new_file: Path) -> Path:
    """Put the new file in place, keeping the old one (if any) and the index's versions of it in the journal."""
    folder = _replacing_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    versions = {r.doc_id: r.version for r in kb.documents() if Path(r.source) == target}
    journal = folder / (target.name + ".json")
    kept = folder / target.name if target.exists() else None
    if kept is not None:
        shutil.copy2(target, kept)
    journal.write_text(json.dumps({"target": str(target), "kept": str(kept) if kept else None, "versions": versions}),
                       encoding="utf-8")
    shutil.copy2(new_file, target)
    return journal


def _end_replacement(journal: Path, committed: bool, target: Path) -> None:
    """The ingest is over: keep the new file (committed) or put the old one back (or, for a new file, take
    it away); close the journal."""
    entry = json.loads(journal.read_text(encoding="utf-8"))
    kept = Path(entry["kept"]) if entry["kept"] else None
    if committed:
        if kept is not None:
            kept.unlink(missing_ok=True)
    elif kept is not None:
        os.replace(kept, target)  # the file on disk matches the index again
    else:
        target.unlink(missing_ok=True)
    journal.unlink()


def recover_replacements(kb: KnowledgeBase, settings: Settings) -> int:
    """Finish uploads a crash interrupted: where the index never took the new version, the old file goes
    back in place (a new file is taken away); where it did, the old copy is dropped. Returns how many
    were finished."""
    folder = _replacing_dir(settings)
    if not folder.is_dir():
        return 0
    finished = 0
    for journal in sorted(folder.glob("*.json")):
        entry = json.loads(journal.read_text(encoding="utf-8"))
        target, versions = Path(entry["target"]), entry["versions"]
        if versions:  # the index had the old file: did any of its documents change version?
            live = {doc_id: (record.version if (record := kb.document(doc_id)) else None) for doc_id in versions}
            committed = any(live[d] != v for d, v in versions.items())
        else:  # it had nothing from this file: does it now?
            committed = any(Path(r.source) == target for r in kb.documents())
        _end_replacement(journal, committed, target)
        finished += 1
    return finished


def _source(kb: KnowledgeBase, doc_id: str) -> Path:
    record = kb.document(doc_id)
    if record is None:
        raise NotFound(f"no indexed document with doc_id {doc_id!r}")
    path = Path(record.source)
    if not path.is_file():
        raise LibraryError(f"{doc_id}: its file {path} is no longer on disk; upload it again", "file_missing")
    return path


def set_status(kb: KnowledgeBase, settings: Settings, doc_id: str, status: str, superseded_by: str = "") -> IngestReport:
    """Mark a document in force, superseded (optionally by another) or expired: written to its sidecar
    and re-indexed, so the status survives any later re-ingestion."""
    if status not in STATUSES:
        raise LibraryError(f"status must be one of {', '.join(STATUSES)}, not {status!r}", "invalid_status")
    recover_replacements(kb, settings)
    path = _source(kb, doc_id)
    sidecar = sidecar_path(path) or path.with_name(path.stem + SIDECAR_SUFFIX)
    meta = (yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}) if sidecar.exists() else {}
    meta["status"] = status
    if status == "superseded" and superseded_by:
        meta["superseded_by"] = superseded_by
    else:
        meta.pop("superseded_by", None)
    original = sidecar.read_bytes() if sidecar.exists() else None
    sidecar.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    file = ingest_paths(kb, [path], parse_options(settings)).files[0]
    if file.failures:
        if original is None:
            sidecar.unlink()
        else:
            sidecar.write_bytes(original)
        raise LibraryError(f"{doc_id}: {'; '.join(f.reason for f in file.failures)}", "invalid_status")
    return _report(file)


def reingest(kb: KnowledgeBase, settings: Settings, doc_id: str) -> IngestReport:
    """Read a document's file again (after a parser upgrade, or an edit on disk)."""
    recover_replacements(kb, settings)
    return _report(ingest_paths(kb, [_source(kb, doc_id)], parse_options(settings)).files[0])


def remove(kb: KnowledgeBase, settings, doc_id: str) -> None:
    """Take a document out of the index; an uploaded file (and its sidecar) is deleted too."""
    record = kb.document(doc_id)
    if record is None:
        raise NotFound(f"no indexed document with doc_id {doc_id!r}")
    kb.remove(doc_id)
    path = Path(record.source)
    if path.parent.resolve() == library_dir(settings).resolve():
        for leftover in (path, sidecar_path(path)):
            if leftover is not None and leftover.exists():
                leftover.unlink()
