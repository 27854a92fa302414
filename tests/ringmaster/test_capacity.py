"""Capacity and rate limits held across two worker processes on one Postgres, measured on the
jobs table (a job runs inside [started_at, finished_at]: claim to complete)."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.capacity import enqueue_tasks, intervals, max_overlap, spawn, wait_done
from ringmaster.run_queue import SqlRunQueue
from ringmaster.settings import Settings
from ringmaster.tables import make_engine

# Overlap measured on the machine: under `-n` these share one worker with the other
# multi-process capacity tests (test_slot_runs.py), never running beside each other.
pytestmark = pytest.mark.xdist_group("capacity")


@pytest.fixture
def pg_app_url(pg_database: str) -> str:
    return Settings(db_url=pg_database).app_db_url


def run_workers(url: str, agents: Any, n: int, rate: Any = None) -> None:
    queue = SqlRunQueue(make_engine(url))
    enqueue_tasks(queue, agents, n, "cap")
    # Each process has more threads than the capacity: only the queue holds them back.
    procs = [spawn(url, agents, threads=4, seconds=120, rate=rate) for _ in range(2)]
    try:
        wait_done(queue, n, timeout=100)
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        queue.close()
        queue.engine.dispose()


def test_capacity_two_holds_across_two_worker_processes(pg_app_url: str) -> None:
    # Runs long beside a claim's transaction (0.1 s against a few ms), so that a free slot
    # is taken whenever a claim is not starved: a claim that meets another's check looks
    # again (SqlRunQueue.claim) rather than leave the slot idle until the next NOTIFY.
    run_workers(pg_app_url, {"billing": (2, 0.1)}, 24)
    spans = [(s, f) for _, _, s, f in intervals(pg_app_url)]
    assert len(spans) == 24
    assert max_overlap(spans) == 2  # never above capacity, and both slots were used


def test_a_rate_limit_holds_across_two_worker_processes(pg_app_url: str) -> None:
    # No capacity limit (0), at most 4 starts in any 1-second window.
    run_workers(pg_app_url, {"llm": (0, 0.0)}, 12, rate={"llm": (4, 1.0)})
    starts = sorted(s for _, _, s, _ in intervals(pg_app_url))
    assert len(starts) == 12
    for i, t in enumerate(starts):
        in_window = [u for u in starts[i:] if u < t + 1.0]
        assert len(in_window) <= 4, f"{len(in_window)} starts within 1 s of {t}"
    assert starts[-1] - starts[0] >= 2.0  # 12 starts at 4 per second take over 2 s
