"""Smoke test for benchmarks/review_queue.py: a small store, both ways of finding pending
interrupts, and the figures reported. Postgres runs only with RINGMASTER_TEST_POSTGRES_URL."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from benchmarks.review_queue import main

PG_URL = os.environ.get("RINGMASTER_TEST_POSTGRES_URL")


@pytest.fixture(scope="module")
def planner_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("planner-cache")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_review_queue_benchmark_reports_both_sides(
    backend: str, planner_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if backend == "postgres" and not PG_URL:
        pytest.skip("RINGMASTER_TEST_POSTGRES_URL is not set")
    args = ["--threads", "200", "--pending", "20", "--repeats", "20", "--scan-repeats", "1"]
    args += ["--no-scan-warmup", "--backends", backend, "--planner-cache", str(planner_cache)]
    report = main([*args, "--json"])

    doc = json.loads(capsys.readouterr().out)
    (b,) = doc["backends"]
    assert b["backend"] == backend and b["threads"] == 200 and b["pending"] == 20
    assert b["checkpoint_rows"] >= 200  # every thread has real checkpoints
    methods = [t["method"] for t in b["timings"]]
    assert any(m.startswith("queue: list_reviews") for m in methods)
    assert any(m.startswith("queue: GET /reviews") for m in methods)
    assert any("get_state" in m for m in methods) and any("get_tuple" in m for m in methods)
    for t in b["timings"]:
        assert t["found"] == 20  # each way finds exactly the pending threads
        assert 0 < t["p50_ms"] <= t["p95_ms"]
    # Figures, not verdicts: a loaded machine moves timings, so the test checks their shape.
    assert b["ratio"] > 0 and b["scan_ms"] > 0 and b["queue_p95_ms"] > 0
    assert isinstance(report.backends[0].p95_met, bool)
