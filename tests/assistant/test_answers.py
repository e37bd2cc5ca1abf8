"""Answers on the shipped corpus: the right clause cited, in the asker's language, refusal when not covered."""
import uuid

import pytest

from assistant.retrieval.search import Filters


def cited(answer):
    return {(c.doc_id, c.section) for c in answer.citations}


def test_vietnamese_question_cites_the_clause(corpus_service):
    answer = corpus_service.ask("Dự án công nghiệp hỗ trợ được ưu đãi thuế thu nhập doanh nghiệp như thế nào?")
    assert answer.grounded and answer.lang == "vi" and answer.source == "documents"
    assert ("nd-111-2015-tom-tat", "Mục 3 › 1") in cited(answer)
    assert "thuế suất ưu đãi 10% trong thời hạn 15 năm" in answer.answer.splitlines()[0]  # the fact comes first
    assert "Theo " in answer.answer.splitlines()[1]  # then the clause it comes from
    assert all(c.page for c in answer.citations if c.doc_id == "nd-111-2015-tom-tat")


def test_english_question_gets_english_framing_and_the_vietnamese_quote(corpus_service):
    answer = corpus_service.ask("What is the maximum support level of the industrial promotion programme?")
    assert answer.grounded and answer.lang == "en"
    assert ("tb-khuyen-cong-2022", "Mục III › 1") in cited(answer)
    assert "authoritative" in answer.answer and "According to Notice 215/TB-SCT" in answer.answer
    assert "“1. Mức hỗ trợ tối đa 30%" in answer.answer


def test_english_version_preferred_for_an_english_question(corpus_service):
    answer = corpus_service.ask("Which agency is the standing agency for implementing the scheme?")
    assert answer.citations[0].doc_id == "decision-3164-2021-en"
    assert answer.citations[0].section.startswith("Article 2")


def test_question_without_diacritics(corpus_service):
    answer = corpus_service.ask("ho tro may moc det may")
    assert answer.lang == "vi" and answer.grounded
    assert any(doc == "tb-khuyen-cong-2022" for doc, _ in cited(answer))
    assert "may công nghiệp xuất khẩu" in answer.answer


@pytest.mark.parametrize(
    "question, lang, phrase",
    [
        ("Mức lương tối thiểu vùng tại Hải Dương là bao nhiêu?", "vi", "không đề cập"),
        ("How do I register a trademark for my product?", "en", "do not cover"),
    ],
)
def test_refusal_in_the_askers_language_with_nearest_documents(corpus_service, question, lang, phrase):
    answer = corpus_service.ask(question)
    assert not answer.grounded and answer.source == "none" and answer.citations == []
    assert answer.lang == lang and phrase in answer.answer
    assert answer.suggestions
    assert ("Sở Công Thương" if lang == "vi" else "Department of Industry and Trade") in answer.answer


def test_superseded_document_left_out_unless_named(corpus_service):
    general = corpus_service.search("kế hoạch phát triển công nghiệp hỗ trợ", k=10)
    assert "kh-cnht-2016-2020" not in {h.doc_id for h in general}
    named = corpus_service.ask("Kế hoạch phát triển công nghiệp hỗ trợ giai đoạn 2016 - 2020 hỗ trợ đào tạo bao nhiêu?")
    assert named.citations[0].doc_id == "kh-cnht-2016-2020"
    assert "không còn hiệu lực" in named.answer and "qd-3164-2021" in named.answer


def test_exact_references_put_the_article_first(corpus_service):
    hits = corpus_service.search("Quyết định 3164 Điều 2", k=5)
    assert (hits[0].doc_id, hits[0].section.split(" › ")[0]) == ("qd-3164-2021", "Điều 2")
    hits = corpus_service.search("Decision 3164/QD-UBND Article 3", k=5)
    assert hits[0].doc_id in {"decision-3164-2021-en", "qd-3164-2021"}
    assert hits[0].section.split(" › ")[0] in {"Article 3", "Điều 3"}
    hits = corpus_service.search("Nghị định 111/2015/NĐ-CP", k=3)
    assert hits[0].doc_id == "nd-111-2015-tom-tat"


def test_issue_date_answered_from_the_header(corpus_service):
    answer = corpus_service.ask("When was Decision 3164 issued?")
    assert answer.grounded and "29 October 2021" in answer.answer
    assert answer.citations[0].doc_id in {"decision-3164-2021-en", "qd-3164-2021"}


def test_follow_up_keeps_the_context(corpus_service):
    session = uuid.uuid4().hex
    first = corpus_service.ask("How many industrial parks are there?", session_id=session)
    assert "14" in first.answer
    follow = corpus_service.ask("And the clusters?", session_id=session)
    assert follow.grounded and "53" in follow.answer
    assert {c.doc_id for c in follow.citations} & {"cum-cong-nghiep-hai-duong", "investor-guide-en"}
    vi_session = uuid.uuid4().hex
    corpus_service.ask("Tỉnh có bao nhiêu cụm công nghiệp?", session_id=vi_session)
    land = corpus_service.ask("Còn diện tích đất công nghiệp?", session_id=vi_session)
    assert land.grounded and "1.860,24 ha" in land.answer


def test_curated_answer_served_only_for_a_close_match(corpus_service):
    curated = corpus_service.ask("CNHT là gì?")
    assert curated.source == "faq" and curated.grounded
    assert {c.doc_id for c in curated.citations} == {"nd-111-2015-tom-tat", "hoi-dap-cnht-la-gi"}
    other = corpus_service.ask("Tỉnh có bao nhiêu cụm công nghiệp?")
    assert other.source == "documents" and "53" in other.answer  # not the parks entry


def test_filters_restrict_type_language_and_date(corpus_service):
    decisions = corpus_service.search("công nghiệp hỗ trợ", k=10, filters=Filters(doc_types=["decision"]))
    assert decisions and {h.doc_type for h in decisions} == {"decision"}
    english = corpus_service.search("supporting industry incentives", k=10, filters=Filters(lang="en"))
    assert english and {h.lang for h in english} == {"en"}
    dated = corpus_service.search("công nghiệp hỗ trợ", k=10, filters=Filters(date_from="2022-01-01"))
    assert dated and all(h.issued_date >= "2022-01-01" for h in dated)


def test_retriever_is_a_langchain_retriever(corpus_service):
    from assistant.retrieval.search import CnhtRetriever

    documents = CnhtRetriever(searcher=corpus_service.searcher, k=3).invoke("khu công nghiệp")
    assert len(documents) == 3 and documents[0].metadata["doc_id"]


@pytest.fixture(params=["sqlite", "redis"])
def cached_service(request, corpus_service, corpus_kb, tmp_path_factory):
    """The service over the corpus with its answer cache in SQLite (the default) or in Redis under a test prefix."""
    if request.param == "sqlite":
        return corpus_service
    from assistant.runtime import build_runtime
    from assistant.settings import Settings

    url, prefix = request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
    settings = Settings(data_dir=tmp_path_factory.mktemp("redis-service"), redis_url=url, redis_prefix=prefix)
    return build_runtime(settings, kb=corpus_kb[0]).service


def test_repeated_questions_are_answered_from_the_cache_until_the_index_changes(cached_service, corpus_kb, tmp_path):
    from assistant.knowledge.ingestion import ingest_paths
    from ingest.pipeline import ParseOptions

    kb, _ = corpus_kb
    corpus_service = cached_service
    first = corpus_service.ask("Khóa học ISO 31000 kéo dài mấy ngày?")
    assert corpus_service.ask("Khóa học ISO 31000 kéo dài mấy ngày?") is first
    (tmp_path / "tam-thoi.txt").write_text("Văn bản tạm thời để đổi chỉ mục.", encoding="utf-8")
    ingest_paths(kb, [tmp_path], ParseOptions())
    try:
        again = corpus_service.ask("Khóa học ISO 31000 kéo dài mấy ngày?")
        assert again is not first and again.answer == first.answer
    finally:
        kb.remove("tam-thoi")


def test_a_second_worker_shares_remembered_answers_and_conversations(cached_service, corpus_kb):
    """Another process on the same data directory (a second `cnht serve` worker, or a restart)
    continues a conversation and reuses answers without working them out again."""
    from assistant.runtime import build_service

    kb, _ = corpus_kb
    corpus_service = cached_service
    corpus_service.clear_cache()  # another test may have asked the same follow-up: it must be worked out here
    session = uuid.uuid4().hex
    first = corpus_service.ask("How many industrial parks are there?", session_id=session)
    other = build_service(corpus_service.settings, corpus_service.database, kb)
    searched = []
    original = other.searcher.search
    other.searcher.search = lambda *a, **k: searched.append(a) or original(*a, **k)
    again = other.ask("How many industrial parks are there?")
    assert again.answer == first.answer and again.citations == first.citations and not searched
    follow = other.ask("And the clusters?", session_id=session)
    assert searched and "53" in follow.answer
