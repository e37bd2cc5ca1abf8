"""Staff accounts: argon2 password hashes, lockout after repeated failures, browser sessions with their
CSRF token, API tokens for automation, and the audit log."""
from __future__ import annotations

import hashlib
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast, overload

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import CursorResult, case, delete, select, update
from sqlalchemy.exc import IntegrityError

from assistant.db.database import Database
from assistant.db.models import ApiToken, AuditEntry, LoginFailure, User, WebSession

ROLES = ("staff", "admin")
MAX_FAILED_LOGINS = 5  # failures from one client on one account before that client waits
ACCOUNT_FAILED_LOGINS = 20  # failures from all clients on one account before every client waits
CLIENT_BACKOFF, CLIENT_BACKOFF_CAP = timedelta(seconds=30), timedelta(minutes=15)
ACCOUNT_BACKOFF, ACCOUNT_BACKOFF_CAP = timedelta(seconds=5), timedelta(minutes=5)
FAILURE_WINDOW = timedelta(hours=1)  # a failure older than this no longer counts
SESSION_LIFETIME = timedelta(hours=12)
TOKEN_DAYS = 90
MIN_PASSWORD = 10
HASH_SLOTS = 2  # argon2 computations at once (64 MB each): concurrent sign-ins wait rather than pile up memory
SIGN_IN_REFUSED = "wrong username or password (or too many attempts: wait a few minutes)"
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_hasher = PasswordHasher()
_hash_slots = threading.BoundedSemaphore(HASH_SLOTS)


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

    @property
    def by_token(self) -> bool:
        """Whether the caller proved itself with an API token (rather than a signed-in browser)."""
        return self.csrf is None


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
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _iso(moment: datetime | None) -> str | None:
    return _aware(moment).isoformat() if moment is not None else None


def _hash(password: str) -> str:
    with _hash_slots:
        return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    with _hash_slots:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def _check_username(username: str) -> str:
    username = username.strip()
    if not _USERNAME.fullmatch(username):
        raise AccountError("the username must have 1 to 64 characters: Latin letters, digits, '.', '_' or '-',"
                           " starting with a letter or digit")
    return username


def _check_password(password: str) -> None:
    if not password.strip():
        raise AccountError("the password must not be only spaces")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")


def _failure_keys(username: str, client: str) -> tuple[str, str]:
    return f"client|{client[:64]}|{username}", f"account|{username}"


def _locked_keys(database: Database, keys: tuple[str, ...]) -> bool:
    with database.session() as session:
        rows = session.scalars(select(LoginFailure.locked_until).where(LoginFailure.key.in_(keys))).all()
    return any(row is not None and _aware(row) > _now() for row in rows)


def _count_failure(database: Database, key: str, threshold: int, base: timedelta, cap: timedelta) -> int:
    """Add one failure to `key` atomically (the database does the addition), and lock the key with a
    backoff that doubles with each failure past `threshold`. Returns the count."""
    now = _now()
    fresh = LoginFailure.updated_at >= now - FAILURE_WINDOW
    for _ in range(3):
        with database.session() as session:
            changed = cast(CursorResult, session.execute(
                update(LoginFailure).where(LoginFailure.key == key)
                .values(failures=case((fresh, LoginFailure.failures + 1), else_=1), updated_at=now)
            )).rowcount
            if changed:
                failures = session.scalar(select(LoginFailure.failures).where(LoginFailure.key == key)) or 1
                if failures >= threshold:
                    backoff = min(cap, base * 2 ** min(failures - threshold, 20))
                    session.execute(update(LoginFailure).where(LoginFailure.key == key).values(locked_until=now + backoff))
                return failures
        try:
            with database.session() as session:
                session.add(LoginFailure(key=key, failures=1, updated_at=now,
                                         locked_until=now + base if threshold <= 1 else None))
            return 1
        except IntegrityError:  # another failure created the row meanwhile: add to it
            continue
    return threshold


def _locked(database: Database, username: str) -> bool:
    """Whether sign-ins to the account are held back for every client."""
    return _locked_keys(database, (f"account|{username}",))


def create_user(database: Database, username: str, password: str, role: str = "staff") -> int:
    """A new account; AccountError for a taken or unsafe name, an unknown role or a weak password."""
    username = _check_username(username)
    if role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}")
    _check_password(password)
    password_hash = _hash(password)
    with database.session() as session:
        if session.scalar(select(User).where(User.username == username)) is not None:
            raise AccountError(f"the username {username!r} is taken")
        user = User(username=username, password_hash=password_hash, role=role)
        session.add(user)
        session.flush()
        return user.id


def users(database: Database) -> list[dict]:
    """Every account (no hashes)."""
    with database.session() as session:
        rows = list(session.scalars(select(User).order_by(User.username)))
    return [{"id": u.id, "username": u.username, "role": u.role, "disabled": bool(u.disabled),
             "locked": _locked(database, u.username)} for u in rows]


def log_in(database: Database, username: str, password: str, client: str = "") -> tuple[str, Principal]:
    """A new session (cookie token, principal) for the right password; AccountError otherwise, with the
    same message whether the name is unknown, the password wrong, the account disabled or sign-ins held
    back. After MAX_FAILED_LOGINS failures from one client that client waits (30 s, doubling up to 15 min);
    after ACCOUNT_FAILED_LOGINS failures from all clients every client waits (5 s, doubling up to 5 min).
    Neither lock outlasts its backoff, so no one can lock an account for good."""
    name = username.strip()
    keys = _failure_keys(name, client)
    if _locked_keys(database, keys):
        raise AccountError(SIGN_IN_REFUSED)
    with database.session() as session:
        user = session.scalar(select(User).where(User.username == name))
        found = None if user is None else (user.id, user.username, user.role, user.password_hash, bool(user.disabled))
    if found is None:
        _hash(password)  # the same work as for a real account: no timing oracle on names
    right = found is not None and _verify(found[3], password) and not found[4]
    if found is None or not right:
        _count_failure(database, keys[0], MAX_FAILED_LOGINS, CLIENT_BACKOFF, CLIENT_BACKOFF_CAP)
        total = _count_failure(database, keys[1], ACCOUNT_FAILED_LOGINS, ACCOUNT_BACKOFF, ACCOUNT_BACKOFF_CAP)
        if total == ACCOUNT_FAILED_LOGINS and found is not None:
            audit(database, found[1], "account.throttled", found[1], f"{total} failed sign-ins", ip=client)
        raise AccountError(SIGN_IN_REFUSED)
    user_id, name, role = found[0], found[1], found[2]
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    with database.session() as session:
        session.execute(delete(LoginFailure).where(LoginFailure.key.in_(keys)))
        session.execute(delete(LoginFailure).where(LoginFailure.updated_at < _now() - FAILURE_WINDOW,
                                                   (LoginFailure.locked_until.is_(None)) | (LoginFailure.locked_until < _now())))
        session.add(WebSession(token_hash=_digest(token), user_id=user_id, csrf=csrf, expires_at=_now() + SESSION_LIFETIME))
        session.execute(delete(WebSession).where(WebSession.expires_at < _now()))
    return token, Principal(user_id, name, role, csrf)


def unlock(database: Database, username: str) -> int:
    """Forget every failed sign-in to an account (from any client); returns how many records went."""
    name = username.strip()
    with database.session() as session:
        keys = [k for k in session.scalars(select(LoginFailure.key).where(LoginFailure.key.like(f"%|{name}")))
                if k == f"account|{name}" or (k.startswith("client|") and k.endswith(f"|{name}"))]
        if keys:
            session.execute(delete(LoginFailure).where(LoginFailure.key.in_(keys)))
        return len(keys)


def _user(session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise AccountError(f"no account named {username.strip()!r}")
    return user


def set_disabled(database: Database, username: str, disabled: bool) -> None:
    """Disable an account (its sessions end and its API tokens stop working) or enable it again."""
    with database.session() as session:
        user = _user(session, username)
        user.disabled = disabled
        if disabled:
            session.execute(delete(WebSession).where(WebSession.user_id == user.id))


def change_password(database: Database, username: str, new_password: str, current_password: str | None = None,
                    keep_session: str | None = None) -> None:
    """Set an account's password; with `current_password`, only when it is right. Every other browser
    session of the account ends (`keep_session`, the caller's own cookie token, stays)."""
    _check_password(new_password)
    with database.session() as session:
        user = _user(session, username)
        user_id, password_hash = user.id, user.password_hash
    if current_password is not None and not _verify(password_hash, current_password):
        raise AccountError("the current password is wrong")
    new_hash = _hash(new_password)
    with database.session() as session:
        session.execute(update(User).where(User.id == user_id).values(password_hash=new_hash))
        ended = delete(WebSession).where(WebSession.user_id == user_id)
        if keep_session:
            ended = ended.where(WebSession.token_hash != _digest(keep_session))
        session.execute(ended)


def session_principal(database: Database, token: str | None) -> Principal | None:
    """Who a session cookie belongs to, while the session lasts and the account is enabled."""
    if not token:
        return None
    with database.session() as session:
        row = session.get(WebSession, _digest(token))
        if row is None or _aware(row.expires_at) < _now():
            return None
        user = session.get(User, row.user_id)
        return Principal(user.id, user.username, user.role, row.csrf) if user and not user.disabled else None


def log_out(database: Database, token: str | None) -> None:
    """End a session."""
    if token:
        with database.session() as session:
            session.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))


def create_api_token(database: Database, user_id: int, name: str, days: int = TOKEN_DAYS) -> str:
    """A new API token for an account, valid for `days`; the plain token is returned once and stored only
    as its hash."""
    token = "cnht_" + secrets.token_urlsafe(32)
    with database.session() as session:
        session.add(ApiToken(user_id=user_id, name=name.strip()[:128] or "token", token_hash=_digest(token),
                             expires_at=_now() + timedelta(days=days)))
    return token


def api_tokens(database: Database, user_id: int | None = None) -> list[dict]:
    """API tokens (of one account, or of all when `user_id` is None), newest first, without the secrets."""
    with database.session() as session:
        query = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id.desc())
        if user_id is not None:
            query = query.where(ApiToken.user_id == user_id)
        return [
            {"id": t.id, "name": t.name, "username": username, "created_at": _aware(t.created_at).isoformat(),
             "expires_at": _iso(t.expires_at), "last_used_at": _iso(t.last_used_at),
             "revoked": t.revoked_at is not None,
             "expired": t.expires_at is not None and _aware(t.expires_at) <= _now()}
            for t, username in session.execute(query)
        ]


def revoke_api_token(database: Database, token_id: int, user_id: int | None = None) -> bool:
    """Revoke a token (only one of `user_id`'s, unless None); False when there is no such token."""
    with database.session() as session:
        row = session.get(ApiToken, token_id)
        if row is None or (user_id is not None and row.user_id != user_id):
            return False
        row.revoked_at = row.revoked_at or _now()
        return True


def token_principal(database: Database, token: str | None) -> Principal | None:
    """Who an API token belongs to, while it is neither revoked nor expired and the account is enabled."""
    if not token:
        return None
    with database.session() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
        if row is None or row.revoked_at is not None:
            return None
        if row.expires_at is not None and _aware(row.expires_at) <= _now():
            return None
        user = session.get(User, row.user_id)
        if user is None or user.disabled:
            return None
        row.last_used_at = _now()
        return Principal(user.id, user.username, user.role, None)


def _audit(session, username: str, action: str, target: str = "", detail: str = "", ip: str = "") -> None:
    session.add(AuditEntry(username=username, action=action, target=target[:255], detail=detail, ip=ip[:64]))


def audit(database: Database, username: str, action: str, target: str = "", detail: str = "", ip: str = "") -> None:
    """Record who did what to what, and from which address."""
    with database.session() as session:
        _audit(session, username, action, target, detail, ip)


def audit_log(database: Database, limit: int = 500) -> list[dict]:
    """The latest audit entries, newest first."""
    with database.session() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
        return [{"at": _aware(r.at).isoformat(), "username": r.username, "action": r.action, "target": r.target,
                 "detail": r.detail, "ip": r.ip or ""} for r in rows]
