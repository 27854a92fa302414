"""Pick the escalation thresholds (`routing.confidence_floor`, `routing.min_margin` and, when
asked, the out-of-scope floor `routing.human_floor`) on a validation run, and write them into a
team file.

The planner is run once with both thresholds at 0, so only its out-of-scope check escalates;
each candidate pair is then applied to the recorded top-route probabilities and margins, the
way the planner applies them (a subtask goes to a human when its top probability is below the
floor or its margin below `min_margin`). The CLI re-runs the planner at the chosen pair to
confirm the simulated figures.

`human_floor` is simulated on the row's recorded `escalation_score`, the whole request's
P(human) / (P(human) + P(best agent)); the planner applies it to each part, so the simulation is
exact for rows planned as one subtask and leaves rows of several subtasks as they were (their
parts' scores are not recorded). The confirming run measures them all.

Tune on a validation split only, and for an operating point (e.g. the best escalation recall
with in-scope accuracy at least 0.96) rather than F1 when escalations are rare in the data.

Precision, F1 and accuracy depend on how many requests are out of scope. By default the tuning
assumes the dataset's own share of out-of-scope rows; `oos_rate` states the share expected in
traffic instead (CLINC150 val has 3% out-of-scope rows, its test split 18%), and each row is then
weighted so that the out-of-scope rows carry that share. Recall and in-scope accuracy do not move.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ringmaster.agents.errors import TeamFileError
from ringmaster.agents.spec import parse_team
from ringmaster.evals.errors import GateError
from ringmaster.evals.records import RowPrediction

OBJECTIVES = ("escalation_f1", "escalation_recall", "accuracy", "in_scope_accuracy")
MARGINS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4)


@dataclass(frozen=True)
class Operating:
    """One candidate pair of thresholds and what it does on the validation rows."""

    confidence_floor: float
    min_margin: float
    human_floor: float | None
    accuracy: float
    in_scope_accuracy: float
    escalation_precision: float
    escalation_recall: float
    escalation_f1: float

    def value(self, objective: str) -> float:
        return float(getattr(self, objective))


def observed_oos_rate(rows: Sequence[RowPrediction]) -> float:
    """The share of rows that expect a person."""
    return sum(r.expected_escalate for r in rows) / len(rows) if rows else 0.0


class _Arrays:
    """The run flattened to subtask arrays, with each row's slice of them."""

    def __init__(self, rows: Sequence[RowPrediction], oos_rate: float | None = None) -> None:
        # (top probability, margin, escalated at zero thresholds, row index) per subtask
        flat: list[tuple[float, float, bool, int]] = []
        for i, r in enumerate(rows):
            if r.error is not None or not r.subtasks:
                flat.append((0.0, 0.0, True, i))  # a failed plan stays escalated (fail closed)
                continue
            flat += [(s.top_score, s.margin, s.escalate, i) for s in r.subtasks]
        tops, margins, base, owner = zip(*flat, strict=True)
        # The row's human score, on its subtask when it is the row's only one (else -1: never).
        single = [len(r.subtasks) == 1 and r.error is None for r in rows]
        self.human = np.asarray(
            [rows[i].escalation_score if single[i] else -1.0 for i in owner], dtype=float
        )
        self.row_human = np.asarray([r.escalation_score for r in rows], dtype=float)
        self.top = np.asarray(tops)
        self.margin = np.asarray(margins)
        self.base = np.asarray(base, dtype=bool)
        self.starts = np.flatnonzero(np.r_[True, np.diff(owner) != 0])
        self.expected_esc = np.asarray([r.expected_escalate for r in rows], dtype=bool)
        self.right_if_routed = np.asarray(
            [r.guessed_agents == r.expected_set for r in rows], dtype=bool
        )
        observed = observed_oos_rate(rows)
        self.oos_rate = observed if oos_rate is None else oos_rate
        self.weight = np.ones(len(rows))
        if oos_rate is not None and 0.0 < observed < 1.0:
            exp = self.expected_esc
            self.weight = np.where(exp, oos_rate / observed, (1 - oos_rate) / (1 - observed))

    def operating(self, floor: float, margin: float, human: float | None = None) -> Operating:
        esc = self.base | (self.top < floor) | (self.margin < margin)
        if human is not None:
            esc = esc | (self.human >= human)
        any_esc = np.logical_or.reduceat(esc, self.starts)
        all_esc = np.logical_and.reduceat(esc, self.starts)
        exp = self.expected_esc
        correct = np.where(exp, all_esc, ~any_esc & self.right_if_routed)
        w = self.weight
        tp = float(np.sum(w * (any_esc & exp)))
        escalated = float(np.sum(w * any_esc))
        precision = tp / escalated if escalated else 0.0
        recall = float(np.sum(any_esc & exp) / exp.sum()) if exp.sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return Operating(
            confidence_floor=floor,
            min_margin=margin,
            human_floor=human,
            accuracy=float(np.sum(w * correct) / np.sum(w)),
            in_scope_accuracy=float(correct[~exp].mean()) if (~exp).any() else 0.0,
            escalation_precision=float(precision),
            escalation_recall=float(recall),
            escalation_f1=float(f1),
        )


def _floors(top: np.ndarray) -> list[float]:
    # Midpoints between neighbouring observed probabilities, rounded as they will be written.
    values = np.unique(np.round(top, 4))
    if len(values) > 400:
        values = np.unique(np.quantile(values, np.linspace(0.0, 1.0, 401)))
    mids = (values[:-1] + values[1:]) / 2 if len(values) > 1 else values
    return sorted({0.0, *(round(float(x), 4) for x in mids if 0.0 < x <= 1.0)})


def _human_floors(scores: np.ndarray) -> list[float | None]:
    # None (no floor), then midpoints between neighbouring observed scores: every one among the
    # highest 150 (where an operating point with few in-scope escalations lies), and 50
    # quantiles of the rest of the upper half. Above 0.5 the planner's own check already
    # escalates (the human label wins), so only floors under 0.5 change anything.
    values = np.unique(np.round(scores, 4))[::-1]
    top = values[:150]
    rest = values[150 : max(150, len(values) // 2)]
    if len(rest) > 50:
        rest = np.quantile(rest, np.linspace(0.0, 1.0, 51))
    values = np.unique(np.r_[top, rest])
    mids = (values[:-1] + values[1:]) / 2 if len(values) > 1 else values
    return [None, *sorted({round(float(x), 4) for x in mids if 0.0 < x <= 1.0})]


def tune(
    rows: Sequence[RowPrediction],
    *,
    objective: str = "escalation_f1",
    min_in_scope_accuracy: float | None = None,
    tune_margin: bool = True,
    tune_human_floor: bool = False,
    oos_rate: float | None = None,
) -> tuple[Operating, int]:
    """The best thresholds for `objective` (subject to the in-scope bar) and how many were
    tried; `human_floor` stays None unless `tune_human_floor`. `oos_rate`: the out-of-scope
    share to assume (default: the rows' own)."""
    if objective not in OBJECTIVES:
        raise GateError(f"unknown objective {objective!r} (choose from {', '.join(OBJECTIVES)})")
    if not rows:
        raise GateError("no rows to tune on")
    if oos_rate is not None:
        if not 0.0 <= oos_rate < 1.0:
            raise GateError(f"--oos-rate must be at least 0 and below 1, not {oos_rate:g}")
        if oos_rate > 0 and not 0.0 < observed_oos_rate(rows) < 1.0:
            raise GateError(
                "--oos-rate reweights the dataset's out-of-scope rows, and it has none "
                "(or only those): tune on a set with both"
            )
    arrays = _Arrays(rows, oos_rate)
    humans = _human_floors(arrays.row_human) if tune_human_floor else [None]
    candidates = [
        arrays.operating(f, m, h)
        for h in humans
        for f in _floors(arrays.top)
        for m in (MARGINS if tune_margin else (0.0,))
    ]
    ok = [
        c
        for c in candidates
        if min_in_scope_accuracy is None or c.in_scope_accuracy >= min_in_scope_accuracy
    ]
    if not ok:
        best = max(c.in_scope_accuracy for c in candidates)
        raise GateError(
            f"no threshold keeps in_scope_accuracy at {min_in_scope_accuracy:.4f} "
            f"(the best reachable is {best:.4f})"
        )
    # Ties: prefer higher in-scope accuracy, then the lowest thresholds (fewest escalations).
    chosen = max(
        ok,
        key=lambda c: (
            c.value(objective),
            c.in_scope_accuracy,
            c.accuracy,
            -c.confidence_floor,
            -c.min_margin,
            # then no human floor, then the highest one (fewest escalations)
            c.human_floor is None,
            c.human_floor or 0.0,
        ),
    )
    return chosen, len(candidates)


_ROUTING = re.compile(r"^routing:[ \t]*\n((?:[ \t]+.*\n|[ \t]*\n)*)", re.MULTILINE)


def write_routing(
    path: str | Path,
    floor: float,
    margin: float,
    *,
    human_floor: float | None = None,
    set_human_floor: bool = False,
) -> str:
    """Set the team file's routing thresholds in place, keeping its comments and layout.

    `human_floor` is written (or removed, when None) only with `set_human_floor`; otherwise a
    `human_floor` already in the file stays as it is."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise TeamFileError(f"cannot read team file {p}: {exc}") from None
    block = f"routing:\n  confidence_floor: {floor:g}\n  min_margin: {margin:g}\n"
    keys = "confidence_floor|min_margin"
    if set_human_floor:
        keys += "|human_floor"
        if human_floor is not None:
            block += f"  human_floor: {human_floor:g}\n"
    match = _ROUTING.search(text)
    if match:
        body = match.group(1)
        # Only the block's own keys: the same names nested deeper (`by_classifier`) stay.
        indent = re.match(r"[ \t]*", body.lstrip("\n")).group(0)  # type: ignore[union-attr]
        kept = [
            line
            for line in body.splitlines(keepends=True)
            if not re.match(rf"{indent}({keys})\s*:", line)
        ]
        # Other keys under routing (if any appear later) stay where they were.
        text = text[: match.start()] + block + "".join(kept) + text[match.end() :]
    else:
        at = re.search(r"^agents:", text, re.MULTILINE)
        if at is None:
            raise TeamFileError(f"{p}: no top-level 'agents:' to put routing before")
        text = text[: at.start()] + block + text[at.start() :]
    team = parse_team(text, source=str(p))  # never write a file that does not load
    written = (team.routing.confidence_floor, team.routing.min_margin)
    if written != (floor, margin) or (set_human_floor and team.routing.human_floor != human_floor):
        raise TeamFileError(f"{p}: could not set the routing thresholds in place")
    p.write_text(text, encoding="utf-8")
    return text
