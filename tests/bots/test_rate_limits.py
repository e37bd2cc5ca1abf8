"""Rate limits counted in the database: exact under concurrency, across processes sharing one PostgreSQL."""
from __future__ import annotations

import threading
import time


def _database(url: str):
    from assistant.db.database import Database

    database = Database(url)
    database.migrate()
    return database


def test_a_bucket_allows_its_burst_then_says_how_long_to_wait_and_refills(database_url):
    from bots.rate_limits import RateLimiter

    database = _database(database_url)
    limiter = RateLimiter(60, database, "web")
    assert [limiter.take("10.0.0.1") for _ in range(60)] == [0.0] * 60
    wait = limiter.take("10.0.0.1")
    assert 0 < wait <= 1.0  # one token a second
    assert limiter.take("10.0.0.2") == 0.0  # another client has its own bucket
    assert RateLimiter(60, database, "login").take("10.0.0.1") == 0.0  # and another limiter its own
    time.sleep(wait + 0.05)
    assert limiter.take("10.0.0.1") == 0.0
    database.close()


def test_two_replicas_hammering_one_bucket_never_spend_more_than_it_holds(database_url):
    """Two replicas' engines (on PostgreSQL; two worker processes' on SQLite), four threads each, take from
    one bucket at once: exactly the bucket's tokens are granted, plus at most what refilled meanwhile."""
    from bots.rate_limits import RateLimiter

    replicas = [_database(database_url), _database(database_url)]
    limiters = [RateLimiter(60, database, "web") for database in replicas]
    granted: list[int] = [0] * 8
    start = threading.Barrier(8)

    def hammer(slot: int) -> None:
        limiter = limiters[slot % 2]
        start.wait()
        granted[slot] = sum(limiter.take("203.0.113.9") == 0.0 for _ in range(25))

    began = time.monotonic()
    threads = [threading.Thread(target=hammer, args=(slot,)) for slot in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    assert 60 <= sum(granted) <= 60 + int(elapsed) + 1, (sum(granted), elapsed)
    for database in replicas:
        database.close()
