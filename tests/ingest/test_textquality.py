"""The per-page text-quality check: garbled layers in any script are caught, real text in either language passes."""
import pytest

from ingest.textquality import page_problem, readable

VIETNAMESE = (
    "Điều 1. Doanh nghiệp sản xuất sản phẩm công nghiệp hỗ trợ thuộc Danh mục ưu tiên phát triển được hỗ trợ "
    "tối đa 50% chi phí thuê chuyên gia tư vấn cải tiến sản xuất, không quá 200 triệu đồng mỗi năm. Hồ sơ nộp tại "
    "Sở Công Thương trước ngày 30 tháng 9 hằng năm; Số: 3164/QĐ-UBND, ISO 9001, KCN Đại An."
)
ENGLISH = (
    "Article 1. Enterprises that manufacture supporting industry products on the priority list may receive up to "
    "50% of the cost of hiring consultants to improve production, capped at VND 200 million a year. Applications "
    "are filed with the Department of Industry and Trade before 30 September of each year."
)
GARBLED = {
    # broken OCR of a Vietnamese header by an English model: it was indexed as English
    "broken OCR": "UY BAN NHAN DAN ceNG noa xA Her cHU Ncuia vrET NAM TiNH HAI DUONG Dec lap Tu do Hanh phtic " * 3,
    # the same text with its diacritics lost: neither Vietnamese as officially written nor English
    "diacritics lost": "Quyet dinh nay quy dinh ve ho tro doanh nghiep cong nghiep ho tro tren dia ban tinh Hai Duong "
    "trong giai doan tu nam hai khong hai mot den nam hai khong hai lam theo ke hoach cua Uy ban nhan dan tinh",
    "TCVN3 font mapping": "Qu¶n lý nhµ n­íc vÒ c«ng nghiÖp hç trî cña tØnh H¶i D­¬ng ®­îc giao cho Së C«ng Th­¬ng " * 2,
    "Cyrillic lookalikes": "Ѕở Сông Тhương tỉnh Нải Dương hỗ trợ doanh nghiệp ѕản хuất ѕản phẩm сông nghiệp Ηỗ trợ " * 2,
    "private-use glyphs": "\ue01a\ue022\ue03b \ue044\ue019 \ue0a0\ue0b1\ue0c2 \ue011\ue012 " * 12,
    "symbol soup": "#@% ^&* ~|~ <<>> §§ ¤¤ ¦¦ ¬¬ " * 10,
}


def test_real_vietnamese_and_english_pages_pass():
    assert page_problem(VIETNAMESE) == ""
    assert page_problem(ENGLISH) == ""


@pytest.mark.parametrize("kind", sorted(GARBLED))
def test_garbled_layers_in_any_script_are_caught(kind):
    assert page_problem(GARBLED[kind]) != "", kind


def test_short_pages_are_judged_by_their_words_only():
    assert page_problem("Trang 5") == ""
    assert page_problem("Nơi nhận: - Như Điều 3; - Lưu: VT.") == ""


def test_titles_that_no_one_could_read_are_not_readable():
    assert readable("Về việc ban hành Quy chế hỗ trợ doanh nghiệp")
    assert readable("Investor guide to supporting industries")
    assert not readable("ceNG noa xA Her cHU Ncuia vrET NAM")
    assert not readable("")
