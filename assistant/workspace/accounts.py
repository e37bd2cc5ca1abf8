"""Staff accounts: argon2 password hashes, lockout after repeated failures, browser sessions with their
CSRF token, API tokens for automation, and the audit log."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import overload

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

from assistant.db.database import Database
from assistant.db.models import ApiToken, AuditEntry, User, WebSession

ROLES = ("staff", "admin")
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD = 10
_hasher = PasswordHasher()


class AccountError(ValueError):
    """A request about accounts that cannot be met; the message says why."""


@dataclass(frozen=True)
class Principal:
    """Who is making a request, and how they proved it."""

    user_id: int
    username: str
    role: str
    csrf: str | None  # the session's token; None for an API token (no cookie, so no CSRF)

    @property
    def is_admin(self) -> bool:
        """Whether the account may manage accounts and read the audit log."""
        return self.role == "admin"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


@overload
def _aware(moment: datetime) -> datetime: ...
@overload
def _aware(moment: None) -> None: ...
def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands datetimes back without their zone; they were stored in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _locked(user: User) -> bool:
    """Whether the account is locked after repeated failed sign-ins."""
    until = _aware(user.locked_until)
    return until is not None and until > _now()


def create_user(database: Database, username: str, password: str, role: str = "staff") -> int:
    """A new account; AccountError for a taken name, an unknown role or a short password."""
    username = username.strip()
    if not username or len(username) > 64:
        raise AccountError("the username must have 1 to 64 characters")
    if role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    with database.session() as session:
        if session.scalar(select(User).where(User.username == username)) is not None:
            raise AccountError(f"the username {username!r} is taken")
        user = User(username=username, password_hash=_hasher.hash(password), role=role)
        session.add(user)
        session.flush()
        return user.id


def users(database: Database) -> list[dict]:
    """Every account (no hashes)."""
    with database.session() as session:
        return [
            {"id": u.id, "username": u.username, "role": u.role, "locked": _locked(u)}
            for u in session.scalars(select(User).order_by(User.username))
        ]


def log_in(database: Database, username: str, password: str) -> tuple[str, Principal]:
    """A new session (cookie token, principal) for the right password; AccountError otherwise. After
    MAX_FAILED_LOGINS failures in a row the account is locked for LOCKOUT, even to the right password."""
    with database.session() as session:
        user = session.scalar(select(User).where(User.username == username.strip()))
        if user is None:
            _hasher.hash(password)  # the same work as for a real account: no timing oracle on names
            raise AccountError("wrong username or password")
        if _locked(user):
            raise AccountError("the account is locked after repeated failed logins; try again later")
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until = _now() + LOCKOUT
                user.failed_logins = 0
                _audit(session, user.username, "account.locked", user.username, f"{MAX_FAILED_LOGINS} failed logins")
            session.commit()
            raise AccountError("wrong username or password") from None
        user.failed_logins = 0
        user.locked_until = None
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        session.add(WebSession(token_hash=_digest(token), user_id=user.id, csrf=csrf, expires_at=_now() + SESSION_LIFETIME))
        session.execute(delete(WebSession).where(WebSession.expires_at < _now()))
        return token, Principal(user.id, user.username, user.role, csrf)


def session_principal(database: Database, token: str | None) -> Principal | None:
    """Who a session cookie belongs to, while the session lasts."""
    if not token:
        return None
    with database.session() as session:
        row = session.get(WebSession, _digest(token))
        if row is None or _aware(row.expires_at) < _now():
            return None
        user = session.get(User, row.user_id)
        return Principal(user.id, user.username, user.role, row.csrf) if user else None


def log_out(database: Database, token: str | None) -> None:
    """End a session."""
    if token:
        with database.session() as session:
            session.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))


def create_api_token(database: Database, user_id: int, name: str) -> str:
    """A new API token for an account; the plain token is returned once and stored only as its hash."""
    token = "cnht_" + secrets.token_urlsafe(32)
    with database.session() as session:
        session.add(ApiToken(user_id=user_id, name=name.strip()[:128] or "token", token_hash=_digest(token)))
    return token


def token_principal(database: Database, token: str | None) -> Principal | None:
    """Who an API token belongs to."""
    if not token:
        return None
    with database.session() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
        if row is None:
            return None
        row.last_used_at = _now()
        user = session.get(User, row.user_id)
        return Principal(user.id, user.username, user.role, None) if user else None


def _audit(session, username: str, action: str, target: str = "", detail: str = "") -> None:
    session.add(AuditEntry(username=username, action=action, target=target[:255], detail=detail))


def audit(database: Database, username: str, action: str, target: str = "", detail: str = "") -> None:
    """Record who did what to what."""
    with database.session() as session:
        _audit(session, username, action, target, detail)


def audit_log(database: Database, limit: int = 500) -> list[dict]:
    """The latest audit entries, newest first."""
    with database.session() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
        return [{"at": _aware(r.at).isoformat(), "username": r.username, "action": r.action, "target": r.target,
                 "detail": r.detail} for r in rows]
