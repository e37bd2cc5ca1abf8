"""A question about one industrial cluster is answered from the clause about that cluster, and refused when the
documents name the cluster but state nothing of what is asked about it."""
import pytest

from assistant.answering.names import facility_names, facility_names_in

REPORT = """UỶ BAN NHÂN DÂN TỈNH BÌNH AN
SỞ CÔNG THƯƠNG

BÁO CÁO
Tình hình phát triển các cụm công nghiệp trên địa bàn tỉnh Bình An

I. TÌNH HÌNH CHUNG
Toàn tỉnh có 12 cụm công nghiệp đã được thành lập với tổng diện tích 640 ha, tổng mức đầu tư dự kiến khoảng 5.200 tỷ đồng. Tỷ lệ lấp đầy bình quân đạt 62%.

II. CÁC CỤM CÔNG NGHIỆP DO DOANH NGHIỆP LÀM CHỦ ĐẦU TƯ HẠ TẦNG
1. Cụm công nghiệp Tân Phú 1: Chủ đầu tư - Công ty cổ phần Đầu tư Hạ tầng Sông Cầu; diện tích 50 ha; đã hoàn thành giải phóng mặt bằng.
2. Cụm công nghiệp Tân Phú 2: Chủ đầu tư - Công ty TNHH Xây dựng Minh Long; diện tích 45 ha; đang giải phóng mặt bằng.
3. Cụm công nghiệp Bắc Sơn: Chủ đầu tư - Công ty cổ phần Phát triển Công nghiệp Ánh Dương; diện tích 60 ha.

III. CÁC CỤM CÔNG NGHIỆP ĐANG KÊU GỌI ĐẦU TƯ
Sở Công Thương đang kêu gọi đầu tư hạ tầng đối với Cụm công nghiệp Đồng Lạc (xã An Lạc) và Cụm công nghiệp Hưng Thịnh (xã Hưng Đạo).
"""

# a decision about one cluster: only its first article names it
DECISION = """ỦY BAN NHÂN DÂN TỈNH BÌNH AN
Số: 12/QĐ-UBND
Bình An, ngày 05 tháng 3 năm 2023

QUYẾT ĐỊNH
Về việc thành lập cụm công nghiệp

Điều 1. Thành lập Cụm công nghiệp Thủy Sơn tại xã Thủy Sơn, diện tích 40 ha.

Điều 2. Tổng vốn đầu tư xây dựng hạ tầng kỹ thuật là 450 tỷ đồng, từ nguồn vốn của doanh nghiệp.

Điều 3. Thời hạn hoạt động của dự án đầu tư xây dựng hạ tầng là 50 năm kể từ ngày ký quyết định này.
"""


@pytest.fixture
def report_service(tmp_path, make_kb, options):
    from assistant.knowledge.ingestion import ingest_paths
    from assistant.runtime import build_runtime
    from assistant.settings import Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "bao-cao-ccn-binh-an.txt").write_text(REPORT, encoding="utf-8")
    (docs / "qd-12-2023.txt").write_text(DECISION, encoding="utf-8")
    kb = make_kb()
    report = ingest_paths(kb, [docs], options)
    assert report.ok, report.failures
    return build_runtime(Settings(data_dir=tmp_path / "service"), kb=kb).service


@pytest.mark.parametrize("question", [
    "Doanh nghiệp nào làm chủ đầu tư hạ tầng cụm công nghiệp Tân Phú 2?",
    "cty nao lam chu dau tu ha tang ccn tan phu 2?",
])
def test_the_clause_about_the_cluster_asked_answers_not_the_whole_list(report_service, question):
    answer = report_service.ask(question)
    first = answer.answer.splitlines()[0]
    assert answer.grounded and "Minh Long" in first
    assert "Sông Cầu" not in first and "Ánh Dương" not in first  # not its neighbours' investors


@pytest.mark.parametrize("question, name", [
    ("Tổng mức đầu tư dự kiến của cụm công nghiệp Đồng Lạc là bao nhiêu tỷ đồng?", "Đồng Lạc"),
    ("tong muc dau tu du kien cua cum cong nghiep dong lac la bao nhieu ty dong?", "Đồng Lạc"),
])
def test_a_cluster_named_only_elsewhere_does_not_get_the_provinces_total(report_service, question, name):
    answer = report_service.ask(question)
    assert not answer.grounded and name in answer.answer  # what the documents do say of that cluster is shown
    assert "5.200" not in answer.answer.splitlines()[0]  # the total of all twelve clusters is not its figure
    whole = report_service.ask("Tổng mức đầu tư dự kiến của các cụm công nghiệp tỉnh Bình An là bao nhiêu?")
    assert whole.grounded and "5.200 tỷ đồng" in whole.answer.splitlines()[0]


@pytest.mark.parametrize("question, expected", [
    ("Tổng vốn đầu tư xây dựng hạ tầng cụm công nghiệp Thủy Sơn là bao nhiêu?", "450 tỷ đồng"),
    ("Tổng vốn đầu tư xây dựng hạ tầng cụm công nghiệp Thuỷ Sơn là bao nhiêu?", "450 tỷ đồng"),  # old-style tone mark
    ("tong von dau tu xay dung ha tang ccn thuy son la bao nhieu?", "450 tỷ đồng"),
])
def test_a_decision_about_one_cluster_answers_from_articles_that_do_not_repeat_its_name(report_service, question, expected):
    answer = report_service.ask(question)
    assert answer.grounded and expected in answer.answer.splitlines()[0]
    assert answer.citations[0].doc_id == "qd-12-2023"


def test_the_clusters_a_question_names():
    passage = "Cụm công nghiệp Phú Thịnh 1, Cụm công nghiệp Phú Thịnh 2 và CCN Báo Đáp; các cụm công nghiệp đã có quy hoạch."
    named_in = [facility_names_in(passage)]
    assert facility_names_in(passage) == {"phu thinh 1": "Phú Thịnh 1", "phu thinh 2": "Phú Thịnh 2", "bao dap": "Báo Đáp"}
    assert facility_names("Ai là chủ đầu tư cụm công nghiệp Phú Thịnh 2?", []) == ["Phú Thịnh 2"]
    assert facility_names("Who invests in the Phu Thinh 2 industrial cluster?", []) == ["Phu Thinh 2"]
    # typed without diacritics, a name is read by the names the documents give clusters
    assert facility_names("tong muc dau tu ccn bao dap la bao nhieu?", named_in) == ["Báo Đáp"]
    assert facility_names("cac cum cong nghiep da co quy hoach la bao nhieu?", named_in) == []
    assert facility_names("Luật Hóa chất 2025 có hiệu lực khi nào?", named_in) == []
    assert facility_names("dien tich ccn phu thinh 1 va phu thinh 2?", named_in) == ["Phú Thịnh 1", "Phú Thịnh 2"]
    # a passage's "cụm công nghiệp Phú Thịnh" (the whole series) is not the one cluster asked
    assert facility_names("Ai đầu tư cụm công nghiệp Phú Thịnh 2?", [facility_names_in("cụm công nghiệp Phú Thịnh mở rộng")]) == ["Phú Thịnh 2"]
    # a quantity after a province is not part of its name
    assert facility_names("Tỉnh Hải Dương 14 khu công nghiệp có tổng diện tích bao nhiêu?", named_in) == []


def _candidate(doc_id: str, text: str, title: str = "Báo cáo"):
    from assistant.answering.candidates import Candidate
    from assistant.retrieval.search import Hit
    from ingest.models import DocumentMeta

    hit = Hit(DocumentMeta(doc_id, f"{doc_id}.txt", "txt", title=title), f"{doc_id}#{hash(text)}", doc_id, "", 1, 0.5, text)
    return Candidate(text, hit, 0, "")


def _named_in(hits):
    return [facility_names_in(h.text) for h in hits]


def test_only_passages_that_name_the_cluster_asked_answer_in_a_document_that_names_others():
    from assistant.answering.extractive import ExtractiveAnswerer

    total = _candidate("bao-cao", "Toàn tỉnh có 27 cụm công nghiệp, tổng mức đầu tư 15.700 tỷ đồng.")
    listing = _candidate("bao-cao", "Cụm công nghiệp Phú Thịnh 1: diện tích 75 ha. Cụm công nghiệp Bảo Minh: diện tích 60 ha.")
    hits = [total.hit, listing.hit]
    # the report names other clusters, none of its passages the one asked: nothing may answer (a refusal)
    assert ExtractiveAnswerer._about_facilities([total, listing], hits, _named_in(hits), ["Châu Quế"]) == []
    # a passage naming the asked cluster answers, and the clause headed by it comes first
    named = _candidate("bao-cao", "Cụm công nghiệp Châu Quế: tổng mức đầu tư 900 tỷ đồng.")
    hits = [total.hit, listing.hit, named.hit]
    kept = ExtractiveAnswerer._about_facilities([total, named], hits, _named_in(hits), ["Chau Que"])
    assert kept == [named]
    # a decision about one cluster answers from an article that does not repeat its name
    article = _candidate("qd-12", "Điều 2. Tổng vốn đầu tư là 450 tỷ đồng.", title="Quyết định thành lập")
    founding = _candidate("qd-12", "Điều 1. Thành lập Cụm công nghiệp Thủy Sơn.", title="Quyết định thành lập")
    hits = [founding.hit, article.hit]
    assert ExtractiveAnswerer._about_facilities([article], hits, _named_in(hits), ["Thuỷ Sơn"]) == [article]
