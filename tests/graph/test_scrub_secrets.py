"""An agent's proposal holding a secret the request never had is redacted, and the summary says
where the secret was: not "in the request"."""

from __future__ import annotations

from typing import Any

from ringmaster.graph.nodes.agent import scrub_secrets


def test_a_secret_only_an_agent_proposed_is_said_to_be_in_its_arguments() -> None:
    candidate: dict[str, Any] = {
        "output": {"summary": "proposed a note"},
        "proposed_actions": [
            {"tool": "update_ticket", "args": {"note": "customer's password is hunter2x"}}
        ],
    }
    scrub_secrets(candidate, "add a note to TCK-1001 about the login")
    assert "hunter2x" not in str(candidate["proposed_actions"])
    summary = candidate["output"]["summary"]
    assert "in an action's arguments was redacted" in summary, summary
    assert "in the request" not in summary


def test_a_secret_in_the_request_is_said_to_be_in_the_request() -> None:
    candidate: dict[str, Any] = {"output": {"summary": "looked it up"}, "proposed_actions": []}
    scrub_secrets(candidate, "status of TCK-1004? my pin is 7731")
    assert "in the request was redacted" in candidate["output"]["summary"]
