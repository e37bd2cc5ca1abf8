"""Each supported format read into the right text, pages, metadata and sections."""
import json

from ingest.pipeline import parse_file
from tests.conftest import FIXTURES, require_tool


def only_document(path, options):
    result = parse_file(path, options)
    assert result.failures == []
    assert len(result.documents) == 1
    return result.documents[0]


def test_pdf_has_pages_header_metadata_and_articles(options):
    document = only_document(FIXTURES / "decision.pdf", options)
    meta = document.meta
    assert (meta.doc_number, meta.doc_type, meta.issued_date, meta.place) == ("3164/QĐ-UBND", "decision", "2021-10-29", "Hải Dương")
    assert meta.pages == 2
    sections = [c.section for c in document.chunks]
    assert {"Điều 1", "Điều 2", "Điều 3"} <= set(sections)
    article_3 = next(c for c in document.chunks if c.section == "Điều 3")
    assert article_3.page == 2
    text = "\n".join(c.text for c in document.chunks)
    assert "Trang 1" not in text and "Trang 2" not in text  # page-number footers dropped


def test_signed_pdf_number_and_date_read_from_its_signature_stamps(options):
    # the text layer leaves "Số:      /QĐ-UBND" and "ngày      tháng      năm 2021" blank; the signature
    # fields stamp 3164, 29 and 10 over the blanks
    document = only_document(FIXTURES / "signed-copy.pdf", options)
    meta = document.meta
    assert (meta.doc_number, meta.issued_date, meta.issuer) == ("3164/QĐ-UBND", "2021-10-29", "ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG")


def test_stamps_fill_the_blanks_by_role_and_are_never_guessed_in():
    from ingest.loaders import Stamp, fill_stamped_blanks

    def stamps(*placed):
        return [Stamp(text, left, top) for text, left, top in placed]

    text = "Số:        /QĐ-UBND   Hải Dương, ngày      tháng      năm 2021"
    filled = "Số: 3164/QĐ-UBND   Hải Dương, ngày 29 tháng 10 năm 2021"
    # the number is the leftmost stamp, the day and month follow left to right, whatever order they are listed in
    assert fill_stamped_blanks(text, stamps(("10", 470, 748), ("3164", 80, 745), ("29", 420, 748))) == filled
    right_column_first = "Hải Dương, ngày      tháng      năm 2021 Số:        /QĐ-UBND"
    assert fill_stamped_blanks(right_column_first, stamps(("3164", 80, 745), ("29", 420, 748), ("10", 470, 748))) == (
        "Hải Dương, ngày 29 tháng 10 năm 2021 Số: 3164/QĐ-UBND")
    assert fill_stamped_blanks(text, stamps(("3164", 80, 745), ("29", 420, 748))) == text  # three blanks, two stamps
    assert fill_stamped_blanks(text, stamps(("3164", 80, 745), ("29", 420, 748), ("2", 300, 60))) == text  # not one line
    assert fill_stamped_blanks(text, stamps(("3164", 80, 745), ("29", 420, 748), ("13", 470, 748))) == text  # no 13th month
    assert fill_stamped_blanks("Số: 12/QĐ-UBND", stamps(("3164", 80, 745))) == "Số: 12/QĐ-UBND"  # no blank


def test_a_malformed_signature_field_does_not_refuse_a_readable_pdf(options, tmp_path):
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, NameObject, NullObject

    writer = PdfWriter(clone_from=str(FIXTURES / "signed-copy.pdf"))
    annotations = writer.pages[0]["/Annots"]
    annotations[0].get_object()[NameObject("/Rect")] = ArrayObject([NameObject("/Bad")])  # unreadable position
    annotations.append(NullObject())
    broken = tmp_path / "broken-stamps.pdf"
    writer.write(str(broken))
    document = only_document(broken, options)
    assert document.meta.issued_date == "" and document.meta.doc_number == ""  # two stamps for three blanks: left blank
    assert "Phê duyệt Đề án" in document.meta.title


def test_pdf_running_header_and_page_break_repaired(options):
    from tests.conftest import CORPUS

    document = only_document(CORPUS / "nd-111-2015-tom-tat.pdf", options)
    text = "\n".join(c.text for c in document.chunks)
    assert "Sở Công Thương - Tóm tắt Nghị định" not in text
    assert "ưu đãi thuế thu nhập doanh nghiệp theo pháp luật" in text  # the sentence crossing the page break is whole


def test_pdf_font_substitutes_repaired(options):
    document = only_document(FIXTURES / "font-substitutes.pdf", options)
    text = document.chunks[0].text
    assert "ƣ" not in text
    assert "ưu đãi đầu tư" in text


def test_docx_header_table_and_articles(options):
    document = only_document(FIXTURES / "decision.docx", options)
    assert document.meta.doc_number == "3164/QĐ-UBND"
    assert document.meta.issuer == "ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG"
    article_1 = next(c for c in document.chunks if c.section == "Điều 1")
    assert "k) Giải pháp nâng cao các dịch vụ hỗ trợ cho doanh nghiệp." in article_1.text
    assert article_1.section_at(article_1.text.index("k) Giải pháp")) == "Điều 1 › Khoản 3 › Điểm k"


def test_docx_tables_become_readable_rows(tmp_path, options):
    import docx

    path = tmp_path / "table.docx"
    document = docx.Document()
    document.add_paragraph("Danh sách chương trình hỗ trợ năm 2022")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["Chương trình", "Mức hỗ trợ", "Hạn nộp"]):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["Kaizen", "Miễn phí", "05/6/2022"]):
        cell.text = text
    document.save(path)
    parsed = only_document(path, options)
    assert "Kaizen | Miễn phí | 05/6/2022" in parsed.chunks[0].text


def test_doc_word_97_through_a_converter(options):
    require_tool("antiword")
    document = only_document(FIXTURES / "decision.doc", options)
    assert document.meta.doc_number == "3164/QĐ-UBND"
    assert {"Điều 1", "Điều 2", "Điều 3"} <= {c.section for c in document.chunks}


def test_html_main_text_without_navigation_scripts_or_footer(options):
    from tests.conftest import CORPUS

    document = only_document(CORPUS / "dao-tao-kaizen.html", options)
    text = "\n".join(c.text for c in document.chunks)
    assert document.meta.title.startswith("Khóa đào tạo nâng cao nhận thức về phương pháp cải tiến Kaizen")
    assert "Nhận diện 7 loại lãng phí trong sản xuất" in text
    assert "Thời gian | 02 ngày, 14 - 15/6/2022" in text
    for boilerplate in ("Trang chủ", "dataLayer", "Bản quyền thuộc", "Tin nổi bật", "font-family"):
        assert boilerplate not in text
    assert any(c.section == "2. Đối tượng tham gia" for c in document.chunks)


def test_markdown_front_matter_and_headings(tmp_path, options):
    path = tmp_path / "plan.md"
    path.write_text(
        "---\ndoc_id: kh-2024\ntitle: Kế hoạch 2024\nstatus: expired\nissued_date: 2024-01-15\n---\n"
        "# Kế hoạch 2024\n\n## 1. Mục tiêu\n\nHỗ trợ **50** doanh nghiệp tham gia [chuỗi cung ứng](http://x).\n",
        encoding="utf-8",
    )
    document = only_document(path, options)
    assert (document.meta.doc_id, document.meta.status, document.meta.issued_date) == ("kh-2024", "expired", "2024-01-15")
    chunk = next(c for c in document.chunks if "Hỗ trợ" in c.text)
    assert "Hỗ trợ 50 doanh nghiệp tham gia chuỗi cung ứng." in chunk.text
    assert chunk.section == "1. Mục tiêu"


def test_plain_text_language_detected(tmp_path, options):
    path = tmp_path / "note.txt"
    path.write_text("Supporting industry projects may receive land rent exemptions under the land law.", encoding="utf-8")
    assert only_document(path, options).meta.lang == "en"


def test_jsonl_records_become_documents_with_metadata(tmp_path, options):
    path = tmp_path / "records.jsonl"
    rows = [
        {"id": "a-1", "text": "Điều 1. Phạm vi\nLuật này quy định về hóa chất.", "title": "Luật Hóa chất - Điều 1", "law_id": "69/2025"},
        {"id": "b-2", "text": "Supporting industries make components.", "lang": "en"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = parse_file(path, options)
    assert result.failures == []
    first, second = result.documents
    assert (first.meta.doc_id, first.meta.title, first.meta.extra["law_id"]) == ("a-1", "Luật Hóa chất - Điều 1", "69/2025")
    assert first.chunks[0].section == "Điều 1"
    assert (second.meta.doc_id, second.meta.lang) == ("b-2", "en")


def test_sidecar_marks_a_document_superseded_without_editing_it(tmp_path, options):
    path = tmp_path / "old-plan.txt"
    path.write_text("Kế hoạch phát triển công nghiệp hỗ trợ giai đoạn 2016 - 2020.", encoding="utf-8")
    before = only_document(path, options)
    (tmp_path / "old-plan.meta.yaml").write_text("status: superseded\nsuperseded_by: qd-3164-2021\n", encoding="utf-8")
    after = only_document(path, options)
    assert before.meta.status == "in_force"
    assert (after.meta.status, after.meta.superseded_by) == ("superseded", "qd-3164-2021")
    assert after.content_hash != before.content_hash  # so `cnht ingest` replaces it


def test_personal_data_masked_in_indexed_text(tmp_path, options):
    path = tmp_path / "list.txt"
    path.write_text("Người liên hệ: bà Trần Thị B, sinh ngày 02/09/1980, di động 0987654321, email tranb@yahoo.com.", encoding="utf-8")
    text = only_document(path, options).chunks[0].text
    assert "0987654321" not in text and "tranb@yahoo.com" not in text and "02/09/1980" not in text
    assert "Trần Thị B" in text


def test_date_in_force_read_into_metadata_and_overridable_by_a_sidecar(tmp_path, options):
    path = tmp_path / "qd-45.txt"
    path.write_text(
        "ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG\nSố: 45/QĐ-UBND\nHải Dương, ngày 12 tháng 3 năm 2024\nQUYẾT ĐỊNH\n"
        "Về việc hỗ trợ doanh nghiệp\nĐiều 1. Hỗ trợ tối đa 50% chi phí.\n"
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\n",
        encoding="utf-8",
    )
    assert only_document(path, options).meta.effective_date == "2024-03-12"
    (tmp_path / "qd-45.meta.yaml").write_text("effective_date: 2024-04-01\n", encoding="utf-8")
    assert only_document(path, options).meta.effective_date == "2024-04-01"
    (tmp_path / "qd-45.meta.yaml").write_text("effective_date: 1/4/2024\n", encoding="utf-8")
    assert parse_file(path, options).failures[0].reason == "effective_date '1/4/2024' must be YYYY-MM-DD"


def test_an_unreadable_title_falls_back_to_the_file_name_and_an_illegible_number_stays_blank(tmp_path, options):
    path = tmp_path / "QĐ_45_2024_ho_tro.txt"
    path.write_text(
        "UY BAN NHAN DAN ceNG noa xA Her cHU Ncuia vrET NAM\nS6: 4S/QD-UBND Hai Duong, ngay 12 thang 3 nam 2024\n"
        "QUYẾT ĐỊNH\nceNG noa xA Her cHU Ncuia vrET\nĐiều 1. Doanh nghiệp được hỗ trợ tối đa 50% chi phí.\n",
        encoding="utf-8",
    )
    meta = only_document(path, options).meta
    assert meta.title == "QĐ 45 2024 ho tro"
    assert meta.doc_number == ""  # never "4S/QD-UBND" nor a guess
