"""A customer named by first name alone ("Priya's account"): found when only one customer has
that first name, and asked which when several do. Support had found no one, and answered a
help article about locked accounts instead."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from ringmaster.agents.demo import demo_registry
from ringmaster.agents.registry import AgentRegistry
from tests.agents.test_demo_team import run


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> AgentRegistry:
    return demo_registry(tmp_path_factory.mktemp("demo") / "demo.db")


def by_first_name(registry: AgentRegistry) -> dict[str, list[dict[str, Any]]]:
    people: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in registry.tools.get("find_customer").fn(query="@", limit=500):
        people[c["name"].split()[0]].append(c)
    return people


def test_a_first_name_only_one_customer_has_finds_that_customer(
    registry: AgentRegistry,
) -> None:
    people = by_first_name(registry)
    first, (only,) = next((n, cs) for n, cs in sorted(people.items()) if len(cs) == 1)
    for asked in (f"can you check on {first}'s account?", f"{first.lower()}'s tickets pls"):
        out = run(registry, "support", asked)
        assert out.output["customer_id"] == only["id"], asked
        assert only["name"] in out.output["summary"]
        assert not out.output.get("question")


def test_a_first_name_several_customers_have_is_asked_about(registry: AgentRegistry) -> None:
    people = by_first_name(registry)
    first, several = next((n, cs) for n, cs in sorted(people.items()) if len(cs) > 1)
    out = run(registry, "support", f"what's the status of {first}'s account?")
    assert out.output["customer_id"] is None
    question = out.output["question"]
    assert all(f"{c['name']} ({c['id']})" in question for c in several)
    assert out.proposed_actions == []


def test_a_full_name_of_no_customer_is_not_read_as_its_first_name(
    registry: AgentRegistry,
) -> None:
    """ "Maria Garcia" is not Maria Lopez because one customer is called Maria."""
    people = by_first_name(registry)
    first, (only,) = next((n, cs) for n, cs in sorted(people.items()) if len(cs) == 1)
    surnames = {c["name"].split()[-1] for cs in people.values() for c in cs}
    other = next(s for s in sorted(surnames) if s != only["name"].split()[-1])
    assert f"{first} {other}" not in {c["name"] for cs in people.values() for c in cs}
    out = run(registry, "support", f"look up {first} {other}'s account")
    assert out.output["customer_id"] != only["id"]


def test_a_first_name_beside_a_ticket_is_not_asked_about(registry: AgentRegistry) -> None:
    """A ticket names its customer: a first name several customers share, said beside it, is
    no question of which one ("raise TCK-… , <name>'s people are stuck" had asked which)."""
    people = by_first_name(registry)
    first, several = next((n, cs) for n, cs in sorted(people.items()) if len(cs) > 1)
    ticket = registry.tools.get("list_tickets").fn(customer_id=several[-1]["id"], limit=1)[0]
    for asked in (
        f"please raise {ticket['id']} to urgent, {first}'s people are stuck",
        f"{first} says {ticket['id']} is still broken, set it to urgent",
    ):
        out = run(registry, "support", asked)
        assert not out.output.get("question"), asked
        assert out.output["customer_id"] == ticket["customer_id"], asked
        (action,) = out.proposed_actions
        assert action.args == {"ticket_id": ticket["id"], "priority": "urgent"}


def test_a_first_name_owning_people_is_not_the_customer_asked_about(
    registry: AgentRegistry,
) -> None:
    """ "<name>'s account" is that customer; "<name>'s colleagues …" is someone describing
    who is affected, no customer to look up."""
    people = by_first_name(registry)
    first, (only,) = next((n, cs) for n, cs in sorted(people.items()) if len(cs) == 1)
    out = run(registry, "support", f"how is {first}'s account looking these days?")
    assert out.output["customer_id"] == only["id"]
    for asked in (
        f"{first}'s colleagues cannot reach the dashboard, what should they try?",
        f"{first.lower()}'s whole team is locked out, any known fix?",
    ):
        out = run(registry, "support", asked)
        assert out.output["customer_id"] is None, asked
        assert only["id"] not in out.output["summary"], asked
