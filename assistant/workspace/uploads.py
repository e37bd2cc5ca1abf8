"""Workspace uploads as background jobs: the request stages the file (see `library.stage_upload`) and
records a job; one worker thread per process ingests the jobs in order (ingests are serialised by the
knowledge base's writer lock anyway), off the event loop; the workspace polls a job until it is done or
failed. A job a dead process left queued or running is marked failed at the next start."""
from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select

from assistant.db.database import Database
from assistant.db.models import UploadJob
from assistant.knowledge.base import KnowledgeBase
from assistant.settings import Settings
from assistant.workspace import accounts, notices
from assistant.workspace.library import LibraryError, StagedUpload, ingest_staged

log = logging.getLogger(__name__)

STATES = ("queued", "running", "done", "failed")
INTERRUPTED = "interrupted: the server stopped before this upload was ingested; upload it again"
KEPT = timedelta(days=90)  # finished jobs older than this are forgotten at the next start


def new_job_id() -> str:
    """A fresh job id (also the name of its staging folder)."""
    return uuid.uuid4().hex


def staging_folder(settings: Settings, job_id: str) -> Path:
    """Where a job's upload waits for its ingest, inside the data directory."""
    return Path(settings.data_dir) / "uploads" / job_id


def _process_start(pid: int) -> str:
    """When a process started (clock ticks since boot, from /proc), so a reused pid is not taken for it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def this_worker() -> str:
    """This process, as `host:pid:start`."""
    return f"{socket.gethostname()}:{os.getpid()}:{_process_start(os.getpid())}"


def _worker_alive(worker: str) -> bool:
    """Whether the process that took a job still runs (a process on another host is assumed to)."""
    parts = worker.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    host, pid, start = parts
    if host != socket.gethostname():
        return True
    return _process_start(int(pid)) == start and start != ""


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).isoformat()


def _as_dict(row: UploadJob) -> dict:
    return {"id": row.id, "file": row.filename, "username": row.username, "state": row.state,
            "report": json.loads(row.report) if row.report else None, "error": row.error,
            "created_at": _iso(row.created_at), "started_at": _iso(row.started_at), "finished_at": _iso(row.finished_at)}


def job(database: Database, job_id: str) -> dict | None:
    """One job: {id, file, username, state, report, error, created_at, started_at, finished_at}; None
    when there is no such job."""
    with database.session() as session:
        row = session.get(UploadJob, job_id)
        return _as_dict(row) if row else None


def recent(database: Database, limit: int = 20) -> list[dict]:
    """The latest jobs, newest first."""
    with database.session() as session:
        rows = session.scalars(select(UploadJob).order_by(UploadJob.created_at.desc()).limit(limit))
        return [_as_dict(r) for r in rows]


def _finish(database: Database, job_id: str, state: str, report: dict | None = None, error: str = "") -> None:
    with database.session() as session:
        row = session.get(UploadJob, job_id)
        if row is not None:
            row.state, row.finished_at = state, datetime.now(UTC)
            row.report = json.dumps(report, ensure_ascii=False) if report is not None else ""
            row.error = error


def recover_interrupted(database: Database, settings: Settings) -> int:
    """Mark failed (INTERRUPTED) the jobs left queued or running by a process of this host that is no
    longer running, and remove their staged files; forget finished jobs older than KEPT. Returns how
    many jobs were marked."""
    marked = 0
    with database.session() as session:
        waiting = session.scalars(select(UploadJob).where(UploadJob.state.in_(("queued", "running")))).all()
        for row in waiting:
            if _worker_alive(row.worker):
                continue
            row.state, row.error, row.finished_at = "failed", INTERRUPTED, datetime.now(UTC)
            shutil.rmtree(staging_folder(settings, row.id), ignore_errors=True)
            marked += 1
        session.execute(delete(UploadJob).where(UploadJob.state.in_(("done", "failed")),
                                                UploadJob.created_at < datetime.now(UTC) - KEPT)
                        .execution_options(synchronize_session=False))
    if marked:
        log.warning("%d upload job(s) interrupted by a restart marked failed", marked)
    return marked


class UploadQueue:
    """This process's upload jobs, ingested one at a time by one daemon thread (started on the first job)."""

    def __init__(self, kb: KnowledgeBase, settings: Settings, database: Database):
        self.kb, self.settings, self.database = kb, settings, database
        self.worker = this_worker()
        self._jobs: queue.Queue[tuple[str, StagedUpload]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def submit(self, job_id: str, staged: StagedUpload, username: str) -> dict:
        """Record a queued job for a staged upload and put it in line; returns the job."""
        with self.database.session() as session:
            session.add(UploadJob(id=job_id, filename=staged.filename[:255], username=username[:64], state="queued",
                                  worker=self.worker))
        self._jobs.put((job_id, staged))
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="upload-jobs", daemon=True)
                self._thread.start()
        found = job(self.database, job_id)
        assert found is not None
        return found

    def _work(self) -> None:
        while True:
            job_id, staged = self._jobs.get()
            try:
                self.run(job_id, staged)
            except Exception:  # a job never takes the worker down with it
                log.exception("upload job %s", job_id)
            finally:
                self._jobs.task_done()

    def run(self, job_id: str, staged: StagedUpload) -> None:
        """Ingest one job's upload: running, then done with its report or failed with the reason; the
        audit log gets document.uploaded / document.replaced or document.refused, and a new notice or plan
        is announced."""
        with self.database.session() as session:
            row = session.get(UploadJob, job_id)
            if row is not None:
                row.state, row.started_at = "running", datetime.now(UTC)
            username = row.username if row else ""
        try:
            report = ingest_staged(self.kb, self.settings, staged)
        except LibraryError as exc:
            accounts.audit(self.database, username, "document.refused", staged.filename[:255], str(exc))
            _finish(self.database, job_id, "failed", error=str(exc))
            return
        except Exception as exc:
            log.exception("upload job %s failed", job_id)
            reason = f"{staged.filename}: could not be ingested ({type(exc).__name__}: {exc})"
            accounts.audit(self.database, username, "document.refused", staged.filename[:255], reason)
            _finish(self.database, job_id, "failed", error=reason)
            return
        finally:
            shutil.rmtree(staged.path.parent, ignore_errors=True)
        action = "document.replaced" if report["replaced"] else "document.uploaded"
        accounts.audit(self.database, username, action, report["stored_as"], report["status"])
        for doc_id in report["added"]:
            record = self.kb.document(doc_id)
            if record and record.meta.doc_type in notices.ANNOUNCED_TYPES and record.meta.in_force:
                notices.announce(self.database, record.meta.doc_type, doc_id, record.meta.title or doc_id)
        _finish(self.database, job_id, "done", report=dict(report))

    def wait(self) -> None:
        """Block until every job put in line so far is finished (tests, and a graceful stop)."""
        self._jobs.join()
