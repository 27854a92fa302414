"""A look-up that names several customers answers for each of them: billing and support had
answered for the first one only ("maria lopez and aisha khan - june invs paid?" named Maria's
June invoice alone, so "aisha" next found nothing of hers in the thread: conversations-dev18
s05; support pulled up one of three people's tickets: conversations-dev22 a08)."""

from __future__ import annotations

from typing import Any

import pytest

from ringmaster.agents.demo import demo_registry
from ringmaster.agents.registry import AgentRegistry
from tests.agents.test_demo_team import run


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> AgentRegistry:
    return demo_registry(tmp_path_factory.mktemp("demo") / "demo.db")


def rows(registry: AgentRegistry, tool: str, **filters: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = registry.tools.get(tool).fn(**filters)
    return found


def test_billing_answers_each_customer_a_month_question_names(registry: AgentRegistry) -> None:
    april = {
        cid: [
            i for i in rows(registry, "list_invoices", customer_id=cid) if i["period"][5:7] == "04"
        ]
        for cid in ("CUS-1021", "CUS-1008")
    }
    assert all(april.values())
    out = run(registry, "billing", "were zoe jansen and Noah Schmidt's april invoices paid?")
    assert sorted(out.output["invoice_ids"]) == sorted(i["id"] for f in april.values() for i in f)
    assert sorted(out.output["customer_ids"]) == sorted(april)
    # Each one's figure is said as theirs, none as one amount for both.
    assert out.output["amount"] is None
    summary = out.output["summary"]
    for cid, name in (("CUS-1021", "Zoe Jansen"), ("CUS-1008", "Noah Schmidt")):
        listed = ", ".join(f"{i['id']} ({i['period']})" for i in april[cid])
        assert f"{name} ({cid}) was billed" in summary and listed in summary


def test_billing_balance_of_customers_named_by_id_and_email(registry: AgentRegistry) -> None:
    unpaid = {
        cid: [i["id"] for i in rows(registry, "list_invoices", customer_id=cid, status="unpaid")]
        for cid in ("CUS-1008", "CUS-1001")
    }
    out = run(registry, "billing", "what do CUS-1008 and maria.lopez@example.com owe?").output
    assert out["invoice_ids"] == unpaid["CUS-1008"] + unpaid["CUS-1001"]
    assert "Noah Schmidt (CUS-1008) has" in out["summary"]
    assert "Maria Lopez (CUS-1001) has" in out["summary"]


def test_a_company_named_beside_a_customer_adds_no_one(registry: AgentRegistry) -> None:
    """ "Castillo Labs" is Tariq's company and Oscar Castillo's too: it names no second
    customer, as only a whole name, id or email adds one."""
    out = run(registry, "billing", "list Tariq Castillo's invoices at Castillo Labs").output
    assert out["customer_id"] == "CUS-1024" and "customer_ids" not in out
    assert out["invoice_ids"] == [
        i["id"] for i in rows(registry, "list_invoices", customer_id="CUS-1024")
    ]


def test_support_lists_each_named_customers_tickets(registry: AgentRegistry) -> None:
    people = {"CUS-1024": "Tariq Castillo", "CUS-1001": "Maria Lopez", "CUS-1035": "Greta Yilmaz"}
    out = run(
        registry, "support", "Tariq Castillo, Maria Lopez and greta yilmaz: pull up their tickets"
    ).output
    expected = [t["id"] for cid in people for t in rows(registry, "list_tickets", customer_id=cid)]
    assert len(expected) > len(rows(registry, "list_tickets", customer_id="CUS-1024"))
    assert out["ticket_ids"] == expected
    assert out["customer_ids"] == list(people)
    for cid, name in people.items():
        assert f"{name} ({cid}) has" in out["summary"]


def test_billing_checks_each_named_customer_for_a_double_charge(registry: AgentRegistry) -> None:
    # Only the first customer named was checked: Aisha's double-charged invoice went unseen.
    def charged_twice(cid: str) -> list[str]:
        return [
            i["id"]
            for i in rows(registry, "list_invoices", customer_id=cid)
            if sum(c["status"] == "succeeded"
                   for c in rows(registry, "list_payments", invoice_id=i["id"])) > 1
        ]  # fmt: skip

    assert charged_twice("CUS-1001") == [] and (doubled := charged_twice("CUS-1003"))
    out = run(registry, "billing", "were maria lopez and aisha khan charged twice?").output
    assert out["invoice_ids"] == doubled and out["customer_ids"] == ["CUS-1001", "CUS-1003"]
    assert out["amount"] is None  # each one's figure in their own note
    assert "no invoice of Maria Lopez was charged more than once" in out["summary"]
    assert f"{doubled[0]} (" in out["summary"] and "for Aisha Khan was charged" in out["summary"]


def test_support_sums_up_each_named_customers_account(registry: AgentRegistry) -> None:
    people = {"CUS-1008": "Noah Schmidt", "CUS-1001": "Maria Lopez"}
    out = run(registry, "support", "how are CUS-1008 and maria lopez's accounts looking?").output
    assert out["customer_ids"] == list(people)
    for cid, name in people.items():
        assert f"{name} ({cid}, " in out["summary"]
        live = [t["id"] for t in rows(registry, "list_tickets", customer_id=cid)
                if t["status"] != "closed"]  # fmt: skip
        assert live and set(live) <= set(out["ticket_ids"])


def test_billing_credits_each_named_customer_the_one_amount(registry: AgentRegistry) -> None:
    """A credit to two customers proposes one credit each, both of the amount named: credited
    to the first alone, the second was dropped without a word."""
    out = run(registry, "billing", "credit CUS-1005 and liam.murphy@example.com 12.50 dollars")
    liam = rows(registry, "find_customer", query="liam.murphy@example.com")[0]
    proposed = [(a.args["customer_id"], a.args["amount"]) for a in out.proposed_actions]
    assert proposed == [("CUS-1005", "12.50"), (liam["id"], "12.50")]
    assert out.output["customer_ids"] == ["CUS-1005", liam["id"]]
    asked = run(registry, "billing", "credit CUS-1005 and CUS-1006 please")
    assert (
        asked.proposed_actions == [] and "How much should be credited?" in asked.output["summary"]
    )
