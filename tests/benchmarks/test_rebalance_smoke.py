"""The rebalancing simulation runs small: capacities hold, and moving work off an agent that
goes down drains the queue sooner than waiting for it."""

from __future__ import annotations

from benchmarks.rebalance import TEAM, simulate


def test_rebalancing_drains_sooner_within_capacity() -> None:
    kw = {"jobs": 40, "down_for": 200, "threshold": 4, "seed": 3}
    waiting = simulate(down_at=10, rebalance=False, **kw)  # type: ignore[arg-type]
    moving = simulate(down_at=10, rebalance=True, **kw)  # type: ignore[arg-type]
    assert moving.drained_at < waiting.drained_at
    assert moving.moved > 0 and waiting.moved == 0
    assert sum(moving.done.values()) + moving.to_person == 40 + 10
    for r in (waiting, moving):
        assert all(n <= TEAM.agent(a).capacity for a, n in r.max_concurrency.items())
