"""Scanned documents read by OCR (Tesseract, Vietnamese): text, legal structure and metadata as from a text layer."""
import re
import shutil

from ingest.ocr import OcrOptions, clean_ocr_text
from ingest.pipeline import ParseOptions, parse_file
from ingest.vietnamese import normalize_text
from tests.conftest import FIXTURES, require_tool


def character_error_rate(found: str, truth: str) -> float:
    """Levenshtein distance over the length of the truth, whitespace collapsed."""
    a, b = " ".join(found.split()), " ".join(truth.split())
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / len(b)


def test_a_scanned_decision_is_read_with_few_errors(ocr_documents):
    document = ocr_documents["scan-decision.pdf"]
    truth = (FIXTURES / "scan-decision.txt").read_text(encoding="utf-8").splitlines()
    body_truth = "\n".join(truth[truth.index("QUYẾT ĐỊNH"):])
    body = "\n".join(c.text for c in document.chunks)
    assert character_error_rate(body, normalize_text(body_truth)) <= 0.03


def test_a_scan_has_its_number_dates_articles_and_pages(ocr_documents):
    document = ocr_documents["scan-decision.pdf"]
    meta = document.meta
    assert (meta.doc_number, meta.doc_type, meta.issued_date, meta.place) == ("45/QĐ-UBND", "decision", "2024-03-12", "Hải Dương")
    assert meta.effective_date == "2024-04-01"
    assert meta.title == "Về việc ban hành Quy chế hỗ trợ doanh nghiệp công nghiệp hỗ trợ"
    assert (meta.lang, meta.ocr_pages, meta.pages) == ("vi", [1], 1)
    article_1 = next(c for c in document.chunks if c.section == "Điều 1")
    assert "không quá 200 triệu đồng mỗi năm" in article_1.text and article_1.page == 1
    assert {"Điều 1", "Điều 2", "Điều 3"} <= {c.section for c in document.chunks}


def test_only_the_pages_with_a_garbled_layer_are_read_by_ocr(ocr_documents):
    document = ocr_documents["garbled-layer.pdf"]
    meta = document.meta
    assert meta.ocr_pages == [1]  # page 2's text layer is good and is kept as it is
    assert (meta.doc_number, meta.lang) == ("45/QĐ-UBND", "vi")
    assert meta.title == "Về việc ban hành Quy chế hỗ trợ doanh nghiệp công nghiệp hỗ trợ"
    text = "\n".join(c.text for c in document.chunks)
    assert "ceNG" not in text and "Ncuia" not in text
    appendix = next(c for c in document.chunks if "Bản sao giấy chứng nhận đăng ký doanh nghiệp." in c.text)
    assert appendix.page == 2


def test_a_scanned_image_is_read(ocr_documents):
    meta = ocr_documents["scan-header.png"].meta
    assert (meta.fmt, meta.doc_number, meta.issued_date, meta.ocr_pages) == ("image", "45/QĐ-UBND", "2024-03-12", [1])


def test_a_page_read_once_comes_from_the_cache(tmp_path, monkeypatch):
    require_tool("tesseract")
    options = ParseOptions(ocr=OcrOptions(cache_dir=tmp_path / "cache"))
    first = parse_file(FIXTURES / "scan-header.png", options)
    assert first.failures == []
    monkeypatch.setenv("PATH", str(tmp_path))  # Tesseract gone: only the cache can read it now
    again = parse_file(FIXTURES / "scan-header.png", options)
    assert again.failures == [] and again.documents[0].meta.doc_number == "45/QĐ-UBND"
    assert shutil.which("tesseract") is None


def test_ocr_slips_in_headings_and_stamp_noise_are_repaired():
    text = clean_ocr_text(
        "Sô: 45/QD-UBND Hải Dương, ngày 12 tháng 3 năm 2024 theo Quyết định số 512/QĐĐ - UBND\n"
        "Điêu 2. Hiệu lực thi hành\n"
        "9 L4 .ĐA z* Ã 2 L Ẩ ` chứng nhận quyền sử dụng đất\n"
        "R X .É# SÀ_ ÀP › AM: Ẳ, + Ä\n"
        "——— . . . ———\n"
        "b) Về Sở Công Thương\n"
    )
    assert text.splitlines() == [
        "Số: 45/QĐ-UBND Hải Dương, ngày 12 tháng 3 năm 2024 theo Quyết định số 512/QĐ-UBND",
        "Điều 2. Hiệu lực thi hành",
        "chứng nhận quyền sử dụng đất",
        "b) Về Sở Công Thương",
    ]
    assert not re.search(r"[ÃẨẲÄ]", text)
