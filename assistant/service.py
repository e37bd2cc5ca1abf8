"""The one facade every frontend calls: ask, search (and, later, feedback)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from assistant.answering.cache import AnswerCache
from assistant.answering.candidates import is_scope
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.faq import Faq
from assistant.answering.models import Answer
from assistant.answering.question import answer_type
from assistant.answering.texts import text
from assistant.answering.timeliness import with_closing_note
from assistant.conversation.followups import Resolved
from assistant.conversation.sessions import Conversations, Session
from assistant.db.database import Database
from assistant.eligibility.check import EligibilityReport, answer_into, clean_profile, eligibility_report
from assistant.eligibility.intent import asks_eligibility
from assistant.eligibility.programs import Program
from assistant.knowledge.base import KnowledgeBase
from assistant.retrieval.search import Filters, Hit, HybridSearcher, analyse
from assistant.settings import Settings
from assistant.workspace import curation
from ingest.models import DocumentMeta

if TYPE_CHECKING:  # for annotations only: the LLM client pulls in langchain, which a process without an LLM never loads
    from assistant.answering.llm import LLMAnswerer


@dataclass
class AssistantService:
    """Everything a frontend needs, built once per process by the composition root (`assistant.runtime`)."""

    settings: Settings
    kb: KnowledgeBase
    searcher: HybridSearcher
    extractive: ExtractiveAnswerer
    conversations: Conversations
    answers: AnswerCache
    faq: Faq | None = None
    llm: LLMAnswerer | None = None
    programs: list[Program] = field(default_factory=list)
    districts: dict[str, bool] = field(default_factory=dict)  # district name → all its communes are rural
    database: Database | None = None  # where staff-curated answers live (None: only the curated answers file)
    # (version, Faq of the file's and the staff's curated answers)
    _curated: tuple[str | None, Faq | None] = (None, None)

    def curated(self, generation: int) -> tuple[Faq | None, str]:
        """The curated answers to match questions against on this index generation, and a version that
        changes with them: the file's, plus (with a database) the staff's that are verified against the
        current sources."""
        if self.database is None:
            return self.faq, ""

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
    ) -> EligibilityReport:
        """An eligibility check: the profile (checked; with a typed answer to `field_name` read into it)
        → every program's verdict with reasons and citations, and the next question. BadProfile or
        UnreadableAnswer when the input cannot be used."""
        profile = clean_profile(profile)
        if field_name is not None:
            profile = answer_into(profile, field_name, text or "", lang, self.districts)

        def documents(doc_id: str) -> DocumentMeta | None:
            record = self.kb.document(doc_id)
            return record.meta if record else None

        return eligibility_report(self.programs, profile, lang, documents, today or date.today(), self.districts)

    def warm_up(self) -> None:
        """Load what the first question would otherwise wait for (word segmenter, lexical indexes,
        diacritics restorer, embedder, vector store), so a fresh process answers its first question as fast as any other."""
        # the last one is typed without diacritics: the restorer's vocabulary is read once per index
        for question in ("khu công nghiệp hỗ trợ doanh nghiệp", "industrial park support", "ho tro doanh nghiep"):
            self.searcher.search(question, k=1)
            faq, _ = self.curated(self.kb.registry.generation())
            if faq is not None:
                faq.match(question, analyse(question).lang)

    def answer_hits(self, question: str, filters: Filters | None = None) -> list[Hit]:
        """The passages an answer is drawn from: the best eight; for "what does document X regulate", also
        the scope article ("Phạm vi điều chỉnh") of one of the best documents, second, when the search
        did not bring it."""
        hits = self.searcher.search(question, k=8, filters=filters)
        if not hits or answer_type(question) != "subject" or any(_states_scope(h) for h in hits[:5]):
            return hits
        documents = {h.doc_id for h in hits[:3]}
        scope = next((h for h in self.searcher.search(f"{question} phạm vi điều chỉnh", k=8, filters=filters)
                      if h.doc_id in documents and _states_scope(h)), None)
        return hits if scope is None else [hits[0], scope, *(h for h in hits[1:] if h.chunk_id != scope.chunk_id)]

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        """Hybrid search; best chunks first."""
        return self.searcher.search(query, k=k, filters=filters)

    def _draft(self, question: str, session_id: str | None, filters: Filters | None, channel: str) -> _Draft:
        """Everything an answer needs short of the LLM: the cached, curated or extractive answer,
        and the passages it was drawn from."""
        question = " ".join(question.split())
        session = self.conversations.get(session_id) if session_id else None
        if not question:
            return _Draft(question, session, None, "vi", Answer(text("vi", "empty"), "vi", False, "none"), [],
                          final=True, channel=channel)
        query = analyse(question)
        resolved = session.resolve(question) if session else Resolved(question, question)
        retrieval_query = resolved.search
        # The same question on the same index gets the same answer: staff and enterprises repeat questions.
        # The registry's identity keeps a rebuilt registry, whose generations start again, from old answers.
        identity, generation = self.kb.registry.stamp()
        faq, curated_version = self.curated(generation)
        today = date.today()  # answers say when a program closed: a new day may change them
        parts = (question.lower(), retrieval_query.lower(), repr(filters), self.llm is not None, curated_version,
                 today.isoformat(), identity)
        key = (self.answers.key(*parts), generation)
        cached = self.answers.get(*key)
        if cached is not None:
            return _Draft(question, session, None, query.lang, cached, [], final=True, channel=channel)
        curated = faq.match(question, query.lang) if faq else None
        if curated is not None:
            curated = with_closing_note(curated, self.programs, today)
            return _Draft(question, session, key, query.lang, curated, [], final=True, channel=channel)
        hits = self.answer_hits(retrieval_query, filters)
        frame = ""
        if resolved.frame:  # a follow-up: passages about what it adds come first
            if resolved.question != question:  # an ordinal: the item it names is what is asked
                query = analyse(resolved.question)
            hits.sort(key=lambda h: -self.extractive.coverage(query, h.text + " " + h.title, h.lang))
            frame = retrieval_query
        answer = with_closing_note(self.extractive.answer(query, hits, frame), self.programs, today)
        return _Draft(question, session, key, query.lang, answer, hits, final=not answer.grounded or self.llm is None,
                      channel=channel)

    def _finish(self, draft: _Draft, answer: Answer) -> Answer:
        """Remember the answer given (cache, and the conversation: the one write of the turn) and return
        it, with the stored turn's `answer_id`."""
        if self.programs and asks_eligibility(draft.question) and "eligibility" not in answer.offers:
            answer = replace(answer, offers=[*answer.offers, "eligibility"])
        if draft.key is not None:
            self.answers.put(*draft.key, answer)
        if draft.session is not None:
            answer_id = draft.session.add(draft.question, answer, draft.channel)
            if answer_id:
                answer = replace(answer, answer_id=answer_id)
        return answer

    def ask(self, question: str, session_id: str | None = None, filters: Filters | None = None,
            channel: str = "cli") -> Answer:
        """A grounded answer in the question's language, with citations; a follow-up in a session
        is read in the light of the previous turn. Asked in a session, the turn is stored (on `channel`)
        and the answer carries its `answer_id`."""
        draft = self._draft(question, session_id, filters, channel)
        if draft.final or self.llm is None:
            return self._finish(draft, draft.answer)
        return self._finish(draft, self._dated(self.llm.answer(draft.question, draft.lang, draft.hits, fallback=draft.answer)))

    def ask_stream(self, question: str, session_id: str | None = None, channel: str = "cli") -> Iterator[str | Answer]:
        """Text pieces as they are produced, then the final Answer (which replaces the streamed text
        if the LLM's answer failed its check; stored as `ask` stores it). Without an LLM the extractive
        answer comes line by line."""
        draft = self._draft(question, session_id, None, channel)
        if draft.final or self.llm is None:
            for line in draft.answer.answer.split("\n"):
                yield line + "\n"
            yield self._finish(draft, draft.answer)
            return
        for event in self.llm.stream(draft.question, draft.lang, draft.hits, draft.answer):
            yield self._finish(draft, self._dated(event)) if isinstance(event, Answer) else event

    def _dated(self, answer: Answer) -> Answer:
        """The LLM's answer with the closing note the extractive one carries (a fallback already has it)."""
        return with_closing_note(answer, self.programs, date.today()) if answer.answerer == "llm" else answer


@dataclass
class _Draft:
    """An answer on its way: what `ask` and `ask_stream` share before the LLM (if any) writes."""

    question: str
    session: Session | None
    key: tuple[str, int] | None  # (cache key, index generation); None: nothing to remember (already cached, or an empty question)
    lang: str
    answer: Answer
    hits: list[Hit]
    final: bool
    channel: str = "cli"  # where the question came from, stored with the turn


def _states_scope(hit: Hit) -> bool:
    """Whether a passage holds its document's scope article."""
    return any(is_scope(line, hit.heading) for line in hit.text.split("\n")[:4])
