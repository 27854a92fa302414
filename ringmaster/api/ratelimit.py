"""Rate limits: a token bucket per credential and kind of action, kept in process memory.

In memory because it is checked on every request and must cost nothing; the price is that
with N server processes a token gets up to N times the rate. Once there are more than
MAX_BUCKETS, buckets not used for an hour are dropped (at most once a minute) so the map does
not grow without bound.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ringmaster.api.errors import RateLimited

IDLE_DROP_SECONDS = 3600.0
MAX_BUCKETS = 10_000
SWEEP_EVERY_SECONDS = 60.0


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """`take(key)` spends one token or raises RateLimited with the seconds to wait."""

    def __init__(
        self,
        per_minute: float,
        burst: int,
        what: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(1, burst))
        self.what = what
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()
        self._next_sweep = float("-inf")

    def take(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._buckets) > MAX_BUCKETS and now >= self._next_sweep:
                self._drop_idle(now)
                self._next_sweep = now + SWEEP_EVERY_SECONDS
            b = self._buckets.get(key)
            if b is None:
                b = self._buckets[key] = _Bucket(self.burst, now)
            b.tokens = min(self.burst, b.tokens + (now - b.at) * self.rate)
            b.at = now
            if b.tokens >= 1.0:
                b.tokens -= 1.0
                return
            wait = (1.0 - b.tokens) / self.rate if self.rate > 0 else 3600.0
        raise RateLimited(f"too many {self.what} for this token; retry in {wait:.0f} s", wait)

    def _drop_idle(self, now: float) -> None:
        for key in [k for k, v in self._buckets.items() if now - v.at > IDLE_DROP_SECONDS]:
            del self._buckets[key]
