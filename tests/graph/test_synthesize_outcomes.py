"""A subtask's summary rebuilt from what ran ends its last sentence once."""

from __future__ import annotations

import pytest

from ringmaster.graph.nodes.synthesize import outcome_summary

REFUND = {"tool": "issue_refund", "args": {"invoice_id": "INV-1002", "amount": "299.00"}}


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ("Charged once; no refund is due.", "Charged once; no refund is due."),  # was "due.."
        ("Which invoice?", "Which invoice?"),  # was "invoice?."
        ("Wait for the manager!", "Wait for the manager!"),
        ("ask the manager", "ask the manager."),
    ],
)
def test_a_reviewers_answer_ends_its_sentence_once(message: str, shown: str) -> None:
    answered = {**REFUND, "status": "answered", "message": message}
    said = outcome_summary({"summary": "proposed a refund"}, [answered])
    assert said == f"issue_refund was not run; the reviewer answered: {shown}"
