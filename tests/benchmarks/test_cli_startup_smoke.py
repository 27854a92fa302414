"""Smoke test for benchmarks/cli_startup.py: one run of each command, figures reported (the
install size, minutes long, is left to the benchmark itself and the wheel test)."""

from __future__ import annotations

import json

import pytest

from benchmarks.cli_startup import main


def test_cli_startup_benchmark_reports_each_command(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--runs", "1", "--no-install-size", "--json"])
    doc = json.loads(capsys.readouterr().out)
    rows = {r["command"]: r for r in doc["startup"]}
    assert set(rows) == {"--help", "review list", "status"}
    for name in ("--help", "review list"):
        assert rows[name]["runs"] == 1 and rows[name]["median_s"] > 0
    status = rows["status"]
    assert "skipped" in status or status["median_s"] > 0
    assert doc["install"] is None
