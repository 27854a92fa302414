"""An email to "the customer" after records of several customers: each customer is written to
about their own records, or asked whom when the records name none; a customer's email never
carries the lines an agent reported to the requester ("closed TCK-…; it is closed, high
priority")."""

from __future__ import annotations

from typing import Any

import pytest

from ringmaster.agents.demo import demo_registry
from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.runtime import AgentOutput, Handoff
from tests.agents.test_demo_team import run


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> AgentRegistry:
    return demo_registry(tmp_path_factory.mktemp("demo") / "demo.db")


def ticket(registry: AgentRegistry, tid: str) -> dict[str, Any]:
    found: dict[str, Any] = registry.tools.get("get_ticket").fn(ticket_id=tid)
    return found


def handoff(out: AgentOutput, request: str, effects: list[dict[str, Any]]) -> Handoff:
    return Handoff(
        "s-0", "support", request, out.output["summary"], {**out.output, "effects": effects}
    )


def closed(registry: AgentRegistry, request: str) -> Handoff:
    """Support's close of the tickets `request` names, as it stands once every close ran."""
    out = run(registry, "support", request)
    effects = [
        {
            "tool": a.tool,
            "args": a.args,
            "result": {"ticket": {**ticket(registry, a.args["ticket_id"]), "status": "closed"}},
        }
        for a in out.proposed_actions
    ]
    assert effects and all(e["tool"] == "close_ticket" for e in effects)
    return handoff(out, request, effects)


def emails(out: AgentOutput) -> list[dict[str, Any]]:
    return [a.args for a in out.proposed_actions if a.tool == "send_email"]


def test_each_customer_is_written_to_about_their_own_ticket(registry: AgentRegistry) -> None:
    tickets = {tid: ticket(registry, tid) for tid in ("TCK-1001", "TCK-1003")}
    owners = {t["customer_id"] for t in tickets.values()}
    assert len(owners) == 2  # two customers' tickets
    done = closed(registry, "close TCK-1001 and TCK-1003")
    out = run(registry, "content", "then let the customers know it has been resolved",
              handoffs=(done,))  # fmt: skip
    assert "question" not in out.output
    sent = emails(out)
    assert sorted(c for e in sent for c in e["to"]) == sorted(owners)
    for e in sent:
        [own] = [tid for tid, t in tickets.items() if t["customer_id"] == e["to"][0]]
        [other] = set(tickets) - {own}
        assert own in e["body"] and other not in e["body"]
        assert "closed" in e["body"]
        # The support agent's report to the requester is no part of it.
        assert "high priority" not in e["body"] and done.summary not in e["body"]
    assert "one email each" in out.output["summary"]


def test_one_customer_of_the_records_is_the_recipient(registry: AgentRegistry) -> None:
    looked = run(registry, "support", "what's going on with TCK-1004")
    owner = ticket(registry, "TCK-1004")["customer_id"]
    out = run(registry, "content", "email them saying we are looking into it",
              handoffs=(handoff(looked, "what's going on with TCK-1004", []),))  # fmt: skip
    [sent] = emails(out)
    assert sent["to"] == [owner] and "TCK-1004" in sent["body"]
    assert owner in out.output["audience"]


def test_records_of_no_customer_ask_whom_to_write(registry: AgentRegistry) -> None:
    rolled = Handoff(
        "s-0", "ops", "roll back api", "rolled back api in production",
        {"summary": "rolled back api in production", "effects": []},
    )  # fmt: skip
    out = run(registry, "content", "notify the customer that it is fixed", handoffs=(rolled,))
    assert emails(out) == []
    assert "Who should it go to" in out.output["question"]


def test_a_named_recipients_email_carries_no_agents_report(registry: AgentRegistry) -> None:
    report = "looked up CUS-1003; 2 open ticket(s), high priority, internal note: VIP"
    said = Handoff("s-0", "support", "look up CUS-1003", report, {"summary": report})
    out = run(registry, "content", "email CUS-1003 saying we are on it", handoffs=(said,))
    [sent] = emails(out)
    assert "internal note" not in sent["body"] and "internal note" not in out.output["body"]


def test_a_customer_the_message_is_about_is_not_written_to(registry: AgentRegistry) -> None:
    """ "her" in what the message says is no recipient: the note goes to the team named, not to
    the customer whose closed ticket was handed over."""
    done = closed(registry, "close TCK-1001")
    out = run(registry, "content", "write to finance saying the customer got her reset link",
              handoffs=(done,))  # fmt: skip
    owner = ticket(registry, "TCK-1001")["customer_id"]
    assert all(owner not in str(e.get("to")) for e in emails(out))
