"""The staff workspace: pages under /admin and their JSON API under /admin/api. Every route but the
sign-in ones requires a staff (or admin) account; every change is written to the audit log."""
from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.workspace import accounts, analytics, curation, library, unanswered, uploads
from assistant.workspace.accounts import AccountError, Principal
from assistant.workspace.curation import CurationError
from assistant.workspace.library import LibraryError
from bots.rate_limits import retry_after
from bots.web.auth import (
    SESSION_COOKIE,
    check_login_csrf,
    new_login_csrf,
    principal,
    require_admin,
    require_staff,
    set_cookie,
)
from bots.web.clients import client_address
from bots.web.messages import in_both_languages, refused
from bots.web.pages import static_page
from bots.web.strict_json import StrictJSONRoute

Staff = Annotated[Principal, Depends(require_staff)]
Admin = Annotated[Principal, Depends(require_admin)]
router = APIRouter(include_in_schema=False, route_class=StrictJSONRoute)


def _context(request: Request):
    return request.app.state.context


@router.get("/admin/login")
def login_page():
    """The sign-in page."""
    return static_page("login.html", "'none'", cache="no-store")


@router.get("/admin")
def workspace_page(request: Request):
    """The workspace (signed-in staff only; others are sent to sign in)."""
    if principal(request) is None:
        return RedirectResponse("/admin/login", status_code=303)
    return static_page("admin.html", "'none'", cache="no-store")


class Login(BaseModel):
    """Username and password."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(..., max_length=64)
    password: str = Field(..., max_length=256)


@router.get("/admin/api/csrf")
def login_csrf(request: Request, response: Response):
    """A CSRF token for the sign-in form."""
    return {"csrf": new_login_csrf(request, response)}


@router.post("/admin/api/login")
def log_in(body: Login, request: Request, response: Response):
    """Sign in: a session cookie, and the CSRF token every change must carry. Attempts are rate-limited
    per client; repeated failures make that client (and, past a higher count, everyone) wait."""
    check_login_csrf(request)
    database, ip = _context(request).database, client_address(request)
    wait = request.app.state.login_limiter.take(ip)
    if wait:
        return refused(429, "rate_limited", "too many sign-in attempts: try again shortly", headers=retry_after(wait))
    try:
        token, who = accounts.log_in(database, body.username, body.password, client=ip)
    except AccountError as exc:
        accounts.audit(database, body.username.strip()[:64], "sign_in.failed", body.username.strip()[:64], ip=ip)
        return refused(401, "sign_in_failed", str(exc))
    set_cookie(response, request, SESSION_COOKIE, token, int(accounts.SESSION_LIFETIME.total_seconds()))
    accounts.audit(database, who.username, "signed_in", ip=ip)
    return {"username": who.username, "role": who.role, "csrf": who.csrf}


@router.post("/admin/api/logout")
def log_out(request: Request, response: Response, who: Staff):
    """Sign out."""
    accounts.log_out(_context(request).database, request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path="/admin")
    accounts.audit(_context(request).database, who.username, "signed_out", ip=client_address(request))
    return {"ok": True}


class PasswordChange(BaseModel):
    """The current password and the new one."""

    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(..., max_length=256)
    new_password: str = Field(..., max_length=256)


@router.post("/admin/api/password")
def change_password(body: PasswordChange, request: Request, who: Staff):
    """Change the signed-in account's password (the current one is asked again); every other session of
    the account ends."""
    if who.by_token:
        return refused(403, "forbidden", "an API token cannot change a password: sign in")
    database = _context(request).database
    try:
        accounts.change_password(database, who.username, body.new_password, body.current_password,
                                 keep_session=request.cookies.get(SESSION_COOKIE))
    except AccountError as exc:
        return refused(422, "invalid_password", str(exc))
    accounts.audit(database, who.username, "password.changed", who.username, ip=client_address(request))
    return {"ok": True}


@router.get("/admin/api/me")
def me(who: Staff):
    """The signed-in account, with its CSRF token."""
    return {"username": who.username, "role": who.role, "csrf": who.csrf}


# Documents

@router.get("/admin/api/documents")
def documents(request: Request, who: Staff):
    """Every indexed document with its status."""
    return [d.as_dict() for d in _context(request).service.kb.documents()]


@router.post("/admin/api/documents", status_code=202)
async def upload(request: Request, who: Staff, file: UploadFile = File(...)):
    """Upload a document (type sniffed from its content): staged in the data directory and ingested in the
    background. 202 with the job ({id, state, ...}) and its status_url; refused at once (422) when too
    large, misnamed or not a document."""
    context = _context(request)
    job_id, name = uploads.new_job_id(), file.filename or "document"
    try:  # copied chunk by chunk from the request's spooled file, on a worker thread
        staged = await asyncio.to_thread(library.stage_upload, context.settings, name, file.file,
                                         uploads.staging_folder(context.settings, job_id))
    except LibraryError as exc:
        await asyncio.to_thread(accounts.audit, context.database, who.username, "document.refused", name[:255], str(exc))
        raise
    finally:
        await file.close()
    job = await asyncio.to_thread(request.app.state.uploads.submit, job_id, staged, who.username)
    return JSONResponse(_job_body(job), status_code=202)


def _job_body(job: dict) -> dict:
    """A job as the API shows it: with its status URL and, once failed, the reason in both languages."""
    body = {**job, "status_url": f"/admin/api/uploads/{job['id']}"}
    if job["error"]:
        body["messages"] = in_both_languages(job["error"])
    return body


@router.get("/admin/api/uploads")
def upload_jobs(request: Request, who: Staff):
    """The latest upload jobs, newest first."""
    return [_job_body(j) for j in uploads.recent(_context(request).database)]


@router.get("/admin/api/uploads/{job_id}")
def upload_job(job_id: str, request: Request, who: Staff):
    """One upload job: queued, running, done (with its ingest report) or failed (with the reason)."""
    found = uploads.job(_context(request).database, job_id)
    if found is None:
        return refused(404, "not_found", f"no upload job {job_id[:64]}")
    return _job_body(found)


class StatusChange(BaseModel):
    """A document's new status."""

    model_config = ConfigDict(extra="forbid")
    status: str
    superseded_by: str = ""


@router.post("/admin/api/documents/{doc_id}/status")
def set_status(doc_id: str, body: StatusChange, request: Request, who: Staff):
    """Mark a document in force, superseded or expired."""
    context = _context(request)
    result = library.set_status(context.service.kb, context.settings, doc_id, body.status, body.superseded_by)
    accounts.audit(context.database, who.username, "document.marked", doc_id, body.status)
    return result


@router.post("/admin/api/documents/{doc_id}/reingest")
def reingest(doc_id: str, request: Request, who: Staff):
    """Read a document's file again."""
    context = _context(request)
    result = library.reingest(context.service.kb, context.settings, doc_id)
    accounts.audit(context.database, who.username, "document.reingested", doc_id, result["status"])
    return result


@router.delete("/admin/api/documents/{doc_id}")
def remove_document(doc_id: str, request: Request, who: Staff):
    """Take a document out of the index."""
    context = _context(request)
    library.remove(context.service.kb, context.settings, doc_id)
    accounts.audit(context.database, who.username, "document.removed", doc_id)
    return {"ok": True}


# Curated answers

class CuratedIn(BaseModel):
    """A curated answer in both languages with its sources; `from_queue` dismisses that queue group."""

    model_config = ConfigDict(extra="forbid")
    question_vi: str = Field(..., max_length=1000)
    question_en: str = Field(..., max_length=1000)
    answer_vi: str = Field(..., max_length=8000)
    answer_en: str = Field(..., max_length=8000)
    sources: list[dict] = Field(default_factory=list)
    from_queue: str = ""


@router.get("/admin/api/curated")
def curated(request: Request, who: Staff):
    """Every curated answer, those needing review first."""
    context = _context(request)
    return curation.listing(context.database, context.service.kb)


def _save(request: Request, who: Principal, body: CuratedIn, answer_id: int | None):
    context = _context(request)
    saved = curation.save(context.database, context.service.kb, body.model_dump(), who.username, answer_id)
    if body.from_queue:
        unanswered.dismiss(context.database, body.from_queue, who.username)
    accounts.audit(context.database, who.username, "curated.created" if answer_id is None else "curated.edited",
                   str(saved["id"]), saved["question_vi"])
    return saved


@router.post("/admin/api/curated", status_code=201)
def create_curated(body: CuratedIn, request: Request, who: Staff):
    """Write a curated answer (from scratch, or for a queued question)."""
    return _save(request, who, body, None)


@router.put("/admin/api/curated/{answer_id}")
def edit_curated(answer_id: int, body: CuratedIn, request: Request, who: Staff):
    """Edit a curated answer (which verifies it against the current sources)."""
    return _save(request, who, body, answer_id)


@router.post("/admin/api/curated/{answer_id}/confirm")
def confirm_curated(answer_id: int, request: Request, who: Staff):
    """Confirm a curated answer still holds after its sources changed."""
    context = _context(request)
    try:
        saved = curation.confirm(context.database, context.service.kb, answer_id, who.username)
    except CurationError as exc:  # its sources no longer check out: a refusal of its own kind
        return refused(422, "cannot_confirm", str(exc))
    accounts.audit(context.database, who.username, "curated.confirmed", str(answer_id))
    return saved


@router.delete("/admin/api/curated/{answer_id}")
def delete_curated(answer_id: int, request: Request, who: Staff):
    """Delete a curated answer."""
    context = _context(request)
    if not curation.remove(context.database, answer_id):
        return refused(404, "not_found", f"no curated answer {answer_id}")
    accounts.audit(context.database, who.username, "curated.deleted", str(answer_id))
    return {"ok": True}


# Unanswered queue

@router.get("/admin/api/queue")
def queue(request: Request, who: Staff, order: str = "frequent"):
    """Refused and thumbs-down questions, near-duplicates grouped."""
    return unanswered.queue(_context(request).database, "newest" if order == "newest" else "frequent")


class Dismissal(BaseModel):
    """A queue group to dismiss."""

    model_config = ConfigDict(extra="forbid")
    key: str = Field(..., min_length=1, max_length=255)


@router.post("/admin/api/queue/dismiss")
def dismiss(body: Dismissal, request: Request, who: Staff):
    """Take a group off the queue."""
    unanswered.dismiss(_context(request).database, body.key, who.username)
    accounts.audit(_context(request).database, who.username, "queue.dismissed", body.key)
    return {"ok": True}


# Analytics

@router.get("/admin/api/analytics")
def analytics_tables(request: Request, who: Staff, days: int = 30):
    """Every analytics table over the last `days` days."""
    return analytics.report(_context(request).database, max(1, min(days, 3660)))


@router.get("/admin/api/analytics/{table}.csv")
def analytics_csv(table: str, request: Request, who: Staff, days: int = 30):
    """One analytics table as CSV."""
    if table not in analytics.TABLES:
        return refused(404, "not_found", f"no table {table!r} (tables: {', '.join(analytics.TABLES)})")
    rows = analytics.report(_context(request).database, max(1, min(days, 3660)))[table]
    return PlainTextResponse(analytics.to_csv(rows), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{table}.csv"'})


# Accounts (admin) and API tokens

class NewUser(BaseModel):
    """An account to create."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(..., max_length=64)
    password: str = Field(..., max_length=256)
    role: str = "staff"


@router.get("/admin/api/users")
def list_users(request: Request, who: Admin):
    """Every account."""
    return accounts.users(_context(request).database)


@router.post("/admin/api/users", status_code=201)
def create_user(body: NewUser, request: Request, who: Admin):
    """Create an account."""
    try:
        user_id = accounts.create_user(_context(request).database, body.username, body.password, body.role)
    except AccountError as exc:
        return refused(422, "invalid_account", str(exc))
    accounts.audit(_context(request).database, who.username, "user.created", body.username, body.role)
    return {"id": user_id, "username": body.username, "role": body.role}


class NewPassword(BaseModel):
    """A password an admin sets for an account."""

    model_config = ConfigDict(extra="forbid")
    password: str = Field(..., max_length=256)


def _account_change(request: Request, who: Principal, username: str, action: str, change) -> JSONResponse | dict:
    database = _context(request).database
    try:
        change(database)
    except AccountError as exc:
        status = 404 if str(exc).startswith("no account named") else 422
        return refused(status, "not_found" if status == 404 else "invalid_account", str(exc))
    accounts.audit(database, who.username, action, username, ip=client_address(request))
    return {"ok": True}


@router.post("/admin/api/users/{username}/disable")
def disable_user(username: str, request: Request, who: Admin):
    """Disable an account: it can no longer sign in, its sessions end and its API tokens stop working."""
    if username == who.username:
        return refused(422, "invalid_account", "an admin cannot disable their own account")
    return _account_change(request, who, username, "user.disabled", lambda db: accounts.set_disabled(db, username, True))


@router.post("/admin/api/users/{username}/enable")
def enable_user(username: str, request: Request, who: Admin):
    """Enable a disabled account again."""
    return _account_change(request, who, username, "user.enabled", lambda db: accounts.set_disabled(db, username, False))


@router.post("/admin/api/users/{username}/unlock")
def unlock_user(username: str, request: Request, who: Admin):
    """Forget an account's failed sign-ins, so no client has to wait."""
    return _account_change(request, who, username, "user.unlocked", lambda db: accounts.unlock(db, username))


@router.put("/admin/api/users/{username}/password")
def set_password(username: str, body: NewPassword, request: Request, who: Admin):
    """Set an account's password (its sessions end)."""
    return _account_change(request, who, username, "password.set",
                           lambda db: accounts.change_password(db, username, body.password))


@router.get("/admin/api/audit")
def audit(request: Request, who: Admin):
    """The audit log, newest first."""
    return accounts.audit_log(_context(request).database)


class NewToken(BaseModel):
    """A name for a new API token, and how many days it stays valid (default CNHT_TOKEN_DAYS)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., min_length=1, max_length=128)
    days: int | None = Field(None, ge=1, le=3660)


@router.post("/admin/api/tokens", status_code=201)
def create_token(body: NewToken, request: Request, who: Staff):
    """An API token for the signed-in account (shown once). Only a signed-in browser may ask: a token
    cannot mint tokens."""
    if who.by_token:
        return refused(403, "forbidden", "an API token cannot create API tokens: sign in")
    context = _context(request)
    days = min(body.days or context.settings.token_days, context.settings.token_days)
    token = accounts.create_api_token(context.database, who.user_id, body.name, days)
    accounts.audit(context.database, who.username, "token.created", body.name, f"{days} days", ip=client_address(request))
    return JSONResponse({"token": token, "name": body.name, "days": days}, status_code=201)


@router.get("/admin/api/tokens")
def list_tokens(request: Request, who: Staff):
    """The signed-in account's API tokens (an admin sees everyone's), without their secrets."""
    return accounts.api_tokens(_context(request).database, None if who.is_admin else who.user_id)


@router.delete("/admin/api/tokens/{token_id}")
def revoke_token(token_id: int, request: Request, who: Staff):
    """Revoke an API token (one's own; an admin may revoke anyone's)."""
    database = _context(request).database
    if not accounts.revoke_api_token(database, token_id, None if who.is_admin else who.user_id):
        return refused(404, "not_found", f"no API token {token_id}")
    accounts.audit(database, who.username, "token.revoked", str(token_id), ip=client_address(request))
    return {"ok": True}
