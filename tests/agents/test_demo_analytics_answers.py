"""The analytics skill's answers are what the demo data holds: a question it cannot count
says so, and is not answered with a count of something else ("0 customers")."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ringmaster.agents.demo import demo_registry
from ringmaster.agents.registry import AgentRegistry
from tests.agents.test_demo_team import run


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo") / "demo.db"


@pytest.fixture(scope="module")
def registry(db: Path) -> AgentRegistry:
    return demo_registry(db)


def rows(db: Path, sql: str) -> list[tuple[str, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_which_customers_had_a_failed_payment_in_a_month(registry: AgentRegistry, db: Path) -> None:
    failed = rows(db, "SELECT customer_id FROM payments WHERE status = 'failed' "
                      "AND paid_at >= '2025-06-01' AND paid_at < '2025-07-01'")  # fmt: skip
    assert failed  # the demo has failed payments in June
    out = run(registry, "analytics", "Which customers had a failed payment in June?").output
    assert out["value"] == len(failed)
    assert out["data"]["filters"] == {"status": "failed"}
    assert {g["key"] for g in out["data"]["groups"]} == {c for (c,) in failed}
    assert out["summary"].startswith(f"{len(failed)} failed payments, from ")
    assert all(c in out["summary"] for (c,) in failed)


def test_which_customers_it_cannot_list_is_asked_not_counted(registry: AgentRegistry) -> None:
    out = run(registry, "analytics", "Which customers signed up in June?").output
    assert out["value"] is None and out["data"] == {}
    assert "cannot list which customers" in out["summary"]
    assert out["question"]


@pytest.mark.parametrize(
    ("asked", "where"),
    [
        ("list the customers we have on the starter plan", "plan = 'starter'"),
        ("what customers are still on a trial?", "status = 'trial'"),
    ],
)
def test_which_customers_of_a_plan_or_status_are_named(
    registry: AgentRegistry, db: Path, asked: str, where: str
) -> None:
    """ "Which customers are on the free plan?" had been asked back ("analytics ... cannot list
    which customers"): a plan or a status is what analytics counts customers by, and the
    customers it counts can be named."""
    held = rows(db, f"SELECT id, name FROM customers WHERE status != 'erased' AND {where}")
    assert held
    out = run(registry, "analytics", asked).output
    assert not out.get("question")
    assert out["value"] == len(held)
    assert sorted(out["customer_ids"]) == sorted(c for c, _ in held)
    assert all(f"{name} ({cid})" in out["summary"] for cid, name in held)


def test_open_tickets_are_counted_as_support_lists_them(registry: AgentRegistry, db: Path) -> None:
    """ "Open" is every ticket not closed yet, pending too, as support's listing and the
    customer record's open-ticket count read it: the two agents give one answer."""
    unfinished = rows(db, "SELECT customer_id FROM tickets WHERE status != 'closed'")
    pending = rows(db, "SELECT id FROM tickets WHERE status = 'pending'")
    assert pending
    out = run(registry, "analytics", "How many open tickets are there?").output
    assert out["value"] == len(unfinished)
    assert out["summary"].startswith(f"{len(unfinished)} open tickets, pending ones included")
    customer = unfinished[0][0]
    detail = registry.tools.get("get_customer").fn(customer_id=customer)
    mine = run(registry, "analytics", "Which customers have open tickets?").output["data"]["groups"]
    assert next(g["count"] for g in mine if g["key"] == customer) == detail["open_tickets"]
    # Asked for by another status, that status only.
    assert run(registry, "analytics", "How many pending tickets are there?").output["value"] == len(
        pending
    )


@pytest.mark.parametrize(
    ("asked", "entity", "word"),
    [
        ("what percentage of tickets are open?", "tickets", "open"),
        ("what percentage of invoices are unpaid?", "invoices", "unpaid"),
    ],  # fmt: skip
)
def test_a_rate_names_its_count_by_what_was_counted(
    registry: AgentRegistry, db: Path, asked: str, entity: str, word: str
) -> None:
    """A rate counts every record (its status filter is dropped to split by status): the count
    is of all of them, and was not to be called "150 open tickets"."""
    with sqlite3.connect(db) as conn:
        every = conn.execute(f"SELECT COUNT(*) FROM {entity}").fetchone()[0]
    summary = run(registry, "analytics", asked).output["summary"]
    assert summary.startswith(f"{every} {entity} (")
    assert f"{every} {word} {entity}" not in summary


@pytest.mark.parametrize(
    ("asked", "entity", "where", "word"),
    [
        ("what percentage of tickets are open?", "tickets", "status != 'closed'", "open"),
        ("what percentage of tickets are closed?", "tickets", "status = 'closed'", "closed"),
        ("what percentage of tickets are pending?", "tickets", "status = 'pending'", "pending"),
        ("what percentage of invoices are paid?", "invoices", "status = 'paid'", "paid"),
        ("what percentage of invoices are unpaid?", "invoices", "status = 'unpaid'", "unpaid"),
        (
            "what percentage of deployments succeeded?",
            "deployments",
            "status = 'succeeded'",
            "succeeded",
        ),
        # Nothing asked of a status: the rate each kind is asked for most.
        ("what is the ticket close rate?", "tickets", "status = 'closed'", "closed"),
        ("what's the deployment failure rate?", "deployments", "status = 'failed'", "failed"),
    ],  # fmt: skip
)
def test_a_rate_is_the_share_of_what_was_asked(
    registry: AgentRegistry, db: Path, asked: str, entity: str, where: str, word: str
) -> None:
    """ "what percentage of tickets are open?" had been answered with the closed rate ("72.7%
    closed"): the rate is of the status the question names ("open" as support reads it, pending
    too), and the answer says which."""
    every = rows(db, f"SELECT COUNT(*) FROM {entity}")[0][0]
    hit = rows(db, f"SELECT COUNT(*) FROM {entity} WHERE {where}")[0][0]
    assert 0 < hit < every
    out = run(registry, "analytics", asked).output
    pct = round(100 * hit / every, 1)
    assert out["value"] == pct
    assert f"; {pct}% {word}" in out["summary"]
