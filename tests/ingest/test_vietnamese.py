import unicodedata

from ingest.language import detect_language
from ingest.vietnamese import fold, folded_terms, normalize_text, segment_words


def test_decomposed_input_becomes_nfc():
    decomposed = unicodedata.normalize("NFD", "Hỗ trợ doanh nghiệp")
    assert normalize_text(decomposed) == "Hỗ trợ doanh nghiệp"


def test_old_and_new_tone_placement_match():
    assert normalize_text("hoà") == normalize_text("hòa")
    assert normalize_text("thuỷ") == normalize_text("thủy")
    assert normalize_text("Uỷ ban khoẻ mạnh") == normalize_text("Ủy ban khỏe mạnh")
    assert normalize_text("HOÀ") == normalize_text("HÒA")


def test_tone_rule_leaves_closed_syllables_and_qu_alone():
    assert normalize_text("hoàng quý ngoài hoạch") == "hoàng quý ngoài hoạch"


def test_pdf_font_substitutes_repaired():
    assert normalize_text("ƣu đãi đầu tƣ, Ƣu tiên") == "ưu đãi đầu tư, Ưu tiên"


def test_stray_spaces_collapsed_keeping_lines():
    assert normalize_text("a \u00a0 b\t c\n  d ") == "a b c\nd"


def test_fold_removes_every_diacritic():
    assert fold("Hỗ trợ Đầu tư Công nghiệp") == "ho tro dau tu cong nghiep"


def test_segmentation_keeps_document_numbers_and_dates_whole():
    tokens = segment_words("Quyết định số 3164/QĐ-UBND ngày 29/10/2021 về hỗ trợ doanh nghiệp, diện tích 1.860,24 ha")
    assert "3164/qđ-ubnd" in tokens
    assert "29/10/2021" in tokens
    assert "1.860,24" in tokens
    assert "doanh_nghiệp" in tokens


def test_folded_terms_let_unaccented_text_match():
    accented = set(folded_terms("hỗ trợ doanh nghiệp"))
    plain = set(folded_terms("ho tro doanh nghiep"))
    assert plain <= accented
    assert "doanh_nghiep" in plain


def test_language_of_short_and_unaccented_questions():
    assert detect_language("ho tro may moc det may") == "vi"
    assert detect_language("khu cong nghiep o dau") == "vi"
    assert detect_language("Quyết định 3164") == "vi"
    assert detect_language("What incentives apply to supporting industry?") == "en"
    assert detect_language("How many industrial parks are there?") == "en"
