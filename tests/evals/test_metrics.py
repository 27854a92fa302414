"""Every metric on small cases worked out by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import pytest

from ringmaster.evals import metrics as m
from ringmaster.evals.dataset import HUMAN
from ringmaster.evals.records import RowPrediction
from tests.evals.fakes import pred, row

A, B, C = "alpha", "beta", "gamma"


@pytest.fixture
def rows() -> list[RowPrediction]:
    return [
        pred([A], [(A, 0.9, False, 0.05)]),  # right
        pred([A], [(B, 0.6, False, 0.3)]),  # wrong agent
        pred([B], [(B, 0.4, True, 0.3)]),  # right guess, escalated by threshold
        pred([], [(None, 0.0, True, 0.2)]),  # escalation caught
        pred([], [(C, 0.7, False, 0.1)]),  # escalation missed
        pred([A, B], [(A, 0.8, False, 0.1), (B, 0.9, False, 0.0)]),  # multi-part right
        pred([B, C], [(B, 0.95, False, 0.0)]),  # multi-part, one part found
    ]


def test_accuracy(rows: list[RowPrediction]) -> None:
    # right: rows 0, 3, 5 -> 3 / 7
    assert m.accuracy(rows) == pytest.approx(3 / 7)


def test_routing_accuracy_ignores_escalation(rows: list[RowPrediction]) -> None:
    # in-scope rows 0,1,2,5,6; first guess right in 0, 2 (escalated but B), 5, 6 -> 4 / 5
    assert m.routing_accuracy(rows) == pytest.approx(4 / 5)


def test_in_scope_accuracy(rows: list[RowPrediction]) -> None:
    # in-scope rows right and not escalated: 0, 5 -> 2 / 5
    assert m.in_scope_accuracy(rows) == pytest.approx(2 / 5)


def test_agent_set_match(rows: list[RowPrediction]) -> None:
    # best-guess sets: {A} ok, {B} no, {B} ok, {A,B} ok, {B} vs {B,C} no -> 3 / 5
    assert m.agent_set_match(rows) == pytest.approx(3 / 5)


def test_per_label_and_macro_f1(rows: list[RowPrediction]) -> None:
    per = m.per_label_prf(rows)
    # alpha: expected in rows 0,1,5; predicted in 0,5 -> P 2/2, R 2/3, F1 0.8
    assert per[A]["precision"] == pytest.approx(1.0)
    assert per[A]["recall"] == pytest.approx(2 / 3)
    assert per[A]["f1"] == pytest.approx(0.8)
    assert per[A]["support"] == 3
    # beta: expected 2,5,6; predicted 1,5,6 -> TP 2, FP 1, FN 1 -> P R F1 = 2/3
    assert per[B]["f1"] == pytest.approx(2 / 3)
    # gamma: expected 6; predicted 4 -> 0
    assert per[C]["f1"] == 0.0
    # human: expected 3,4; predicted 2,3 -> 1/2 each
    assert per[HUMAN]["f1"] == pytest.approx(0.5)
    # macro over agents only: (0.8 + 2/3 + 0) / 3
    assert m.macro_f1(per) == pytest.approx((0.8 + 2 / 3) / 3)


def test_escalation_prf(rows: list[RowPrediction]) -> None:
    # predicted escalate: rows 2, 3; expected: 3, 4 -> TP 1, FP 1, FN 1
    assert m.escalation_prf(rows) == pytest.approx((0.5, 0.5, 0.5))


def test_escalation_auroc_from_scores() -> None:
    rows = [
        pred([], [(None, 0.0, True, 0.0)], score=0.9),
        pred([], [(None, 0.0, True, 0.0)], score=0.3),
        pred([A], [(A, 0.9, False, 0.0)], score=0.4),
        pred([A], [(A, 0.9, False, 0.0)], score=0.1),
    ]
    # positive/negative pairs ranked right: (0.9>0.4) (0.9>0.1) (0.3>0.1), wrong: (0.3<0.4)
    assert m.escalation_auroc(rows) == pytest.approx(3 / 4)
    assert m.escalation_auroc(rows[2:]) is None  # one class: undefined


def test_default_escalation_score_is_one_minus_top_route() -> None:
    r = pred([A], [(A, 0.8, False, 0.1), (B, 0.6, False, 0.0)])
    assert r.escalation_score == pytest.approx(0.4)  # 1 - min(0.8, 0.6)
    # escalated with no agent: the best alternative (0.2) is the top route
    assert pred([], [(None, 0.0, True, 0.2)]).escalation_score == pytest.approx(0.8)


def test_confusion_matrix(rows: list[RowPrediction]) -> None:
    labels, matrix = m.confusion(rows)
    assert labels == [A, B, C, HUMAN]
    # one-label rows: A->A, A->B, B->human, human->human, human->C
    assert matrix == [
        [1, 1, 0, 0],
        [0, 0, 0, 1],
        [0, 0, 0, 0],
        [0, 0, 1, 1],
    ]


def test_confusion_several_column() -> None:
    labels, matrix = m.confusion([pred([A], [(A, 0.9, False, 0.0), (B, 0.9, False, 0.0)])])
    assert labels == [A, m.SEVERAL]
    assert matrix == [[0, 1], [0, 0]]


def test_ece_and_reliability() -> None:
    conf = [0.95, 0.95, 0.65, 0.65, 0.65, 0.65]
    hit = [True, False, True, True, True, False]
    # bin 0.9: conf 0.95, acc 0.5 -> |0.45| * 2/6; bin 0.6: conf 0.65, acc 0.75 -> 0.1 * 4/6
    assert m.ece(conf, hit) == pytest.approx(0.45 * 2 / 6 + 0.1 * 4 / 6)
    curve = m.reliability_curve(conf, hit)
    assert len(curve) == 10
    assert curve[9]["count"] == 2 and curve[9]["accuracy"] == pytest.approx(0.5)
    assert curve[6]["count"] == 4 and curve[6]["confidence"] == pytest.approx(0.65)
    assert m.ece([1.0], [True]) == 0.0  # 1.0 lands in the last bin
    assert m.ece([], []) is None


def test_reliability_bins_are_calibration_curves() -> None:
    """Bins are (lo, hi], as scikit-learn's calibration_curve makes them: 0.1 is in the first."""
    curve = m.reliability_curve([0.1, 0.1, 0.55, 0.0], [True, False, True, False])
    assert [b["count"] for b in curve] == [3, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    assert curve[0]["accuracy"] == pytest.approx(1 / 3)
    assert curve[0]["confidence"] == pytest.approx(0.2 / 3)
    assert curve[5]["accuracy"] == 1.0 and curve[5]["confidence"] == pytest.approx(0.55)
    assert all(b["count"] == 0 for b in m.reliability_curve([], []))


def test_ece_in_score_uses_in_scope_top_route(rows: list[RowPrediction]) -> None:
    # in-scope first routes: (0.9 ok) (0.6 no) (0.4 ok) (0.8 ok) (0.95 ok)
    # bins: 0.9 -> {0.9, 0.95} acc 1 conf .925; 0.6 -> .6 acc 0; 0.4 -> .4 acc 1; 0.8 -> .8 acc 1
    want = (2 * 0.075 + 0.6 + 0.6 + 0.2) / 5
    assert m.score(rows).metrics["ece"] == pytest.approx(want)


def test_decomposition(rows: list[RowPrediction]) -> None:
    count, set_f1 = m.decomposition(rows)
    # multi-part rows 5 (2 subtasks, ok) and 6 (1 of 2): count 1/2
    assert count == pytest.approx(0.5)
    # set F1: row 5 = 1; row 6 = 2*1/(1+2) = 2/3
    assert set_f1 == pytest.approx((1 + 2 / 3) / 2)
    assert m.decomposition(rows[:2]) == (None, None)


def test_latency_and_costs() -> None:
    rows = [pred([A], [(A, 0.9, False, 0.0)], latency_ms=float(v)) for v in range(1, 101)]
    rows[0].model_calls, rows[0].tokens = 4, 100
    metrics = m.score(rows).metrics
    assert metrics["latency_p50_ms"] == pytest.approx(50.5)
    assert metrics["latency_p95_ms"] == pytest.approx(95.05)
    assert metrics["model_calls_per_request"] == pytest.approx(0.04)
    assert metrics["tokens_per_request"] == pytest.approx(1.0)


def test_planner_error_fails_closed() -> None:
    r = RowPrediction.from_plan(row([A]), None, latency_ms=1.0, error="boom")
    assert r.predicted_escalate and r.predicted_set == {HUMAN} and not r.correct
    assert r.escalation_score == 1.0


def test_slices_and_flat_metrics(rows: list[RowPrediction]) -> None:
    rows = [*rows, pred([A], [(A, 0.9, False, 0.0)], tags=["informal"])]
    s = m.score(rows)
    assert s.slices["informal"] == {"rows": 1, "accuracy": 1.0}
    for key in ("accuracy", "routing_accuracy", "escalation_auroc", "ece", "macro_f1"):
        assert key in s.metrics
