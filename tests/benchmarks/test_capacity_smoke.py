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
    # No queue is ever over this threshold: every move is off the unhealthy agent.
    moving = unhealthy_halfway(url, 60, 1, rebalance=True, pass_seconds=0.05, threshold=10_000)

    assert waiting["moved"] == 0 and waiting["passes"] == 0
    assert moving["moved"] > 0 and moving["to_unhealthy"] == 0
    # Moved off, its queue no longer starts on the unhealthy agent as it does without moves.
    assert moving["billing_started_after"] < waiting["billing_started_after"]
    for d in (waiting, moving):
        assert d["drain_s"] > 0
        assert all(d["max_concurrency"][a] <= cap for a, (cap, _) in FAULT_AGENTS.items())
