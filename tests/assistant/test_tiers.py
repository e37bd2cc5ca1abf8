"""A regulation states one value per band of a quantity; a question that states the quantity is answered
by the clause whose band holds it, not by the first band."""
from assistant.answering.tiers import Quantity, band, fits, stated_quantities
from assistant.retrieval.search import Hit, analyse
from ingest.models import DocumentMeta

ARTICLE = [
    "1. Đối với dự án có tổng mức đầu tư đến 300 tỷ đồng, mức ký quỹ được xác định từ 1,5% đến 3% tổng mức đầu tư.",
    "2. Đối với dự án có tổng mức đầu tư trên 300 tỷ đồng đến 1.000 tỷ đồng, mức ký quỹ được xác định từ 1% đến 1,5% tổng mức đầu tư.",
    "3. Đối với dự án có tổng mức đầu tư trên 1.000 tỷ đồng, mức ký quỹ được xác định là 0,5% tổng mức đầu tư.",
]


def test_quantities_are_read_as_each_language_writes_numbers():
    assert stated_quantities("Dự án có tổng mức đầu tư 1.000 tỷ đồng thì ký quỹ bao nhiêu?", "vi") == [Quantity(1e12, "money")]
    assert stated_quantities("A project of VND 1,000 billion: how much is the deposit?", "en") == [Quantity(1e12, "money")]
    assert stated_quantities("Khu đất 12,5 ha", "vi") == [Quantity(12.5, "area")]


def test_a_band_is_a_condition_not_the_value_a_clause_grants():
    assert band(ARTICLE[0], "money") == (None, 300e9)
    low, high = band(ARTICLE[1], "money")
    assert low == 300e9 and high == 1000e9
    # a ceiling granted is not a band; a total stated without a bound word is not one either
    assert band("Hỗ trợ tối đa 300 triệu đồng/doanh nghiệp.", "money") is None
    assert band("Dự án có tổng mức đầu tư 500 tỷ đồng.", "money") is None
    assert fits(ARTICLE[0], [Quantity(1e12, "money")]) is False
    assert fits(ARTICLE[1], [Quantity(1e12, "money")]) is True  # "đến 1.000 tỷ" holds 1.000 tỷ
    assert fits(ARTICLE[2], [Quantity(1e12, "money")]) is False


def _hit(n: int, text: str) -> Hit:
    meta = DocumentMeta(doc_id="nd-ky-quy", source="nd-ky-quy.docx", fmt="docx", title="Nghị định về ký quỹ",
                        doc_number="99/2025/NĐ-CP", doc_type="decree")
    return Hit(meta, f"nd-ky-quy#{n}", f"nd-ky-quy#{n}@1", f"Điều 5 › Khoản {n}", None, 1.0 - n / 10, text)


def test_the_clause_whose_band_holds_the_amount_asked_comes_first(corpus_service):
    hits = [_hit(i + 1, text) for i, text in enumerate(ARTICLE)]
    for question in ("Dự án có tổng mức đầu tư 2.000 tỷ đồng thì mức ký quỹ là bao nhiêu phần trăm?",
                     "What deposit rate applies to a project with a total investment of VND 2,000 billion?"):
        candidates, _, _ = corpus_service.extractive.rank(analyse(question), hits)
        assert "trên 1.000 tỷ đồng" in candidates[0].text, question
    candidates, _, _ = corpus_service.extractive.rank(analyse("Dự án 200 tỷ đồng thì mức ký quỹ là bao nhiêu phần trăm?"), hits)
    assert "đến 300 tỷ đồng" in candidates[0].text
