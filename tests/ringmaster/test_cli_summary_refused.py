"""`ringmaster summary` counts an attempt refused for what the request gave it (failure kinds
input, scope, budget: graph/nodes/agent.py fault_of) as refused, not as the agent's failure,
as `ringmaster status` already does."""

from __future__ import annotations

import json
from pathlib import Path

from tests.ringmaster.test_cli import Cli
from tests.ringmaster.test_refused_input import BAD


def test_summary_counts_refused_subtasks_as_refused_not_failed(cli_in_process: Cli) -> None:
    cli = cli_in_process
    assert cli.json("run", BAD)["status"] == "needs_input"  # the tool refused 99999 days
    cli.json("run", "how many tickets were opened last week")
    report = json.loads(cli("summary", "--format", "json").stdout)
    (line,) = [a for a in report["agents"] if a["agent"] == "analytics"]
    assert (line["processed"], line["failed"], line["refused"]) == (1, 0, 1)
    assert report["totals"]["failed"] == 0 and report["totals"]["refused"] == 1
    text = cli("summary").stdout
    assert "0 failed" in text and "1 refused" in text


def test_a_pleasantry_plans_no_work_in_the_summary(cli_in_process: Cli) -> None:
    cli = cli_in_process
    cli.json("run", "Refund invoice INV-1002 in full")  # one subtask, one review
    cli.json("run", "thanks!")  # answered by the supervisor: no subtask of work
    report = json.loads(cli("summary", "--format", "json").stdout)
    assert report["escalation_rate"] == 1.0
    assert report["requests"] == 2


def test_summary_output_to_a_folder_or_a_missing_folder_is_one_line(
    cli_in_process: Cli, tmp_path: Path
) -> None:
    # Both printed a traceback (IsADirectoryError, FileNotFoundError from write_text).
    cli = cli_in_process
    for where, said in (
        (tmp_path, "is a folder; name a file in it"),
        (tmp_path / "nowhere" / "s.md", "no folder"),
    ):
        proc = cli("summary", "-o", str(where), ok=False)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        [line] = proc.stderr.strip().splitlines()
        assert line.startswith("error: --output") and said in line
    assert not (tmp_path / "nowhere").exists()
    cli("summary", "-o", str(tmp_path / "s.md"))
    assert (tmp_path / "s.md").read_text().startswith("# ringmaster summary")


def test_summary_output_keeps_an_existing_file_unless_forced(
    cli_in_process: Cli, tmp_path: Path
) -> None:
    # It replaced any file without a word (a mistyped -o lost it), where `audit export` and
    # the eval reports refuse one.
    cli = cli_in_process
    kept = tmp_path / "notes.md"
    kept.write_text("mine\n")
    proc = cli("summary", "-o", str(kept), ok=False)
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [
        f"error: --output: {str(kept)!r} exists; choose a new file, or --force to replace it"
    ]
    assert kept.read_text() == "mine\n"
    cli("summary", "-o", str(kept), "--force")
    assert kept.read_text().startswith("# ringmaster summary")
