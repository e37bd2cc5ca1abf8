"""Curated-answer matching: which questions reach which curated answer, on the tune and test halves of
bench/faq/faq-questions.jsonl (paraphrases, diacritic-free and English forms, near misses, unrelated).

    CNHT_DATA_DIR=D .venv/bin/python bench/faq/bench_faq.py [--fit]

D holds a knowledge base of corpus/documents. The entries are corpus/faq.yaml plus bench/faq/extra-faq.yaml.
--fit searches the dense weight and the threshold on the tune half (fewest misses plus WRONG_COST × wrong
matches; among equals, the lowest lexical floor, then the weight with the widest range of such thresholds, and the middle of that range) and prints them; without it, the values in
assistant/answering/faq.py are scored on both halves.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.answering import faq as faq_module
from assistant.answering.evaluation import half_of
from assistant.db.database import open_database
from assistant.knowledge.base import open_knowledge_base
from assistant.settings import Settings

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WRONG_COST = 3  # a question served another question's curated answer, against one left to the documents


def rows_with_features(faq) -> list[dict]:
    """Every benchmark question with its nearest entry question's dense and lexical scores per entry."""
    rows = [json.loads(line) for line in (HERE / "faq-questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    faq._index()
    for row in rows:
        import numpy as np

        vector = np.array(faq.kb.embeddings.embed_query(row["question"]), dtype=np.float32)
        row["dense"] = [float(x) for x in faq._vectors @ vector]
        kind = faq_module.answer_type(row["question"])
        agrees = [faq_module.same_kind(kind, k) for k in faq._kinds]
        row["dense"] = [d if a else 0.0 for d, a in zip(row["dense"], agrees)]
        row["lexical"] = [faq_module.lexical_agreement(row["question"], q) if a else 0.0 for q, a in zip(faq._questions, agrees)]
        row["half"] = half_of(row["group"])
    return rows


def outcome(row: dict, faq, weight: float, threshold: float, floor: float) -> str:
    """'right' (matched its entry, or nothing when none is expected), 'missed' or 'wrong'."""
    scores = [weight * d + (1 - weight) * x for d, x in zip(row["dense"], row["lexical"])]
    best = max(range(len(scores)), key=scores.__getitem__)
    matched = faq.entry_of(best).id if scores[best] >= threshold and row["lexical"][best] >= floor else None
    if matched == row["entry"]:
        return "right"
    return "missed" if matched is None else "wrong"


def report(rows: list[dict], faq, weight: float, threshold: float, floor: float) -> dict:
    """Shares per half: paraphrases reaching their entry, unrelated or near-miss questions matched."""
    out = {}
    for half in ("tune", "test"):
        chosen = [r for r in rows if r["half"] == half]
        positive = [r for r in chosen if r["entry"]]
        negative = [r for r in chosen if not r["entry"]]
        out[half] = {
            "paraphrases": len(positive),
            "reach_their_entry": round(sum(outcome(r, faq, weight, threshold, floor) == "right" for r in positive) / max(len(positive), 1), 3),
            "others": len(negative),
            "others_matched": round(sum(outcome(r, faq, weight, threshold, floor) != "right" for r in negative) / max(len(negative), 1), 3),
        }
    return out


def main() -> None:
    """Score (or --fit) the curated-answer matching."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true")
    args = parser.parse_args()
    settings = Settings()
    kb = open_knowledge_base(settings, open_database(settings))
    faq = faq_module.load_faq(ROOT / "corpus" / "faq.yaml", kb)
    faq.entries += faq_module.load_faq(HERE / "extra-faq.yaml", kb).entries
    rows = rows_with_features(faq)
    weight, threshold, floor = faq_module.DENSE_WEIGHT, faq_module.MATCH_THRESHOLD, faq_module.LEXICAL_FLOOR
    if args.fit:
        tune = [r for r in rows if r["half"] == "tune"]
        scored = {}
        for f in [i / 20 for i in range(0, 14)]:
            for w in [i / 10 for i in range(0, 11)]:
                for t in [0.5 + i / 100 for i in range(0, 50)]:
                    results = [outcome(r, faq, w, t, f) for r in tune]
                    # serving a wrong curated answer costs more than falling back to the documents
                    scored[(w, t, f)] = -(results.count("missed") + WRONG_COST * results.count("wrong"))
        top = max(scored.values())
        # among the best, the weight whose best thresholds span the widest range; the middle of that range
        spans: dict[tuple[float, float], list[float]] = {}
        for (w, t, f), key in scored.items():
            if key == top:
                spans.setdefault((w, f), []).append(t)
        weight, floor = max(spans, key=lambda wf: (-wf[1], max(spans[wf]) - min(spans[wf]), wf[0]))
        threshold = round((max(spans[(weight, floor)]) + min(spans[(weight, floor)])) / 2, 3)
        print(f"fitted on the tune half: DENSE_WEIGHT = {weight}, MATCH_THRESHOLD = {threshold:.3f}, LEXICAL_FLOOR = {floor}")
    print(json.dumps({"dense_weight": weight, "threshold": round(threshold, 3), "lexical_floor": floor,
                      **report(rows, faq, weight, threshold, floor)}, indent=1))


if __name__ == "__main__":
    main()
