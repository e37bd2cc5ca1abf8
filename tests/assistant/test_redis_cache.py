"""The answer and embedding caches in Redis (`CNHT_REDIS_URL`): shared by replicas, never stale after a change
made through another replica, namespaced per deployment, bounded by expiry, and safe to lose (a Redis that
is down, hung or flushed never fails a question)."""
from __future__ import annotations

import time

import pytest
import redis

from assistant.answering.cache import RedisAnswers, SqliteAnswers, fingerprint
from assistant.db.redis_cache import RETRY_SECONDS, RedisCache, redis_prefix
from assistant.knowledge.ingestion import ingest_paths
from assistant.runtime import build_runtime
from assistant.settings import Settings
from tests.support.redis_server import delete_prefix

QUESTION = "Khu công nghiệp Phú Hà có diện tích bao nhiêu?"


def write_park(folder, hectares: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kcn-phu-ha.txt").write_text(
        "Thông tin khu công nghiệp\n\n"
        f"Khu công nghiệp Phú Hà có diện tích {hectares} ha, do Ban quản lý các khu công nghiệp tỉnh quản lý.\n\n"
        "Khu công nghiệp Trung Hà chuyên về cơ khí và điện tử.",
        encoding="utf-8",
    )


def spy_searches(service) -> list:
    """The searches `service` makes from now on (none when an answer comes from the cache)."""
    searched: list = []
    original = service.searcher.search
    service.searcher.search = lambda *a, **k: searched.append(a) or original(*a, **k)
    return searched


@pytest.fixture
def park_kb(make_kb, options, tmp_path):
    """A small knowledge base (one document) on a data directory of its own."""
    kb = make_kb("shared")
    write_park(tmp_path / "docs", 100)
    assert ingest_paths(kb, [tmp_path / "docs"], options).ok
    return kb


def replica(tmp_path, name, kb, **redis_settings):
    """An assistant service with its own data directory over `kb`, its caches where `redis_settings` say."""
    return build_runtime(Settings(data_dir=tmp_path / name, **redis_settings), kb=kb).service


def test_an_answer_cached_before_a_change_made_through_another_replica_is_never_served(
    park_kb, make_kb, options, tmp_path, redis_url, redis_prefix
):
    first_kb, second_kb = park_kb, make_kb("shared")  # two knowledge bases over one registry, as two replicas
    one = replica(tmp_path, "one", first_kb, redis_url=redis_url, redis_prefix=redis_prefix)
    two = replica(tmp_path, "two", second_kb, redis_url=redis_url, redis_prefix=redis_prefix)
    before = one.ask(QUESTION)
    assert "100 ha" in before.answer
    searched = spy_searches(two)
    assert two.ask(QUESTION).answer == before.answer and not searched  # shared through Redis

    write_park(tmp_path / "docs", 250)  # the document changes through the second replica
    assert ingest_paths(second_kb, [tmp_path / "docs"], options).ok
    after = two.ask(QUESTION)
    assert "250 ha" in after.answer and "100 ha" not in after.answer and searched  # worked out again
    assert one.ask(QUESTION).answer == after.answer  # not the first replica's memory nor the old Redis entry


def test_a_rebuilt_registry_never_gets_the_answers_of_the_one_it_replaced(make_kb, options, tmp_path, redis_url, redis_prefix):
    old_kb, new_kb = make_kb("old"), make_kb("rebuilt")  # a fresh database: its generations start at 1 again
    write_park(tmp_path / "old-docs", 100)
    write_park(tmp_path / "new-docs", 250)
    assert ingest_paths(old_kb, [tmp_path / "old-docs"], options).ok
    assert ingest_paths(new_kb, [tmp_path / "new-docs"], options).ok
    assert old_kb.registry.generation() == new_kb.registry.generation()
    assert old_kb.registry.identity() != new_kb.registry.identity() != 0

    settings = {"redis_url": redis_url, "redis_prefix": redis_prefix}  # one deployment, one Redis
    assert "100 ha" in replica(tmp_path, "before", old_kb, **settings).ask(QUESTION).answer
    after = replica(tmp_path, "after", new_kb, **settings).ask(QUESTION)
    assert "250 ha" in after.answer and "100 ha" not in after.answer


def test_replicas_of_one_deployment_share_a_prefix_and_two_deployments_do_not(tmp_path):
    database = "postgresql+psycopg://postgres@127.0.0.1:5432/province_a"
    a1 = Settings(data_dir=tmp_path / "a1", database_url=database, chroma_url="http://chroma:8000", port=8001)
    a2 = Settings(data_dir=tmp_path / "a2", database_url=database, chroma_url="http://chroma:8000", port=8002)
    b = Settings(data_dir=tmp_path / "b", database_url=database.replace("province_a", "province_b"),
                 chroma_url="http://chroma:8000")
    assert redis_prefix(a1) == redis_prefix(a2) != redis_prefix(b)
    assert redis_prefix(Settings(data_dir=tmp_path / "x")) != redis_prefix(Settings(data_dir=tmp_path / "y"))
    assert redis_prefix(Settings(data_dir=tmp_path / "x", redis_prefix="province-a:")) == "province-a:"
    with pytest.raises(ValueError):
        Settings(redis_prefix="a*")  # a glob character would reach other deployments' keys
    assert fingerprint(a1) == fingerprint(a2)  # where a replica runs does not change its answers' keys


def test_answers_expire_and_clearing_touches_only_this_deployment(redis_url, redis_prefix):
    mine = RedisAnswers(RedisCache(redis_url, f"{redis_prefix}a:", 1), ttl=600)
    theirs = RedisAnswers(RedisCache(redis_url, f"{redis_prefix}b:", 1), ttl=600)
    mine.put("k", 3, "{}")
    theirs.put("k", 3, "{}")
    client = redis.Redis.from_url(redis_url)
    assert 0 < client.ttl(f"{redis_prefix}a:answer:3:k") <= 600
    mine.clear()
    assert mine.get("k", 3) is None and theirs.get("k", 3) == "{}"


def test_sqlite_stays_the_default(park_kb, tmp_path):
    service = replica(tmp_path, "embedded", park_kb)
    assert isinstance(service.answers.store, SqliteAnswers)
    assert service.ask(QUESTION).grounded


def test_a_flushed_redis_only_costs_working_answers_out_again(park_kb, tmp_path, redis_url, redis_prefix):
    settings = {"redis_url": redis_url, "redis_prefix": redis_prefix}
    first = replica(tmp_path, "one", park_kb, **settings).ask(QUESTION)
    delete_prefix(redis_url, redis_prefix)  # as FLUSHDB would, for this deployment's keys only
    again = replica(tmp_path, "two", park_kb, **settings)
    searched = spy_searches(again)
    assert again.ask(QUESTION).answer == first.answer and searched


@pytest.mark.slow
def test_asking_goes_on_when_redis_stops_hangs_and_comes_back(park_kb, tmp_path, own_redis, caplog):
    settings = {"redis_url": own_redis.url, "redis_prefix": "cnht:", "redis_timeout": 0.3}
    service = replica(tmp_path, "one", park_kb, **settings)
    assert "100 ha" in service.ask(QUESTION).answer

    own_redis.stop()  # down: connections refused
    with caplog.at_level("WARNING", logger="assistant.db.redis_cache"):
        fresh = replica(tmp_path, "two", park_kb, **settings)
        for question in (QUESTION, "Khu công nghiệp Trung Hà chuyên về gì?", QUESTION):
            assert fresh.ask(question).grounded
    assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1  # once per outage

    own_redis.start()  # back on the same port, empty: the next call after the pause uses it again
    time.sleep(RETRY_SECONDS + 0.2)
    caplog.clear()
    with caplog.at_level("WARNING", logger="assistant.db.redis_cache"):
        fresh.ask("Ban quản lý nào quản lý khu công nghiệp Phú Hà?")
    assert any("is back" in r.getMessage() for r in caplog.records)
    assert redis.Redis.from_url(own_redis.url).dbsize() == 1  # that answer is in Redis again

    own_redis.pause()  # hung: connections accepted, never answered
    hung = replica(tmp_path, "three", park_kb, **settings)
    started = time.monotonic()
    assert "100 ha" in hung.ask(QUESTION).answer
    assert hung.ask("Khu công nghiệp Trung Hà chuyên về gì?").grounded
    assert time.monotonic() - started < 3  # one short timeout, then Redis is left alone
