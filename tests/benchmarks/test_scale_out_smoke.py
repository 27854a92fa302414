"""Smoke test for benchmarks/scale_out.py: two `ringmaster serve` processes on one Postgres,
a few requests through each, and the exactly-once check. Needs RINGMASTER_TEST_POSTGRES_URL."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from benchmarks.scale_out import main

PG_URL = os.environ.get("RINGMASTER_TEST_POSTGRES_URL")


@pytest.mark.skipif(not PG_URL, reason="RINGMASTER_TEST_POSTGRES_URL is not set")
@pytest.mark.long  # two servers and 40 requests
def test_two_servers_run_every_request_exactly_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = main(["--requests", "20", "--planner-cache", str(tmp_path / "cache"), "--json"])

    doc = json.loads(capsys.readouterr().out)
    assert [p["processes"] for p in doc["phases"]] == [1, 2]
    for phase in doc["phases"]:
        assert phase["requests"] == phase["finished"] == 20 and phase["errors"] == 0
        assert phase["requests_per_second"] > 0 and phase["p95_ms"] >= phase["p50_ms"] > 0
    check = doc["check"]
    assert doc["exactly_once"] and check["problems"] == []
    # 40 requests: 12 stop for approval (11 approved through the other process, 1 left
    # waiting), 8 small credits run at once, 20 read-only.
    assert check["requests"] == 40
    assert check["waiting"] == 1 and check["completed"] == 39
    assert check["approvals"] == 11 and check["side_effects"] == 11 + 8
    assert report.speedup > 0
