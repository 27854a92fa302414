"""Smoke test for benchmarks/capacity.py's unhealthy-halfway rows, small, on SQLite: the real
mover moves queued slot jobs off the agent made unhealthy, never onto it, each move one audit
event, and no agent runs past its capacity (the timings are the script's business)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.capacity import FAULT_AGENTS, _reset, unhealthy_halfway


def test_unhealthy_halfway_with_and_without_rebalancing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    waiting = unhealthy_halfway(
        url, 60, 1, rebalance=False, pass_seconds=0.05, threshold=2, down_seconds=0.5
    )
    _reset(url)
    # No queue is ever over this threshold: every move is off the unhealthy agent.
    moving = unhealthy_halfway(
        url, 60, 1, rebalance=True, pass_seconds=0.05, threshold=10_000, down_seconds=0.5
    )

    assert waiting["moved"] == 0 and waiting["passes"] == 0
    assert moving["moved"] > 0 and moving["to_unhealthy"] == 0
    # The queue's grant reads the flag: nothing starts on billing while it is unhealthy, with
    # or without moves. Without moves its queue waits for the recovery to drain; with them,
    # it may drain on the stand-in first.
    assert waiting["recovered"]
    for d in (waiting, moving):
        assert d["billing_started_unhealthy"] == 0
        assert d["drain_s"] > 0
        assert all(d["max_concurrency"][a] <= cap for a, (cap, _) in FAULT_AGENTS.items())
