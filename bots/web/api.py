"""The API's routes: one small function per endpoint over the shared context."""
from __future__ import annotations

import json
import logging

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from prometheus_client import generate_latest
from sqlalchemy import select

from assistant.answering.models import Answer
from assistant.conversation.sessions import new_conversation_id
from assistant.db.database import database_unavailable
from assistant.db.models import AnswerRecord
from assistant.db.records import issued_web_conversation, record_feedback
from assistant.eligibility.check import BadProfile, EligibilityReport
from assistant.eligibility.parsing import UnreadableAnswer
from assistant.knowledge.vectors import VectorsUnavailable
from assistant.retrieval.search import Filters
from assistant.workspace.analytics import record_check
from bots.rate_limits import retry_after
from bots.web.clients import client_address
from bots.web.context import ContextDep, answer_body
from bots.web.headers import metrics_allowed
from bots.web.limits import error
from bots.web.messages import DATABASE_UNAVAILABLE, VECTORS_UNAVAILABLE, in_both_languages
from bots.web.schemas import AnswerOut, AskRequest, EligibilityRequest, FeedbackRequest
from bots.web.strict_json import StrictJSONRoute

router = APIRouter(route_class=StrictJSONRoute)
log = logging.getLogger(__name__)


def _limited(context, request: Request):
    wait = context.limiter.take(client_address(request))
    if wait:
        return error(429, "rate_limited", "too many requests: try again shortly", headers=retry_after(wait))
    return None


def _clean_question(context, text: str):
    question = " ".join(text.split())
    if not question:
        return None, error(422, "empty_question", "the question is empty", field="question")
    limit = context.settings.max_question_chars
    if len(question) > limit:
        return None, error(422, "question_too_long", f"the question is over {limit} characters", field="question")
    return question, None


@router.post("/api/ask", response_model=AnswerOut, responses={404: {}, 422: {}, 429: {}})
def ask(body: AskRequest, request: Request, context: ContextDep):
    """Answer a question with citations. With `Accept: text/event-stream` the answer streams as
    Server-Sent Events (`delta` events with text, then one `answer` event with the whole answer)."""
    if (limited := _limited(context, request)) is not None:
        return limited
    question, problem = _clean_question(context, body.question)
    if problem is not None:
        return problem
    if body.session_id is None:
        session_id = new_conversation_id()
    elif issued_web_conversation(context.database, body.session_id):
        session_id = body.session_id
    else:
        return _unknown_session()
    if "text/event-stream" in request.headers.get("accept", ""):
        return StreamingResponse(_stream(context, question, session_id, body.channel), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
    answer = context.service.ask(question, session_id=session_id, channel=body.channel)
    context.answered(answer)
    return answer_body(answer, session_id)


def _stream(context, question: str, session_id: str, channel: str):
    yield ": stream open\n\n"
    final: Answer | None = None
    try:
        for event in context.service.ask_stream(question, session_id=session_id, channel=channel):
            if isinstance(event, Answer):
                final = event
            else:
                yield f"event: delta\ndata: {json.dumps({'text': event}, ensure_ascii=False)}\n\n"
    except VectorsUnavailable:  # the stream is already open: report the failure inside it
        yield _stream_error("vectors_unavailable", VECTORS_UNAVAILABLE)
        return
    except Exception as exc:
        if database_unavailable(exc):
            log.warning("streamed answer: the database does not answer: %s", exc)
            yield _stream_error("database_unavailable", DATABASE_UNAVAILABLE)
            return
        yield f"event: error\ndata: {json.dumps({'code': 'internal', 'message': type(exc).__name__})}\n\n"
        return
    assert final is not None, "ask_stream always ends with the Answer"
    context.answered(final)
    yield f"event: answer\ndata: {json.dumps(answer_body(final, session_id), ensure_ascii=False)}\n\n"


def _stream_error(code: str, message: str) -> str:
    """An `error` event in the API's error shape, for a failure once the stream is open."""
    failure = {"code": code, "message": message, "messages": in_both_languages(message)}
    return f"event: error\ndata: {json.dumps(failure, ensure_ascii=False)}\n\n"


@router.get("/api/search")
def search(
    request: Request,
    context: ContextDep,
    q: str = Query(..., description="The query."),
    k: int = Query(10, ge=1, le=50),
    doc_type: list[str] = Query([]),
    lang: str = Query("", pattern="^(|vi|en)$"),
    date_from: str = Query("", pattern=r"^(|\d{4}-\d{2}-\d{2})$"),
    date_to: str = Query("", pattern=r"^(|\d{4}-\d{2}-\d{2})$"),
    effective_from: str = Query("", pattern=r"^(|\d{4}-\d{2}-\d{2})$", description="In force on or after (date in force)."),
    effective_to: str = Query("", pattern=r"^(|\d{4}-\d{2}-\d{2})$", description="In force on or before (date in force)."),
):
    """Hybrid search: the best chunks, as `cnht search --json`."""
    if (limited := _limited(context, request)) is not None:
        return limited
    query, problem = _clean_question(context, q)
    if problem is not None:
        return problem
    filters = Filters(doc_types=doc_type, lang=lang, date_from=date_from, date_to=date_to,
                      effective_from=effective_from, effective_to=effective_to)
    hits = context.service.search(query, k=k, filters=filters)
    return [h.public() for h in hits]


@router.get("/api/documents")
def documents(context: ContextDep):
    """Indexed documents with their metadata."""
    return [r.public() for r in context.service.kb.documents()]


@router.get("/api/documents/{doc_id}")
def document(doc_id: str, context: ContextDep):
    """A document's metadata and the texts of its chunks (what citations point to)."""
    record = context.service.kb.document(doc_id)
    if record is None:
        return error(404, "not_found", f"no document with doc_id {doc_id!r}")
    chunks = [
        {"chunk_id": c["chunk_id"], "section": c["section"], "page": c["page"], "text": c["text"]}
        for c in context.service.kb.registry.chunks_of(doc_id)
    ]
    return {**record.public(), "chunks": chunks}


def _unknown_session():
    return error(404, "unknown_session", "no conversation with this session_id was started here: ask without"
                 " session_id to start one", field="session_id")


@router.get("/api/conversations/{session_id}", responses={404: {}})
def conversation(session_id: str, context: ContextDep):
    """The turns of a web conversation, oldest first (the chat reloads from this). The id is the secret
    the server issued with the conversation's first answer; any other id is unknown."""
    if not issued_web_conversation(context.database, session_id):
        return _unknown_session()
    with context.database.session() as session:
        rows = session.scalars(
            select(AnswerRecord).where(AnswerRecord.conversation_id == session_id).order_by(AnswerRecord.created_at)
        ).all()
        return [
            {"answer_id": r.id, "question": r.question, "answer": r.answer, "lang": r.lang, "grounded": r.grounded,
             "source": r.source, "citations": json.loads(r.citations)}
            for r in rows
        ]


@router.post("/api/feedback", status_code=201, responses={429: {}})
def feedback(body: FeedbackRequest, request: Request, context: ContextDep):
    """Thumbs up or down on an answer, with an optional comment."""
    if (limited := _limited(context, request)) is not None:
        return limited
    feedback_id = record_feedback(context.database, body.answer_id, body.rating, body.comment)
    if feedback_id is None:
        return error(404, "not_found", f"no answer with answer_id {body.answer_id!r}", field="answer_id")
    context.metrics.feedback.labels(body.rating).inc()
    return {"id": feedback_id}


@router.post("/api/eligibility", response_model=EligibilityReport, responses={422: {}, 429: {}})
def eligibility(body: EligibilityRequest, request: Request, context: ContextDep):
    """Which support programs an enterprise qualifies for: every program's verdict (eligible,
    not_eligible, unknown, closed) with a reason and citation per criterion, what to prepare, and the
    next question to ask (null when no answer could change a verdict). A typed answer that cannot be
    read is refused with a message that asks again with an example."""
    if (limited := _limited(context, request)) is not None:
        return limited
    field_name, text = (body.answer.field, body.answer.text) if body.answer else (None, None)
    try:
        report = context.service.eligibility(body.profile, body.lang, field_name, text)
    except UnreadableAnswer as exc:
        return error(422, "unreadable_answer", str(exc), field=field_name)
    except BadProfile as exc:
        return error(422, "invalid_profile", str(exc), field=str(exc).split(":", 1)[0])
    if body.record and report["next_question"] is None:
        record_check(context.database, "web", body.lang, report["programs"])
    return report


@router.get("/healthz")
def healthz():
    """The process is up."""
    return {"status": "ok"}


def _check(name: str, probe) -> tuple[str, object]:
    """("ok", what the probe returned), or ("unavailable: <the error's type>", None) with the whole error
    logged (the response names no internal address)."""
    try:
        return "ok", probe()
    except Exception as exc:
        log.warning("readiness: %s does not answer: %s: %s", name, type(exc).__name__, exc)
        return f"unavailable: {type(exc).__name__}", None


def _documents_indexed(context) -> int:
    """Live documents, read after the database answered a trivial query (both are the relational store)."""
    with context.database.session() as session:
        session.execute(select(1))
    return len(context.service.kb.documents())


@router.get("/readyz")
def readyz(context: ContextDep, request: Request):
    """Ready (200, `"ready": true`) when the database and the vector store (local Chroma or the Chroma
    server) answer and documents are indexed; otherwise 503 with `checks` naming what is down, e.g.
    `{"database": "ok", "vectors": "unavailable: …"}`. The Telegram bot, when configured, is reported
    separately under "telegram": the web is ready whatever Telegram does."""
    status = getattr(request.app.state, "telegram_status", None)
    bot = {"telegram": status.report()} if status is not None else {}
    database, documents = _check("database", lambda: _documents_indexed(context))
    vectors, _ = _check("vectors", context.service.kb.vector_count)
    checks = {"database": database, "vectors": vectors}
    down = [name for name, verdict in checks.items() if verdict != "ok"]
    count = documents if isinstance(documents, int) else 0
    reason = f"{' and '.join(down)} unavailable" if down else "" if count else "no documents indexed"
    body = {"ready": not reason, "status": "unavailable" if reason else "ready", "checks": checks, "documents": count}
    if reason:
        return JSONResponse({**body, "reason": reason, **bot}, status_code=503)
    return {**body, **bot}


@router.get("/metrics")
def metrics(request: Request, context: ContextDep):
    """Prometheus metrics (CNHT_METRICS: `local`, the default, answers loopback clients only; `on` anyone;
    `off` no one)."""
    if not metrics_allowed(context.settings.metrics, request.client.host if request.client else ""):
        return error(404, "not_found", "Not Found")
    return PlainTextResponse(generate_latest(context.metrics.registry).decode(), media_type="text/plain; version=0.0.4")
