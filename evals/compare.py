"""Compare two saved runs: every metric's delta, and the rows that flipped between them."""

from __future__ import annotations

from typing import Any

from ringmaster.evals.metrics import HIGHER_IS_BETTER
from ringmaster.evals.runner import run_rows


def compare_runs(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Deltas (b - a) per metric and the rows right in one run and wrong in the other.

    Rows are matched by line number and text, so two runs on different versions of a file still
    compare on the rows they share; rows in only one run are counted, not compared.
    """
    deltas: dict[str, dict[str, Any]] = {}
    for name in sorted(set(a["metrics"]) | set(b["metrics"])):
        va, vb = a["metrics"].get(name), b["metrics"].get(name)
        delta = vb - va if va is not None and vb is not None else None
        better = None
        if delta is not None and delta != 0 and name != "rows":
            better = (delta > 0) == (name in HIGHER_IS_BETTER)
        deltas[name] = {"a": va, "b": vb, "delta": delta, "better": better}
    rows_a = {(r.line, r.text): r for r in run_rows(a)}
    rows_b = {(r.line, r.text): r for r in run_rows(b)}
    shared = [k for k in rows_a if k in rows_b]
    flipped: dict[str, list[dict[str, Any]]] = {"right_to_wrong": [], "wrong_to_right": []}
    for key in shared:
        ra, rb = rows_a[key], rows_b[key]
        if ra.correct == rb.correct:
            continue
        kind = "right_to_wrong" if ra.correct else "wrong_to_right"
        flipped[kind].append(
            {
                "line": ra.line,
                "text": ra.text,
                "expected": sorted(ra.expected_set),
                "a": sorted(ra.predicted_set),
                "b": sorted(rb.predicted_set),
            }
        )
    return {
        "a": {"id": a.get("id"), "dataset_sha256": a["dataset"]["sha256"]},
        "b": {"id": b.get("id"), "dataset_sha256": b["dataset"]["sha256"]},
        "same_dataset": a["dataset"]["sha256"] == b["dataset"]["sha256"],
        "rows_compared": len(shared),
        "rows_only_in_a": len(rows_a) - len(shared),
        "rows_only_in_b": len(rows_b) - len(shared),
        "deltas": deltas,
        "flipped": flipped,
    }
