"""Request and response bodies of the API."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.answering.models import Citation


class AskRequest(BaseModel):
    """A question, optionally in an existing conversation."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., description="The question, Vietnamese or English.")
    session_id: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    channel: Literal["web", "widget", "api"] = "web"


class AnswerOut(BaseModel):
    """The answer, as `cnht ask --json`, plus its ids."""

    answer: str
    lang: str
    grounded: bool
    source: str
    citations: list[Citation]
    suggestions: list[dict[str, str]] = []
    offers: list[str] = []
    answer_id: str
    session_id: str


class FeedbackRequest(BaseModel):
    """A thumbs up or down on an answer."""

    model_config = ConfigDict(extra="forbid")
    answer_id: str = Field(..., min_length=1, max_length=64)
    rating: Literal["up", "down"]
    comment: str = Field("", max_length=2000)


class TypedAnswer(BaseModel):
    """A free-text answer to one profile question ("khoảng 120 lao động", "2.5 billion VND")."""

    model_config = ConfigDict(extra="forbid")
    field: str = Field(..., max_length=64)
    text: str = Field(..., max_length=500)


class EligibilityRequest(BaseModel):
    """What is known of an enterprise so far, and optionally a typed answer to read into it."""

    model_config = ConfigDict(extra="forbid")
    profile: dict[str, Any] = Field(default_factory=dict)
    lang: Literal["vi", "en"] = "vi"
    answer: TypedAnswer | None = None
    record: bool = Field(False, description="Count a finished check in the analytics (the page sets it when answering).")


class ErrorOut(BaseModel):
    """Every error the API returns."""

    error: dict
