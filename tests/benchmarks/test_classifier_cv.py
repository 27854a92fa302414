"""benchmarks/classifier_cv.py: out-of-fold top labels of the planner's TF-IDF pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.classifier_cv import VARIANTS, main, predictions
from ringmaster.evals.convert import LabelledRow

ALARMS = ["set an alarm for six", "wake me up at seven", "cancel my alarm", "alarm at nine"]
WEATHER = ["will it rain today", "how hot is it outside", "is it sunny", "weather for tomorrow"]


def test_each_row_is_predicted_by_a_model_that_did_not_see_it() -> None:
    # A label with one example: the model that predicts its row never saw the label, so it
    # cannot answer it (a model trained on every row answers it from the row's own words).
    rows = [LabelledRow(t, "alarm") for t in ALARMS] + [LabelledRow(t, "weather") for t in WEATHER]
    rows.append(LabelledRow("play the xylophone solo", "music"))
    got = predictions(rows, VARIANTS["shipped"], folds=2)
    assert len(got) == len(rows)
    assert got[-1] in {"alarm", "weather"}
    assert got[:4].count("alarm") >= 3 and got[4:8].count("weather") >= 3


def test_main_prints_a_line_per_variant_with_gains_against_the_shipped_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    team = tmp_path / "team.yaml"
    agents = "".join(
        f"  - name: {name}\n    description: {name}.\n    examples: {json.dumps(ex)}\n"
        "    runtime: {kind: python, entry: ringmaster.evals.echo_agent:echo}\n"
        for name, ex in (("alarm", ALARMS), ("weather", WEATHER))
    )
    team.write_text(f"name: tiny\nagents:\n{agents}", encoding="utf-8")
    main([str(team), "--folds", "2", "--variants", "c3"])
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["variant"] for x in lines] == ["shipped", "c3"]
    assert lines[0]["rows"] == 8 and lines[0]["gained"] == lines[0]["lost"] == 0
    assert all(0.0 <= x["top1"] <= 1.0 for x in lines)
