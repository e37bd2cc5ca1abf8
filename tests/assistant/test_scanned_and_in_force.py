"""Answers from scanned copies say so; the date in force answers "when does it take effect" and filters search."""
import shutil

import pytest

from assistant.retrieval.search import Filters
from tests.conftest import FIXTURES


@pytest.fixture
def scan_service(tmp_path, make_kb, ocr_options, ocr_documents):
    from assistant.knowledge.ingestion import ingest_paths
    from assistant.runtime import build_runtime
    from assistant.settings import Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(FIXTURES / "scan-decision.pdf", docs / "qd-45-2024.pdf")  # read from the session's OCR cache
    (docs / "other.txt").write_text("Thông tin các cụm công nghiệp tỉnh Hải Dương và đất còn trống.", encoding="utf-8")
    kb = make_kb()
    report = ingest_paths(kb, [docs], ocr_options)
    assert report.ok, report.failures
    return build_runtime(Settings(data_dir=tmp_path / "service"), kb=kb).service


def test_an_answer_quoting_a_scan_says_it_comes_from_a_scanned_copy(scan_service):
    answer = scan_service.ask("Doanh nghiệp được hỗ trợ tối đa bao nhiêu chi phí thuê chuyên gia tư vấn?")
    assert answer.grounded and answer.citations[0].doc_id == "qd-45-2024"
    assert "200 triệu đồng" in answer.answer
    assert "bản scan" in answer.answer and "OCR" in answer.answer
    other = scan_service.ask("Thông tin các cụm công nghiệp tỉnh Hải Dương và đất còn trống")
    assert other.grounded and "bản scan" not in other.answer  # a text document carries no such note


def test_when_it_takes_effect_is_answered_with_the_date_in_force(scan_service):
    answer = scan_service.ask("Quyết định 45 có hiệu lực từ ngày nào?")
    first = answer.answer.splitlines()[0]
    assert first == "Quyết định 45/QĐ-UBND có hiệu lực từ ngày 01 tháng 4 năm 2024. [1]"  # as the document writes it
    assert "12/3/2024" not in first  # not the signing date
    assert answer.citations[0].section == "Điều 2" and answer.citations[0].page == 1
    assert "bản scan" in answer.answer
    english = scan_service.ask("When does Decision 45 take effect?")
    assert english.answer.startswith("Decision 45/QD-UBND takes effect on 1 April 2024. [1]")


def test_search_filters_by_date_in_force(scan_service):
    query = "hỗ trợ chi phí thuê chuyên gia tư vấn"
    hits = scan_service.search(query, filters=Filters(effective_from="2024-04-01"))
    assert hits and {h.doc_id for h in hits} == {"qd-45-2024"}
    assert scan_service.search(query, filters=Filters(effective_to="2024-03-31")) == []
    assert all(h.scanned for h in hits)


def test_the_shipped_decision_takes_effect_when_signed(corpus_service):
    answer = corpus_service.ask("Quyết định 3164 có hiệu lực từ khi nào?")
    # the words the decision uses, then the date they point to (its signing date)
    assert answer.answer.startswith("Quyết định 3164/QĐ-UBND có hiệu lực kể từ ngày ký (29/10/2021). [1]")
    assert "bản scan" not in answer.answer
