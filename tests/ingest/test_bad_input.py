"""Every kind of bad file gets a one-line reason naming the file (and line)."""
import json

import pytest

from ingest.pipeline import ParseOptions, discover, parse_file
from tests.conftest import FIXTURES, require_tool


def failure_of(path, options=None):
    result = parse_file(path, options or ParseOptions())
    assert result.documents == [], f"{path.name} should not produce documents"
    assert len(result.failures) == 1
    failure = result.failures[0]
    assert failure.source == str(path)
    assert "\n" not in failure.reason
    return failure.reason


def without_ocr():
    options = ParseOptions()
    options.ocr.enabled = False
    return options


def test_scanned_pdf_needs_ocr_when_ocr_is_off():
    reason = failure_of(FIXTURES / "scanned.pdf", without_ocr())
    assert reason.startswith("no text layer: needs OCR") and "--no-ocr" in reason


def test_garbled_text_layer_reported_like_a_scan_when_ocr_is_off():
    reason = failure_of(FIXTURES / "garbled.pdf", without_ocr())
    assert "garbled" in reason and "needs OCR" in reason


def test_a_scan_of_a_picture_has_no_text_even_by_ocr():
    require_tool("tesseract")
    assert failure_of(FIXTURES / "scanned.pdf").startswith("no text found, even by OCR")


def test_without_tesseract_a_scan_names_the_packages_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract, no pdftoppm
    for name in ("scanned.pdf", "garbled-layer.pdf", "scan-header.png"):
        reason = failure_of(FIXTURES / name)
        assert "tesseract-ocr-vie" in reason and "make converters" in reason, name


def test_a_scanned_image_needs_ocr_when_ocr_is_off():
    assert "needs OCR" in failure_of(FIXTURES / "scan-header.png", without_ocr())


def test_encrypted_pdf():
    assert "encrypted PDF" in failure_of(FIXTURES / "encrypted.pdf")


def test_corrupt_pdf(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nthis is not a pdf body\n%%EOF")
    assert "PDF" in failure_of(path)


def test_truncated_docx(tmp_path):
    path = tmp_path / "cut.docx"
    path.write_bytes((FIXTURES / "decision.docx").read_bytes()[:3000])
    assert "corrupt" in failure_of(path).lower()


def test_zero_byte_file(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert failure_of(path) == "empty file (0 bytes)"


def test_text_file_with_no_text(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text("   \n\n \t\n", encoding="utf-8")
    assert failure_of(path) == "no text in the document"


@pytest.mark.parametrize("name", ["photo.pdf", "photo.txt", "photo.docx"])
def test_binary_with_wrong_extension(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert "PNG image" in failure_of(path)


def test_file_over_the_size_limit_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    reason = failure_of(path)
    assert "200.0 MB" in reason and "CNHT_MAX_FILE_MB" in reason


def test_non_utf8_text(tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes("Thông báo của Sở Công Thương".encode("latin-1", "replace"))
    reason = failure_of(path)
    assert reason.startswith("not UTF-8 text") and "save it as UTF-8" in reason


def test_html_that_is_all_scripts(tmp_path):
    path = tmp_path / "app.html"
    path.write_text("<html><head><script>var a = 1;</script></head><body><script>render()</script><noscript>JS</noscript></body></html>")
    assert failure_of(path) == "no text in the document"


def test_deeply_nested_html(tmp_path):
    path = tmp_path / "nested.html"
    path.write_text("<div>" * 20000 + "Nội dung sâu" + "</div>" * 20000)
    assert "nested more than" in failure_of(path)


def test_ordinarily_nested_html_is_read(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<div>" * 60 + "<p>Nội dung sâu</p>" + "</div>" * 60)
    assert "Nội dung sâu" in parse_file(path, ParseOptions()).documents[0].chunks[0].text


def test_deeply_nested_folders_are_walked(tmp_path):
    folder = tmp_path
    for level in range(40):
        folder = folder / f"l{level}"
    folder.mkdir(parents=True)
    (folder / "deep.txt").write_text("Văn bản nằm rất sâu.", encoding="utf-8")
    assert discover([tmp_path]).files == [folder / "deep.txt"]


def test_jsonl_bad_lines_named_and_good_lines_kept(tmp_path):
    path = tmp_path / "records.jsonl"
    lines = [
        json.dumps({"id": "ok-1", "text": "Văn bản một."}, ensure_ascii=False),
        "{not json",
        json.dumps({"text": "thiếu id"}, ensure_ascii=False),
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "ok-1", "text": "trùng id"}, ensure_ascii=False),
        "[1, 2]",
        "[" * 100000 + "]" * 100000,
        json.dumps({"id": "ok-2", "text": "Văn bản hai."}, ensure_ascii=False),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    result = parse_file(path, ParseOptions())
    assert [d.meta.doc_id for d in result.documents] == ["ok-1", "ok-2"]
    reasons = {f.line: f.reason for f in result.failures}
    assert set(reasons) == {2, 3, 4, 5, 6, 7}
    assert reasons[2].startswith("not valid JSON")
    assert reasons[3] == "missing 'id'"
    assert reasons[4] == "missing 'text'"
    assert reasons[5] == "duplicate id 'ok-1' (first on line 1)"
    assert all(f.source == str(path) for f in result.failures)
    assert str(result.failures[0]).startswith(f"{path}:2: ")


def test_bad_sidecar_and_bad_status_are_reasons(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("Nội dung.", encoding="utf-8")
    (tmp_path / "doc.meta.yaml").write_text("status: [unclosed", encoding="utf-8")
    assert "sidecar doc.meta.yaml is not valid YAML" in failure_of(path)
    (tmp_path / "doc.meta.yaml").write_text("status: repealed\n", encoding="utf-8")
    assert failure_of(path) == "status 'repealed' is not one of in_force, expired, superseded"


def test_unsupported_files_in_a_folder_are_skipped_not_failed(tmp_path):
    (tmp_path / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "ok.txt").write_text("Nội dung.", encoding="utf-8")
    found = discover([tmp_path])
    assert found.files == [tmp_path / "ok.txt"]
    assert [(s.source, s.reason) for s in found.skipped] == [(str(tmp_path / "sheet.xlsx"), "unsupported file type .xlsx")]


def test_without_tesseract_a_text_pdf_with_a_blank_page_still_goes_in(tmp_path, monkeypatch):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 6, "Supporting industry projects may receive land rent exemptions under the land law. " * 4)
    pdf.add_page()  # a blank page: nothing to read, by OCR or otherwise
    path = tmp_path / "with-blank-page.pdf"
    pdf.output(str(path))
    monkeypatch.setenv("PATH", str(tmp_path))
    result = parse_file(path, ParseOptions())
    assert result.failures == [] and result.documents[0].meta.ocr_pages == []


def test_a_docx_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    import zipfile

    bomb = tmp_path / "bomb.docx"  # ~300 KB on disk, 300 MB of zeros inside
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            for _ in range(300):
                member.write(b"\0" * (1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    reason = failure_of(bomb)
    assert "unpacks to more than 200 MB" in reason and "CNHT_MAX_UNPACKED_MB" in reason


def test_a_pdf_over_the_page_limit_is_refused_naming_the_limit():
    from ingest.loaders import ParseLimits

    options = ParseOptions(limits=ParseLimits(pages=1))
    reason = failure_of(FIXTURES / "decision.pdf", options)
    assert "pages is over the limit of 1" in reason and "CNHT_MAX_PAGES" in reason


@pytest.mark.timeout(120)
def test_joining_wrapped_lines_is_linear_in_the_text():
    """200,000 wrapped lines of one paragraph (a 20,000-page document's worth): joining them piece by piece
    into a growing string took hours; now it is one join."""
    from ingest.loaders import join_wrapped_lines

    lines = ["đây là một dòng văn bản nối tiếp dòng trước"] * 200_000
    [paragraph] = join_wrapped_lines(lines)
    assert len(paragraph) == 200_000 * len(lines[0]) + 199_999
