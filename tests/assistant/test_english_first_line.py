"""The English first line of an answer drawn from a Vietnamese clause (issue 16): which passage answers
an English question, and how the rule renderer words the fact."""
from pathlib import Path

from assistant.answering.english import EnglishRenderer, typed_values
from assistant.answering.extractive import ExtractiveAnswerer, english_subject
from assistant.answering.question import analyse_intent
from assistant.retrieval.glossary import Glossary, load_glossary, stem
from assistant.retrieval.search import Hit, analyse
from ingest.models import DocumentMeta
from ingest.vietnamese import has_vietnamese_diacritics

GLOSSARY = Path(__file__).resolve().parents[2] / "corpus" / "glossary.tsv"


def first_line(answer):
    return answer.answer.splitlines()[0]


def test_an_english_overview_naming_many_topics_does_not_displace_the_clause_about_the_one_asked(corpus_service):
    # the investor guide's "The Scheme has 10 groups of solutions, from … to …" names every group; the
    # scheme's own clause "Giải pháp cải thiện môi trường đầu tư: …" is about the one asked
    answer = corpus_service.ask("What is the solution for improving the investment environment?")
    line = first_line(answer)
    assert answer.citations[0].doc_id == "de-an-cnht-2021-2025"
    assert "administrative procedures" in line and "10 groups" not in line


def test_an_english_list_does_not_displace_the_single_item_that_answers(corpus_service):
    # the investor guide's Section 3 lists every national incentive; the question asks for one of them
    answer = corpus_service.ask("What import duty incentives do supporting industry projects get?")
    line = first_line(answer)
    assert "exempted import duty" in line
    assert "Priority sectors" not in line and "and 4 more" not in line


def test_connecting_words_are_rendered_only_between_rendered_pieces():
    renderer = EnglishRenderer(load_glossary(GLOSSARY))
    line = renderer.render("Ưu đãi thuế thu nhập doanh nghiệp: dự án được hưởng thuế suất ưu đãi 10% trong thời hạn 15 năm.")
    assert "10% for 15 years" in line
    line = renderer.render("Nguyên tắc, khuôn khổ và quá trình quản lý rủi ro.")
    assert line.startswith("principle, framework and process")
    # "của" between two unknown words says nothing: no dangling "of"
    assert renderer.render("Hội nghị của Ban chấp hành đã thảo luận") == ""
    assert not renderer.render("Ý kiến của doanh nghiệp").startswith("of")


def test_a_plural_marker_makes_the_next_term_plural():
    renderer = EnglishRenderer(Glossary(vi_to_en={"doanh nghiệp": ["enterprise", "enterprises"]}, longest=2))
    assert renderer.render("Các doanh nghiệp đăng ký") == "enterprises"
    assert renderer.render("Doanh nghiệp đăng ký") == "enterprise"


def test_a_value_keeps_its_qualifier_before_it():
    renderer = EnglishRenderer(load_glossary(GLOSSARY))
    line = renderer.render("Mức hỗ trợ tối đa 30% chi phí mua máy móc, thiết bị, không quá 300 triệu đồng/đơn vị.")
    assert "at most 30% of the cost of purchasing machinery" in line
    assert "not exceeding VND 300 million" in line
    assert not has_vietnamese_diacritics(line)


def test_dates_and_document_numbers_of_an_english_line_are_written_in_english(corpus_service):
    issued = first_line(corpus_service.ask("When was Decision 3164 issued?"))
    assert issued.startswith("Decision 3164/QD-UBND was issued on 29 October 2021")
    notice = first_line(corpus_service.ask("When was Notice 318/TB-SCT issued?"))
    assert notice.startswith("Notice 318/TB-SCT was issued on 20 October 2026 in Hai Duong")  # not "in Hải Dương"
    in_force = first_line(corpus_service.ask("When does Decision 3164 take effect?"))
    assert "29/10/2021" not in in_force and "QĐ" not in in_force


def test_a_word_form_the_glossary_does_not_list_is_found_through_its_stem():
    glossary = load_glossary(GLOSSARY)
    found = dict(glossary.segments("Who appraises the documents and decides how many weapons are brought in?"))
    assert "thẩm định" in found["appraises"]
    assert "quyết định" in found["decides"]
    assert "mang" in found["brought"]
    assert stem("companies") == stem("company") and stem("decided") == stem("decides") == stem("decide")
    # a phrase must be listed as written: its Vietnamese is looked for as one run of words
    assert ("enterprises", ["doanh nghiệp"]) in glossary.segments("enterprises operate")


def test_a_name_no_document_holds_counts_against_coverage_and_an_everyday_word_the_glossary_lacks_little(corpus_service):
    passage = "Hơn 300 doanh nghiệp đang hoạt động trong các cụm công nghiệp trên địa bàn tỉnh Hải Dương."
    coverage = corpus_service.extractive.coverage
    plain = coverage(analyse("How many enterprises are operating in industrial clusters?"), passage)
    assert plain == 1.0
    # "Japanese" is in no document: a name weighs as the rarest term would, and is missing
    assert coverage(analyse("How many Japanese enterprises are operating in industrial clusters?"), passage) < 0.6
    # "busily" is only a word the glossary lacks: it must not outweigh the translated terms
    assert coverage(analyse("How many enterprises are busily operating in industrial clusters?"), passage) > 0.8
    # a name typed without diacritics is found
    assert coverage(analyse("How many enterprises are operating in Hai Duong industrial clusters?"), passage) == 1.0


def test_the_english_line_writes_names_month_dates_laws_and_negations_as_english_does():
    renderer = EnglishRenderer(load_glossary(GLOSSARY))
    assert "Tran Yen" in renderer.render("Chủ đầu tư: Ban Quản lý dự án đầu tư xây dựng xã Trấn Yên.")
    assert "July 2026" in renderer.render("Dự kiến khởi công tháng 7/2026.")
    assert "December 2026" in renderer.render("Hoàn thành trong tháng 12 năm 2026.")
    assert "Law on investment" in renderer.render("Nghị định này quy định chi tiết Luật Đầu tư.")
    assert "Law on investment" in renderer.render("Quy định chi tiết một số điều của luật đầu tư.")  # a title in lower case
    assert "Law on" not in renderer.render("Luật này quy định về hóa chất theo quy định của pháp luật Việt Nam.")
    assert "does not regulate" in renderer.render("Thông tư này không điều chỉnh việc quản lý vũ khí.")
    line = renderer.render("Phía Việt Nam là Bộ Giao thông vận tải.")
    assert "Viet Nam" in line and "Ministry of Transport" in line and not has_vietnamese_diacritics(line)


def test_an_english_count_question_knows_what_it_counts_through_the_glossary(corpus_service):
    # as "Có bao nhiêu cụm công nghiệp …" does: a clause counting that very thing ("04 cụm công nghiệp")
    # is preferred over one giving other numbers about it
    question = "How many industrial clusters were withdrawn from the plan?"
    hits = corpus_service.answer_hits(question)
    _, _, intent = corpus_service.extractive.rank(analyse(question), hits)
    assert intent.answer_type == "count" and intent.counted == "cum cong nghiep"


# Classes of the fourth pass (bench/RESULTS.md, "Fourth pass")

def _hit(doc_id, section, body, title="Luật Hóa chất", doc_number="69/2025/QH15", doc_type="law", rank=1.0):
    meta = DocumentMeta(doc_id=doc_id, source=f"{doc_id}.docx", fmt="docx", title=title, doc_number=doc_number, doc_type=doc_type)
    return Hit(meta, f"{doc_id}#{section}", f"{doc_id}#{section}@1", section, None, rank, body)


def test_an_english_definition_question_is_answered_by_the_clause_defining_the_term(corpus_service):
    # the question names the clause's head ("Hóa chất là …") only through its glossary renderings
    hits = [
        _hit("luat", "Điều 23", "Điều 23. Phân loại, ghi nhãn hóa chất\n1. Tổ chức sản xuất hóa chất có nghĩa vụ phân loại hóa chất.\n"
             "3. Việc ghi nhãn hóa chất thực hiện theo quy định của pháp luật về nhãn hàng hóa.", rank=0.9),
        _hit("luat", "Điều 2", "Điều 2. Giải thích từ ngữ\nTrong Luật này, các từ ngữ dưới đây được hiểu như sau:\n"
             "1. Hóa chất là chất, hỗn hợp chất tự nhiên hoặc được con người khai thác, tạo ra.\n"
             "4. Hóa chất nguy hiểm là hóa chất gây hại cho con người, cơ sở vật chất, tài sản, môi trường.", rank=0.8),
    ]
    answer = corpus_service.extractive.answer(analyse("How does the Law on Chemicals define a chemical?"), hits)
    assert answer.grounded and "Hóa chất là chất, hỗn hợp chất" in answer.answer.splitlines()[1]
    assert "Article 2" in first_line(answer)


def test_a_name_the_question_asks_about_is_read_below_the_best_five_passages(corpus_service):
    # "Bao Dap" is mentioned only by the sixth passage: it is the one that answers, not a refusal
    others = [_hit(f"bc{n}", f"Mục {n}", f"{n}. Cụm công nghiệp Thống Nhất {n}: nhà đầu tư đang hoàn thiện hồ sơ.",
                   title="Báo cáo tình hình cụm công nghiệp", doc_number="", doc_type="", rank=0.9 - n / 100) for n in range(1, 6)]
    named = _hit("cv", "1", "1. Thông tin về dự án: Tên dự án: Cụm công nghiệp Báo Đáp; Chủ đầu tư: Ban Quản lý dự án đầu tư xây dựng xã Trấn Yên.",
                 title="Ý kiến thẩm định cụm công nghiệp Báo Đáp", doc_number="", doc_type="", rank=0.5)
    answer = corpus_service.extractive.answer(analyse("Who is the investor of the Bao Dap industrial cluster?"), [*others, named])
    assert answer.grounded and answer.citations[0].doc_id == "cv"
    assert "Tran Yen" in first_line(answer)


def test_a_possessive_finds_its_word_in_the_glossary():
    glossary = load_glossary(GLOSSARY)
    assert dict(glossary.segments("How many days' notice must be given?"))["days'"] == ["ngày"]
    assert stem("investor's") == stem("investor")


def test_a_value_question_over_a_list_is_answered_by_the_item_stating_a_value(corpus_service):
    # the item that covers the question best names the authority; the one giving the notice period answers
    hit = _hit("tt", "Điều 24 › Khoản 1", "Điều 24. Kiểm tra công tác quản lý vũ khí\n1. Kiểm tra định kỳ\n"
               "a) Thẩm quyền kiểm tra: Cục Cảnh sát có thẩm quyền kiểm tra công tác quản lý vũ khí, vật liệu nổ của doanh nghiệp;\n"
               "b) Nội dung kiểm tra: việc chấp hành quy định về quản lý vũ khí;\n"
               "d) Triển khai thực hiện kiểm tra: cơ quan kiểm tra thông báo bằng văn bản trước 05 ngày làm việc cho doanh nghiệp được kiểm tra.",
               title="Thông tư quy định về quản lý vũ khí", doc_number="16/2018/TT-BCA", doc_type="circular")
    question = analyse("How many days' notice must the police give a business before an inspection of its weapons and explosives management?")
    candidates, _, intent = corpus_service.extractive.rank(question, [hit])
    assert intent.answer_type in ("duration", "count")
    assert "05 ngày làm việc" in candidates[0].text


def test_day_month_dates_and_before_are_written_as_english_does():
    renderer = EnglishRenderer(load_glossary(GLOSSARY))
    assert "before 15 March" in renderer.render("Ủy ban nhân dân cấp tỉnh gửi Bộ Tài chính trước ngày 15 tháng 3 hằng năm.")
    assert "before 30 April 2022" in renderer.render("Hạn nộp hồ sơ: trước ngày 30 tháng 4 năm 2022.")


def test_a_number_followed_by_itself_in_words_is_rendered_once():
    renderer = EnglishRenderer(load_glossary(GLOSSARY))
    assert "5 working days" in renderer.render("Ủy ban nhân dân cấp tỉnh phê duyệt trong thời hạn 05 (năm) ngày làm việc.")
    assert "30 days" in renderer.render("Thời hạn giải quyết là 30 (ba mươi) ngày.")


def test_how_often_is_rendered_as_a_frequency():
    renderer = EnglishRenderer(load_glossary(GLOSSARY))
    assert renderer.render("Định kỳ hằng năm, tổ chức cập nhật kế hoạch quản lý rủi ro.").startswith("annually")
    assert "quarterly" in renderer.render("Báo cáo hàng quý gửi Sở Công Thương.")


def test_a_unit_of_measure_is_kept_in_english():
    renderer = EnglishRenderer(load_glossary(GLOSSARY))
    assert "500 metres" in renderer.render("Khoảng cách tối thiểu từ cụm công nghiệp đến khu dân cư là 500 m.")
    assert "20 tonnes" in renderer.render("Xe tải có trọng tải trên 20 tấn.")
    assert "square metres" in renderer.render("Diện tích tối thiểu 2,5 m2.")


def test_the_values_of_the_type_asked_are_found_with_their_qualifiers():
    line = "support level at most 30% of the cost of purchasing machinery, equipment, not exceeding VND 300 million unit"
    assert typed_values(line, "amount") == ["at most 30%", "not exceeding VND 300 million"]
    assert typed_values("value 1.5% to 3% total investment", "percentage") == ["1.5% to 3%"]
    assert typed_values("approve detailed plan, 23 industrial clusters, 13, decision", "count") == ["23 industrial clusters"]
    assert typed_values("not exceeding VND 3 billion or 10 people", "count") == ["10 people"]
    assert typed_values("Project Management Board", "authority") == []


def test_an_unreadable_rendering_gives_the_value_asked_alone_or_says_the_answer_is_the_vietnamese_below(corpus_service):
    # most words of these clauses are not in the glossary: their rendering would be a list of words in
    # Vietnamese order; the value asked reads on its own, and without one the line says where the answer is
    valued = _hit("tt", "Điều 7", "Điều 7. Phê duyệt kế hoạch\nTrong thời hạn 15 ngày làm việc kể từ ngày nhận được bộ hồ sơ hợp lệ, "
                  "Cục Kỹ thuật an toàn chịu trách nhiệm kiểm tra, đánh giá, thẩm tra, đối chiếu, rà soát và phê duyệt kế hoạch "
                  "ứng phó sự cố tràn dầu, bức xạ, sạt lở, ngập úng trong khai thác khoáng sản.",
                  title="Thông tư quy định về kế hoạch", doc_number="24/2025/TT-BCT", doc_type="circular")
    answer = corpus_service.extractive.answer(analyse("Within how many days is the plan approved?"), [valued])
    line = first_line(answer)
    assert line.startswith("Circular 24/2025/TT-BCT, Article 7, gives 15 working days (")
    assert not has_vietnamese_diacritics(line)
    described = _hit("luat", "Điều 35", "Điều 35. Khoảng cách an toàn\nKhoảng cách an toàn là khoảng cách cần bảo đảm từ một nhà xưởng "
                     "hóa chất đến khu dân cư, di tích lịch sử - văn hóa, danh lam thắng cảnh, khu bảo tồn thiên nhiên.")
    answer = corpus_service.extractive.answer(analyse("What is the safety distance of a chemical facility?"), [described])
    line = first_line(answer)
    assert "answers this in Vietnamese (source text below)" in line or "distance" in line
    assert not has_vietnamese_diacritics(line)


def test_a_question_only_glossary_term_reads_questions_and_is_never_rendered_back(tmp_path):
    path = tmp_path / "glossary.tsv"
    path.write_text("level\tcấp\n~issue\tcấp|ban hành\nvalid\tcó hiệu lực\n~valid\tcó thời hạn\n", encoding="utf-8")
    glossary = load_glossary(path)
    assert glossary.lookup("issue") == ["cấp", "ban hành"] and glossary.lookup("issued") == ["cấp", "ban hành"]
    assert glossary.vi_to_en["cấp"] == ["level"] and "ban hành" not in glossary.vi_to_en
    # "How long is X valid?": the legal wording "có thời hạn" is read, and only "có hiệu lực" renders as "valid"
    assert glossary.lookup("valid") == ["có hiệu lực", "có thời hạn"] and "có thời hạn" not in glossary.vi_to_en
    assert "issue" not in EnglishRenderer(load_glossary(GLOSSARY)).render("chính quyền địa phương 02 cấp")


def test_how_much_of_a_place_overlaps_another_asks_an_area():
    assert analyse_intent("How much of the Bao Dap cluster overlaps the kaolin mine?").answer_type == "area"
    assert analyse_intent("Diện tích chồng lấn bao nhiêu?").answer_type == "area"


def test_an_english_answer_says_when_the_value_asked_is_not_given_as_a_vietnamese_one_does(corpus_service):
    hit = _hit("tt", "Điều 10", "Điều 10. Trách nhiệm của Cục\n1. Tổ chức tiếp nhận, kiểm tra và phê duyệt kế hoạch quản lý rủi ro.",
               title="Thông tư quy định về kế hoạch", doc_number="24/2025/TT-BCT", doc_type="circular")
    shipped = corpus_service.extractive
    answerer = ExtractiveAnswerer(shipped.glossary, "", "", threshold=0.0, lexical=shipped.lexical)  # answers whatever the confidence
    answer = answerer.answer(analyse("Within how many days does the authority approve a risk management plan?"), [hit])
    assert not answer.grounded
    assert first_line(answer).startswith("The documents do not give a specific figure; the most relevant passage says:")


def test_an_english_list_item_is_named_by_the_subject_it_opens_with(corpus_service):
    assert english_subject("The Provincial Industrial Parks Management Board leads the attraction of projects.") == (
        "The Provincial Industrial Parks Management Board")
    assert english_subject("The Scheme has 10 groups of solutions.") == ""
    # Decision 3164's English Article 2 lists one duty per body: the Board's item answers, not the list
    answer = corpus_service.ask("What is the Industrial Parks Management Board responsible for under the scheme?")
    assert first_line(answer).startswith("The Provincial Industrial Parks Management Board leads the attraction")


def test_what_a_programme_supports_or_includes_asks_a_list_as_ho_tro_gi_does():
    assert analyse_intent("What does the 2022 industrial promotion machinery programme support?").answer_type == "list"
    assert analyse_intent("Chương trình khuyến công năm 2022 hỗ trợ gì?").answer_type == "list"


def test_an_english_list_line_does_not_repeat_the_article_it_names(corpus_service):
    hit = _hit("luat", "Điều 3", "Điều 3. Các hành vi bị nghiêm cấm\n1. Chiếm đoạt hóa chất.\n2. Làm giả giấy phép.")
    shipped = corpus_service.extractive
    answerer = ExtractiveAnswerer(shipped.glossary, "", "", threshold=0.0, lexical=shipped.lexical)
    line = first_line(answerer.answer(analyse("What acts are prohibited under the Law on Chemicals?"), [hit]))
    assert line.startswith("Law 69/2025/QH15, Article 3, lists") and "lists article 3" not in line.lower()


def test_a_qualifier_of_an_english_question_does_not_pick_the_clause_it_heads(corpus_service):
    # "that have an approved detailed plan" renders as the head of point a) ("Đã phê duyệt quy hoạch chi tiết:
    # …, chiếm 72%"); the occupancy rate asked is in point b)
    body = ("1. Tình hình chung\n"
            "a) Đã phê duyệt quy hoạch chi tiết: 23 cụm công nghiệp với tổng diện tích 903,78 ha; trong đó diện tích đất "
            "công nghiệp 650,32 ha, chiếm 72%.\n"
            "b) Các cụm công nghiệp có quy hoạch chi tiết đã cho thuê 188,75 ha; tỷ lệ lấp đầy bình quân đạt 29,0%.")
    hit = _hit("bc", "Mục I", body, title="Tình hình triển khai các cụm công nghiệp", doc_number="", doc_type="")
    question = "What is the average occupancy rate of the industrial clusters that have an approved detailed plan?"
    assert "29.0%" in first_line(corpus_service.extractive.answer(analyse(question), [hit]))
