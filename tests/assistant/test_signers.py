""""Who signed it?" is answered with the name under the document's signature block, in the asker's language,
and refused, saying why, when the indexed copy shows no name."""
import uuid

import pytest

CIRCULAR = """BỘ CÔNG THƯƠNG
Số: 07/2024/TT-BCT
Hà Nội, ngày 02 tháng 4 năm 2024

THÔNG TƯ
Quy định về kiểm tra an toàn kho chứa xăng dầu

Điều 1. Phạm vi điều chỉnh
Thông tư này quy định việc kiểm tra định kỳ an toàn kho chứa xăng dầu.

Điều 2. Kiểm tra định kỳ
1. Kho chứa xăng dầu được kiểm tra an toàn định kỳ 12 tháng một lần.
2. Kết quả kiểm tra được báo cáo Sở Công Thương bằng văn bản điện tử.

Điều 3. Hiệu lực thi hành
1. Thông tư này có hiệu lực từ ngày 20 tháng 5 năm 2024.
2. Quy định về báo cáo kết quả kiểm tra bằng văn bản điện tử tại khoản 2 Điều 2 có hiệu lực từ ngày 01 tháng 01 năm 2025.

Nơi nhận:
- Văn phòng Chính phủ;
- Lưu: VT, ATMT.

KT. BỘ TRƯỞNG
THỨ TRƯỞNG

Đỗ Thắng Hải
"""

# the same number as the circular, another type, and no name under its position
NOTICE = """SỞ CÔNG THƯƠNG
Số: 07/TB-SCT
Hải Dương, ngày 10 tháng 6 năm 2024

THÔNG BÁO
Về việc đăng ký tham gia hội chợ hàng công nghiệp

1. Doanh nghiệp đăng ký tham gia hội chợ trước ngày 30 tháng 6 năm 2024.
2. Đơn đăng ký do người đại diện theo pháp luật của doanh nghiệp ký.
3. Thông báo này có hiệu lực kể từ ngày ký.

GIÁM ĐỐC
"""


@pytest.fixture
def signed_service(tmp_path, make_kb, options):
    from assistant.knowledge.ingestion import ingest_paths
    from assistant.runtime import build_runtime
    from assistant.settings import Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tt-07-2024.txt").write_text(CIRCULAR, encoding="utf-8")
    (docs / "tb-07-sct.txt").write_text(NOTICE, encoding="utf-8")
    kb = make_kb()
    report = ingest_paths(kb, [docs], options)
    assert report.ok, report.failures
    return build_runtime(Settings(data_dir=tmp_path / "service"), kb=kb).service


@pytest.mark.parametrize("question, first_line", [
    ("Thông tư 07/2024/TT-BCT do ai ký ban hành?", "Thông tư 07/2024/TT-BCT do Thứ trưởng Đỗ Thắng Hải ký. [1]"),
    ("ai ky thong tu 07/2024/tt-bct", "Thông tư 07/2024/TT-BCT do Thứ trưởng Đỗ Thắng Hải ký. [1]"),
    ("Người ký thông tư về kiểm tra an toàn kho chứa xăng dầu là ai?", "Thông tư 07/2024/TT-BCT do Thứ trưởng Đỗ Thắng Hải ký. [1]"),
    ("Who signed Circular 07/2024/TT-BCT?", "Circular 07/2024/TT-BCT was signed by Do Thang Hai, Deputy Minister. [1]"),
])
def test_signer_is_named_and_cited(signed_service, question, first_line):
    answer = signed_service.ask(question)
    assert answer.grounded
    assert answer.answer.splitlines()[0] == first_line
    assert answer.citations[0].doc_id == "tt-07-2024"
    assert "Đỗ Thắng Hải" in answer.citations[0].quote


@pytest.mark.parametrize("question", [
    "Thông tư 07/2024/TT-BCT được ký ngày nào và ai là người ký?",
    "thong tu 07/2024/tt-bct ky ngay nao, thu truong nao ky",
])
def test_when_and_by_whom_both_in_the_first_line(signed_service, question):
    first = signed_service.ask(question).answer.splitlines()[0]
    assert "2/4/2024" in first and "Đỗ Thắng Hải" in first


def test_when_and_which_official_signed_in_english(signed_service):
    first = signed_service.ask("When was Circular 07/2024/TT-BCT signed, and which deputy minister signed it?").answer.splitlines()[0]
    assert "2 April 2024" in first and "Do Thang Hai, Deputy Minister" in first


def test_signer_of_a_document_not_indexed_is_refused(signed_service):
    answer = signed_service.ask("Ai ký Thông tư 99/2024/TT-BCT?")
    assert not answer.grounded
    assert "99/2024/TT-BCT" in answer.answer.splitlines()[0]


@pytest.mark.parametrize("question, says", [
    ("Ai ký Thông báo 07/TB-SCT?", "Thông báo 07/TB-SCT"),
    ("Ai ký Quyết định 07?", "Quyết định 07"),
    ("Who signed Decision 07?", "Decision 07"),
])
def test_a_number_shared_by_another_document_does_not_name_its_signer(signed_service, question, says):
    # the circular 07/2024/TT-BCT is signed; the notice with the same number is not, and no decision 07 is
    # indexed: neither question gets the circular's signer
    answer = signed_service.ask(question)
    assert not answer.grounded
    assert says in answer.answer.splitlines()[0] and "Hải" not in answer.answer.splitlines()[0]


def test_when_it_was_signed_is_its_date_not_its_signer(signed_service):
    first = signed_service.ask("Thông tư 07/2024/TT-BCT khi nào ký?").answer.splitlines()[0]
    assert "2/4/2024" in first and "Đỗ Thắng Hải" not in first


def test_who_signed_as_a_follow_up_reads_the_document_of_the_previous_turn(signed_service):
    session = uuid.uuid4().hex
    signed_service.ask("Thông tư 07/2024/TT-BCT quy định gì?", session_id=session)
    answer = signed_service.ask("Ai ký?", session_id=session)
    assert answer.answer.splitlines()[0] == "Thông tư 07/2024/TT-BCT do Thứ trưởng Đỗ Thắng Hải ký. [1]"


def test_dates_and_signer_asked_as_follow_ups_are_those_of_the_document_before(signed_service):
    session = uuid.uuid4().hex
    signed_service.ask("Ai ký Thông tư 07/2024/TT-BCT?", session_id=session)
    assert "20 tháng 5 năm 2024" in signed_service.ask("Văn bản này có hiệu lực từ khi nào?", session_id=session).answer.splitlines()[0]
    english = uuid.uuid4().hex
    signed_service.ask("What does Circular 07/2024/TT-BCT regulate?", session_id=english)
    assert "2 April 2024" in signed_service.ask("When was it issued?", session_id=english).answer.splitlines()[0]
    assert "Do Thang Hai" in signed_service.ask("Who signed it?", session_id=english).answer.splitlines()[0]


@pytest.mark.parametrize("question, date", [
    ("When does Circular 07/2024/TT-BCT take effect?", "20 May 2024"),
    ("Thông tư 07/2024/TT-BCT có hiệu lực từ ngày nào?", "20 tháng 5 năm 2024"),
    # one provision's own date in force, not the circular's
    ("Quy định báo cáo kết quả kiểm tra bằng văn bản điện tử có hiệu lực từ ngày nào?", "01 tháng 01 năm 2025"),
])
def test_the_date_in_force_asked_is_the_documents_or_the_provisions(signed_service, question, date):
    assert date in signed_service.ask(question).answer.splitlines()[0]


def test_who_signs_a_contract_is_not_a_signer_question():
    from assistant.answering.question import answer_type

    assert answer_type("Ai ký hợp đồng dự án PPP?") != "signer"
    assert answer_type("Ai ký xác nhận hồ sơ đề nghị hỗ trợ?") != "signer"
    assert answer_type("Nghị định 178/2026/NĐ-CP do ai ký?") == "signer"
    assert answer_type("Nghị định 178/2026/NĐ-CP ngày nào ký?") != "signer"
    assert answer_type("Cơ quan nào ký quyết định thành lập cụm công nghiệp?") != "signer"
    assert answer_type("Ai ký đơn đề nghị hỗ trợ theo Thông báo 12/TB-SCT?") != "signer"
    assert answer_type("QĐ 3164 do ai ký?") == answer_type("Ai ký NĐ 178?") == "signer"


@pytest.mark.parametrize("question, says", [
    ("Ai ký Quyết định 3164/QĐ-UBND?", "không ghi tên người ký"),
    ("Who signed Decision 3164/QD-UBND?", "does not show who signed it"),
])
def test_shipped_decision_without_a_name_says_so(corpus_service, question, says):
    # the shipped copy of Decision 3164 ends with "CHỦ TỊCH" and no name: the answer says so instead of
    # quoting the decision's title as if it answered
    answer = corpus_service.ask(question)
    assert not answer.grounded
    assert says in answer.answer.splitlines()[0]


def test_a_copy_without_its_number_is_named_by_its_type_in_english():
    from assistant.answering.signers import header_label
    from assistant.retrieval.search import Hit
    from ingest.models import DocumentMeta

    meta = DocumentMeta(doc_id="hiep-dinh", source="hiep-dinh.pdf", fmt="pdf", title="HIỆP ĐỊNH VẬN TẢI ĐƯỜNG BỘ", doc_type="agreement")
    hit = Hit(meta, "hiep-dinh#1", "hiep-dinh#1@1", "Điều 1", None, 1.0, "Điều 1. …")
    assert header_label("en", hit) == "the cited agreement"
    assert header_label("vi", hit) == "“HIỆP ĐỊNH VẬN TẢI ĐƯỜNG BỘ”"
