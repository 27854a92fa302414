"""Routing metrics over a run's row predictions.

Definitions (each is None when the rows it needs are absent, e.g. AUROC with one class):

- accuracy: the predicted label set equals the expected one; an escalation is the set `{human}`,
  and a plan that escalates part of an in-scope request counts as wrong.
- routing_accuracy: in-scope rows whose first subtask's best-guess agent is the first expected
  agent, as if nothing were escalated (the router's top-1, apart from the escalation policy).
- in_scope_accuracy: in-scope rows routed to exactly the right agents with nothing escalated.
- agent_set_match: in-scope rows whose best-guess agents (escalations ignored) are exactly the
  expected agents: the set version of routing_accuracy.
- macro_f1 and per-label precision/recall/F1: multi-label over the label sets; macro over the
  agents only, because `human` has its own escalation_* figures.
- escalation_*: "a human is involved" as the positive class; the AUROC ranks rows by the run's
  escalation score (planner-provided, else 1 - the lowest top-route probability).
- ece and the reliability curve: on in-scope rows, the first subtask's top-route probability
  against whether that route was right (10 equal-width bins, scikit-learn's calibration_curve).
- decomposition_*: on rows expecting 2+ subtasks, whether the plan has that many subtasks, and
  the F1 between best-guess agents and expected agents per row, averaged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import precision_recall_fscore_support, roc_auc_score
from sklearn.preprocessing import MultiLabelBinarizer

from ringmaster.evals.dataset import HUMAN
from ringmaster.evals.records import RowPrediction
from ringmaster.percentiles import percentile

SEVERAL = "(several)"  # confusion-matrix column for one-label rows planned as several labels

# Metrics where higher is better; the rest (latency, cost) are better lower.
HIGHER_IS_BETTER = {
    "accuracy",
    "routing_accuracy",
    "in_scope_accuracy",
    "agent_set_match",
    "macro_f1",
    "escalation_precision",
    "escalation_recall",
    "escalation_f1",
    "escalation_auroc",
    "decomposition_count_accuracy",
    "decomposition_set_f1",
    "one_part_kept_whole",
    "local_share",
}


@dataclass
class Scores:
    """Everything a report needs: the flat metrics and the tables behind them."""

    metrics: dict[str, float | None]
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)
    confusion_labels: list[str] = field(default_factory=list)
    confusion: list[list[int]] = field(default_factory=list)
    reliability: list[dict[str, float]] = field(default_factory=list)
    slices: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "metrics": self.metrics,
            "per_label": self.per_label,
            "confusion": {"labels": self.confusion_labels, "matrix": self.confusion},
            "reliability": self.reliability,
            "slices": self.slices,
        }


def _mean(flags: Sequence[bool | float]) -> float | None:
    return float(np.mean(flags)) if len(flags) else None


def accuracy(rows: Sequence[RowPrediction]) -> float | None:
    return _mean([r.correct for r in rows])


def routing_accuracy(rows: Sequence[RowPrediction]) -> float | None:
    return _mean([r.routed_right for r in rows if r.in_scope])


def in_scope_accuracy(rows: Sequence[RowPrediction]) -> float | None:
    return _mean([r.correct for r in rows if r.in_scope])


def agent_set_match(rows: Sequence[RowPrediction]) -> float | None:
    return _mean([r.guessed_agents == r.expected_set for r in rows if r.in_scope])


def per_label_prf(rows: Sequence[RowPrediction]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per label (agents and `human`) over the label sets."""
    if not rows:
        return {}
    expected = [sorted(r.expected_set) for r in rows]
    predicted = [sorted(r.predicted_set) for r in rows]
    labels = sorted({x for s in expected + predicted for x in s})
    binarizer = MultiLabelBinarizer(classes=labels)
    y_true = binarizer.fit_transform(expected)
    y_pred = binarizer.transform(predicted)
    p, r, f, support = precision_recall_fscore_support(
        y_true, y_pred, average=None, zero_division=0.0
    )
    return {
        label: {
            "precision": float(p[i]),
            "recall": float(r[i]),
            "f1": float(f[i]),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    }


def macro_f1(per_label: dict[str, dict[str, float]]) -> float | None:
    return _mean([v["f1"] for k, v in per_label.items() if k != HUMAN])


def confusion(rows: Sequence[RowPrediction]) -> tuple[list[str], list[list[int]]]:
    """Expected label (rows) by predicted label (columns), over rows with one expected label."""
    pairs: list[tuple[str, str]] = []
    for r in rows:
        if len(r.expected_set) != 1:
            continue
        predicted = r.predicted_set
        guess = next(iter(predicted)) if len(predicted) == 1 else SEVERAL
        pairs.append((next(iter(r.expected_set)), guess))
    seen = {x for pair in pairs for x in pair}
    labels = sorted(seen - {HUMAN, SEVERAL}) + [x for x in (HUMAN, SEVERAL) if x in seen]
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for true, pred in pairs:
        matrix[index[true]][index[pred]] += 1
    return labels, matrix


def escalation_prf(rows: Sequence[RowPrediction]) -> tuple[float, float, float] | None:
    if not rows:
        return None
    y_true = [r.expected_escalate for r in rows]
    y_pred = [r.predicted_escalate for r in rows]
    p, r, f, _ = precision_recall_fscore_support(
        y_true, y_pred, average="binary", pos_label=True, zero_division=0.0
    )
    return float(p), float(r), float(f)


def escalation_auroc(rows: Sequence[RowPrediction]) -> float | None:
    y_true = [r.expected_escalate for r in rows]
    if len(set(y_true)) < 2:
        return None  # undefined without both escalations and in-scope rows
    return float(roc_auc_score(y_true, [r.escalation_score for r in rows]))


def reliability_curve(
    confidence: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> list[dict[str, float]]:
    """Per equal-width bin, (lo, hi]: its edges, mean confidence, accuracy and row count
    (empty bins kept).

    Accuracy and mean confidence are scikit-learn's `calibration_curve`; it returns them for the
    non-empty bins only and without counts, so the counts come from the same assignment it makes
    (`searchsorted` on the inner edges), which places each value of it in its bin.
    """
    conf = np.clip(np.asarray(confidence, dtype=float), 0.0, 1.0)
    hit = np.asarray(correct, dtype=int)
    edges = np.linspace(0.0, 1.0, bins + 1)
    counts = np.bincount(np.searchsorted(edges[1:-1], conf), minlength=bins)
    filled = iter(
        zip(*calibration_curve(hit, conf, n_bins=bins, strategy="uniform"), strict=True)
        if len(conf)
        else ()
    )
    out: list[dict[str, float]] = []
    for b, n in enumerate(counts.tolist()):
        accuracy, mean_confidence = next(filled) if n else (0.0, 0.0)
        out.append(
            {
                "lo": b / bins,
                "hi": (b + 1) / bins,
                "confidence": float(mean_confidence),
                "accuracy": float(accuracy),
                "count": n,
            }
        )
    return out


def ece(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float | None:
    """Expected calibration error: bin-size-weighted |accuracy - confidence|."""
    n = len(confidence)
    if not n:
        return None
    curve = reliability_curve(confidence, correct, bins)
    return float(sum(b["count"] / n * abs(b["accuracy"] - b["confidence"]) for b in curve))


def _set_f1(predicted: frozenset[str], expected: frozenset[str]) -> float:
    if not predicted and not expected:
        return 1.0
    return 2 * len(predicted & expected) / (len(predicted) + len(expected))


def decomposition(rows: Sequence[RowPrediction]) -> tuple[float | None, float | None]:
    multi = [r for r in rows if r.multi_part]
    count = _mean([len(r.subtasks) == r.expected_subtasks for r in multi])
    set_f1 = _mean([_set_f1(r.guessed_agents, frozenset(r.expected_agents)) for r in multi])
    return count, set_f1


def tag_slices(rows: Sequence[RowPrediction]) -> dict[str, dict[str, float]]:
    """Accuracy per tag, so a report shows which kinds of request go wrong."""
    tags = sorted({t for r in rows for t in r.tags if ":" not in t})
    out: dict[str, dict[str, float]] = {}
    for tag in tags:
        sub = [r for r in rows if tag in r.tags]
        out[tag] = {"rows": len(sub), "accuracy": float(np.mean([r.correct for r in sub]))}
    return out


def score(rows: Sequence[RowPrediction]) -> Scores:
    """Every metric of a run, from its row predictions alone."""
    per_label = per_label_prf(rows)
    esc = escalation_prf(rows)
    in_scope = [r for r in rows if r.in_scope]
    conf = [r.first_top_score for r in in_scope]
    hits = [r.routed_right for r in in_scope]
    count_acc, set_f1 = decomposition(rows)
    one_part = [r for r in in_scope if r.expected_subtasks == 1]
    latencies = [r.latency_ms for r in rows]
    n = len(rows)
    metrics: dict[str, float | None] = {
        "rows": float(n),
        "accuracy": accuracy(rows),
        "routing_accuracy": routing_accuracy(rows),
        "in_scope_accuracy": in_scope_accuracy(rows),
        "agent_set_match": agent_set_match(rows),
        "macro_f1": macro_f1(per_label),
        "escalation_precision": esc[0] if esc else None,
        "escalation_recall": esc[1] if esc else None,
        "escalation_f1": esc[2] if esc else None,
        "escalation_auroc": escalation_auroc(rows),
        "ece": ece(conf, hits),
        "decomposition_count_accuracy": count_acc,
        "decomposition_set_f1": set_f1,
        "one_part_kept_whole": _mean([len(r.subtasks) == 1 for r in one_part]),
        "latency_p50_ms": percentile(latencies, 50) if latencies else None,
        "latency_p95_ms": percentile(latencies, 95) if latencies else None,
        "model_calls_per_request": sum(r.model_calls for r in rows) / n if n else None,
        "tokens_per_request": sum(r.tokens for r in rows) / n if n else None,
        "planner_errors": float(sum(r.error is not None for r in rows)),
        # A cascade's share of requests planned without a model call (None: not a cascade).
        "local_share": _mean([r.planned_locally for r in rows if r.planned_locally is not None]),
    }
    labels, matrix = confusion(rows)
    return Scores(
        metrics=metrics,
        per_label=per_label,
        confusion_labels=labels,
        confusion=matrix,
        reliability=reliability_curve(conf, hits),
        slices=tag_slices(rows),
    )
