"""The English first line of an answer drawn from a Vietnamese clause (issue 16): which passage answers
an English question, and how the rule renderer words the fact."""
from pathlib import Path

from assistant.answering.english import EnglishRenderer
from assistant.retrieval.glossary import Glossary, load_glossary, stem
from assistant.retrieval.search import analyse
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
