"""A report counts one thing several ways ("96 dự án, trong đó 71 đang hoạt động; 15 đang triển khai"): a
count question is answered with the count its own qualifier names, not the first count of that thing."""
from assistant.answering.candidates import Candidate
from assistant.answering.composition import fact_sentence
from assistant.answering.question import analyse_intent
from assistant.answering.scoring import qualifier_overlap

QUESTION = "Tại các cụm công nghiệp đã thành lập có bao nhiêu dự án đang triển khai xây dựng nhà xưởng?"


def test_the_qualifier_after_the_counted_thing_picks_its_count():
    intent = analyse_intent(QUESTION)
    assert intent.counted == "du an" and intent.qualifier[:3] == ["dang", "trien", "khai"]
    assert qualifier_overlap("15 dự án đang triển khai xây dựng nhà xưởng", intent) > qualifier_overlap("71 dự án đang hoạt động", intent)
    assert analyse_intent("Tỉnh có bao nhiêu cụm công nghiệp?").qualifier == []


def test_the_sentence_whose_count_the_question_qualifies_comes_first():
    # the sentence naming the question's setting ("các cụm công nghiệp đã thành lập") covers it best, but
    # counts all projects; the asked count is the one followed by "đang triển khai xây dựng nhà xưởng"
    clause = Candidate(
        "Tại các cụm công nghiệp đã thành lập hiện có 96 dự án thứ cấp. Trong đó 71 dự án đang hoạt động. "
        "15 dự án đang triển khai xây dựng nhà xưởng. 10 dự án đã dừng hoạt động.", hit=None, rank=0, section="1")  # type: ignore[arg-type]
    weigh = lambda sentence: 1.0 if "cụm công nghiệp" in sentence else 0.2  # noqa: E731
    assert fact_sentence(clause, analyse_intent(QUESTION), weigh) == "15 dự án đang triển khai xây dựng nhà xưởng."


def test_an_english_count_question_names_its_qualifier_through_the_glossary():
    from pathlib import Path

    from assistant.answering.extractive import ExtractiveAnswerer
    from assistant.retrieval.glossary import load_glossary

    glossary = load_glossary(Path(__file__).resolve().parents[2] / "corpus" / "glossary.tsv")
    answerer = ExtractiveAnswerer(glossary, "Sở Công Thương", "Department of Industry and Trade", threshold=0.5)
    counted, qualifier = answerer._english_counted("How many projects are still under investment?")
    assert counted == "du an" and {"dau", "tu"} <= set(qualifier)
    intent = analyse_intent(QUESTION)
    intent.qualifier = qualifier
    assert qualifier_overlap("18 dự án đang triển khai đầu tư", intent) > qualifier_overlap("199 dự án đang hoạt động", intent)


def test_a_noun_joined_to_the_counted_thing_is_not_its_qualifier():
    # "dự án, nhà xưởng đang dừng hoạt động": the qualifier is what is said of both, so the count of stopped
    # projects is preferred to the total that repeats the joined noun
    intent = analyse_intent("Có bao nhiêu dự án, nhà xưởng sản xuất đang dừng hoạt động?")
    assert intent.qualifier == ["dang", "dung", "hoat", "dong"]
    assert qualifier_overlap("10 dự án đang dừng hoạt động", intent) > qualifier_overlap("96 dự án, nhà xưởng sản xuất thứ cấp", intent)


def test_a_qualifier_before_the_count_in_its_clause_names_it_too():
    # "Đang kêu gọi đầu tư: 12 cụm …; 9 cụm tiếp tục kêu gọi": the label before the colon qualifies the first
    # count; a bound ("không quá 09 chỗ") stands before its number; a clause ending before it does not count
    intent = analyse_intent("Có bao nhiêu cụm công nghiệp đang kêu gọi đầu tư?")
    labelled = "b) Đang kêu gọi đầu tư: 12 cụm công nghiệp với tổng diện tích 640 ha (trong đó có 3 cụm đã có nhà đầu tư;"
    assert qualifier_overlap(labelled, intent) > qualifier_overlap("9 cụm công nghiệp tiếp tục kêu gọi)", intent)
    assert qualifier_overlap("Đang kêu gọi đầu tư; 12 cụm công nghiệp đã lấp đầy", intent) == 0


def test_a_negated_count_is_the_one_a_negated_question_asks():
    # "chưa" belongs to the qualifier, not to the counted thing, and a count without it does not answer
    intent = analyse_intent("Có bao nhiêu dự án chưa đi vào hoạt động?")
    assert intent.counted == "du an" and intent.qualifier[0] == "chua"
    assert qualifier_overlap("10 dự án chưa hoạt động", intent) > qualifier_overlap("71 dự án đã đi vào hoạt động", intent)
