"""Answers as a user meets them in a conversation: the English first line, follow-ups read against the
conversation (ellipsis, ordinals, three turns back) and the date a closed program closed."""
from datetime import date

from assistant.answering.english import EnglishRenderer
from assistant.answering.models import Answer, Citation
from assistant.answering.timeliness import closing_note, stated_deadline
from assistant.conversation.followups import is_follow_up, listed_items, ordinal, resolve
from assistant.conversation.sessions import Turn, new_conversation_id
from assistant.retrieval.glossary import Glossary
from ingest.vietnamese import has_vietnamese_diacritics


def first_line(answer):
    return answer.answer.splitlines()[0]


def conversation(service, *questions):
    """Ask the questions in one conversation; the answers in order."""
    session = new_conversation_id()
    return [service.ask(question, session_id=session) for question in questions]


def test_english_question_over_a_vietnamese_clause_gets_the_value_in_english(corpus_service):
    answer = corpus_service.ask("What is the maximum support level of the industrial promotion programme?")
    line = first_line(answer)
    assert "30%" in line and "VND 300 million" in line and "Notice 215/TB-SCT" in line
    assert not has_vietnamese_diacritics(line)
    source = next(x for x in answer.answer.splitlines() if x.startswith("Source text (Vietnamese"))
    assert "300 triệu đồng" in source  # the Vietnamese clause, labelled as the source text


def test_english_version_answers_an_english_question_when_it_covers_the_topic(corpus_service):
    answer = corpus_service.ask("How many foreign-invested projects are in the industrial parks?")
    assert answer.citations[0].doc_id == "investor-guide-en"
    assert "492 foreign-invested projects" in first_line(answer)


def test_rules_render_amounts_areas_dates_durations_and_numbers():
    renderer = EnglishRenderer(Glossary(vi_to_en={"khu công nghiệp": ["industrial park", "industrial parks"]}, longest=3))
    line = renderer.render("Tỉnh có 14 khu công nghiệp, diện tích 1.860,24 ha, hỗ trợ tối đa 30% và không quá 300 triệu đồng; "
                           "hạn nộp trước ngày 30 tháng 4 năm 2022, xử lý trong 15 ngày làm việc theo Nghị định 111/2015/NĐ-CP.")
    for value in ("14 industrial parks", "1,860.24 hectares", "30%", "not exceeding VND 300 million", "30 April 2022",
                  "15 working days", "111/2015/ND-CP"):
        assert value in line
    assert renderer.render("Hội nghị đã thảo luận") == ""  # nothing known: no made-up English


def test_vietnamese_ordinals_follow_the_list_two_turns_back(corpus_service):
    listed, second, third = conversation(
        corpus_service, "Đề án phát triển công nghiệp hỗ trợ có những nhóm giải pháp nào?", "Còn nhóm thứ hai?", "Còn nhóm thứ ba?"
    )
    items = listed_items(listed.answer)
    assert len(items) >= 3
    assert first_line(second).startswith(items[1].split(":")[0])  # the second group, not another one
    assert first_line(third).startswith(items[2].split(":")[0])


def test_vietnamese_ellipsis_reaches_back_three_turns(corpus_service):
    _, amount, place = conversation(
        corpus_service, "Thông báo khuyến công năm 2022 hỗ trợ những nội dung gì?", "Mức hỗ trợ tối đa?", "Nộp ở đâu?"
    )
    assert "300 triệu đồng" in first_line(amount)
    assert place.grounded and place.citations[0].doc_id == "tb-khuyen-cong-2022"
    assert "Trung tâm Khuyến công" in first_line(place)


def test_english_ellipsis_keeps_the_topic_over_three_turns(corpus_service):
    parks, clusters, land = conversation(
        corpus_service, "How many industrial parks does the province have?", "What about clusters?", "And their industrial land?"
    )
    assert "14" in first_line(parks)
    assert "53 industrial clusters" in first_line(clusters)
    assert "1,860.24" in first_line(land)


def test_a_question_pointing_back_or_about_an_unnamed_documents_dates_is_a_follow_up():
    for question in ("Văn bản này có hiệu lực từ khi nào?", "When was it issued?", "Có hiệu lực khi nào?", "Who signed this decree?"):
        assert is_follow_up(question), question
    # a document named, or a longer question about "it", stands on its own
    for question in ("Luật Hóa chất có hiệu lực khi nào?", "When does Decision 3164 take effect?",
                     "How long does it take to get an investment registration certificate?"):
        assert not is_follow_up(question), question


def test_english_ordinal_names_an_item_of_the_previous_list():
    turns = [
        Turn("Which groups of solutions does the scheme set out?", "The scheme lists: leadership; communication; infrastructure. [1]", "en", 0.0),
        Turn("What about clusters?", "There are 53 clusters. [1]", "en", 1.0),
    ]
    resolved = resolve(turns, "And the second one?")
    assert resolved.question == "communication" and "groups of solutions" in resolved.search
    assert ordinal("Còn nhóm cuối cùng?") == -1 and ordinal("What about the 3rd?") == 3
    assert resolve(turns, "How many industrial parks does the province have?").frame == ""  # stands on its own


def test_a_closed_program_answer_carries_its_closing_date(corpus_service):
    answer = corpus_service.ask("Mức hỗ trợ tối đa của chương trình khuyến công là bao nhiêu?")
    assert "300 triệu đồng" in first_line(answer)  # the fact stays first
    assert "đã kết thúc nhận hồ sơ ngày 30/4/2022" in answer.answer.splitlines()[1]
    english = corpus_service.ask("What is the maximum support level of the industrial promotion programme?")
    assert "closed for applications on 30 April 2022" in english.answer


def test_a_deadline_stated_in_a_notice_is_said_to_have_passed():
    assert stated_deadline("Hạn nộp hồ sơ: trước ngày 30 tháng 4 năm 2022; nơi nộp …") == date(2022, 4, 30)
    quote = "Hạn nộp hồ sơ: trước ngày 15/5/2023."
    answer = Answer("Hạn nộp: 15/5/2023. [1]", "vi", True, "documents", [Citation(1, "tb", "", "", "", None, quote)])
    assert closing_note(answer, [], date(2024, 1, 1)) == "Lưu ý: hạn 15/5/2023 nêu trong văn bản này đã qua."
    assert closing_note(answer, [], date(2023, 5, 1)) == ""  # not yet passed


def test_a_curated_answer_is_reached_by_a_paraphrase_and_the_diacritic_free_form(corpus_service):
    paraphrase = corpus_service.ask("Công nghiệp hỗ trợ được hiểu là gì?")
    plain = corpus_service.ask("cong nghiep ho tro la gi")
    for answer in (paraphrase, plain):
        assert answer.source == "faq" and "linh kiện và phụ tùng" in first_line(answer)
    for unrelated in ("Giá vàng hôm nay là bao nhiêu?", "Tỉnh có bao nhiêu cụm công nghiệp?", "Công nghiệp công nghệ cao là gì?"):
        assert corpus_service.ask(unrelated).source != "faq", unrelated


def test_lexical_agreement_is_folded_and_partial_for_another_subject():
    from assistant.answering.faq import lexical_agreement

    assert lexical_agreement("tinh co bao nhieu khu cong nghiep", "Tỉnh có bao nhiêu khu công nghiệp?") == 1.0
    assert lexical_agreement("Tỉnh có bao nhiêu cụm công nghiệp?", "Tỉnh có bao nhiêu khu công nghiệp?") < 0.6
