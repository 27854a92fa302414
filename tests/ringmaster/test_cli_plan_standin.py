"""The plan table names why a stand-in has a subtask, however long the planner's reasons, and
why a subtask a person routes has the guess it has."""

from __future__ import annotations

import pytest
from rich.console import Console

from ringmaster import cli_output

ROUTER = "billing is unhealthy (health check failed: the check returned false); support stands in"


def test_the_plan_table_shows_the_router_note_of_a_standin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The router's note came last in the rationale, and the column (cut at 120 characters)
    showed only the planner's reasons for billing beside the agent 'support'."""
    console = Console(width=400, record=True)
    monkeypatch.setattr(cli_output, "out", console)
    planner = (
        "billing p=1.00, margin 1.00; terms: inv, refund, invoice; nearest example "
        '(billing, sim 0.62): "reimburse the duplicate charge on invoice INV-1003"'
    )
    subtask = {
        "id": "t1",
        "agent": "support",
        "confidence": 1.0,
        "rationale": f"{planner} (router: {ROUTER})",
        "depends_on": [],
        "description": "Refund invoice INV-1003 partly: 10.00",
        "escalate": False,
        "escalation_reason": None,
    }
    cli_output.print_plan({"planner": "local", "reply": None, "subtasks": [subtask]})
    text = console.export_text()
    assert "router: billing is unhealthy" in text and "support stands in" in text, text


def test_a_rationale_without_a_router_note_is_shown_as_it_is() -> None:
    assert cli_output._router_first("billing p=0.9 (a note)") == "billing p=0.9 (a note)"


@pytest.mark.parametrize(
    ("agent", "kind", "said"),
    [
        ("billing", "low_confidence", "human (best guess: billing)"),
        (None, "unreachable", "human (its best match is outside the requester's scopes)"),
        (None, "out_of_scope", "human (no agent on the team handles it)"),
        (None, "failed", "human (no guess)"),
    ],
)
def test_an_escalated_row_says_why_it_has_no_guess(agent: str | None, kind: str, said: str) -> None:
    """ "human (best guess: none)" stood beside "best match ops is not an agent the requester
    may reach": the planner had a guess, refused on scope, and the row says so."""
    subtask = {"agent": agent, "escalate": True, "escalation_kind": kind}
    assert cli_output.escalated_to(subtask) == said


def test_an_out_of_scope_row_tells_the_requester_in_plain_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The requester read "looks out of scope: P(human) 1.00 > P(billing) 0.00"."""
    console = Console(width=400, record=True)
    monkeypatch.setattr(cli_output, "out", console)
    figures = "looks out of scope: P(human) 1.00 > P(billing) 0.00"
    subtask = {
        "id": "t1", "agent": None, "confidence": 0.0, "rationale": figures, "depends_on": [],
        "description": "book me a flight", "escalate": True, "escalation_reason": figures,
        "escalation_kind": "out_of_scope",
    }  # fmt: skip
    cli_output.print_plan({"planner": "local", "reply": None, "subtasks": [subtask]})
    text = console.export_text()
    assert "no agent on the team handles this; a person will look at it" in text, text
    assert "P(human)" not in text
