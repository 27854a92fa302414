"""The CLINC150-derived files are what `ringmaster.evals.build_datasets` makes, and well formed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ringmaster.agents.spec import load_team
from ringmaster.evals.build_datasets import DATASETS, main
from ringmaster.evals.dataset import load_dataset


def test_generated_files_are_up_to_date() -> None:
    assert main(["--check"]) == 0, "run: python -m ringmaster.evals.build_datasets"


def test_clinc150_team_and_rows() -> None:
    team = load_team(DATASETS / "clinc150-team-k20.yaml")
    assert len(team.agents) == 10
    assert all(len(a.examples) == 20 for a in team.agents)
    val = load_dataset(DATASETS / "clinc150-val.jsonl")
    assert len(val.rows) == 3100
    assert sum(r.escalate for r in val.rows) == 100
    assert {a for r in val.rows for a in r.agents} == set(team.names())


def test_multipart_rows_join_different_domains() -> None:
    rows = load_dataset(Path(DATASETS / "clinc150-multipart.jsonl")).rows
    assert len(rows) == 300
    assert Counter(r.subtasks for r in rows) == {2: 240, 3: 60}
    assert all(len(set(r.agents)) == r.subtasks for r in rows)
    assert len({r.text for r in rows}) == 300
