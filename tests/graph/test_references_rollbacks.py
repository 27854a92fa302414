"""Side effects named by their noun (conversations-dev22, dev23, dev19): "that rollback", "both
rollbacks" are the records the thread's side effects of that act ran on; a turn
that only said the words, and rolled nothing back, stands for none."""

from __future__ import annotations

from typing import Any

from ringmaster.graph.references import resolve

from .references_kit import ACTS, KINDS, entities, turn


def acting(number: int, request: str, acted: list[str], listed: str = "") -> dict[str, Any]:
    """A history entry whose side effect ran on `acted` (deployments or invoices)."""
    entry = turn(number, request, listed)
    kinds = {"DEP": "deployment", "INV": "invoice", "TCK": "ticket"}
    entry["entities"]["acted"] = [[kinds[e[:3]], e] for e in acted]
    return entry


def test_that_rollback_is_the_deployment_the_thread_rolled_back() -> None:
    history = [
        turn(1, "was anything pushed to prod on June 11?", "DEP-1030 DEP-1029 DEP-1028"),
        acting(2, "Roll back DEP-1029.", ["DEP-1029"], "DEP-1034 DEP-1018"),
    ]
    for typed in (
        "Draft a status update for customers about that rollback.",
        "draft a lil status update abt the rollback for customers",
        "Draft a note to the team about this rollback.",
    ):
        out = resolve(typed, history, KINDS, None, ACTS)
        assert out.question is None and entities(out) == ["DEP-1029"], typed
        assert "DEP-1029" in out.text, typed


def test_both_rollbacks_are_the_two_latest_rolled_back() -> None:
    history = [
        acting(1, "roll back DEP-1029", ["DEP-1029"]),
        turn(2, "whats on auth prod", "DEP-1030 DEP-1017"),
        acting(3, "roll back DEP-1030", ["DEP-1030"]),
    ]
    for typed in ("Draft a status update about both rollbacks.",
                  "write an internal note abt the rollbacks"):  # fmt: skip
        out = resolve(typed, history, KINDS, None, ACTS)
        assert out.question is None and sorted(entities(out)) == ["DEP-1029", "DEP-1030"], typed


def test_a_rollback_no_side_effect_ran_is_no_record() -> None:
    # The turn said "roll back", but nothing was rolled back: "that rollback" stands for none.
    history = [turn(1, "roll back DEP-1029", "DEP-1029")]
    out = resolve("draft a status update about that rollback", history, KINDS, None, ACTS)
    assert "DEP-1029" not in entities(out)
    # "both rollbacks" after one: not guessed as one.
    history = [acting(1, "roll back DEP-1029", ["DEP-1029"])]
    out = resolve("draft a status update about both rollbacks", history, KINDS, None, ACTS)
    assert entities(out) == []


def test_that_rollback_of_two_deployments_rolled_back_together_is_asked() -> None:
    history = [acting(1, "roll back DEP-1029 and DEP-1030", ["DEP-1029", "DEP-1030"])]
    out = resolve("email the team about that rollback", history, KINDS, None, ACTS)
    assert out.question is not None and "DEP-1029" in out.question and "DEP-1030" in out.question
    out = resolve("email the team about both rollbacks", history, KINDS, None, ACTS)
    assert out.question is None and entities(out) == ["DEP-1029", "DEP-1030"]


def test_the_refund_is_not_read_as_the_invoice_refunded() -> None:
    # "email her about the refund" is about her: the invoice is no reference of its own.
    history = [acting(1, "refund INV-1191 in full", ["INV-1191"])]
    out = resolve("draft an email about the refund", history, KINDS, None, ACTS)
    assert "INV-1191" not in entities(out)
