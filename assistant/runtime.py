"""The composition root: everything a process serves from, built from Settings in one place. `cnht serve`,
`cnht telegram`, the other commands and the test fixtures all build through `build_runtime`."""
from __future__ import annotations

from dataclasses import dataclass

from assistant.answering.cache import fingerprint, open_answer_cache
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.faq import load_faq
from assistant.answering.llm import LLMAnswerer
from assistant.answering.scoring import WEIGHTS_PATH
from assistant.conversation.sessions import Conversations
from assistant.db.database import Database, open_database
from assistant.db.records import forget_old_questions
from assistant.eligibility.programs import load_districts, load_programs
from assistant.knowledge.base import KnowledgeBase, open_knowledge_base
from assistant.retrieval.search import build_searcher
from assistant.service import AssistantService
from assistant.settings import Settings
from assistant.workspace.library import recover_replacements
from assistant.workspace.uploads import recover_interrupted


@dataclass
class Runtime:
    """One process's settings, database and assistant service."""

    settings: Settings
    database: Database
    service: AssistantService


def build_runtime(settings: Settings, kb: KnowledgeBase | None = None, warm: bool = False) -> Runtime:
    """The database (migrated) and the assistant service (with the staff's curated answers) for one data
    directory; `kb` lets a test share one ingested knowledge base; `warm` loads what the first question
    would otherwise wait for."""
    database = open_database(settings)
    forget_old_questions(database, settings.question_retention_days)
    service = build_service(settings, database, kb)
    recover_replacements(service.kb, settings)  # a workspace upload a crash interrupted
    recover_interrupted(database, settings)  # and the upload jobs it left queued or running
    if warm:
        service.warm_up()
    return Runtime(settings, database, service)


def build_service(settings: Settings, database: Database | None, kb: KnowledgeBase | None = None) -> AssistantService:
    """The assistant for one data directory: knowledge base, searcher, answerers, curated answers and
    sessions. Without a database only the curated answers file is served and conversations are kept in
    this process's memory (the tools that must not write answers, such as benchmarks, pass None; the
    knowledge base then reads its registry from the configured database)."""
    kb = kb or open_knowledge_base(settings, database or open_database(settings))
    searcher = build_searcher(settings, kb)
    extractive = ExtractiveAnswerer(
        searcher.glossary,
        settings.agency_name_vi,
        settings.agency_name_en,
        settings.refusal_threshold,
        lexical=kb.lexical,
        region=settings.region,
    )
    llm = LLMAnswerer.from_settings(settings) if settings.llm_base_url and settings.llm_model else None
    faq = load_faq(settings.faq_path(), kb) if settings.faq_path().exists() else None
    programs = load_programs(settings.programs_path()) if settings.programs_path().exists() else []
    districts = load_districts(settings.districts_path()) if settings.districts_path().exists() else {}
    answers = open_answer_cache(settings, fingerprint(settings, settings.faq_path(), settings.glossary_path(), WEIGHTS_PATH))
    conversations = Conversations(database)
    return AssistantService(settings, kb, searcher, extractive, conversations, answers, faq, llm, programs, districts,
                            database)
