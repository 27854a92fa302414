"""The content skill on a message to a customer named in full, and on "remind" as the verb."""

from __future__ import annotations

import pytest

from ringmaster.agents.registry import AgentRegistry
from tests.agents.test_demo_team import registry, run

__all__ = ["registry"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Please send James Chen a reminder about his invoice INV-1010", "James Chen"),
        ("remind Aisha Khan about the overdue invoice", "Aisha Khan"),
    ],
)
def test_a_customer_named_in_full_is_the_recipient(
    registry: AgentRegistry, text: str, name: str
) -> None:
    """A reminder to a customer named by name was asked "who should it go to?", as if nobody
    had been named; the named customer is the one it is proposed to go to."""
    out = run(registry, "content", text)
    assert out.output["kind"] == "email"
    assert "names no one" not in out.output["summary"]
    [send] = [a for a in out.proposed_actions if a.tool == "send_email"]
    [customer] = send.args["to"]
    assert name in out.output["audience"] and customer in out.output["audience"]


def test_remind_as_the_verb_drafts_an_email(registry: AgentRegistry) -> None:
    """ "Remind CUS-… about …" was drafted as kind "other" and never proposed to be sent."""
    out = run(registry, "content", "Remind CUS-1003 about their unpaid invoices")
    assert out.output["kind"] == "email"
    assert [a.tool for a in out.proposed_actions] == ["send_email"]


@pytest.mark.parametrize(
    "text",
    [
        "let the team know that James Chen's refund went through",
        "write to finance saying Aisha Khan settled her invoice",
    ],
)
def test_a_customer_a_message_is_about_is_not_its_recipient(
    registry: AgentRegistry, text: str
) -> None:
    """A message to the team about a customer was proposed to go to the customer."""
    out = run(registry, "content", text)
    assert all(a.tool != "send_email" for a in out.proposed_actions)
    assert "CUS-" not in out.output["audience"]


def test_each_customer_named_as_a_recipient_is_one(registry: AgentRegistry) -> None:
    """Two customers named as whom a reminder goes to: the second was dropped without a word."""
    out = run(registry, "content", "remind James Chen and Aisha Khan about the overdue invoice")
    [send] = [a for a in out.proposed_actions if a.tool == "send_email"]
    assert len(send.args["to"]) == 2
    for name, customer in zip(("James Chen", "Aisha Khan"), send.args["to"], strict=True):
        assert f"{name} ({customer})" in out.output["audience"]
