"""Threshold tuning on recorded predictions, and writing the result into a team file in place."""

from __future__ import annotations

from pathlib import Path

import pytest

from ringmaster.agents.errors import TeamFileError
from ringmaster.agents.spec import load_team
from ringmaster.evals.errors import GateError
from ringmaster.evals.records import RowPrediction
from ringmaster.evals.threshold import tune, write_routing
from tests.evals.fakes import TEAM_YAML, pred

A, B = "alpha", "beta"


@pytest.fixture
def rows() -> list[RowPrediction]:
    # Recorded with both thresholds at 0: only the out-of-scope check escalated (last row).
    return [
        pred([A], [(A, 0.9, False, 0.1)]),  # right, margin 0.8
        pred([A], [(A, 0.6, False, 0.1)]),  # right, margin 0.5
        pred([B], [(A, 0.55, False, 0.25)]),  # wrong, margin 0.3
        pred([], [(A, 0.5, False, 0.3)]),  # missed escalation, margin 0.2
        pred([], [(None, 0.0, True, 0.2)]),  # caught
    ]


def test_floor_only(rows: list[RowPrediction]) -> None:
    chosen, tried = tune(rows, objective="escalation_f1", tune_margin=False)
    # floor 0.525 (between 0.5 and 0.55) catches the missed row and nothing else: F1 1.0
    assert chosen.confidence_floor == 0.525 and chosen.min_margin == 0.0
    assert chosen.escalation_f1 == 1.0
    assert chosen.in_scope_accuracy == pytest.approx(2 / 3)
    assert chosen.accuracy == pytest.approx(4 / 5)
    assert tried == 5  # 0 and the midpoints of 0.2, 0.5, 0.55, 0.6, 0.9


def test_margin_ties_prefer_the_lower_floor(rows: list[RowPrediction]) -> None:
    chosen, _ = tune(rows, objective="escalation_f1")
    # min_margin 0.3 escalates the 0.2-margin row only: also F1 1.0, at floor 0
    assert (chosen.confidence_floor, chosen.min_margin) == (0.0, 0.3)


def test_in_scope_bar(rows: list[RowPrediction]) -> None:
    chosen, _ = tune(rows, objective="escalation_recall", min_in_scope_accuracy=0.6)
    assert chosen.escalation_recall == 1.0 and chosen.in_scope_accuracy >= 0.6
    with pytest.raises(GateError, match="best reachable is 0.6667"):
        tune(rows, objective="escalation_recall", min_in_scope_accuracy=0.9)
    with pytest.raises(GateError, match="unknown objective"):
        tune(rows, objective="vibes")


def test_write_routing_keeps_comments_and_other_keys(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    margin = "  min_margin: 0.1\n"
    path.write_text(TEAM_YAML.replace(margin, margin + "  classifier: hybrid\n"))
    write_routing(path, 0.4321, 0.05)
    text = path.read_text()
    assert text.startswith("# a tiny team for eval tests")
    assert load_team(path).routing.confidence_floor == 0.4321
    assert load_team(path).routing.min_margin == 0.05
    assert text.count("routing:") == 1 and "agents:" in text
    assert load_team(path).routing.classifier == "hybrid"  # a key it does not set stays


def test_write_routing_adds_a_block(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(TEAM_YAML.replace("routing:\n  confidence_floor: 0.5\n  min_margin: 0.1\n", ""))
    write_routing(path, 0.3, 0.0)
    assert load_team(path).routing.confidence_floor == 0.3
    (tmp_path / "x.yaml").write_text("name: x\n")
    with pytest.raises(TeamFileError):
        write_routing(tmp_path / "x.yaml", 0.3, 0.0)


def test_human_floor_is_tuned_on_the_escalation_score(tmp_path: Path) -> None:
    rows = [
        pred([A], [(A, 0.9, False, 0.1)], score=0.05),
        pred([A], [(A, 0.9, False, 0.1)], score=0.1),
        pred([], [(A, 0.9, False, 0.1)], score=0.3),  # confident, but leans to a person
    ]
    plain, _ = tune(rows, objective="escalation_recall", min_in_scope_accuracy=1.0)
    assert plain.escalation_recall == 0.0 and plain.human_floor is None
    chosen, _ = tune(
        rows, objective="escalation_recall", min_in_scope_accuracy=1.0, tune_human_floor=True
    )
    assert chosen.human_floor == 0.2 and chosen.escalation_recall == 1.0
    path = tmp_path / "team.yaml"
    path.write_text(TEAM_YAML)
    write_routing(path, 0.0, 0.0, human_floor=0.2, set_human_floor=True)
    assert load_team(path).routing.human_floor == 0.2
    write_routing(path, 0.1, 0.0)  # not tuned: kept
    assert load_team(path).routing.human_floor == 0.2
    write_routing(path, 0.1, 0.0, human_floor=None, set_human_floor=True)
    assert load_team(path).routing.human_floor is None


def test_an_assumed_out_of_scope_rate_reweights_precision_not_recall() -> None:
    from ringmaster.evals.threshold import _Arrays, observed_oos_rate

    # 1 of 4 rows out of scope; at floor 0.55 the out-of-scope row and one in-scope row escalate.
    rows = [
        pred([A], [(A, 0.9, False, 0.1)]),
        pred([A], [(A, 0.8, False, 0.1)]),
        pred([A], [(A, 0.5, False, 0.1)]),
        pred([], [(A, 0.3, False, 0.1)]),
    ]
    assert observed_oos_rate(rows) == 0.25
    own = _Arrays(rows).operating(0.55, 0.0)
    assert own.escalation_precision == pytest.approx(0.5)
    # At 75% out-of-scope traffic the one wrong escalation weighs 1/9 as much as the right one.
    heavy = _Arrays(rows, oos_rate=0.75).operating(0.55, 0.0)
    assert heavy.escalation_precision == pytest.approx(0.75 / (0.75 + 0.25 / 3))
    assert heavy.escalation_recall == own.escalation_recall == 1.0
    assert heavy.in_scope_accuracy == own.in_scope_accuracy
    with pytest.raises(GateError, match="has none"):
        tune(rows[:3], oos_rate=0.2)
