"""A Redis that holds caches and nothing else (`CNHT_REDIS_URL`): everything in it may be lost at any time.

Every call is bounded by a short socket timeout and never raises: a Redis that is down, hung or flushed
reads as a miss and a write to it is dropped. The first failure of an outage is logged as a warning
(once, not per call); for a few seconds after it Redis is not tried at all, so a dead server costs each
question nothing, and the first call that succeeds again logs that the cache is back.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import TypeVar, cast
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from assistant.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_SECONDS = 5.0  # how long Redis is left alone after a failure


def redis_prefix(settings: Settings) -> str:
    """The prefix of this deployment's keys: `CNHT_REDIS_PREFIX`, else one derived from where the deployment's
    documents live (the database, else the data directory, plus the Chroma server and collection), so the
    replicas of one deployment share entries and two deployments sharing a Redis never see each other's."""
    if settings.redis_prefix:
        return settings.redis_prefix
    where = settings.database_url or str(settings.data_dir.resolve())
    identity = f"{where}|{settings.chroma_url}|{settings.chroma_collection}"
    return f"cnht:{hashlib.sha256(identity.encode()).hexdigest()[:16]}:"


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    return parts._replace(netloc=f"{host}:{parts.port}" if parts.port else host).geturl()


class RedisCache:
    """One Redis client under a key prefix whose calls fail soft (see the module's docstring)."""

    def __init__(self, url: str, prefix: str, timeout: float, retry_seconds: float = RETRY_SECONDS, what: str = "cache"):
        self.prefix = prefix
        self.where = f"{what} in Redis at {_without_credentials(url)}"
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0),
            health_check_interval=0,
        )
        self._retry_seconds = retry_seconds
        self._state = threading.Lock()
        self._down = False
        self._next_try = 0.0

    def get(self, key: str) -> bytes | None:
        """The value under prefix+key, or None (absent, or Redis unavailable)."""
        return self._call(lambda: cast("bytes | None", self._client.get(self.prefix + key)), None)

    def get_many(self, keys: list[str], ttl: int | None = None) -> list[bytes | None]:
        """The values under prefix+keys (None where absent, all None when Redis is unavailable); `ttl`
        renews the expiry of the ones found, so what is still used stays."""
        if not keys:
            return []

        def fetch() -> list[bytes | None]:
            if ttl is None:
                return cast("list[bytes | None]", self._client.mget([self.prefix + k for k in keys]))
            pipe = self._client.pipeline(transaction=False)
            for key in keys:
                pipe.getex(self.prefix + key, ex=ttl)
            return pipe.execute()

        return self._call(fetch, [None] * len(keys))

    def set_many(self, items: Iterable[tuple[str, bytes]], ttl: int) -> None:
        """Store each value under prefix+key for `ttl` seconds (dropped when Redis is unavailable)."""

        def store() -> None:
            pipe = self._client.pipeline(transaction=False)
            for key, value in items:
                pipe.set(self.prefix + key, value, ex=ttl)
            pipe.execute()

        self._call(store, None)

    def delete_matching(self, pattern: str) -> None:
        """Delete the keys prefix+pattern matches (a glob), never another prefix's."""

        def delete() -> None:
            batch: list[bytes] = []
            for key in self._client.scan_iter(match=self.prefix + pattern, count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    self._client.unlink(*batch)
                    batch.clear()
            if batch:
                self._client.unlink(*batch)

        self._call(delete, None)

    def close(self) -> None:
        """Release the connections."""
        self._client.close()

    def _call(self, action: Callable[[], T], otherwise: T) -> T:
        if self._down and time.monotonic() < self._next_try:
            return otherwise
        try:
            result = action()
        except (redis.RedisError, OSError) as exc:
            with self._state:
                self._next_try = time.monotonic() + self._retry_seconds
                first = not self._down
                self._down = True
            if first:
                log.warning("%s unavailable (%s: %s): working without it until it is back",
                            self.where, type(exc).__name__, exc)
            return otherwise
        if self._down:
            with self._state:
                back, self._down = self._down, False
            if back:
                log.warning("%s is back", self.where)
        return result


def open_redis(settings: Settings, what: str) -> RedisCache | None:
    """The deployment's Redis for the cache named `what` when `CNHT_REDIS_URL` is set, else None (caches in
    SQLite files)."""
    if not settings.redis_url:
        return None
    return RedisCache(settings.redis_url, redis_prefix(settings), settings.redis_timeout, what=what)
