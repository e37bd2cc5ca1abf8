"""`cnht eval`: retrieval quality on a question file with gold documents.

Recall@k counts a question as found when one of its gold documents is among the first k distinct
documents (gold lists name the documents that answer the question); MRR@10 uses the first gold
document's rank; nDCG@10 counts every gold document. Questions with no gold (unanswerable) are left
out of these figures."""
from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.language import detect_language

CUTOFFS = (1, 5, 10)


@dataclass
class Question:
    """One evaluation question."""

    id: str
    question: str
    lang: str
    gold: list[str]
    group: str = ""  # the variant: vi, vi_nodiacritics, en (retrieval figures are reported per variant)
    question_group: str = ""  # the question the variants share (the tune/test split keeps it whole)
    expected: list[str] = field(default_factory=list)  # answer substrings as written in the source
    expected_en: list[str] = field(default_factory=list)  # their English renderings


def load_questions(path: Path) -> list[Question]:
    """Read `{"id","question","lang"?,"gold_passage_ids":[...],"variant"?,"group"?,"expected_answers"?,
    "expected_answers_en"?}` lines, naming the line of any bad one."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(
                Question(
                    id=str(row["id"]),
                    question=row["question"],
                    lang=row.get("lang") or detect_language(row["question"]),
                    gold=[str(g) for g in row.get("gold_passage_ids", [])],
                    group=row.get("variant", ""),
                    question_group=str(row.get("group") or row["id"]),
                    expected=[str(e) for e in row.get("expected_answers", [])],
                    expected_en=[str(e) for e in row.get("expected_answers_en", [])],
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a question record ({exc})") from exc
    return questions


def ranked_documents(hits: list[Any]) -> list[str]:
    """Distinct doc_ids in the order of their best chunk."""
    seen: list[str] = []
    for hit in hits:
        if hit.doc_id not in seen:
            seen.append(hit.doc_id)
    return seen


@dataclass
class Metrics:
    """Sums for one slice of the questions."""

    count: int = 0
    hits: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    rr: float = 0.0
    ndcg: float = 0.0

    def add(self, ranking: list[str], gold: list[str]) -> None:
        """Score one ranking."""
        self.count += 1
        golds = set(gold)
        for cutoff in CUTOFFS:
            if golds & set(ranking[:cutoff]):
                self.hits[cutoff] += 1
        for rank, doc_id in enumerate(ranking[:10], start=1):
            if doc_id in golds:
                self.rr += 1 / rank
                break
        dcg = sum(1 / math.log2(rank + 1) for rank, d in enumerate(ranking[:10], start=1) if d in golds)
        ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(golds), 10) + 1))
        self.ndcg += dcg / ideal if ideal else 0.0

    def summary(self) -> dict[str, float]:
        """Averages."""
        n = max(self.count, 1)
        out = {f"recall@{c}": round(self.hits[c] / n, 4) for c in CUTOFFS}
        out["mrr@10"] = round(self.rr / n, 4)
        out["ndcg@10"] = round(self.ndcg / n, 4)
        out["questions"] = self.count
        return out


def evaluate(
    search: Callable[[str, int], list[Any]], questions: list[Question], k: int = 10
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Metrics overall, per language and per group, and the rankings."""
    overall = Metrics()
    by_lang: dict[str, Metrics] = defaultdict(Metrics)
    by_group: dict[str, Metrics] = defaultdict(Metrics)
    rankings = []
    for question in questions:
        ranking = ranked_documents(search(question.question, max(k, 10) * 3))[:k]
        rankings.append({"id": question.id, "ranked_doc_ids": ranking})
        if not question.gold:
            continue
        overall.add(ranking, question.gold)
        by_lang[question.lang].add(ranking, question.gold)
        if question.group:
            by_group[question.group].add(ranking, question.gold)
    report = {
        "overall": overall.summary(),
        "by_lang": {lang: m.summary() for lang, m in sorted(by_lang.items())},
        "unanswerable_questions": sum(1 for q in questions if not q.gold),
    }
    if by_group:
        report["by_group"] = {g: m.summary() for g, m in sorted(by_group.items())}
    return report, rankings
