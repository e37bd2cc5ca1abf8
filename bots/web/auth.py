"""Who is calling the workspace: a session cookie (with a CSRF token on every change) or an API token."""
from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request, Response

from assistant.workspace import accounts
from assistant.workspace.accounts import Principal

SESSION_COOKIE = "cnht_session"
LOGIN_CSRF_COOKIE = "cnht_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class NotSignedIn(HTTPException):
    """401: no valid session or token."""

    def __init__(self) -> None:
        super().__init__(401, "sign in first")


def secure_request(request: Request) -> bool:
    """Whether the browser reached us over HTTPS (directly or through a proxy that says so)."""
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    """A cookie scripts cannot read, never sent cross-site, HTTPS-only behind HTTPS."""
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", secure=secure_request(request),
                        path="/admin")


def new_login_csrf(request: Request, response: Response) -> str:
    """A token for the login form, also set as a cookie (double submit: a forged form cannot read it)."""
    token = secrets.token_urlsafe(24)
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token, 3600)
    return token


def check_login_csrf(request: Request) -> None:
    """The login request carries the token of its own cookie."""
    cookie, header = request.cookies.get(LOGIN_CSRF_COOKIE), request.headers.get(CSRF_HEADER)
    if not cookie or not header or not hmac.compare_digest(cookie, header):
        raise HTTPException(403, "missing or wrong CSRF token: reload the sign-in page")


def principal(request: Request) -> Principal | None:
    """The caller, from an API token (Authorization: Bearer) or the session cookie."""
    database = request.app.state.context.database
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return accounts.token_principal(database, authorization[7:].strip())
    return accounts.session_principal(database, request.cookies.get(SESSION_COOKIE))


def _checked(request: Request, who: Principal | None) -> Principal:
    if who is None:
        raise NotSignedIn()
    if request.method not in SAFE_METHODS and who.csrf is not None:
        header = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(header.encode(), who.csrf.encode()):
            raise HTTPException(403, "missing or wrong CSRF token")
    return who


def require_staff(request: Request) -> Principal:
    """A signed-in staff member or admin (FastAPI dependency)."""
    return _checked(request, principal(request))


def require_admin(request: Request) -> Principal:
    """A signed-in admin (FastAPI dependency)."""
    who = _checked(request, principal(request))
    if not who.is_admin:
        raise HTTPException(403, "this needs an admin account")
    return who
