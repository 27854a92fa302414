"""One end-to-end run of the real local planner on a tiny team, through `ringmaster eval run`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ringmaster.cli_eval import eval_app


def test_local_planner_runs_end_to_end(team_file: Path, rows_file: Path, tmp_path: Path) -> None:
    args = [
        "run",
        "--dataset",
        str(rows_file),
        "--team",
        str(team_file),
        "--planner",
        "local",
        "--runs-dir",
        str(tmp_path / "runs"),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--json",
    ]
    result = CliRunner().invoke(eval_app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["config"]["planner"] == "local"
    assert data["metrics"]["rows"] == 4
    assert 0.0 <= data["metrics"]["accuracy"] <= 1.0
    # The tiny team's rows are easy: every in-scope row's best guess is the right agent (the
    # confidence floor aside), and the weather question goes to a human.
    assert data["metrics"]["routing_accuracy"] == 1.0
    assert data["metrics"]["escalation_recall"] == 1.0
    assert data["metrics"]["model_calls_per_request"] == 0.0  # no model, no calls
    assert list((tmp_path / "cache" / "planner").iterdir())  # the trained model was cached
