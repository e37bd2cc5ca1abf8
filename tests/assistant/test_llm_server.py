"""LLM mode through langchain-openai against a real local OpenAI-compatible HTTP server that returns fixed
completions (tests/support/chat_server.py): the plumbing only — there is no model offline. The model is
given the evidence the extractive answer chose; the post-check serves the extractive answer instead of a
completion with an invented number or a citation to a source it was not given, and logs why; the answer
evaluation runs unchanged in LLM mode."""
from __future__ import annotations

import logging

import pytest

from assistant.answering.evaluation import evaluate_answers, first_line
from assistant.evaluation import load_questions
from tests.conftest import EVAL_QUESTIONS
from tests.support.chat_server import chat_server, chosen_first_line

QUESTION = "Tổng diện tích các khu công nghiệp là bao nhiêu ha?"

@pytest.fixture(scope="module")
def llm(corpus_kb, tmp_path_factory):
    """(service configured for LLM mode as `cnht` builds it from settings, the test server)."""
    from assistant.runtime import build_runtime
    from assistant.settings import Settings

    with chat_server(chosen_first_line) as server:
        settings = Settings(data_dir=tmp_path_factory.mktemp("llm"), llm_base_url=server.url,
                            llm_model="fixed-completions", llm_api_key="local-key", llm_timeout=10)
        yield build_runtime(settings, kb=corpus_kb[0]).service, server


@pytest.fixture
def fresh(llm):
    """The LLM-mode service with no remembered answers, its server back to honest completions."""
    service, server = llm
    service.clear_cache()
    server.reply = chosen_first_line
    server.requests.clear()
    return service, server


def test_the_model_is_given_the_chosen_evidence_and_its_honest_answer_is_served(fresh, corpus_service):
    service, server = fresh
    extractive = corpus_service.ask(QUESTION)
    answer = service.ask(QUESTION)
    [request] = server.requests
    assert request["body"]["model"] == "fixed-completions"
    assert request["headers"]["authorization"] == "Bearer local-key"
    prompt = server.user_message()
    assert prompt.count("<source n=") == len(extractive.citations) >= 1  # the cited passages, not every hit
    assert f"<chosen_evidence>\n{extractive.answer}\n</chosen_evidence>" in prompt
    assert prompt.rstrip().endswith(f"Question: {QUESTION}")
    assert answer.answerer == "llm" and answer.grounded
    assert answer.answer == first_line(extractive.answer) and "2.567 ha" in answer.answer
    assert [c.doc_id for c in answer.citations] == [c.doc_id for c in extractive.citations]


@pytest.mark.parametrize("completion, reason", [
    ("Tổng diện tích gần 2.600 ha [1].", "number 2.600 is not in the cited source"),
    ("Tổng diện tích gần 2.567 ha [9].", "citation to a source that was not given: [9]"),
    ("Tổng diện tích gần 2.567 ha.", "sentence without a citation"),
])
def test_a_dishonest_completion_gives_the_extractive_answer_and_says_so_in_the_log(fresh, corpus_service, caplog,
                                                                                   completion, reason):
    service, server = fresh
    server.reply = lambda messages: completion
    with caplog.at_level(logging.WARNING, logger="assistant.answering.llm"):
        answer = service.ask(QUESTION)
    assert len(server.requests) == 1
    assert answer.answer == corpus_service.ask(QUESTION).answer
    assert answer.answerer.startswith("extractive (llm rejected: ") and reason in answer.answerer
    assert any("serving the extractive answer" in r.getMessage() and reason in r.getMessage() for r in caplog.records)


def test_a_streamed_completion_is_checked_like_a_whole_one(fresh):
    service, server = fresh
    events = list(service.ask_stream(QUESTION))
    assert server.requests[-1]["body"]["stream"] is True
    final = events[-1]
    assert final.answerer == "llm" and "".join(e for e in events[:-1]) == final.answer
    server.reply = lambda messages: "Tổng diện tích gần 2.600 ha [1]."
    service.clear_cache()
    events = list(service.ask_stream(QUESTION))
    assert "".join(e for e in events[:-1]) == "Tổng diện tích gần 2.600 ha [1]."  # what was streamed …
    assert "2.600" not in events[-1].answer and "number 2.600" in events[-1].answerer  # … is replaced by the check


def test_an_unreachable_server_gives_the_extractive_answer(fresh, corpus_service, tmp_path):
    from assistant.answering.llm import LLMAnswerer
    from assistant.settings import Settings

    service, _ = fresh
    with chat_server(chosen_first_line) as gone:
        url = gone.url  # nobody listens there any more
    configured = service.llm
    service.llm = LLMAnswerer.from_settings(Settings(data_dir=tmp_path, llm_base_url=url, llm_model="m", llm_timeout=5))
    try:
        answer = service.ask(QUESTION)
    finally:
        service.llm = configured
    assert answer.answer == corpus_service.ask(QUESTION).answer and "llm unavailable" in answer.answerer


def test_the_answer_evaluation_runs_in_llm_mode_with_the_same_report(fresh, corpus_service):
    service, server = fresh
    questions = load_questions(EVAL_QUESTIONS)
    served: list[str] = []

    def ask(question: str) -> dict:
        answer = service.ask(question)
        served.append(answer.answerer)
        return answer.public()

    report, _ = evaluate_answers(ask, questions, "test")
    extractive, _ = evaluate_answers(lambda q: corpus_service.ask(q).public(), questions, "test")
    assert report == extractive
    assert len(server.requests) >= 0.5 * len(served)  # every grounded documents answer went to the model
    assert served.count("llm") >= 0.5 * len(served), served
