"""The per-token buckets: burst, refill, the wait they report, and a map that stays bounded."""

from __future__ import annotations

import pytest

from ringmaster.api import ratelimit
from ringmaster.api.errors import RateLimited
from ringmaster.api.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refill() -> None:
    clock = Clock()
    limiter = RateLimiter(60, 2, "requests", clock=clock)  # one a second, two at once
    limiter.take("a")
    limiter.take("a")
    with pytest.raises(RateLimited) as refused:
        limiter.take("a")
    assert refused.value.retry_after == pytest.approx(1.0)
    assert "too many requests" in str(refused.value)
    limiter.take("b")  # another key, its own bucket
    clock.now += 1.0
    limiter.take("a")


def test_idle_buckets_are_dropped_without_anyone_being_refused() -> None:
    clock = Clock()
    limiter = RateLimiter(60, 5, "requests", clock=clock)
    for i in range(ratelimit.MAX_BUCKETS + 1):
        limiter.take(f"k{i}")  # every one allowed: nobody is ever limited
    clock.now += ratelimit.IDLE_DROP_SECONDS + 1
    limiter.take("fresh")
    assert set(limiter._buckets) == {"fresh"}
