"""The CLINC150-derived files are what `ringmaster.evals.build_datasets` makes, and well formed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ringmaster.agents.spec import load_team
from ringmaster.evals.build_datasets import DATASETS, SOURCE, main
from ringmaster.evals.convert import read_labelled
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


def test_tuning_team_holds_out_a_fifth_of_train_and_rows_count_one_agent_a_domain() -> None:
    team = load_team(DATASETS / "clinc150-team-tune.yaml")
    seen = {e for a in team.agents for e in a.examples}
    rows = load_dataset(DATASETS / "clinc-multi-tune.jsonl").rows
    held = [
        r.text
        for r in read_labelled(SOURCE / "clinc150-train.jsonl", "domain")
        if r.label != "oos" and r.text not in seen
    ]
    assert held and len(held) < len(seen) / 3
    assert all(r.subtasks == len(r.agents) == (2 if "cross-domain" in r.tags else 1)
               for r in rows if "parts:2" in r.tags)  # fmt: skip


def test_another_tune_seed_draws_another_tuning_pair(tmp_path: Path) -> None:
    assert main(["--tune-seed", "151", "--out", str(tmp_path)]) == 0
    team = load_team(tmp_path / "clinc150-team-tune-s151.yaml")
    rows = load_dataset(tmp_path / "clinc-multi-tune-s151.jsonl").rows
    shipped = load_dataset(DATASETS / "clinc-multi-tune.jsonl").rows
    assert len(rows) == len(shipped) == 440
    assert Counter("cross-domain" in r.tags for r in rows) == {False: 280, True: 160}
    assert not {r.text for r in rows} & {r.text for r in shipped}
    assert {a for r in rows for a in r.agents} == set(team.names())
