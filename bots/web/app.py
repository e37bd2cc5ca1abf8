"""`create_app`: the FastAPI application over an assistant service and a database."""
from __future__ import annotations

import logging
import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.db.database import database_unavailable
from assistant.knowledge.vectors import VectorsUnavailable
from assistant.workspace.errors import NotFound, WorkspaceError
from bots.rate_limits import RateLimiter
from bots.web.api import router
from bots.web.context import AppContext
from bots.web.docs import add_docs
from bots.web.headers import SecurityHeaders
from bots.web.limits import BodyLimit, error
from bots.web.messages import DATABASE_UNAVAILABLE, VECTORS_UNAVAILABLE, refused
from bots.web.strict_json import InvalidInput, StrictJSONRoute

log = logging.getLogger(__name__)


def create_app(service, database, settings=None) -> FastAPI:
    """The API app. Nothing is built here that the caller did not pass in."""
    settings = settings or service.settings
    app = FastAPI(title="CNHT Assistant API", version="1", docs_url=None, redoc_url=None, openapi_url=None)
    if settings.api_docs:
        add_docs(app)
    limiter = RateLimiter(settings.rate_limit_per_minute, database, "web")
    context = AppContext(service, database, limiter, settings)
    app.state.context = context
    app.state.login_limiter = RateLimiter(settings.login_rate_per_minute, database, "login")
    app.router.route_class = StrictJSONRoute  # routes added on the app itself (the Telegram webhook) too
    app.include_router(router)
    origins = settings.allowed_origins()
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"], allow_headers=["Content-Type", "Accept"])

    @app.middleware("http")
    async def measure(request: Request, call_next):
        start = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        name = getattr(route, "path", "unmatched")
        context.metrics.requests.labels(name, str(response.status_code)).inc()
        context.metrics.latency.labels(name).observe(time.perf_counter() - start)
        return response

    upload_cap = int(settings.max_file_mb * 1024 * 1024) + 64 * 1024  # the file and its multipart framing
    app.add_middleware(SecurityHeaders)
    app.add_middleware(  # added last, so it is the outermost: no other middleware sees a body it refuses
        BodyLimit, max_bytes=settings.max_body_bytes, timeout=settings.body_timeout_seconds,
        uploads={"/admin/api/documents": (upload_cap, settings.upload_timeout_seconds)},
    )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", []) if x not in ("body", "query", "path"))
        message = first.get("msg", "invalid request")
        if first.get("type") == "json_invalid":
            return error(400, "malformed_json", "the request body is not valid JSON")
        return error(422, "invalid_request", f"{where}: {message}" if where else message, field=where)

    @app.exception_handler(InvalidInput)
    async def invalid_input(request: Request, exc: InvalidInput):
        return error(422, "invalid_input", exc.detail, field=exc.field)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound):
        return refused(404, "not_found", str(exc))

    @app.exception_handler(WorkspaceError)
    async def workspace_refusal(request: Request, exc: WorkspaceError):
        return refused(422, exc.code, str(exc), **({"field": exc.field} if exc.field else {}))

    @app.exception_handler(VectorsUnavailable)
    async def vectors_down(request: Request, exc: VectorsUnavailable):
        log.warning("%s %s: %s", request.method, request.url.path, exc)
        return refused(503, "vectors_unavailable", VECTORS_UNAVAILABLE, headers={"Retry-After": "5"})

    @app.exception_handler(SQLAlchemyError)
    async def database_down(request: Request, exc: SQLAlchemyError):
        if not database_unavailable(exc):
            raise exc  # a fault of the code: the 500 below, with its traceback in the log
        log.warning("%s %s: the database does not answer: %s", request.method, request.url.path, exc)
        return refused(503, "database_unavailable", DATABASE_UNAVAILABLE, headers={"Retry-After": "5"})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        codes = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
        return error(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception):
        return error(500, "internal", "the assistant failed on this request; it has been logged")

    return app
