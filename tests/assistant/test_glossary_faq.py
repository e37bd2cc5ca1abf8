"""The shipped glossary and the curated-answers file."""
import pytest

from assistant.answering.faq import load_faq
from assistant.retrieval.glossary import load_glossary
from tests.conftest import ROOT


def test_shipped_glossary_is_large_and_matches_longest_phrases_first():
    glossary = load_glossary(ROOT / "corpus" / "glossary.tsv")
    assert len(glossary.en_to_vi) >= 300
    terms = glossary.vietnamese_terms("Which incentives does an industrial park offer for corporate income tax?")
    assert "khu công nghiệp" in terms and "thuế thu nhập doanh nghiệp" in terms
    assert "công nghiệp hỗ trợ" in glossary.vietnamese_terms("supporting industry")


def test_a_bad_glossary_line_is_named(tmp_path):
    path = tmp_path / "g.tsv"
    path.write_text("industrial park\tkhu công nghiệp\nno tab here\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"g.tsv:2"):
        load_glossary(path)


def test_a_bad_faq_entry_is_named(tmp_path, corpus_kb):
    kb, _ = corpus_kb
    path = tmp_path / "faq.yaml"
    path.write_text("- id: broken\n  questions_vi: ['Câu hỏi?']\n  answer_vi: Trả lời.\n  answer_en: Answer.\n  sources: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"faq.yaml: entry 1 \(broken\)"):
        load_faq(path, kb)


def test_faq_that_is_not_yaml_is_named(tmp_path, corpus_kb):
    kb, _ = corpus_kb
    path = tmp_path / "faq.yaml"
    path.write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"faq.yaml: not valid YAML"):
        load_faq(path, kb)


def test_shipped_faq_points_at_corpus_documents(corpus_kb):
    kb, _ = corpus_kb
    faq = load_faq(ROOT / "corpus" / "faq.yaml", kb)
    for entry in faq.entries:
        for source in entry.sources:
            assert kb.document(source.doc_id) is not None, source.doc_id
