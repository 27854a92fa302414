"""Rate limits per credential and kind of action, held in the app's database so they hold
across every process and machine that shares it.

Why SQL and not a library's store: the limit must hold across `ringmaster serve --workers N`
and across machines on one Postgres, and the default install has no Redis or Memcached for
`limits`' shared storages (its only store without a server is per process, the flaw this
replaces). The database every process already shares is enough: one row per key with the
GCRA's theoretical arrival time (a token bucket of `burst` refilled at `per_minute`), read
under a row lock (Postgres `FOR UPDATE`; SQLite's write lock from `BEGIN IMMEDIATE`) and
written in the same transaction, so no two processes can both spend the last token. Wall-clock
time is used, as processes share it.

Rows of keys idle for an hour are deleted now and then, so the table stays small.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from ringmaster.errors import RingmasterError
from ringmaster.tables import rate_limits, writer

IDLE_DROP_SECONDS = 3600.0
SWEEP_EVERY_SECONDS = 60.0


class RateLimited(RingmasterError):
    """Too many requests or decisions for one token."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimiter:
    """`take(key)` spends one token or raises RateLimited with the seconds to wait."""

    def __init__(
        self,
        engine: Engine,
        per_minute: float,
        burst: int,
        what: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.interval = 60.0 / per_minute if per_minute > 0 else float("inf")
        self.burst = max(1, burst)
        self.what = what
        self.clock = clock
        self._next_sweep = float("-inf")

    def take(self, key: str) -> None:
        row_key = f"{self.what}:{key}"[:100]
        if self.interval == float("inf"):
            raise RateLimited(f"too many {self.what} for this token", 3600.0)
        try:
            wait = self._spend(row_key)
        except IntegrityError:  # another process made the key's row first: spend from it
            wait = self._spend(row_key)
        if wait is not None:
            raise RateLimited(f"too many {self.what} for this token; retry in {wait:.0f} s", wait)

    def _spend(self, row_key: str) -> float | None:
        """Spend a token of `row_key`: None, or the seconds until one is free."""
        c = rate_limits.c
        window = self.burst * self.interval
        with writer(self.engine).begin() as conn:
            # The key's row is locked first (FOR UPDATE on Postgres; SQLite's write lock is
            # taken at BEGIN), then the clock is read: a request that waited for another's
            # write is judged by when it got its turn, not by when it arrived.
            locked = select(c.tat).where(c.key == row_key).with_for_update()
            tat = conn.execute(locked).scalar()
            now = self.clock()
            if now >= self._next_sweep:
                self._next_sweep = now + SWEEP_EVERY_SECONDS
                conn.execute(delete(rate_limits).where(c.tat < now - IDLE_DROP_SECONDS))
            if tat is None:  # the key's first request (or idle past the sweep): a full bucket
                conn.execute(insert(rate_limits).values(key=row_key, tat=now + self.interval))
                return None
            arrival = max(float(tat), now) + self.interval
            if arrival - now > window:
                return arrival - now - window
            conn.execute(update(rate_limits).where(c.key == row_key).values(tat=arrival))
            return None
