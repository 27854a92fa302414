"""A billing question restricted to a month answers for that month: "What was Zoe Jansen billed
in April?" had been answered with all five of her invoices (conversations-dev16 z18)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ringmaster.agents.demo import demo_registry
from ringmaster.agents.registry import AgentRegistry
from tests.agents.test_demo_team import run


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> AgentRegistry:
    return demo_registry(tmp_path_factory.mktemp("demo") / "demo.db")


def invoices(registry: AgentRegistry, **filters: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = registry.tools.get("list_invoices").fn(**filters)
    return found


@pytest.mark.parametrize(("asked", "months"), [("April", {4}), ("April and May", {4, 5})])
def test_what_a_customer_was_billed_in_a_month(
    registry: AgentRegistry, asked: str, months: set[int]
) -> None:
    every = invoices(registry, customer_id="CUS-1021")
    those = [i for i in every if int(i["period"][5:7]) in months]
    assert len(those) == len(months) < len(every)
    out = run(registry, "billing", f"What was Zoe Jansen billed in {asked}?").output
    assert set(out["invoice_ids"]) == {i["id"] for i in those}
    total = sum(Decimal(i["amount"]) for i in those)
    assert out["amount"] == str(total)
    assert f"was billed {total} USD for {asked}: " in out["summary"]


def test_a_month_without_an_invoice_is_said(registry: AgentRegistry) -> None:
    out = run(registry, "billing", "What was Zoe Jansen billed in December?").output
    assert out["invoice_ids"] == [] and out["amount"] is None
    assert "has no invoice for December" in out["summary"]


def test_what_is_owed_for_a_month(registry: AgentRegistry) -> None:
    unpaid = invoices(registry, customer_id="CUS-1008", status="unpaid")
    may = [i["id"] for i in unpaid if i["period"].endswith("-05")]
    assert len(may) == 1 < len(unpaid)
    out = run(registry, "billing", "what does Noah Schmidt owe for May?").output
    assert out["invoice_ids"] == may
    assert "1 unpaid invoice(s) for May totalling" in out["summary"]
    # "may" as a verb names no month.
    out = run(registry, "billing", "may I see what Noah Schmidt has outstanding?").output
    assert len(out["invoice_ids"]) == len(unpaid)


def test_may_beside_another_month_is_the_month(registry: AgentRegistry) -> None:
    """ "Diego Ueda's May and June invoices" names May too: not "may" the verb."""
    both = [i["id"] for i in invoices(registry, customer_id="CUS-1023")
            if i["period"][5:7] in ("05", "06")]  # fmt: skip
    assert len(both) == 2
    out = run(registry, "billing", "show me Diego Ueda's May and June invoices (CUS-1023)")
    assert sorted(out.output["invoice_ids"]) == sorted(both)


@pytest.mark.parametrize(
    "asked",
    [
        "how much does Noah Schmidt owe?",
        "what does Noah Schmidt owe?",
        "how much is Noah Schmidt owing",
        "how much is owed on Noah Schmidt's account",
        "Noah Schmidt owes us what?",
    ],
)
def test_what_a_customer_owes_is_their_unpaid_invoices(registry: AgentRegistry, asked: str) -> None:
    """Every form of "owe" asks for the balance ("owes", "owed", "owing" read as nothing and
    were answered with the whole account)."""
    unpaid = invoices(registry, customer_id="CUS-1008", status="unpaid")
    assert len(unpaid) > 1
    out = run(registry, "billing", asked).output
    assert sorted(out["invoice_ids"]) == sorted(i["id"] for i in unpaid)
    total = sum(Decimal(i["amount"]) for i in unpaid)
    assert f"has {len(unpaid)} unpaid invoice(s) totalling {total} USD" in out["summary"]


@pytest.mark.parametrize(
    "asked", ["Is Olivia Novak's June invoice paid?", "did Olivia Novak's june payment go through"]
)
def test_whether_a_months_invoice_is_paid_is_that_invoice(
    registry: AgentRegistry, asked: str
) -> None:
    """ "Is Olivia Novak's June invoice paid?" had been answered with her latest payments, for
    four older invoices, never the unpaid June one (conversations-dev22 a06:1), so "send her a
    reminder for it" next asked among those four."""
    june = [i for i in invoices(registry, customer_id="CUS-1012") if i["period"].endswith("-06")]
    assert len(june) == 1 and june[0]["status"] == "unpaid"
    out = run(registry, "billing", asked).output
    assert out["invoice_ids"] == [june[0]["id"]]
    assert (
        f"{june[0]['id']} ({june[0]['period']}) {june[0]['amount']} USD, unpaid" in out["summary"]
    )
