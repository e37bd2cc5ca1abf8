"""`cnht eval` metrics on a small fixture with known values."""
import json

import pytest

from assistant.evaluation import Question, evaluate, load_questions


class Hit:
    def __init__(self, doc_id):
        self.doc_id = doc_id


RANKINGS = {
    "first": ["a", "b", "c"],  # gold a at rank 1
    "third": ["x", "y", "a", "b"],  # gold a at rank 3
    "missing": ["x", "y", "z"],  # gold never found
    "two-gold": ["b", "x", "a"],  # golds a and b at ranks 3 and 1
}


def search(question, k):
    return [Hit(d) for d in RANKINGS[question]]


def test_known_metrics():
    questions = [
        Question("1", "first", "vi", ["a"]),
        Question("2", "third", "en", ["a"]),
        Question("3", "missing", "vi", ["a"]),
        Question("4", "two-gold", "vi", ["a", "b"]),
        Question("5", "missing", "vi", []),  # unanswerable: left out
    ]
    report, rankings = evaluate(search, questions)
    overall = report["overall"]
    assert overall["questions"] == 4
    assert overall["recall@1"] == 0.5  # questions 1 and 4
    assert overall["recall@5"] == 0.75
    assert overall["mrr@10"] == round((1 + 1 / 3 + 0 + 1) / 4, 4)
    ideal_two = 1 + 1 / __import__("math").log2(3)
    ndcg_two = (1 + 1 / 2) / ideal_two
    assert overall["ndcg@10"] == round((1 + 0.5 + 0 + ndcg_two) / 4, 4)
    assert report["by_lang"]["en"]["mrr@10"] == round(1 / 3, 4)
    assert report["unanswerable_questions"] == 1
    assert rankings[1] == {"id": "2", "ranked_doc_ids": ["x", "y", "a", "b"]}


def test_bad_question_file_names_the_line(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "1", "question": "?", "gold_passage_ids": []}) + "\n{broken\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"q.jsonl:2"):
        load_questions(path)
