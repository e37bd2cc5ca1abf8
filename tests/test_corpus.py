"""The corpus the product ships with: it ingests cleanly and the evaluation set points at it."""
import json
import re
from collections import Counter

from tests.conftest import CORPUS, FIXTURES, ROOT


def test_the_shipped_corpus_ingests_without_a_failure(corpus_kb):
    kb, report = corpus_kb
    assert report.failures == []
    records = {r.doc_id: r for r in kb.documents()}
    assert len(records) >= 12
    formats = {r.meta.fmt for r in records.values()}
    assert formats >= {"pdf", "docx", "html", "markdown", "text", "jsonl"}
    assert sum(r.meta.fmt == "pdf" for r in records.values()) >= 2
    assert sum(r.meta.fmt == "docx" for r in records.values()) >= 2
    assert {r.meta.lang for r in records.values()} == {"vi", "en"}


def test_decision_3164_metadata_and_articles(corpus_kb):
    kb, _ = corpus_kb
    decision = kb.document("qd-3164-2021")
    assert decision.meta.doc_number == "3164/QĐ-UBND"
    assert decision.meta.issued_date == "2021-10-29"
    assert decision.meta.doc_type == "decision"
    sections = [c["section"] for c in kb.registry.chunks_of("qd-3164-2021")]
    assert {"Điều 1", "Điều 2", "Điều 3"} <= set(sections)
    english = kb.document("decision-3164-2021-en")
    assert (english.meta.lang, english.meta.doc_number) == ("en", "3164/QD-UBND")


def test_the_superseded_plan_is_marked_by_its_sidecar(corpus_kb):
    kb, _ = corpus_kb
    plan = kb.document("kh-cnht-2016-2020")
    assert (plan.meta.status, plan.meta.superseded_by) == ("superseded", "qd-3164-2021")
    assert kb.document("qd-3164-2021").meta.status == "in_force"


def test_pdf_chunks_carry_pages(corpus_kb):
    kb, _ = corpus_kb
    pages = {c["page"] for c in kb.registry.chunks_of("de-an-cnht-2021-2025")}
    assert None not in pages and max(pages) >= 2


def test_sample_data_is_marked_inside_the_documents(corpus_kb):
    kb, _ = corpus_kb
    for doc_id in ("tb-khuyen-cong-2022", "tb-ho-tro-cnht-2026", "dao-tao-kaizen", "dao-tao-iso-31000", "hoi-dap-lien-he", "kh-cnht-2016-2020"):
        text = " ".join(c["text"] for c in kb.registry.chunks_of(doc_id)).lower()
        assert "dữ liệu mẫu" in text, doc_id
    assert "SAMPLE DATA" in " ".join(c["text"] for c in kb.registry.chunks_of("investor-guide-en"))


def test_evaluation_questions_cover_languages_and_point_at_real_documents(corpus_kb):
    kb, _ = corpus_kb
    doc_ids = {r.doc_id for r in kb.documents()}
    rows = [json.loads(line) for line in (ROOT / "corpus" / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 150
    assert len({r["id"] for r in rows}) == len(rows)
    variants = Counter(r["variant"] for r in rows if r["gold_passage_ids"])
    assert set(variants) == {"vi", "en", "vi_nodiacritics"}
    assert max(variants.values()) - min(variants.values()) <= 5
    assert sum(1 for r in rows if not r["gold_passage_ids"]) >= 15
    for row in rows:
        assert set(row["gold_passage_ids"]) <= doc_ids, row["id"]


def test_corpus_readme_lists_every_document():
    readme = (ROOT / "corpus" / "README.md").read_text(encoding="utf-8")
    for path in CORPUS.iterdir():
        if not path.name.endswith(".meta.yaml"):
            assert path.name in readme, path.name


_LEAKED_PATTERN_RE = re.compile(r"\(\?(?:<?[=!]|:)|\\[sdwbSDWB][+*?]?|\[\^|\(\?P<")


def test_no_chunk_or_title_carries_a_leaked_pattern_or_garbage(corpus_kb, ocr_documents, options):
    from ingest.pipeline import parse_file
    from ingest.textquality import garbled_ratio, readable

    kb, _ = corpus_kb
    texts = {}
    for record in kb.documents():
        texts[record.doc_id] = (record.meta.title, [c["text"] for c in kb.registry.chunks_of(record.doc_id)])
    for name in ("decision.pdf", "decision.docx", "font-substitutes.pdf"):
        document = parse_file(FIXTURES / name, options).documents[0]
        texts[name] = (document.meta.title, [c.text for c in document.chunks])
    for name, document in ocr_documents.items():
        texts[name] = (document.meta.title, [c.text for c in document.chunks])
    for name, (title, chunks) in texts.items():
        assert readable(title), (name, title)
        for text in chunks:
            assert not _LEAKED_PATTERN_RE.search(text), (name, text)
            assert garbled_ratio(text) <= 0.1, (name, text)
