""""Hồ sơ gồm những gì?" is answered with the list of what the file consists of, not with the procedure's
heading or an authority's duty to examine the file, which share more of the question's words."""
import pytest

CIRCULAR = """BỘ CÔNG THƯƠNG
Số: 11/2024/TT-BCT
Hà Nội, ngày 02 tháng 4 năm 2024

THÔNG TƯ
Quy định về phê duyệt kế hoạch ứng phó sự cố trong khai thác mỏ hầm lò

Điều 1. Phạm vi điều chỉnh
Thông tư này quy định việc lập, phê duyệt kế hoạch ứng phó sự cố trong khai thác mỏ hầm lò.

Điều 2. Hồ sơ, trình tự phê duyệt kế hoạch ứng phó sự cố
1. Hồ sơ đề nghị phê duyệt bao gồm:
a) Văn bản đề nghị theo Mẫu số 01 tại Phụ lục;
b) Bản thuyết minh kế hoạch kèm sơ đồ thoát hiểm.
2. Doanh nghiệp nộp hồ sơ trực tiếp hoặc qua dịch vụ bưu chính.

Điều 3. Trách nhiệm của Cục Kỹ thuật an toàn
1. Tổ chức tiếp nhận, kiểm tra, đánh giá và phê duyệt hồ sơ đề nghị phê duyệt kế hoạch ứng phó sự cố trong khai thác mỏ hầm lò của doanh nghiệp.
2. Hướng dẫn doanh nghiệp lập hồ sơ đề nghị phê duyệt kế hoạch ứng phó sự cố trong khai thác mỏ hầm lò.

Điều 4. Trách nhiệm của Ủy ban nhân dân cấp tỉnh
Tiếp nhận hồ sơ đề nghị phê duyệt kế hoạch ứng phó sự cố trong khai thác mỏ hầm lò của doanh nghiệp trên địa bàn.
"""


@pytest.fixture
def dossier_service(tmp_path, make_kb, options):
    from assistant.knowledge.ingestion import ingest_paths
    from assistant.runtime import build_runtime
    from assistant.settings import Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tt-11-2024.txt").write_text(CIRCULAR, encoding="utf-8")
    kb = make_kb()
    report = ingest_paths(kb, [docs], options)
    assert report.ok, report.failures
    return build_runtime(Settings(data_dir=tmp_path / "service"), kb=kb).service


@pytest.mark.parametrize("question", [
    "Doanh nghiệp khai thác mỏ hầm lò xin phê duyệt kế hoạch ứng phó sự cố thì hồ sơ gồm những gì?",
    "xin phe duyet ke hoach ung pho su co mo ham lo can nhung giay to gi",
])
def test_the_dossier_list_answers_what_the_file_consists_of(dossier_service, question):
    answer = dossier_service.ask(question)
    first = answer.answer.splitlines()[0]
    assert answer.grounded
    assert "Mẫu số 01" in first and "thuyết minh" in first
