"""The one facade every frontend calls: ask, search (and, later, feedback)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Iterator

from assistant.answer_cache import AnswerCache, fingerprint
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.models import Answer
from assistant.answering.scoring import WEIGHTS_PATH
from assistant.answering.texts import text
from assistant.conversation import Conversations
from assistant.eligibility.intent import asks_eligibility
from assistant.knowledge import KnowledgeBase
from assistant.retrieval import Filters, Hit, HybridSearcher, analyse


@dataclass
class AssistantService:
    """Everything a frontend needs, built once per process by `build_services`."""

    settings: object
    kb: KnowledgeBase
    searcher: HybridSearcher
    extractive: ExtractiveAnswerer
    conversations: Conversations
    answers: AnswerCache
    faq: object = None
    llm: object = None
    programs: list = field(default_factory=list)
    districts: dict = field(default_factory=dict)  # district name → all its communes are rural
    database: object = None  # where staff-curated answers live (None: only the curated answers file)
    _curated: tuple = (None, None)  # (version, Faq of the file's and the staff's curated answers)

    def curated(self, generation: int):
        """The curated answers to match questions against on this index generation, and a version that
        changes with them: the file's, plus (with a database) the staff's that are verified against the
        current sources."""
        if self.database is None:
            return self.faq, ""
        from assistant import curation
        from assistant.answering.faq import Faq

        current = f"{curation.version(self.database)}|{generation}"
        if self._curated[0] != current:
            entries = (self.faq.entries if self.faq else []) + curation.served_entries(self.database, self.kb)
            self._curated = (current, Faq(entries, self.kb))
        return self._curated[1], current

    def clear_cache(self) -> None:
        """Forget remembered answers."""
        self.answers.clear()

    def eligibility(
        self, profile: dict, lang: str = "vi", field_name: str | None = None, text: str | None = None,
        today: date | None = None,
    ) -> dict:
        """An eligibility check: the profile (checked; with a typed answer to `field_name` read into it)
        → every program's verdict with reasons and citations, and the next question. BadProfile or
        UnreadableAnswer when the input cannot be used."""
        from assistant.eligibility.check import answer_into, clean_profile, eligibility_report

        profile = clean_profile(profile)
        if field_name is not None:
            profile = answer_into(profile, field_name, text or "", lang, self.districts)

        def documents(doc_id: str) -> dict | None:
            record = self.kb.document(doc_id)
            return record.meta if record else None

        return eligibility_report(self.programs, profile, lang, documents, today or date.today(), self.districts)

    def warm_up(self) -> None:
        """Load what the first question would otherwise wait for (word segmenter, lexical indexes,
        embedder, vector store), so a fresh process answers its first question as fast as any other."""
        for question in ("khu công nghiệp hỗ trợ doanh nghiệp", "industrial park support"):
            self.searcher.search(question, k=1)
            faq, _ = self.curated(self.kb.registry.generation())
            if faq is not None:
                faq.match(question, analyse(question).lang)

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        """Hybrid search; best chunks first."""
        return self.searcher.search(query, k=k, filters=filters)

    def _draft(self, question: str, session_id: str | None, filters: Filters | None) -> _Draft:
        """Everything an answer needs short of the LLM: the cached, curated or extractive answer,
        and the passages it was drawn from."""
        question = " ".join(question.split())
        if not question:
            return _Draft(question, None, None, None, Answer(text("vi", "empty"), "vi", False, "none"), [], final=True)
        query = analyse(question)
        session = self.conversations.get(session_id) if session_id else None
        retrieval_query = session.contextualise(question) if session else question
        # The same question on the same index gets the same answer: staff and enterprises repeat questions.
        generation = self.kb.registry.generation()
        faq, curated_version = self.curated(generation)
        parts = (question.lower(), retrieval_query.lower(), repr(filters), self.llm is not None, curated_version)
        key = (self.answers.key(*parts), generation)
        cached = self.answers.get(*key)
        if cached is not None:
            return _Draft(question, session, None, query.lang, cached, [], final=True)
        curated = faq.match(question, query.lang) if faq else None
        if curated is not None:
            return _Draft(question, session, key, query.lang, curated, [], final=True)
        hits = self.searcher.search(retrieval_query, k=8, filters=filters)
        frame = ""
        if retrieval_query != question:  # a follow-up: passages about what it adds come first
            hits.sort(key=lambda h: -self.extractive.coverage(query, h.text + " " + h.title, h.lang))
            frame = retrieval_query
        answer = self.extractive.answer(query, hits, frame)
        return _Draft(question, session, key, query.lang, answer, hits, final=not answer.grounded or self.llm is None)

    def _finish(self, draft: _Draft, answer: Answer) -> Answer:
        """Remember the answer given (cache and session) and return it."""
        if self.programs and asks_eligibility(draft.question) and "eligibility" not in answer.offers:
            answer = replace(answer, offers=[*answer.offers, "eligibility"])
        if draft.key is not None:
            self.answers.put(*draft.key, answer)
        if draft.session is not None:
            draft.session.add(draft.question, answer)
        return answer

    def ask(self, question: str, session_id: str | None = None, filters: Filters | None = None) -> Answer:
        """A grounded answer in the question's language, with citations; a follow-up in a session
        is read in the light of the previous turn."""
        draft = self._draft(question, session_id, filters)
        if draft.final:
            return self._finish(draft, draft.answer)
        return self._finish(draft, self.llm.answer(draft.question, draft.lang, draft.hits, fallback=draft.answer))

    def ask_stream(self, question: str, session_id: str | None = None) -> Iterator[str | Answer]:
        """Text pieces as they are produced, then the final Answer (which replaces the streamed text
        if the LLM's answer failed its check). Without an LLM the extractive answer comes line by line."""
        draft = self._draft(question, session_id, None)
        if draft.final:
            for line in draft.answer.answer.split("\n"):
                yield line + "\n"
            yield self._finish(draft, draft.answer)
            return
        for event in self.llm.stream(draft.question, draft.lang, draft.hits, draft.answer):
            yield self._finish(draft, event) if isinstance(event, Answer) else event


@dataclass
class _Draft:
    """An answer on its way: what `ask` and `ask_stream` share before the LLM (if any) writes."""

    question: str
    session: object
    key: tuple[str, int] | None  # (cache key, index generation); None: nothing to remember (already cached, or an empty question)
    lang: str | None
    answer: Answer
    hits: list[Hit]
    final: bool


def build_services(settings, kb: KnowledgeBase | None = None, database=None) -> AssistantService:
    """The assistant for one data directory: knowledge base, searcher, answerers, FAQ and sessions;
    with a database, staff-curated answers are served too."""
    from assistant.answering.faq import load_faq
    from assistant.knowledge import open_knowledge_base
    from assistant.programs import load_districts, load_programs
    from assistant.retrieval import build_searcher

    kb = kb or open_knowledge_base(settings)
    searcher = build_searcher(settings, kb)
    extractive = ExtractiveAnswerer(
        searcher.glossary,
        settings.agency_name_vi,
        settings.agency_name_en,
        settings.refusal_threshold,
        lexical=kb.lexical,
    )
    llm = None
    if settings.llm_base_url and settings.llm_model:
        from assistant.answering.llm import LLMAnswerer

        llm = LLMAnswerer.from_settings(settings)
    faq = load_faq(settings.faq_path(), kb) if settings.faq_path().exists() else None
    programs = load_programs(settings.programs_path()) if settings.programs_path().exists() else []
    districts = load_districts(settings.districts_path()) if settings.districts_path().exists() else {}
    answers = AnswerCache(
        settings.index_dir / "answer-cache.sqlite",
        fingerprint(settings, settings.faq_path(), settings.glossary_path(), WEIGHTS_PATH),
    )
    conversations = Conversations(settings.data_dir / "conversations.sqlite")
    return AssistantService(settings, kb, searcher, extractive, conversations, answers, faq, llm, programs, districts,
                            database)
