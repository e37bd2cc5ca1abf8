"""Tables: conversations, the answers given in them, feedback on answers, the staff workspace, and the
document registry (Core tables: the registry reads and writes them in bulk with SQLAlchemy Core)."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Table, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Timezone-aware now."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class Conversation(Base):
    """A conversation on one channel (web, telegram, cli)."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default="web")
    lang: Mapped[str] = mapped_column(String(8), default="vi")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    answers: Mapped[list[AnswerRecord]] = relationship(back_populates="conversation", order_by="AnswerRecord.created_at")


class AnswerRecord(Base):
    """A question and the answer given, with its citations (JSON)."""

    __tablename__ = "answers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="web")
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8))
    grounded: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(16))
    citations: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    conversation: Mapped[Conversation | None] = relationship(back_populates="answers")
    feedback: Mapped[list[Feedback]] = relationship(back_populates="answer")

    # the follow-up context reads a conversation's last turns
    __table_args__ = (Index("answers_by_conversation", "conversation_id", "created_at"),)


class Feedback(Base):
    """A thumbs up or down on an answer, with an optional comment."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    answer_id: Mapped[str] = mapped_column(ForeignKey("answers.id"), index=True)
    rating: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answer: Mapped[AnswerRecord] = relationship(back_populates="feedback")


class User(Base):
    """A staff account. `role` is 'staff' or 'admin'."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="staff")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, stored here only as its hash."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A token for automation (Authorization: Bearer), stored as its hash."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LoginFailure(Base):
    """Failed sign-ins counted per key: `client|<ip>|<username>` and `account|<username>`. A key at or over
    its threshold is refused until `locked_until` (a backoff that grows with each further failure)."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """Who did what to which document, curated answer or account, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(255), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(64), default="")


class CuratedAnswer(Base):
    """A bilingual answer written by staff, linked to its source documents. `sources` is JSON:
    [{doc_id, section, content_hash}] with the hashes of the versions a staff member verified."""

    __tablename__ = "curated_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question_vi: Mapped[str] = mapped_column(Text)
    question_en: Mapped[str] = mapped_column(Text)
    answer_vi: Mapped[str] = mapped_column(Text)
    answer_en: Mapped[str] = mapped_column(Text)
    sources: Mapped[str] = mapped_column(Text, default="[]")
    verified: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QueueDismissal(Base):
    """A group of unanswered questions a staff member dismissed (by its normalised key)."""

    __tablename__ = "queue_dismissals"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EligibilityCheck(Base):
    """A finished eligibility check: channel, language and each program's verdict (JSON)."""

    __tablename__ = "eligibility_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str] = mapped_column(String(8))
    results: Mapped[str] = mapped_column(Text)


class Notice(Base):
    """A new notice, plan or program to announce to Telegram subscribers (an outbox)."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(String(255), unique=True)
    title: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


# The document registry: which version of each document is live, its metadata and its chunks. It is the
# source of truth; Chroma vectors and the BM25 index follow it (`assistant.knowledge.registry`).
documents = Table(
    "documents", Base.metadata,
    Column("doc_id", String, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("source", Text, nullable=False),
    Column("content_hash", String, nullable=False),
    Column("chunk_count", Integer, nullable=False),
    Column("meta", Text, nullable=False),  # DocumentMeta.as_dict() as JSON
    Column("ingested_at", Float, nullable=False),  # seconds since the epoch
)
chunks = Table(
    "chunks", Base.metadata,
    Column("chunk_id", String, primary_key=True),
    Column("vector_id", String, nullable=False, unique=True),
    Column("doc_id", String, nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("section", Text, nullable=False),
    Column("page", Integer),
    Column("page_end", Integer),
    Column("heading", Text, nullable=False),
    Column("section_map", Text, nullable=False),  # JSON
    Column("terms", Text, nullable=False),  # word-segmented terms, for BM25
    Column("folded_terms", Text, nullable=False),  # diacritic-folded syllables, for BM25
    Index("chunks_by_doc", "doc_id", "ordinal"),
)
# vectors written to Chroma whose registry commit has not happened (yet): removed on open
pending = Table(
    "pending", Base.metadata,
    Column("doc_id", String, primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
)
# vectors of versions replaced or removed, still to delete from Chroma
garbage = Table(
    "garbage", Base.metadata,
    Column("doc_id", String, primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
)
# the registry's counters: 'generation' (bumped by every committed change), 'version' (the last reserved) and
# 'identity' (a random number drawn when the database was created)
state = Table(
    "state", Base.metadata,
    Column("key", String, primary_key=True),
    Column("value", BigInteger, nullable=False),
)
# the BM25 index of a generation (`assistant.knowledge.lexical.pack`: a zlib-compressed NumPy archive, read
# with pickle disallowed), written in the commit that makes the generation live; the previous one is kept
lexical_indexes = Table(
    "lexical_indexes", Base.metadata,
    Column("generation", BigInteger, primary_key=True, autoincrement=False),
    Column("built_at", Float, nullable=False),  # seconds since the epoch
    Column("data", LargeBinary, nullable=False),
)


class RateBucket(Base):
    """A client's token bucket of one limiter (web, login, telegram): the tokens left at `stamp` (seconds
    since the epoch). Ephemeral: a bucket untouched for an hour is full again and is deleted."""

    __tablename__ = "rate_buckets"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    client: Mapped[str] = mapped_column(String(255), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    stamp: Mapped[float] = mapped_column(Float, index=True)


class TelegramChat(Base):
    """A Telegram chat's language and whether it blocked the bot (or removed it)."""

    __tablename__ = "telegram_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    lang: Mapped[str | None] = mapped_column(String(8), nullable=True)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TelegramSubscriber(Base):
    """A chat subscribed to announcements of new notices, plans and programs."""

    __tablename__ = "telegram_subscribers"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TelegramCheck(Base):
    """One eligibility check per (chat, user): the answers so far (JSON, one profile per step; NULL when no
    check is in progress), the message that asks the current question and the one it replaced. `version`
    grows with every step and outlives the check, so a button of an earlier step or check is stale."""

    __tablename__ = "telegram_checks"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)
    history: Mapped[str | None] = mapped_column(Text, nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    replaced_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TelegramVote(Base):
    """A user's vote on an answer (one per user, changeable), the rating it replaced, and the feedback row
    it is stored as."""

    __tablename__ = "telegram_votes"

    answer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    rating: Mapped[str] = mapped_column(String(8))
    previous_rating: Mapped[str | None] = mapped_column(String(8), nullable=True)
    feedback_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class TelegramSlowDown(Base):
    """When a user over the rate limit was told to slow down: silent until `until` (seconds since the epoch)."""

    __tablename__ = "telegram_slow_down"

    client: Mapped[str] = mapped_column(String(255), primary_key=True)
    until: Mapped[float] = mapped_column(Float)


class TelegramUpdate(Base):
    """A Telegram update taken by one replica (`received_at`: seconds since the epoch); any other delivery
    of the same update_id is dropped. Rows older than a few days are pruned: Telegram stops retrying sooner."""

    __tablename__ = "telegram_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[float] = mapped_column(Float, index=True)


class UploadJob(Base):
    """A workspace upload ingested in the background: queued → running → done or failed. `report` is the
    ingest report (JSON) once done, `error` the reason once failed; `worker` names the process that
    took it (host:pid:start), so a restart can tell the jobs a dead process left behind."""

    __tablename__ = "upload_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    username: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    report: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    worker: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
