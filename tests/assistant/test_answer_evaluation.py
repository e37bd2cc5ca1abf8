"""`cnht eval --answers`: the tune/test split by question group, and scoring of answers per kind."""
import json
from pathlib import Path

from assistant.answering.evaluation import evaluate_answers, half_of, holds_fact, in_half, kind_of, score_answer
from assistant.evaluation import Question, load_questions

ROOT = Path(__file__).resolve().parents[2]
SETS = [ROOT / "corpus" / "eval" / "questions.jsonl",
        *sorted((ROOT / "bench" / "answers").glob("realdocs-questions*.jsonl"))]


def test_variants_of_a_question_fall_in_the_same_half_and_the_split_is_fixed():
    for path in SETS:
        halves: dict[str, set[str]] = {}
        for question in load_questions(path):
            halves.setdefault(question.question_group, set()).add(half_of(question.question_group))
        assert all(len(h) == 1 for h in halves.values()), path
        assert {next(iter(h)) for h in halves.values()} == {"tune", "test"}
    assert half_of("corpus-01") == half_of("corpus-01")


def test_the_test_halves_hold_at_least_thirty_questions_of_each_kind():
    counts: dict[str, int] = {}
    for path in SETS:
        for question in in_half(load_questions(path), "test"):
            counts[kind_of(question)] = counts.get(kind_of(question), 0) + 1
    assert all(counts.get(k, 0) >= 30 for k in ("vi", "vi_nodiacritics", "en", "unanswerable")), counts


def test_every_answerable_question_has_expected_answers():
    for path in SETS:
        for question in load_questions(path):
            assert not question.gold or question.expected, (path.name, question.id)


def test_expected_answers_are_matched_folded_and_all_parts_required():
    assert holds_fact("Mức hỗ trợ tối đa 30% chi phí, không quá 300 triệu đồng [1]", ["30% chi phí && 300 triệu đồng"])
    assert holds_fact("muc ho tro toi da 30%  chi phi ... 300 trieu dong", ["30% chi phí && 300 triệu đồng"])
    assert not holds_fact("Mức hỗ trợ tối đa 30% chi phí [1]", ["30% chi phí && 300 triệu đồng"])


def test_a_date_in_words_or_in_digits_is_the_same_fact():
    assert holds_fact("Thông tư được ban hành ngày 15/5/2018 tại Hà Nội. [1]", ["15 tháng 5 năm 2018"])
    assert holds_fact("ký ngày 05 tháng 07 năm 2020", ["5/7/2020"])
    assert not holds_fact("ban hành ngày 15/5/2019", ["15 tháng 5 năm 2018"])
    assert holds_fact("15/05/2018", ["ngày 15 tháng 5 năm 2018"]) and holds_fact("ngày 15 tháng 5 năm 2018", ["tháng 5 năm 2018"])


def test_a_number_is_not_found_inside_a_longer_one():
    assert not holds_fact("hạn nộp trước ngày 15/6/2022", ["05/6/2022"])
    assert not holds_fact("ban hành ngày 15/05/2018", ["05/05/2018"])
    assert not holds_fact("không quá 150 người", ["50 người"])
    assert not holds_fact("tối đa 30 ngày", ["3"]) and not holds_fact("hết năm 2025", ["202"])


def test_a_part_ending_with_a_word_may_be_followed_by_a_unit_slash():
    assert holds_fact("giá trị đánh giá lại dưới 10 triệu đồng/01 đơn vị tài sản", ["dưới 10 triệu đồng"])


def answer(text, grounded=True, docs=("d1",)):
    return {"answer": text, "grounded": grounded, "citations": [{"n": i + 1, "doc_id": d} for i, d in enumerate(docs)]}


def test_an_answer_is_scored_on_its_first_line_and_the_document_it_cites_there():
    question = Question("1", "Có bao nhiêu khu công nghiệp?", "vi", ["d2"], "vi", "g", ["14 khu công nghiệp"])
    good = score_answer(question, answer("Tỉnh có 14 khu công nghiệp. [2]\nTheo …", docs=("d1", "d2")))
    assert good["fact"] and good["document"] and good["language"]
    buried = score_answer(question, answer("Theo Thông báo 215:\n- 14 khu công nghiệp [1]", docs=("d2",)))
    assert not buried["fact"] and buried["document"]
    refused = score_answer(question, answer("Các văn bản hiện có không đề cập …", grounded=False, docs=()))
    assert not refused["grounded"] and not refused["fact"]


def test_report_per_kind_counts_refusals_both_ways_and_the_askers_language():
    questions = [
        Question("a", "Có bao nhiêu khu công nghiệp?", "vi", ["d1"], "vi", "g1", ["14 khu"]),
        Question("b", "How many industrial parks?", "en", ["d1"], "en", "g1", ["14 khu"], ["14 industrial parks"]),
        Question("c", "Giá vàng hôm nay?", "vi", [], "vi", "g2"),
    ]
    replies = {
        "Có bao nhiêu khu công nghiệp?": answer("Có 14 khu công nghiệp. [1]"),
        "How many industrial parks?": answer("Theo văn bản: có 14 khu công nghiệp được thành lập [1]"),
        "Giá vàng hôm nay?": answer("Theo …", grounded=True),
    }
    report, outcomes = evaluate_answers(lambda q: replies[q], questions, "all")
    kinds = report["by_kind"]
    assert kinds["vi"]["fact_and_document"] == 1.0 and kinds["vi"]["false_refusals"] == 0.0
    assert kinds["en"]["fact_first_line"] == 1.0 and kinds["en"]["asker_language"] == 0.0  # Vietnamese words
    assert kinds["unanswerable"]["refused"] == 0.0
    assert json.dumps(outcomes, ensure_ascii=False)
