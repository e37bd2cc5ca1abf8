"""What the API's routes share: the assistant service, the database, limits and metrics."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from prometheus_client import CollectorRegistry, Counter, Histogram

from assistant.answering.models import Answer
from assistant.db.database import Database
from assistant.db.records import citation_dicts, forget_old_questions
from assistant.service import AssistantService
from assistant.settings import Settings
from bots.rate_limits import RateLimiter


@dataclass
class Metrics:
    """Prometheus metrics of one app (own registry, so apps never collide)."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.requests = Counter("cnht_http_requests_total", "HTTP requests", ["route", "status"], registry=self.registry)
        self.latency = Histogram(
            "cnht_http_request_seconds", "HTTP request latency", ["route"], registry=self.registry,
            buckets=(0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5),
        )
        self.answers = Counter("cnht_answers_total", "Answers given", ["lang", "grounded", "source"], registry=self.registry)
        self.feedback = Counter("cnht_feedback_total", "Feedback received", ["rating"], registry=self.registry)


@dataclass
class AppContext:
    """Built once per app by `create_app`."""

    service: AssistantService
    database: Database
    limiter: RateLimiter
    settings: Settings
    metrics: Metrics = field(default_factory=Metrics)
    forgotten_at: float = 0.0  # when questions past the retention period were last deleted (monotonic)

    def answered(self, answer: Answer) -> None:
        """Count an answer the service gave and stored (and, at most hourly, delete questions past
        CNHT_QUESTION_RETENTION_DAYS)."""
        if time.monotonic() - self.forgotten_at > 3600:
            self.forgotten_at = time.monotonic()
            forget_old_questions(self.database, self.settings.question_retention_days)
        self.metrics.answers.labels(answer.lang, str(answer.grounded).lower(), answer.source).inc()


def answer_body(answer: Answer, session_id: str) -> dict:
    """The JSON of an answer in the API (the CLI's fields, the chunk ids, and the two ids)."""
    return {**answer.public(), "citations": citation_dicts(answer), "answer_id": answer.answer_id, "session_id": session_id}


def get_context(request: Request) -> AppContext:
    """The app's context (a FastAPI dependency)."""
    return request.app.state.context


ContextDep = Annotated[AppContext, Depends(get_context)]
