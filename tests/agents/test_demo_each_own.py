"""Several records each with a value of their own: "credit CUS-1001 20 dollars and CUS-1002 35
dollars" is one credit each at its own amount, and "did DEP-1022 cause an incident?" is
answered about that deployment, not with every incident there is."""

from __future__ import annotations

import re

import pytest

from ringmaster.agents.demo import load_demo_team
from ringmaster.agents.registry import AgentRegistry
from ringmaster.graph.planner.cut_rules import gapped
from ringmaster.graph.planner.local import LocalPlanner
from tests.agents.test_demo_team import registry, run

__all__ = ["registry"]


def _credits(registry: AgentRegistry, text: str) -> list[tuple[str, str]]:
    out = run(registry, "billing", text)
    return [(a.args["customer_id"], a.args["amount"]) for a in out.proposed_actions]


@pytest.mark.parametrize(
    "text",
    [
        "credit CUS-1001 20 dollars and CUS-1002 35 dollars",
        "give CUS-1001 a $20 credit and CUS-1002 a $35 credit",
    ],
)
def test_a_credit_of_its_own_amount_for_each_customer(registry: AgentRegistry, text: str) -> None:
    assert _credits(registry, text) == [("CUS-1001", "20.00"), ("CUS-1002", "35.00")]


def test_the_output_says_each_ones_amount_not_the_first_as_the_amount(
    registry: AgentRegistry,
) -> None:
    out = run(registry, "billing", "credit CUS-1001 20 dollars and CUS-1002 35 dollars")
    assert out.output["amount"] is None
    assert out.output["amounts"] == {"CUS-1001": "20.00", "CUS-1002": "35.00"}


def test_one_amount_for_several_customers_is_each_ones(registry: AgentRegistry) -> None:
    assert _credits(registry, "credit CUS-1001 and CUS-1002 $20 each") == [
        ("CUS-1001", "20.00"),
        ("CUS-1002", "20.00"),
    ]


def test_amounts_that_do_not_pair_with_the_customers_are_asked(registry: AgentRegistry) -> None:
    out = run(registry, "billing", "credit 20 dollars to CUS-1001 and 35 dollars to CUS-1002")
    assert out.proposed_actions == [] and "more than one amount" in out.output["summary"]


def test_the_planner_keeps_a_credit_with_its_verb_left_out_together() -> None:
    """Cut at the "and", the second part ("CUS-1002 35 dollars") was a look-up reported done."""
    planner = LocalPlanner(load_demo_team())
    for text in (
        "credit CUS-1001 20 dollars and CUS-1002 35 dollars",
        "give CUS-1001 a $20 credit and CUS-1002 a $35 credit",
    ):
        assert [(s.agent, s.description) for s in planner.plan(text).subtasks] == [
            ("billing", text)
        ]
    # Words of its own beside the second record make it an ask of its own; so does no value.
    records = re.compile(r"\b(?:CUS|INV|TCK)-\d+\b")
    assert gapped(records, "credit CUS-1001 20 dollars", "CUS-1002 35 dollars")
    assert not gapped(records, "close TCK-1001 as a duplicate", "TCK-1002 as spam")
    assert not gapped(records, "credit CUS-1001 20 dollars", "CUS-1002")
    assert not gapped(records, "credit CUS-1001 20 dollars", "CUS-1002 owes 35 dollars")


def _behind(registry: AgentRegistry, incident: str) -> str:
    """The deployment the ops skill says was running when `incident` began."""
    [d] = run(registry, "ops", f"which deploy caused {incident}?").output["deployments"]
    return str(d["id"])


def test_did_a_deployment_cause_an_incident_names_the_ones_it_ran_for(
    registry: AgentRegistry,
) -> None:
    dep = _behind(registry, "INC-1012")
    out = run(registry, "ops", f"Did {dep} cause an incident?").output
    assert [i["id"] for i in out["incidents"]] == ["INC-1012"]
    assert f"{dep} (" in out["summary"] and "was running when INC-1012" in out["summary"]
    assert "health" not in out


def test_a_deployment_asked_of_the_502s_is_answered_with_its_own_incidents(
    registry: AgentRegistry,
) -> None:
    """ "502" asks for incidents too; asked of a deployment, it is that deployment's, never
    every incident listed after them."""
    dep = _behind(registry, "INC-1012")
    out = run(registry, "ops", f"Did {dep} cause an incident, the 502s?").output
    assert [i["id"] for i in out["incidents"]] == ["INC-1012"]


def test_a_failed_deployment_ran_for_no_incident(registry: AgentRegistry) -> None:
    failed = next(
        d for d in registry.tools.get("list_deployments").fn(limit=500) if d["status"] == "failed"
    )
    out = run(registry, "ops", f"any incidents from {failed['id']}?").output
    assert out["incidents"] == []
    assert f"{failed['id']} (" in out["summary"] and "never ran" in out["summary"]
