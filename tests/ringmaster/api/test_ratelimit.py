"""Rate limits held in the database: burst, refill, the wait they report, idle rows dropped,
and one limit across several processes (N processes never allow N times the rate)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from ringmaster.api import ratelimit
from ringmaster.api.errors import RateLimited
from ringmaster.api.ratelimit import RateLimiter
from ringmaster.tables import make_engine, rate_limits

ROOT = Path(__file__).resolve().parents[3]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(tmp_path: Path, db_url: str | None) -> Engine:
    return make_engine(db_url or f"sqlite:///{tmp_path / 'app.db'}")


def test_burst_then_refill(engine: Engine) -> None:
    clock = Clock()
    limiter = RateLimiter(engine, 60, 2, "requests", clock=clock)  # one a second, two at once
    limiter.take("a")
    limiter.take("a")
    with pytest.raises(RateLimited) as refused:
        limiter.take("a")
    assert refused.value.retry_after == pytest.approx(1.0)
    assert "too many requests" in str(refused.value)
    limiter.take("b")  # another key, its own bucket
    clock.now += 1.0
    limiter.take("a")
    with pytest.raises(RateLimited):
        limiter.take("a")


def test_two_limiters_on_one_database_share_the_limit(engine: Engine) -> None:
    clock = Clock()
    one = RateLimiter(engine, 60, 3, "requests", clock=clock)
    two = RateLimiter(engine, 60, 3, "requests", clock=clock)
    one.take("a")
    two.take("a")
    one.take("a")
    for limiter in (one, two):
        with pytest.raises(RateLimited):
            limiter.take("a")
    RateLimiter(engine, 60, 3, "decisions", clock=clock).take("a")  # another kind's own


def test_idle_rows_are_dropped_without_anyone_being_refused(engine: Engine) -> None:
    clock = Clock()
    limiter = RateLimiter(engine, 60, 5, "requests", clock=clock)
    for i in range(20):
        limiter.take(f"k{i}")  # every one allowed: nobody is ever limited
    clock.now += ratelimit.IDLE_DROP_SECONDS + 61
    limiter.take("fresh")
    with engine.connect() as conn:
        keys = conn.execute(select(rate_limits.c.key)).scalars().all()
    assert keys == ["requests:fresh"]


TAKER = """
import sys
from ringmaster.api.errors import RateLimited
from ringmaster.api.ratelimit import RateLimiter
from ringmaster.tables import make_engine
limiter = RateLimiter(make_engine(sys.argv[1]), 0.001, 7, "requests")  # no refill in the test
allowed = 0
for _ in range(10):
    try:
        limiter.take("shared-token")
        allowed += 1
    except RateLimited:
        pass
print(allowed)
"""


def test_processes_share_one_limit(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", TAKER, url], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    allowed = [int(p.communicate(timeout=120)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sum(allowed) == 7, allowed  # the burst, once, whichever process asked
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(rate_limits)).scalar() == 1
