"""Per-client rate limiting shared by every frontend (web, Telegram), every worker process and every
replica that shares the database."""
from __future__ import annotations

import math
import time

from sqlalchemy import Float, bindparam, case, delete, select

from assistant.db.database import Database
from assistant.db.models import RateBucket

_FORGET_EVERY = 1000  # takes between deletions of the buckets nobody used for an hour (they are full again)


class RateLimiter:
    """A token bucket per client: `per_minute` requests, refilled continuously. The buckets live in the
    database, so every worker process and every replica of a deployment counts the same requests; each
    take is one atomic statement (an upsert that spends a token only if the refilled bucket holds one),
    so two processes never both spend the last token."""

    def __init__(self, per_minute: int, database: Database, name: str):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.name = name
        self.database = database
        self._take = self._statement()
        self._takes = 0

    def _statement(self):
        """INSERT a full bucket less one token; on conflict refill the stored bucket for the time elapsed
        (never beyond capacity, never backwards when another machine's clock is ahead) and spend one token
        only WHERE the refilled bucket holds one. A row comes back exactly when a token was spent."""
        now = bindparam("now", type_=Float)
        elapsed = case((now > RateBucket.stamp, now - RateBucket.stamp), else_=0.0)
        filled = RateBucket.tokens + elapsed * self.rate
        refilled = case((filled > self.capacity, self.capacity), else_=filled)
        insert = self.database.insert(RateBucket).values(name=self.name, client=bindparam("client"),
                                                    tokens=self.capacity - 1, stamp=now)
        return insert.on_conflict_do_update(
            index_elements=["name", "client"],
            set_={"tokens": refilled - 1, "stamp": case((now > RateBucket.stamp, now), else_=RateBucket.stamp)},
            where=refilled >= 1,
        ).returning(RateBucket.tokens)

    def take(self, client: str) -> float:
        """0 if the request may go ahead, else the seconds to wait."""
        now = time.time()
        with self.database.engine.begin() as connection:
            if connection.execute(self._take, {"client": client, "now": now}).first() is not None:
                wait = 0.0
            else:  # refused: the wait is read after the fact (a hint for Retry-After; the count itself is exact)
                row = connection.execute(
                    select(RateBucket.tokens, RateBucket.stamp).where(RateBucket.name == self.name, RateBucket.client == client)
                ).first()
                tokens = min(self.capacity, row.tokens + max(0.0, now - row.stamp) * self.rate) if row else self.capacity
                wait = max((1 - tokens) / self.rate, 0.01)
            self._takes += 1
            if self._takes % _FORGET_EVERY == 0:
                connection.execute(delete(RateBucket).where(RateBucket.stamp < now - 3600))
        return wait


def retry_after(seconds: float) -> dict[str, str]:
    """The Retry-After header for a wait."""
    return {"Retry-After": str(max(1, math.ceil(seconds)))}
