import pytest

from ingest.chunking import chunk_document, estimate_tokens
from ingest.legal import effective_date, parse_header, structure_blocks
from ingest.models import Block


def blocks(*lines, kind="para"):
    return [Block(text=line, kind=kind) for line in lines]


def test_header_of_a_decision():
    header = parse_header(
        blocks(
            "ỦY BAN NHÂN DÂN",
            "TỈNH HẢI DƯƠNG",
            "Số: 3164/QĐ-UBND",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Hải Dương, ngày 29 tháng 10 năm 2021",
            "QUYẾT ĐỊNH",
            "Phê duyệt Đề án phát triển công nghiệp hỗ trợ",
            "ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG",
            "Căn cứ Luật Tổ chức chính quyền địa phương;",
        )
    )
    assert header.doc_number == "3164/QĐ-UBND"
    assert header.issued_date == "2021-10-29"
    assert header.place == "Hải Dương"
    assert header.doc_type == "decision"
    assert header.issuer == "ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG"
    assert header.title == "Phê duyệt Đề án phát triển công nghiệp hỗ trợ"


def test_blank_number_and_day_of_a_signed_copy_stay_blank():
    header = parse_header(
        blocks(
            "UBND TỈNH LÀO CAI | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "SỞ CÔNG THƯƠNG | Độc lập - Tự do - Hạnh phúc",
            "Số:           /BC - SCT | Lào Cai, ngày       tháng 6 năm 2026",
            "BÁO CÁO",
            "Tình hình triển khai các cụm công nghiệp",
            "Kính gửi: Ủy ban nhân dân tỉnh.",
        )
    )
    assert header.doc_number == ""
    assert header.issued_date == ""
    assert header.issued_year == "2026"
    assert header.doc_type == "report"
    assert header.issuer == "SỞ CÔNG THƯƠNG"
    assert header.title == "Tình hình triển khai các cụm công nghiệp"


def test_motto_spelled_hoa_with_the_accent_on_a_is_not_the_issuer():
    header = parse_header(
        blocks(
            "UBND TỈNH LÀO CAI",
            "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG",
            "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Số: 6791/SNNMT-KHTC Lào Cai, ngày 17 tháng 7 năm 2026",
            "V/v tham gia ý kiến thẩm định hồ sơ",
        )
    )
    assert (header.issuer, header.issuer_parent) == ("SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", "UBND TỈNH LÀO CAI")


def test_two_column_header_merged_into_one_line():
    header = parse_header(
        blocks(
            "CHÍNH PHỦ------- CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAMĐộc lập - Tự do - Hạnh phúc ---------------",
            "Số: 139/2025/NĐ-CP Hà Nội, ngày 12 tháng 6 năm 2025",
            "NGHỊ ĐỊNH",
            "QUY ĐỊNH VỀ PHÂN ĐỊNH THẨM QUYỀN",
            "Căn cứ Luật Tổ chức Chính phủ;",
        )
    )
    assert header.issuer == "CHÍNH PHỦ"
    assert header.doc_number == "139/2025/NĐ-CP"
    assert header.issued_date == "2025-06-12"
    assert header.place == "Hà Nội"
    assert header.doc_type == "decree"
    assert header.title == "Quy định về phân định thẩm quyền"


def test_english_header():
    header = parse_header(
        blocks(
            "PEOPLE'S COMMITTEE | SOCIALIST REPUBLIC OF VIET NAM",
            "HAI DUONG PROVINCE | Independence - Freedom - Happiness",
            "No.: 3164/QD-UBND | Hai Duong, 29 October 2021",
            "DECISION",
            "Approving the Scheme for supporting industry",
            "Pursuant to the Law on Organisation of Local Government;",
        )
    )
    assert header.doc_number == "3164/QD-UBND"
    assert header.issued_date == "2021-10-29"
    assert header.doc_type == "decision"
    assert header.title == "Approving the Scheme for supporting industry"


def test_sections_down_to_points():
    structured = structure_blocks(
        blocks(
            "Chương I",
            "QUY ĐỊNH CHUNG",
            "Điều 5. Chính sách hỗ trợ",
            "1. Hỗ trợ đào tạo.",
            "2. Hỗ trợ máy móc gồm:",
            "a) Máy may công nghiệp;",
            "b) Dây chuyền bulông.",
            "Điều 6. Hiệu lực",
        ),
        "vi",
    )
    paths = [s.section for s in structured]
    assert paths[2] == "Điều 5"
    assert paths[3] == "Điều 5 › Khoản 1"
    assert paths[5] == "Điều 5 › Khoản 2 › Điểm a"
    assert paths[6] == "Điều 5 › Khoản 2 › Điểm b"
    assert paths[7] == "Điều 6"


def test_references_to_other_articles_are_not_new_articles():
    structured = structure_blocks(
        blocks("Điều 3. Đối tượng", "Điều 44 Nghị định số 15/2018/NĐ-CP quy định thủ tục như sau.", "1. Doanh nghiệp.")
        + blocks("Điều 9. | Thông tư 55/2015 | hồ sơ", kind="table_row")
        + blocks("2. Hợp tác xã."),
        "vi",
    )
    assert [s.article for s in structured] == ["Điều 3"] * 5
    assert structured[-1].section == "Điều 3 › Khoản 2"


def test_english_articles_and_clauses():
    structured = structure_blocks(blocks("Article 2. Implementation", "1. The Department leads.", "(a) It reports."), "en")
    assert structured[2].section == "Article 2 › Clause 1 › Point a"


def test_an_article_that_fits_is_one_chunk():
    structured = structure_blocks(blocks("Điều 1. Phạm vi", "1. Một.", "2. Hai.", "Điều 2. Đối tượng", "Doanh nghiệp."), "vi")
    chunks = chunk_document("d", structured, "vi", budget=350)
    assert [c.section for c in chunks] == ["Điều 1", "Điều 2"]
    assert chunks[0].section_at(chunks[0].text.index("2. Hai")) == "Điều 1 › Khoản 2"


def test_a_long_article_splits_at_clauses_with_its_heading():
    clauses = [f"{i}. " + " ".join(["Doanh nghiệp được hỗ trợ chi phí đào tạo."] * 8) for i in range(1, 7)]
    structured = structure_blocks(blocks("Điều 7. Mức hỗ trợ", *clauses), "vi")
    chunks = chunk_document("d", structured, "vi", budget=120)
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.text.startswith("Điều 7. Mức hỗ trợ\n")
        assert chunk.section.startswith("Điều 7 › Khoản")
        assert estimate_tokens(chunk.text) <= 120
        assert chunk.text.rstrip().endswith(".")
    covered = "\n".join(chunks_text.split("\n", 1)[1] for chunks_text in (c.text for c in chunks))
    for clause in clauses:
        assert clause in covered


def test_an_oversize_paragraph_splits_between_sentences_only():
    sentences = [f"Câu số {i} nói về chính sách hỗ trợ doanh nghiệp công nghiệp." for i in range(60)]
    structured = structure_blocks(blocks(" ".join(sentences)), "vi")
    chunks = chunk_document("d", structured, "vi", budget=100)
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.text.endswith("công nghiệp.")


def test_a_split_paragraph_carries_no_trace_of_the_splitting_pattern():
    sentences = [f"Câu số {i}; doanh nghiệp được hỗ trợ chi phí (tối đa 50%)." for i in range(80)]
    structured = structure_blocks(blocks(" ".join(sentences)), "vi")
    chunks = chunk_document("d", structured, "vi", budget=90)
    assert len(chunks) > 2
    joined = " ".join(c.text for c in chunks)
    for leak in ("(?<=", "(?=", "\\s", "[.!?"):
        assert leak not in joined
    assert joined.split() == " ".join(sentences).split()  # every word kept, in order, nothing added


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("Quyết định này có hiệu lực thi hành kể từ ngày 01 tháng 5 năm 2024.", "2024-05-01"),
        ("Thông tư này có hiệu lực từ ngày 15/7/2023.", "2023-07-15"),
        ("2. Luật này có hiệu lực thi hành từ ngày 01-01-2026.", "2026-01-01"),
        ("Quyết định có hiệu lực kể từ ngày ký.", "2024-03-12"),  # the issue date
        ("Quyết định nay có hiêu lưc kê tư ngày 12/4/2024", "2024-04-12"),  # OCR's slipped tone marks
        ("This Decision takes effect on 1 May 2024.", "2024-05-01"),
        ("This Decree shall take effect from the date of signing.", "2024-03-12"),
        ("Nghị định số 80/2021/NĐ-CP có hiệu lực từ ngày 01/9/2021.", ""),  # another document's date
        ("Kế hoạch này hết hiệu lực từ ngày 01/01/2020.", ""),
        ("Quyết định này có hiệu lực kể từ ngày ký.", "2024-03-12"),
    ],
)
def test_date_in_force(sentence, expected):
    assert effective_date(blocks("Điều 5. Hiệu lực thi hành", sentence), "2024-03-12") == expected


def test_in_force_from_signing_without_an_issue_date_stays_blank():
    assert effective_date(blocks("Quyết định này có hiệu lực kể từ ngày ký."), "") == ""
