"""Fit the answerer's weights on the tune half of the answer evaluation.

    CNHT_DATA_DIR=D .venv/bin/python bench/fit_answer_weights.py dump QUESTIONS.jsonl --out F.jsonl
    .venv/bin/python bench/fit_answer_weights.py fit F1.jsonl [F2.jsonl ...] [--write]

`dump` runs retrieval and candidate ranking for every tune-half question of a file on the data directory
D and writes each question's candidates' features (with whether each holds an expected answer from a
gold document) and its answerability features. `fit` fits two L2-regularised logistic regressions —
which candidate states the fact (select) and whether the question is answerable — and, with --write,
stores them in assistant/answering/answer_weights.json. The refusal threshold is then chosen on the
same tune half (printed): the lowest that refuses at least 90% of unanswerable questions, counting those
the answerer's rules refuse whatever the confidence (a name the documents never mention, a value they
never state).

    CNHT_DATA_DIR=D .venv/bin/python bench/fit_answer_weights.py confidences QUESTIONS.jsonl --out C.jsonl
    .venv/bin/python bench/fit_answer_weights.py threshold C1.jsonl [C2.jsonl ...] [--write]

recalibrate the threshold alone, on whole answers (every rule of the answerer in place, two-part questions
included): `confidences` answers the tune half with no threshold; `threshold` picks, among the thresholds
that still refuse 90% of the unanswerable questions, the midpoint of the gap between unanswerable
confidences, and prints the tune figures there.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def dump(paths: list[str], out: str) -> None:
    """Features of the tune half's questions, one question a line."""
    from assistant.answering.evaluation import holds_fact, in_half
    from assistant.evaluation import load_questions
    from assistant.retrieval.search import analyse
    from assistant.runtime import build_runtime
    from assistant.settings import Settings

    service = build_runtime(Settings()).service
    rows = []
    for path in paths:
        for question in in_half(load_questions(Path(path)), "tune"):
            query = analyse(question.question)
            hits = service.answer_hits(question.question)
            candidates, answerable, _ = service.extractive.rank(query, hits)
            expected = question.expected + (question.expected_en if question.lang == "en" else [])
            given = service.extractive.answer(query, hits)
            rows.append({
                "id": question.id,
                "answerable": bool(question.gold),
                # refused by a rule whatever the confidence: a name never mentioned, a value stated nowhere
                "rule_refused": not given.grounded and (given.confidence == 0.0 or given.confidence >= service.extractive.threshold),
                "kind": question.group,
                "answerable_features": answerable,
                "candidates": [
                    {"features": c.features,
                     "label": bool(question.gold) and c.hit.doc_id in question.gold
                     and holds_fact(c.full_text(), expected)}
                    for c in candidates[:40]
                ],
            })
    Path(out).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} questions → {out}")


def logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 3000, rate: float = 0.1) -> tuple[np.ndarray, float]:
    """Weights and bias of an L2-regularised logistic regression (batch gradient descent, standardised x)."""
    w = np.zeros(x.shape[1])
    b = 0.0
    n = len(y)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        w -= rate * ((x.T @ (p - y)) / n + l2 * w / n)
        b -= rate * float(np.mean(p - y))
    return w, b


def model(names: list[str], rows: list[dict], labels: list[bool], l2: float, weight: np.ndarray | None = None) -> dict:
    """A fitted model in the JSON shape scoring.linear reads."""
    x = np.array([[r.get(n, 0.0) for n in names] for r in rows], dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    y = np.array(labels, dtype=float)
    if weight is not None:  # balance: repeat the rarer class
        x, y = np.repeat(x, weight, axis=0), np.repeat(y, weight)
    w, b = logistic((x - mean) / scale, y, l2)
    return {"bias": round(b, 4), "mean": dict(zip(names, np.round(mean, 5).tolist())),
            "scale": dict(zip(names, np.round(scale, 5).tolist())), "weights": dict(zip(names, np.round(w, 4).tolist()))}


def fit(paths: list[str], write: bool) -> None:
    """Fit both models on the dumped tune half, print the chosen threshold, optionally write the weights."""
    from assistant.answering.scoring import ANSWERABLE_FEATURES, FEATURES, WEIGHTS_PATH, linear, probability

    questions = [json.loads(line) for p in paths for line in Path(p).read_text(encoding="utf-8").splitlines() if line]
    rows, labels = [], []
    for q in questions:
        for c in q["candidates"]:
            rows.append(c["features"])
            labels.append(c["label"])
    positives = sum(labels)
    weight = np.array([max(1, round((len(labels) - positives) / max(positives, 1))) if l else 1 for l in labels])
    select = model(list(FEATURES), rows, labels, l2=1.0, weight=weight)
    # the answerability features depend on the select model: recompute best_select with it
    answer_rows, answer_labels = [], []
    for q in questions:
        feats = dict(q["answerable_features"])
        if q["candidates"]:
            feats["best_select"] = max(linear(select, c["features"]) for c in q["candidates"])
            best = max(q["candidates"], key=lambda c: linear(select, c["features"]))
            feats["best_coverage"] = best["features"]["coverage"]
            feats["top_dense"] = best["features"]["dense"]
        answer_rows.append(feats)
        answer_labels.append(q["answerable"])
    answerable = model(list(ANSWERABLE_FEATURES), answer_rows, answer_labels, l2=1.0)
    scores = [(probability(answerable, f), label, q["kind"]) for f, label, q in zip(answer_rows, answer_labels, questions)]
    # the threshold refuses 90% of the unanswerable questions together with the rules, which refuse some
    # whatever the confidence
    unanswerable = sorted(s for (s, label, _), q in zip(scores, questions) if not label and not q.get("rule_refused"))
    by_rules = sum(1 for q in questions if not q["answerable"] and q.get("rule_refused"))
    needed = int(np.ceil(0.9 * (len(unanswerable) + by_rules))) - by_rules
    threshold = unanswerable[needed - 1] + 1e-4 if unanswerable and needed > 0 else (unanswerable[0] if unanswerable else 0.5)
    false_refusals = sum(1 for s, label, _ in scores if label and s < threshold) / max(1, sum(answer_labels))
    picked = sum(1 for q in questions if q["candidates"] and max(q["candidates"], key=lambda c: linear(select, c["features"]))["label"])
    print(json.dumps({"questions": len(questions), "candidates": len(rows), "positives": positives,
                      "best_candidate_holds_fact": round(picked / max(1, sum(answer_labels)), 4),
                      "threshold": round(threshold, 4), "tune_false_refusals": round(false_refusals, 4),
                      "select": select["weights"], "answerable": answerable["weights"]}, indent=1))
    if write:
        WEIGHTS_PATH.write_text(json.dumps({"select": select, "answerable": answerable, "threshold": round(threshold, 4)}, indent=1) + "\n", encoding="utf-8")
        print(f"written to {WEIGHTS_PATH}")


def confidences(paths: list[str], out: str) -> None:
    """Answer every tune-half question of the files on the data directory with no refusal threshold, the
    answerer's rules in place; one line a question: its kind, the answer's confidence, whether it was
    refused anyway (a rule) and whether its first line holds the fact from a gold document."""
    from assistant.answering.evaluation import in_half, score_answer
    from assistant.evaluation import load_questions
    from assistant.runtime import build_runtime
    from assistant.settings import Settings

    service = build_runtime(Settings()).service
    service.extractive.threshold = 0.0
    rows = []
    for path in paths:
        for question in in_half(load_questions(Path(path)), "tune"):
            service.clear_cache()
            answer = service.ask(question.question)
            outcome = score_answer(question, answer.public())
            rows.append({"id": question.id, "kind": outcome["kind"], "confidence": answer.confidence,
                         "grounded": answer.grounded, "right": bool(outcome.get("fact") and outcome.get("document"))})
    Path(out).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} questions → {out}")


def threshold(paths: list[str], write: bool) -> None:
    """Choose the refusal threshold from `confidences` files: of the thresholds that refuse at least 90% of
    the unanswerable questions (rules included), those between the two unanswerable confidences around that
    point refuse the same ones; the midpoint of that gap is the least sensitive to new questions. Prints
    the tune figures at the chosen threshold; --write stores it in answer_weights.json."""
    from assistant.answering.scoring import WEIGHTS_PATH

    rows = [json.loads(line) for p in paths for line in Path(p).read_text(encoding="utf-8").splitlines() if line]
    unanswerable = [r for r in rows if r["kind"] == "unanswerable"]
    answered = sorted(r["confidence"] for r in unanswerable if r["grounded"])
    allowed = len(unanswerable) - int(np.ceil(0.9 * len(unanswerable)))  # unanswerable ones that may be answered
    if allowed >= len(answered):
        chosen = 0.0
    else:
        low = answered[-allowed - 1]
        high = answered[-allowed] if allowed else 1.0
        chosen = round((low + high) / 2, 4)
    figures = {"threshold": chosen, "unanswerable": len(unanswerable),
               "unanswerable_refused": round(sum(1 for r in unanswerable if not r["grounded"] or r["confidence"] < chosen) / max(1, len(unanswerable)), 4)}
    for kind in ("vi", "vi_nodiacritics", "en"):
        of_kind = [r for r in rows if r["kind"] == kind]
        answered_right = sum(1 for r in of_kind if r["grounded"] and r["confidence"] >= chosen and r["right"])
        refused = sum(1 for r in of_kind if not r["grounded"] or r["confidence"] < chosen)
        figures[kind] = {"n": len(of_kind), "fact_and_document": round(answered_right / max(1, len(of_kind)), 4),
                         "false_refusals": round(refused / max(1, len(of_kind)), 4)}
    print(json.dumps(figures, indent=1))
    if write:
        weights = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
        weights["threshold"] = chosen
        WEIGHTS_PATH.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
        print(f"threshold written to {WEIGHTS_PATH}")


def main() -> None:
    """Dump, fit, or calibrate the threshold alone."""
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["dump", "fit", "confidences", "threshold"])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--out")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if args.action == "dump":
        dump(args.paths, args.out or "bench/out/answer-features.jsonl")
    elif args.action == "confidences":
        confidences(args.paths, args.out or "bench/out/answer-confidences.jsonl")
    elif args.action == "threshold":
        threshold(args.paths, args.write)
    else:
        fit(args.paths, args.write)


if __name__ == "__main__":
    main()
