"""benchmarks/routing_seeds.py: `--team` plans the demo splits with another copy of the team."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from benchmarks import routing_seeds as rs
from ringmaster.agents.spec import Team


def test_team_routes_the_demo_splits_with_that_files_thresholds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = rs.DEMO_TEAM.read_text(encoding="utf-8")
    block = "routing:\n  confidence_floor: 0.5\n  min_margin: 0.1\n"
    assert block in text
    other = tmp_path / "team.yaml"
    other.write_text(
        text.replace(
            block,
            block + "  by_classifier:\n    hybrid: {confidence_floor: 0.45, min_margin: 0.05}\n",
        ),
        encoding="utf-8",
    )
    seen: list[Team] = []

    def run_seed(
        seed: int, splits: Sequence[str], teams: dict[Path, Team], cache: Path, classifier: str
    ) -> dict[str, rs.SeedRun]:
        seen.extend(teams.values())
        return {
            s: rs.SeedRun(size=1, rows={"one-part": [1]}, right={"one-part": {1}}) for s in splits
        }

    monkeypatch.setattr(rs, "run_seed", run_seed)
    args = ["--seeds", "0", "--splits", "dev2", "--classifier", "tfidf", "--json"]
    rs.main(args)
    assert json.loads(capsys.readouterr().out)["team"] == str(rs.DEMO_TEAM)
    rs.main([*args[:-1], "--team", str(other), "--json"])
    assert json.loads(capsys.readouterr().out)["team"] == str(other)
    # The file's own block under TF-IDF either way: only the hybrid entry differs.
    assert [(t.routing.confidence_floor, t.routing.min_margin) for t in seen] == [(0.5, 0.1)] * 2

    seen.clear()
    monkeypatch.setattr(rs, "embeddings_available", lambda: True)
    rs.main(["--seeds", "0", "--splits", "dev2", "--classifier", "hybrid", "--team", str(other)])
    assert f"team {other};" in capsys.readouterr().out
    assert [
        (t.routing.classifier, t.routing.confidence_floor, t.routing.min_margin) for t in seen
    ] == [("hybrid", 0.45, 0.05)]
