"""Smoke test for benchmarks/cli_startup.py: one run of each command, figures reported in the
shape benchmarks/readme.py renders (the install size, minutes long, is left to the benchmark
itself and the wheel test; its rendering is checked on a document of that shape)."""

from __future__ import annotations

import json

import pytest

from benchmarks import readme
from benchmarks.cli_startup import main, verdicts


@pytest.mark.long  # starts the CLI again and again
def test_cli_startup_benchmark_reports_each_command(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--runs", "1", "--no-install-size", "--json"])
    doc = json.loads(capsys.readouterr().out)
    rows = {r["command"]: r for r in doc["startup"]}
    assert set(rows) == {"--help", "review list", "status"}
    for row in rows.values():
        assert row["runs"] == 1 and row["median_s"] > 0 and row["cpu_median_s"] > 0
    assert doc["install"] is None
    assert doc["benchmark"] == "cli_startup" and len(doc["verdicts"]) == 3

    block = f"{readme.begin('cli_startup')}\nold\n{readme.end('cli_startup')}"
    rendered = readme.update(block, doc)
    assert "old" not in rendered and "load average" in rendered
    assert "`ringmaster status`" in rendered and "not measured" in rendered


def test_the_install_size_and_its_floor_are_rendered() -> None:
    one = {"median_s": 0.3, "min_s": 0.2, "max_s": 0.4, "cpu_median_s": 0.25}
    one |= {"runs": 10, "target_s": 0.5}
    doc = {
        "benchmark": "cli_startup",
        "command": ".venv/bin/python -m benchmarks.cli_startup",
        "machine": {
            k: {"at": "2026-12-04T11:00:00+00:00", "cpus": 2, "load": [0.5, 0.6, 0.7]}
            for k in ("before", "after")
        },
        "startup": [{"command": "--help", **one}],
        "install": {
            "total_mb": 416.1,
            "target_mb": 150.0,
            "distributions": 80,
            "largest": [{"name": "scipy", "mb": 143.0}],
            "without_ml_stack": {
                "total_mb": 145.7,
                "distributions": 73,
                "ml_stack_mb": 270.4,
                "largest": [{"name": "SQLAlchemy", "mb": 28.4}],
            },
        },
    }
    doc["verdicts"] = verdicts(doc)
    assert [v["ok"] for v in doc["verdicts"]] == [True, False, True]
    text = readme.render_cli_startup(doc)
    assert "**416 MB in 80 distributions**" in text and "scipy 143 MB" in text
    assert "ML stack" in text and "270 MB" in text and "**146 MB in 73 distributions**" in text
