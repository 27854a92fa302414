"""The ops and analytics skills past 500 records (the tools' largest page), billing past a
listing's default page: a count, a filter or a window over the newest page had left the older
rows out and given what remained as all."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from ringmaster.agents.demo import demo_registry
from ringmaster.agents.registry import AgentRegistry
from tests.agents.test_demo_team import db_path, run

# Newer than every seeded row, by someone who deployed nothing before.
_LATER = "2025-06-20T10:00:00+00:00"


@pytest.fixture
def registry(tmp_path: Path) -> AgentRegistry:
    return demo_registry(tmp_path / "demo.db")


def _sql(registry: AgentRegistry, query: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path(registry)) as conn:
        return conn.execute(query, args).fetchall()


def _pad_deployments(registry: AgentRegistry, service: str = "api", env: str = "staging") -> None:
    with sqlite3.connect(db_path(registry)) as conn:
        conn.executemany(
            "INSERT INTO deployments VALUES (?, ?, '9.9.9', '9.9.8', ?, 'succeeded', "
            "'release', 'pat.newcomer', ?)",
            [(f"DEP-{7000 + k}", service, env, _LATER) for k in range(500)],
        )


def _pad_incidents(registry: AgentRegistry, service: str, n: int = 500) -> None:
    with sqlite3.connect(db_path(registry)) as conn:
        conn.executemany(
            "INSERT INTO incidents VALUES (?, ?, 'Slow pages', 'sev4', 'resolved', "
            "'Slow pages.', ?, ?)",
            [(f"INC-{5000 + k}", service, _LATER, _LATER) for k in range(n)],
        )


def test_the_incidents_a_replaced_deployment_ran_for_past_500_newer_ones(
    registry: AgentRegistry,
) -> None:
    """INC-1012 began under a deployment; 500 incidents after a later one replaced it had
    left it out of "did that deployment cause an incident?"."""
    [d] = run(registry, "ops", "which deploy caused INC-1012?").output["deployments"]
    with sqlite3.connect(db_path(registry)) as conn:
        conn.execute(
            "INSERT INTO deployments VALUES ('DEP-6999', ?, '9.9.9', ?, ?, 'succeeded', "
            "'release', 'pat.newcomer', '2025-06-19T10:00:00+00:00')",
            (d["service"], d["version"], d["environment"]),
        )
    _pad_incidents(registry, d["service"])
    out = run(registry, "ops", f"Did {d['id']} cause an incident?").output
    assert [i["id"] for i in out["incidents"]] == ["INC-1012"]
    assert "was running when INC-1012" in out["summary"]


def test_a_count_of_customers_past_500_is_all_of_them(registry: AgentRegistry) -> None:
    with sqlite3.connect(db_path(registry)) as conn:
        conn.executemany(
            "INSERT INTO customers (id, name, email, company, plan, status, created_at) "
            "VALUES (?, ?, ?, 'Acme', 'free', 'active', '2025-06-01T00:00:00+00:00')",
            [(f"CUS-{8000 + k}", f"Pat Number{k}", f"pat{k}@example.com") for k in range(600)],
        )
    held = _sql(registry, "SELECT id FROM customers WHERE plan = 'free' AND status != 'erased'")
    out = run(registry, "analytics", "Which customers are on the free plan?").output
    assert out["value"] == len(held) > 600
    assert sorted(out["customer_ids"]) == sorted(c for (c,) in held)


def test_a_deployers_deployments_past_500_newer_ones(registry: AgentRegistry) -> None:
    """sam.ortiz's deployments, older than 500 by someone else: his were found, and his name
    read, out of every deployment, not the newest 500."""
    _pad_deployments(registry)
    out = run(registry, "ops", "what did sam.ortiz ship?").output
    held = _sql(registry, "SELECT id FROM deployments WHERE deployed_by = 'sam.ortiz'")
    assert held
    assert sorted(d["id"] for d in out["deployments"]) == sorted(i for (i,) in held)
    assert "by sam.ortiz" in out["summary"]


def test_incidents_of_a_severity_past_500_newer_ones(registry: AgentRegistry) -> None:
    _pad_incidents(registry, "api")
    held = _sql(registry, "SELECT id FROM incidents WHERE service = 'api' AND severity = 'sev2'")
    assert held
    out = run(registry, "ops", "any sev2 incidents on api?").output
    assert sorted(i["id"] for i in out["incidents"]) == sorted(i for (i,) in held)
    assert "the newest" not in out["summary"]


def test_a_version_shipped_before_500_newer_deployments_is_rolled_back_to(
    registry: AgentRegistry,
) -> None:
    """ "roll back 4.3.0" found no deployment of it among the newest 500, and said none
    shipped it."""
    [(version, service, env)] = _sql(
        registry,
        "SELECT version, min(service), min(environment) FROM deployments WHERE kind = 'release' "
        "GROUP BY version HAVING count(DISTINCT service || environment) = 1 "
        "ORDER BY min(deployed_at) LIMIT 1",
    )
    _pad_deployments(registry, service, env)
    done = run(registry, "ops", f"roll back {version}")
    out = done.output
    assert "no deployment shipped" not in out["summary"]
    # The rollback proposed is to that version, from what the newer deployments put there.
    [action] = done.proposed_actions
    assert action.tool == "rollback_deployment"
    assert (action.args["service"], action.args["environment"]) == (service, env)
    assert (action.args["from_version"], action.args["to_version"]) == ("9.9.9", version)


def test_what_went_out_in_a_month_past_500_newer_deployments(registry: AgentRegistry) -> None:
    _pad_deployments(registry, "web", "production")
    out = run(registry, "ops", "what version of web was running in production in May?").output
    may = _sql(registry, "SELECT id FROM deployments WHERE service = 'web' "
               "AND environment = 'production' AND deployed_at LIKE '2025-05%'")  # fmt: skip
    assert may
    assert all(i in out["summary"] for (i,) in may)


def _pad_tickets(registry: AgentRegistry, subject: str, status: str, n: int = 500) -> None:
    with sqlite3.connect(db_path(registry)) as conn:
        conn.executemany(
            "INSERT INTO tickets VALUES (?, 'CUS-1001', ?, ?, ?, 'normal', ?, ?, NULL)",
            [(f"TCK-{6000 + k}", subject, subject + ".", status, _LATER, _LATER) for k in range(n)],
        )


def test_tickets_of_a_subject_older_than_500_newer_tickets(registry: AgentRegistry) -> None:
    """The words a listing's tickets are about were looked for in the subjects of the newest
    500 tickets: past them, "any open SSO tickets?" dropped its subject and listed every open
    ticket as if asked for those."""
    _pad_tickets(registry, "Dashboard loads slowly", "closed")
    held = _sql(registry, "SELECT id FROM tickets WHERE subject LIKE 'SSO%' AND status != 'closed'")
    assert held
    out = run(registry, "support", "any open SSO tickets?").output
    assert sorted(t["id"] for t in out["tickets"]) == sorted(i for (i,) in held)
    assert "about 'SSO'" in out["summary"]


def test_customers_with_open_tickets_of_a_subject_past_500_newer_open_ones(
    registry: AgentRegistry,
) -> None:
    """Which customers have open tickets of a subject read the newest 500 open tickets: with
    500 newer open ones of another subject, "which customers have open tickets about SSO?"
    said none had any."""
    _pad_tickets(registry, "Dashboard loads slowly", "open")
    held = _sql(
        registry,
        "SELECT id, customer_id FROM tickets WHERE subject LIKE '%SSO%' AND status != 'closed'",
    )
    assert held
    out = run(registry, "support", "which customers have open tickets about SSO?").output
    assert sorted(t["id"] for t in out["tickets"]) == sorted(i for i, _ in held)
    assert sorted(out["customer_ids"]) == sorted({c for _, c in held})
    assert f"{len(held)} open ticket(s) about 'SSO'" in out["summary"]


def test_release_notes_of_a_version_past_newer_deployments(registry: AgentRegistry) -> None:
    """Release notes of a version read it out of a service's newest 10 production deployments
    (of every service's, with none named): an older version's had no fact to state."""
    [(service, version, day)] = _sql(
        registry,
        "SELECT service, version, substr(deployed_at, 1, 10) FROM deployments WHERE "
        "environment = 'production' AND status = 'succeeded' ORDER BY deployed_at LIMIT 1",
    )
    _pad_deployments(registry, service, "production")
    for asked in (f"write release notes for {service} {version}", f"release notes for {version}"):
        out = run(registry, "content", asked).output
        # Long replaced: when it went out and what replaced it, not "is live since".
        assert f"- {service} {version} went out on {day}; " in out["body"], asked
        assert "based on list_deployments" in out["summary"]


def test_a_customers_invoices_past_one_page_are_all_of_them(registry: AgentRegistry) -> None:
    """list_invoices had no `page_after`, so a customer's invoices, and their balance, were
    their newest 50, said as all they had."""
    [(cid, name)] = _sql(registry, "SELECT id, name FROM customers ORDER BY id LIMIT 1")
    with sqlite3.connect(db_path(registry)) as conn:
        conn.executemany(
            "INSERT INTO invoices VALUES (?, ?, 1000, 'USD', 'unpaid', '2019-01', ?, "
            "'2019-02-01T00:00:00+00:00')",
            [(f"INV-{9000 + k}", cid, f"2019-01-01T00:{k // 60:02d}:{k % 60:02d}+00:00")
             for k in range(80)],
        )  # fmt: skip
    every_one = _sql(registry, "SELECT id FROM invoices WHERE customer_id = ?", cid)
    out = run(registry, "billing", f"what invoices does {name} have?").output
    assert sorted(out["invoice_ids"]) == sorted(str(i) for (i,) in every_one)
    assert f"has {len(every_one)} invoice(s)" in out["summary"]
    [(unpaid, cents)] = _sql(
        registry,
        "SELECT count(*), sum(amount_cents) FROM invoices WHERE customer_id = ? "
        "AND status = 'unpaid'",
        cid,
    )
    out = run(registry, "billing", f"what is {name}'s balance?").output
    assert len(out["invoice_ids"]) == unpaid
    assert (
        f"has {unpaid} unpaid invoice(s) totalling {Decimal(str(cents)) / 100:.2f} USD"
        in (out["summary"])
    )


def test_a_charge_twice_behind_a_page_of_failed_retries_is_found(registry: AgentRegistry) -> None:
    """list_payments had no `page_after`, so an invoice's charges were its newest 50: two
    that went through behind 60 failed retries were not seen, and "charged twice?" said no."""
    [(cid, name, inv, cents)] = _sql(
        registry,
        "SELECT c.id, c.name, i.id, i.amount_cents FROM customers c JOIN invoices i "
        "ON i.customer_id = c.id WHERE NOT EXISTS (SELECT 1 FROM payments x WHERE "
        "x.customer_id = c.id AND x.status = 'succeeded' GROUP BY x.invoice_id "
        "HAVING count(*) > 1) ORDER BY c.id, i.id LIMIT 1",
    )
    with sqlite3.connect(db_path(registry)) as conn:
        conn.execute("DELETE FROM payments WHERE invoice_id = ?", (inv,))
        conn.executemany(
            "INSERT INTO payments VALUES (?, ?, ?, ?, 'card', 'visa', '4242', ?, ?)",
            [(f"PAY-{9000 + k}", inv, cid, cents, "succeeded", f"2019-01-01T00:00:0{k}+00:00")
             for k in range(2)]
            + [(f"PAY-{9100 + k}", inv, cid, cents, "failed", f"2019-01-02T00:{k:02d}:00+00:00")
               for k in range(60)],
        )  # fmt: skip
    out = run(registry, "billing", f"was {name} charged twice?").output
    assert out["invoice_ids"] == [inv]
    assert "was charged 2 times (PAY-9001, PAY-9000)" in out["summary"]
