"""Smoke test for benchmarks/capacity.py's unhealthy-halfway rows, small, on SQLite: the real
mover moves queued slot jobs off the agent made unhealthy, never onto it, each move one audit
event, and no agent runs past its capacity (the timings are the script's business)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.capacity import FAULT_AGENTS, _reset, unhealthy_halfway


def test_unhealthy_halfway_with_and_without_rebalancing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    waiting = unhealthy_halfway(url, 60, 1, rebalance=False, pass_seconds=0.05, threshold=2)
    _reset(url)
    moving = unhealthy_halfway(url, 60, 1, rebalance=True, pass_seconds=0.05, threshold=2)

    assert waiting["moved"] == 0 and waiting["passes"] == 0
    assert moving["moved"] > 0 and moving["to_unhealthy"] == 0
    for d in (waiting, moving):
        assert d["drain_s"] > 0
        assert all(d["max_concurrency"][a] <= cap for a, (cap, _) in FAULT_AGENTS.items())
