"""Demo tools: effects happen once per key, bad arguments change nothing, approval rules hold."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ringmaster.tools.base import ToolBox, ToolRegistry
from ringmaster.tools.demo import build_demo_tools
from ringmaster.tools.demo.db import connect
from ringmaster.tools.demo.effects import dry_run, run_once
from ringmaster.tools.demo.periods import PERIODS
from ringmaster.tools.errors import SideEffectNotAllowed, ToolArgumentError, ToolScopeError
from tests.fakes import dump_sqlite


def scalar(db: Path, sql: str, *params: Any) -> Any:
    with connect(db) as conn:
        return conn.execute(sql, params).fetchone()[0]


# tool, arguments, a query counting the effect's rows
EFFECTS: list[tuple[str, dict[str, Any], str]] = [
    (
        "open_ticket",
        {"customer_id": "CUS-1001", "subject": "Export fails", "priority": "high"},
        "SELECT COUNT(*) FROM tickets WHERE subject = 'Export fails'",
    ),
    (
        "update_ticket",
        {"ticket_id": "TCK-1001", "priority": "urgent", "note": "Customer called again"},
        "SELECT COUNT(*) FROM ticket_notes WHERE ticket_id = 'TCK-1001'",
    ),
    (
        "close_ticket",
        {"ticket_id": "TCK-1001", "resolution": "Password reset worked"},
        "SELECT COUNT(*) FROM ticket_notes WHERE note LIKE 'Resolution:%'",
    ),
    (
        "issue_refund",
        {"invoice_id": "INV-1003", "amount": "29.00", "reason": "duplicate charge"},
        "SELECT COUNT(*) FROM refunds WHERE invoice_id = 'INV-1003'",
    ),
    (
        "apply_credit",
        {"customer_id": "CUS-1001", "amount": "20.00", "reason": "outage"},
        "SELECT COUNT(*) FROM credits",
    ),
    (
        "change_plan",
        {"customer_id": "CUS-1001", "plan": "business"},
        "SELECT COUNT(*) FROM plan_changes",
    ),
    (
        "rollback_deployment",
        {"service": "api", "environment": "production", "reason": "5xx errors"},
        "SELECT COUNT(*) FROM rollbacks",
    ),
    (
        "create_incident",
        {"service": "auth", "title": "Slow logins", "severity": "sev3"},
        "SELECT COUNT(*) FROM incidents WHERE title = 'Slow logins'",
    ),
    (
        "send_email",
        {"to": "maria.lopez@example.com", "subject": "Hello", "body": "All good now."},
        "SELECT COUNT(*) FROM outbox",
    ),
    (
        "erase_customer_data",
        {"customer_id": "CUS-1009", "reason": "GDPR request"},
        "SELECT COUNT(*) FROM erasure_log",
    ),
]
IDS = [e[0] for e in EFFECTS]


@pytest.mark.parametrize(("tool", "args", "effect_sql"), EFFECTS, ids=IDS)
def test_effect_happens_once_per_key(
    db: Path, registry: ToolRegistry, tool: str, args: dict[str, Any], effect_sql: str
) -> None:
    fn = registry.get(tool).fn
    before = scalar(db, effect_sql)
    first = fn(idempotency_key="key-1", **args)
    after_first = dump_sqlite(db)
    second = fn(idempotency_key="key-1", **args)
    assert second == first
    assert json.loads(json.dumps(first)) == first  # JSON-ready
    assert scalar(db, effect_sql) == before + 1
    assert dump_sqlite(db) == after_first  # the replay changed nothing at all
    row = scalar(db, "SELECT result FROM side_effects WHERE idempotency_key = 'key-1'")
    assert json.loads(row) == first
    assert scalar(db, "SELECT tool FROM side_effects WHERE idempotency_key = 'key-1'") == tool


@pytest.mark.parametrize(("tool", "args", "effect_sql"), EFFECTS, ids=IDS)
def test_two_threads_with_one_key_make_one_effect(
    db: Path, registry: ToolRegistry, tool: str, args: dict[str, Any], effect_sql: str
) -> None:
    fn = registry.get(tool).fn
    before = scalar(db, effect_sql)
    start = threading.Barrier(2)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            results.append(fn(idempotency_key="race", **args))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    assert scalar(db, effect_sql) == before + 1
    assert scalar(db, "SELECT COUNT(*) FROM side_effects") == 1


def test_a_new_key_is_a_new_effect(db: Path, registry: ToolRegistry) -> None:
    refund = registry.get("issue_refund").fn
    first = refund(idempotency_key="a", invoice_id="INV-1003", amount="29.00")
    second = refund(idempotency_key="b", invoice_id="INV-1003", amount="29.00")
    assert first["refund_id"] != second["refund_id"]
    assert second["invoice_status"] == "refunded"  # both charges of the double charge returned
    with pytest.raises(ToolArgumentError, match="already fully refunded"):
        refund(idempotency_key="c", invoice_id="INV-1003", amount="1.00")


def test_a_key_reused_for_another_action_is_refused(db: Path, registry: ToolRegistry) -> None:
    registry.get("apply_credit").fn(idempotency_key="k", customer_id="CUS-1001", amount="5.00")
    with pytest.raises(ToolArgumentError, match="other arguments"):
        registry.get("apply_credit").fn(idempotency_key="k", customer_id="CUS-1001", amount="6.00")
    with pytest.raises(ToolArgumentError, match="already used by 'apply_credit'"):
        registry.get("issue_refund").fn(idempotency_key="k", invoice_id="INV-1001", amount="5.00")
    assert scalar(db, "SELECT COUNT(*) FROM credits") == 1


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("issue_refund", {"invoice_id": "INV-9999", "amount": "10.00"}, "no invoice with id INV-9999"),
    ("issue_refund", {"invoice_id": "INV-1001", "amount": "-5"}, "must be positive"),
    ("issue_refund", {"invoice_id": "INV-1001", "amount": 5.5}, "decimal string"),
    ("issue_refund", {"invoice_id": "INV-1001", "amount": "1.005"}, "more than two decimals"),
    ("issue_refund", {"invoice_id": "INV-1001", "amount": "abc"}, "not an amount"),
    # A decimal comma is refused, not read as a thousands separator (1,50 was 150.00).
    ("issue_refund", {"invoice_id": "INV-1001", "amount": "1,50"}, "decimals with a point"),
    ("issue_refund", {"invoice_id": "INV-1001", "amount": "1,2345.00"}, "decimals with a point"),
    # Too large or in exponent form: a one-line refusal (was decimal.InvalidOperation).
    ("issue_refund", {"invoice_id": "INV-1001", "amount": "1e400"}, "not an amount"),
    ("issue_refund", {"invoice_id": "INV-1001", "amount": "1" + "0" * 29}, "too large"),
    ("apply_credit", {"customer_id": "CUS-1001", "amount": 10**30}, "too large"),
    ("issue_refund", {"invoice_id": "INV-1003", "amount": "30.00"}, "above the amount 29.00"),
    ("issue_refund", {"invoice_id": "nonsense", "amount": "1.00"}, "must look like INV-1001"),
    ("apply_credit", {"customer_id": "CUS-9999", "amount": "5.00"}, "no customer with id"),
    ("apply_credit", {"customer_id": "CUS-1001", "amount": "0"}, "must be positive"),
    ("apply_credit", {"customer_id": "CUS-1001", "amount": "١٠"}, "with the digits 0-9"),
    ("issue_refund", {"invoice_id": "INV-1002", "amount": "1০.00"}, "with the digits 0-9"),
    ("change_plan", {"customer_id": "CUS-1001", "plan": "platinum"}, "unknown plan 'platinum'"),
    ("change_plan", {"customer_id": "CUS-1001", "plan": "pro"}, "already on the pro plan"),
    ("open_ticket", {"customer_id": "CUS-1001", "subject": "  "}, "subject must not be empty"),
    ("open_ticket", {"customer_id": "CUS-1001", "subject": "x", "priority": "asap"}, "priority"),
    ("update_ticket", {"ticket_id": "TCK-1001"}, "needs a status, a priority or a note"),
    ("update_ticket", {"ticket_id": "TCK-9999", "priority": "low"}, "no ticket with id"),
    ("close_ticket", {"ticket_id": "TCK-1004"}, "already closed"),
    ("rollback_deployment", {"service": "mail", "environment": "production"}, "service must"),
    ("rollback_deployment", {"service": "api", "environment": "qa"}, "environment must"),
    (
        "rollback_deployment",
        {"service": "api", "environment": "production", "to_version": "9.9.9"},
        "never running",
    ),
    ("create_incident", {"service": "api", "title": "x", "severity": "sev9"}, "severity"),
    ("send_email", {"to": "stranger@nowhere.example", "subject": "s", "body": "b"}, "not a custo"),
    ("send_email", {"to": [], "subject": "s", "body": "b"}, "to must be"),
    ("erase_customer_data", {"customer_id": "CUS-9999"}, "no customer with id CUS-9999"),
]


@pytest.mark.parametrize(("tool", "args", "message"), BAD, ids=[f"{b[0]}-{b[2]}" for b in BAD])
def test_bad_arguments_raise_and_change_nothing(
    db: Path, registry: ToolRegistry, tool: str, args: dict[str, Any], message: str
) -> None:
    before = dump_sqlite(db)
    with pytest.raises(ToolArgumentError, match=message):
        registry.get(tool).fn(idempotency_key="bad", **args)
    assert dump_sqlite(db) == before


def test_unpaid_invoices_cannot_be_refunded(db: Path, registry: ToolRegistry) -> None:
    unpaid = scalar(db, "SELECT id FROM invoices WHERE status = 'unpaid' ORDER BY id LIMIT 1")
    paid_anything = scalar(
        db, "SELECT COUNT(*) FROM payments WHERE invoice_id = ? AND status = 'succeeded'", unpaid
    )
    assert paid_anything == 0
    with pytest.raises(ToolArgumentError, match="has not been paid"):
        registry.get("issue_refund").fn(idempotency_key="k", invoice_id=unpaid, amount="1.00")


def test_a_refused_key_can_be_used_again_with_good_arguments(
    db: Path, registry: ToolRegistry
) -> None:
    refund = registry.get("issue_refund").fn
    with pytest.raises(ToolArgumentError):
        refund(idempotency_key="k", invoice_id="INV-1001", amount="500.00")
    done = refund(idempotency_key="k", invoice_id="INV-1001", amount="99.00")
    assert done["invoice_status"] == "refunded"
    assert scalar(db, "SELECT status FROM invoices WHERE id = 'INV-1001'") == "refunded"


def test_an_empty_idempotency_key_is_refused(registry: ToolRegistry) -> None:
    with pytest.raises(ToolArgumentError, match="idempotency_key"):
        registry.get("apply_credit").fn(idempotency_key=" ", customer_id="CUS-1001", amount="1")


def test_rollback_moves_the_service_back_and_records_it(db: Path, registry: ToolRegistry) -> None:
    done = registry.get("rollback_deployment").fn(
        idempotency_key="rb", service="api", environment="production"
    )
    assert (done["from_version"], done["to_version"]) == ("2.14.0", "2.13.2")
    health = registry.get("service_health").fn(service="api")
    assert health[0]["production_version"] == "2.13.2"
    status = "SELECT status FROM deployments WHERE id = ?"
    assert scalar(db, status, done["rolled_back_deployment_id"]) == "rolled_back"


def test_what_runs_now_is_the_newest_succeeded_deployment_of_each_place(
    registry: ToolRegistry,
) -> None:
    """One row per service and environment: web production runs 3.8.1 (DEP-1028), never the
    failed 3.8.0 (DEP-1022), nor the rolled-back version once a rollback ran."""
    now = registry.get("current_versions").fn
    rows = now()
    assert len(rows) == 8 and len({(r["service"], r["environment"]) for r in rows}) == 8
    web = now(service="web", environment="production")
    assert [(r["version"], r["deployment_id"]) for r in web] == [("3.8.1", "DEP-1028")]
    assert web[0]["deployed_by"] and web[0]["deployed_at"].startswith("2025-06-11")
    assert {r["environment"] for r in now(service="auth")} == {"production", "staging"}
    done = registry.get("rollback_deployment").fn(
        idempotency_key="rb-now", service="web", environment="production"
    )
    [after] = now(service="web", environment="production")
    assert (after["version"], after["deployment_id"]) == ("3.7.1", done["deployment_id"])
    with pytest.raises(ToolArgumentError, match="service"):
        now(service="mainframe")


def test_what_ran_on_a_day_or_in_a_period_is_the_newest_succeeded_by_its_end(
    registry: ToolRegistry,
) -> None:
    """`on` and `period` bound what runs to the end of that day or period: web production on
    the day the failed 3.8.0 (DEP-1022) went out ran the version before it."""
    ran = registry.get("current_versions").fn
    [on] = ran(service="web", environment="production", on="2025-05-09")
    assert (on["deployment_id"], on["as_of"]) == ("DEP-1012", "2025-05-09")
    [short] = ran(service="web", environment="production", on="05-09")
    assert short == on
    [month] = ran(service="web", environment="production", period="last_month")
    assert (month["deployment_id"], month["as_of"]) == ("DEP-1012", "2025-05-31")
    [before] = ran(service="auth", environment="production", on="2025-03-01")
    assert before["version"] is None and before["deployment_id"] is None
    [later] = ran(service="web", environment="production", on="2025-12-24")
    assert later["as_of"] == "2025-06-15"  # a day to come: what runs now, as of today
    assert (
        later["deployment_id"] == ran(service="web", environment="production")[0]["deployment_id"]
    )
    for bad in ({"on": "June 1"}, {"on": "2025-02-30"}, {"on": "06-01", "period": "last_week"}):
        with pytest.raises(ToolArgumentError):
            ran(service="web", **bad)


def test_erasure_removes_personal_data_but_keeps_invoices(db: Path, registry: ToolRegistry) -> None:
    invoices = scalar(db, "SELECT COUNT(*) FROM invoices WHERE customer_id = 'CUS-1009'")
    registry.get("erase_customer_data").fn(idempotency_key="e", customer_id="CUS-1009")
    with connect(db) as conn:
        row = conn.execute("SELECT * FROM customers WHERE id = 'CUS-1009'").fetchone()
        subjects = {r[0] for r in conn.execute("SELECT subject FROM tickets WHERE customer_id = ?",
                                               ("CUS-1009",))}  # fmt: skip
    assert row["status"] == "erased" and "dubois" not in row["email"]
    assert row["pronouns"] == ""  # how she was referred to is hers too
    assert subjects == {"[erased]"}
    assert scalar(db, "SELECT COUNT(*) FROM invoices WHERE customer_id = 'CUS-1009'") == invoices
    assert registry.get("find_customer").fn(query="Emma Dubois") == []


def test_erasure_works_on_a_database_built_before_pronouns_were_kept(db: Path) -> None:
    # A demo database made before customers kept pronouns has no such column (the schema
    # version did not change, so it is not rebuilt): erasing must not stop on it.
    with connect(db) as conn:
        conn.execute("ALTER TABLE customers DROP COLUMN pronouns")
    build_demo_tools(db).get("erase_customer_data").fn(idempotency_key="e", customer_id="CUS-1009")
    with connect(db) as conn:
        row = conn.execute("SELECT * FROM customers WHERE id = 'CUS-1009'").fetchone()
    assert row["status"] == "erased" and "dubois" not in row["email"]


def test_send_email_to_all_customers_queues_one_message(db: Path, registry: ToolRegistry) -> None:
    sent = registry.get("send_email").fn(
        idempotency_key="all", to="all_customers", subject="Outage over", body="All fixed."
    )
    assert len(sent["recipients"]) > 30
    assert scalar(db, "SELECT COUNT(*) FROM outbox") == 1


# --- approval rules ---------------------------------------------------------------------------


def test_refund_and_credit_need_approval_above_the_limit(registry: ToolRegistry) -> None:
    refund = registry.get("issue_refund").needs_approval
    assert refund({"invoice_id": "INV-1004", "amount": "100.00"}) is None
    assert "above the 100.00 limit" in (
        refund({"invoice_id": "INV-1004", "amount": "100.01"}) or ""
    )
    assert refund({"invoice_id": "INV-1004", "amount": "lots"}) is not None  # fails closed
    credit = registry.get("apply_credit").needs_approval
    assert credit({"customer_id": "CUS-1001", "amount": "20.00"}) is None
    assert credit({"customer_id": "CUS-1001", "amount": "250.00"}) is not None


def test_the_refund_limit_is_a_parameter(db: Path) -> None:
    strict = build_demo_tools(db, refund_limit=Decimal("10"))
    rule = strict.get("issue_refund").needs_approval
    assert rule({"invoice_id": "INV-1003", "amount": "29.00"}) is not None
    assert rule({"invoice_id": "INV-1003", "amount": "10.00"}) is None


def test_rules_for_plans_rollbacks_erasure_and_email(registry: ToolRegistry) -> None:
    def rule(name: str, **args: Any) -> str | None:
        return registry.get(name).needs_approval(args)

    assert rule("change_plan", customer_id="CUS-1001", plan="business") is not None
    assert rule("rollback_deployment", service="api", environment="production") is not None
    assert rule("rollback_deployment", service="api", environment="staging") is None
    assert rule("rollback_deployment", service="api") is not None  # no environment: fail closed
    assert rule("erase_customer_data", customer_id="CUS-1009") is not None
    assert rule("send_email", to="maria.lopez@example.com", subject="s", body="b") is None
    assert rule("send_email", to=["maria.lopez@example.com"], subject="s", body="b") is None
    two = ["maria.lopez@example.com", "tom.becker@example.com"]
    assert rule("send_email", to=two, subject="s", body="b") is not None
    assert rule("send_email", to="all_customers", subject="s", body="b") is not None
    for name in ("open_ticket", "update_ticket", "close_ticket", "create_incident"):
        assert rule(name) is None


def test_only_the_side_effecting_tools_are_marked_so(registry: ToolRegistry) -> None:
    effects = {n for n in registry.names() if registry.get(n).side_effect}
    assert effects == set(IDS)


# --- scopes -------------------------------------------------------------------------------------


def test_scopes_limit_who_may_reach_a_tool(registry: ToolRegistry) -> None:
    def box(*scopes: str) -> ToolBox:
        return ToolBox(registry, frozenset(registry.names()), frozenset(scopes))

    assert registry.get("issue_refund").scopes == {"billing"}
    assert registry.get("rollback_deployment").scopes == {"ops"}
    assert registry.get("erase_customer_data").scopes == {"legal"}
    assert registry.get("count_records").scopes == {"analytics"}
    with pytest.raises(ToolScopeError):
        box("support").call("list_invoices", customer_id="CUS-1001")
    with pytest.raises(ToolScopeError):
        box("support").propose("issue_refund", invoice_id="INV-1003", amount="29.00")
    assert box().call("search_kb", query="reset password")  # the help centre is public
    assert box("billing").call("list_invoices", customer_id="CUS-1001")
    with pytest.raises(SideEffectNotAllowed):
        box("billing").call("issue_refund", idempotency_key="x", invoice_id="INV-1003", amount="1")


def test_list_customers_keeps_to_a_plan_and_status_it_knows(registry: ToolRegistry) -> None:
    on_pro = registry.get("list_customers").fn(plan="pro", status="active")
    assert on_pro and {(c["plan"], c["status"]) for c in on_pro} == {("pro", "active")}
    for wrong in ({"plan": "platinum"}, {"status": "erased"}):
        with pytest.raises(ToolArgumentError, match="must be one of"):
            registry.get("list_customers").fn(**wrong)


READS: list[tuple[str, dict[str, Any]]] = [
    ("find_customer", {"query": "maria"}),
    ("get_customer", {"customer_id": "CUS-1001"}),
    ("list_customers", {"plan": "pro"}),
    ("list_tickets", {"customer_id": "CUS-1003", "status": "open"}),
    ("get_ticket", {"ticket_id": "TCK-1001"}),
    ("search_kb", {"query": "two-factor sms"}),
    ("list_invoices", {"customer_id": "CUS-1008", "status": "unpaid"}),
    ("get_invoice", {"invoice_id": "INV-1003"}),
    ("list_payments", {"invoice_id": "INV-1003"}),
    ("list_plans", {}),
    ("service_health", {}),
    ("list_deployments", {"service": "api", "environment": "production"}),
    ("current_versions", {"service": "web"}),
    ("get_deployment", {"deployment_id": "DEP-1001"}),
    ("get_incident", {"incident_id": "INC-1001"}),
    ("list_incidents", {"status": "open"}),
    ("list_alerts", {"status": "firing"}),
    ("get_document", {"document_id": "DOC-1001"}),
    ("search_documents", {"query": "retention", "kind": "policy"}),
    ("list_documents", {"kind": "contract"}),
    ("export_customer_data", {"customer_id": "CUS-1001"}),
    ("count_records", {"entity": "tickets", "days": 7, "group_by": "status"}),
    ("trend", {"entity": "tickets", "bucket": "week", "periods": 4}),
    ("revenue_report", {"start": "2025-05-01", "end": "2025-06-01"}),
    ("ticket_report", {"days": 30}),
    ("top_customers", {"metric": "billed", "limit": 3}),
]


@pytest.mark.parametrize(("tool", "args"), READS, ids=[r[0] for r in READS])
def test_read_tools_return_json_and_change_nothing(
    db: Path, registry: ToolRegistry, tool: str, args: dict[str, Any]
) -> None:
    before = dump_sqlite(db)
    result = registry.get(tool).fn(**args)
    assert result
    assert json.loads(json.dumps(result)) == result
    assert dump_sqlite(db) == before


def test_money_is_a_string_with_cents(registry: ToolRegistry) -> None:
    inv = registry.get("get_invoice").fn(invoice_id="INV-1004")
    assert inv["amount"] == "999.00" and inv["paid"] == "999.00"
    assert all(isinstance(p["price"], str) for p in registry.get("list_plans").fn())


def test_counts_are_measured_from_the_company_clock(registry: ToolRegistry) -> None:
    week = registry.get("count_records").fn(entity="tickets", days=7)
    assert week["period"] == {
        "start": "2025-06-08T12:00:00+00:00",
        "end": "2025-06-15T12:00:00+00:00",
        "words": "the last 7 days (8–15 June 2025)",
    }
    with pytest.raises(ToolArgumentError, match="filtered by"):
        registry.get("count_records").fn(entity="tickets", filters={"plan": "pro"})
    with pytest.raises(ToolArgumentError, match="entity must be one of"):
        registry.get("count_records").fn(entity="users")


def test_a_filter_may_list_the_values_any_of_which_is_counted(registry: ToolRegistry) -> None:
    count = registry.get("count_records").fn

    def n(status: Any) -> int:
        found: int = count(entity="tickets", filters={"status": status})["count"]
        return found

    assert n(["open", "pending"]) == n("open") + n("pending") > n("open") > 0
    with pytest.raises(ToolArgumentError, match="lists no values"):
        n([])


def _deployment_and_incident(db: Path, n: int, at: str) -> None:
    """A web deployment DEP-90n and a web incident INC-90n, both at `at`."""
    with connect(db) as conn:
        conn.execute(
            "INSERT INTO deployments (id, service, version, environment, status, deployed_by, "
            "deployed_at) VALUES (?, 'web', '9.9.9', 'production', 'succeeded', 'test', ?)",
            (f"DEP-90{n}", at),
        )
        conn.execute(
            "INSERT INTO incidents (id, service, title, severity, status, description, "
            "started_at) VALUES (?, 'web', 't', 'sev3', 'resolved', 'd', ?)",
            (f"INC-90{n}", at),
        )


@pytest.mark.parametrize(
    ("period", "start", "end", "to_now"),
    [
        # The company clock is Sunday 2025-06-15 12:00 UTC; a week is Monday to Sunday.
        ("this_month", "2025-06-01", "2025-07-01", True),
        ("last_month", "2025-05-01", "2025-06-01", False),
        ("today", "2025-06-15", "2025-06-16", True),
        ("yesterday", "2025-06-14", "2025-06-15", False),
        ("this_week", "2025-06-09", "2025-06-16", True),
        ("last_week", "2025-06-02", "2025-06-09", False),
        # A quarter and a year are the calendar ones (they had been refused).
        ("this_quarter", "2025-04-01", "2025-07-01", True),
        ("last_quarter", "2025-01-01", "2025-04-01", False),
        ("this_year", "2025-01-01", "2026-01-01", True),
        ("last_year", "2024-01-01", "2025-01-01", False),
    ],
)
def test_a_listing_for_a_period_holds_that_periods_rows_by_the_company_clock(
    db: Path, period: str, start: str, end: str, to_now: bool
) -> None:
    """ "What went out on web this month" had listed web deployments back to March. A row a
    second before the period and one at its end are left out; one at its start and one a
    second before its end are in. A period that holds the company's now has no end: a row
    past it can only be one the tools wrote, which happened now (`db.written_at`)."""
    registry = build_demo_tools(db)
    second = timedelta(seconds=1)
    lo, hi = (datetime.fromisoformat(f"{day}T00:00:00+00:00") for day in (start, end))
    for n, at in enumerate((lo - second, lo, hi - second, hi)):
        _deployment_and_incident(db, n, at.isoformat())
    deployments = registry.get("list_deployments").fn(service="web", period=period, limit=500)
    incidents = registry.get("list_incidents").fn(service="web", period=period, limit=500)
    for rows, key in ((deployments, "deployed_at"), (incidents, "started_at")):
        ids = {r["id"][-3:] for r in rows}
        assert {"901", "902"} <= ids and "900" not in ids
        assert ("903" in ids) == to_now
        assert all(lo.isoformat() <= r[key] <= hi.isoformat() for r in rows)


def test_the_seeded_listings_for_this_and_last_month(registry: ToolRegistry) -> None:
    def ids(tool: str, period: str) -> list[str]:
        return [r["id"] for r in registry.get(tool).fn(service="web", period=period)]

    assert ids("list_deployments", "this_month") == ["DEP-1028", "DEP-1025"]
    assert ids("list_deployments", "last_month") == ["DEP-1022", "DEP-1021"]
    assert ids("list_incidents", "last_month") == ["INC-1009", "INC-1007"]


def test_an_unknown_period_is_refused_with_the_periods_there_are(registry: ToolRegistry) -> None:
    for tool in ("list_deployments", "list_incidents"):
        with pytest.raises(ToolArgumentError, match="period must be one of today, yesterday"):
            registry.get(tool).fn(period="next_week")
        with pytest.raises(ToolArgumentError, match="since must be one of today, yesterday"):
            registry.get(tool).fn(since="monday")


def test_a_write_happens_now_on_the_company_clock(db: Path, registry: ToolRegistry) -> None:
    """Issue 16: a rollback approved "today" carried the machine's time (2026), so "what was
    deployed to web today?" missed it, and the last 7 days' analytics missed a refund just
    made. A write is stamped the company's now and counts in every span that holds now."""
    rollback = registry.get("rollback_deployment").fn
    first = rollback(idempotency_key="r1", service="web", environment="production")
    second = rollback(idempotency_key="r2", service="web", environment="production")
    today = registry.get("list_deployments").fn(service="web", period="today")
    # Newest first, in the order they were made, both dated the company's today.
    assert [d["id"] for d in today] == [second["deployment_id"], first["deployment_id"]]
    assert all(d["deployed_at"].startswith("2025-06-15T12:00:0") for d in today)
    assert [d["id"] for d in registry.get("list_deployments").fn(service="web", limit=2)] == [
        d["id"] for d in today
    ]
    for period in ("this_week", "this_month"):
        listed = {d["id"] for d in registry.get("list_deployments").fn(period=period, limit=500)}
        assert {d["id"] for d in today} <= listed, period
    assert registry.get("list_deployments").fn(service="web", period="yesterday") == []

    refunds = registry.get("count_records").fn
    before = refunds(entity="refunds", days=7)["count"]
    registry.get("issue_refund").fn(idempotency_key="f1", invoice_id="INV-1001", amount="5.00")
    assert refunds(entity="refunds", days=7)["count"] == before + 1
    assert refunds(entity="refunds", period="today")["count"] == 1
    report = registry.get("revenue_report").fn(days=7)
    assert report["refunded"] == "5.00"
    trend = registry.get("trend").fn(entity="refunds", bucket="day", periods=2)
    assert trend["series"][-1]["count"] == 1
    # The record of the write keeps the real time, for the policy's windows of real time.
    made = datetime.fromisoformat(scalar(db, "SELECT MAX(created_at) FROM side_effects"))
    assert made.year >= 2026


def test_a_dry_run_meets_the_time_the_write_will_carry(db: Path) -> None:
    """A dry run (a reviewer's edit checked before it is committed) had met the time of the
    write before it: one second short of the one the write then carried."""
    seen: list[str] = []

    def effect(conn: Any, now: str) -> dict[str, Any]:
        seen.append(now)
        return {}

    run_once(db, "t", "first", {}, effect)
    with dry_run():
        run_once(db, "t", "dry-run", {}, effect)
    run_once(db, "t", "second", {}, effect)
    first, checked, written = seen
    assert checked == written > first


def test_analytics_and_ops_read_a_period_alike(registry: ToolRegistry) -> None:
    """ "last week" had been the last 7 days to analytics and the last calendar week to ops."""
    count = registry.get("count_records").fn
    week = count(entity="deployments", period="last_week")
    assert week["period"] == {
        "start": "2025-06-02T00:00:00+00:00",
        "end": "2025-06-09T00:00:00+00:00",
        "words": "last calendar week (2–8 June 2025)",
    }
    listed = registry.get("list_deployments").fn(period="last_week", limit=500)
    assert week["count"] == len(listed)
    rolling = count(entity="deployments", days=7)
    assert rolling["count"] == len(registry.get("list_deployments").fn(days=7, limit=500))
    # No deployment went out last calendar week: so that the agreement is not only of two
    # zeros, every span is read alike by the count and by both listings, and some hold rows.
    counted: dict[str, list[int]] = {}
    for entity, listing in (("deployments", "list_deployments"), ("incidents", "list_incidents")):
        for during in [{"period": p} for p in PERIODS] + [{"since": "last_quarter"}, {"days": 30}]:
            n = count(entity=entity, **during)["count"]
            assert n == len(registry.get(listing).fn(limit=500, **during)), (entity, during)
            counted.setdefault(entity, []).append(n)
    assert all(max(ns) > 0 for ns in counted.values()), counted
    with pytest.raises(ToolArgumentError, match="not two of them"):
        registry.get("list_deployments").fn(period="last_week", days=7)
    with pytest.raises(ToolArgumentError, match="not two"):
        count(entity="deployments", period="last_week", since="last_week")


def test_since_a_period_runs_from_its_start_to_now(db: Path, registry: ToolRegistry) -> None:
    """ "since last month" had been no span a tool took: from the first of last month to the
    company's now, with no upper bound (a write the tools make happens now), and said so."""
    count = registry.get("count_records").fn
    since = count(entity="deployments", since="last_month")
    assert since["period"] == {
        "start": "2025-05-01T00:00:00+00:00",
        "end": "2025-06-15T12:00:00+00:00",
        "words": "since the start of last calendar month (1 May 2025)",
    }
    parts = [count(entity="deployments", period=p)["count"] for p in ("last_month", "this_month")]
    assert since["count"] == sum(parts)
    second = timedelta(seconds=1)
    lo = datetime.fromisoformat("2025-05-01T00:00:00+00:00")
    for n, at in enumerate((lo - second, lo, datetime.fromisoformat("2025-06-15T12:00:05+00:00"))):
        _deployment_and_incident(db, n, at.isoformat())
    for tool in ("list_deployments", "list_incidents"):
        ids = {r["id"][-3:] for r in registry.get(tool).fn(service="web", since="last_month")}
        assert {"901", "902"} <= ids and "900" not in ids, tool


def test_a_span_of_dates_is_named_and_stops_at_now(registry: ToolRegistry) -> None:
    """start/end had been reported without words, and a month containing the company's now
    (15 June 2025, noon) ran past it to 1 July."""
    count = registry.get("count_records").fn
    day = count(entity="tickets", start="2025-06-10", end="2025-06-11")
    assert day["period"]["words"] == "10 June 2025"
    month = count(entity="tickets", start="2025-06-01", end="2025-07-01")
    assert month["period"] == {
        "start": "2025-06-01T00:00:00+00:00",
        "end": "2025-06-15T12:00:00+00:00",
        "words": "1–15 June 2025",
    }
    assert month["count"] == count(entity="tickets", period="this_month")["count"]
    may = registry.get("revenue_report").fn(start="2025-05-01", end="2025-06-01")
    assert may["period"]["words"] == "1–31 May 2025"


def test_what_ran_at_a_moment_is_the_one_deployed_before_it(registry: ToolRegistry) -> None:
    """`at` is what was running at that moment: web production when the failed 3.8.0
    (DEP-1022) went out was still the version before it, and a deployment made at that very
    moment was not yet running; a time without its offset, or with `on`, is refused."""
    ran = registry.get("current_versions").fn
    failed = registry.get("get_deployment").fn(deployment_id="DEP-1022")
    [then] = ran(service="web", environment="production", at=failed["deployed_at"])
    assert then["deployment_id"] == "DEP-1012" and then["as_of"] == failed["deployed_at"]
    fixed = registry.get("get_deployment").fn(deployment_id=then["deployment_id"])
    [same] = ran(service="web", environment="production", at=fixed["deployed_at"])
    assert same["deployment_id"] != fixed["id"]
    for bad in (
        {"at": "2025-06-14T10:05"},
        {"at": "noon"},
        {"at": failed["deployed_at"], "on": "06-01"},
    ):
        with pytest.raises(ToolArgumentError):
            ran(service="web", **bad)


@pytest.mark.parametrize(
    "tool",
    [
        "list_deployments",
        "list_incidents",
        "list_customers",
        "list_tickets",
        "list_invoices",
        "list_payments",
    ],
)
def test_pages_after_an_id_hold_every_row_once(registry: ToolRegistry, tool: str) -> None:
    """`page_after` the last id of a page lists the next: the pages are the whole listing."""
    whole = [r["id"] for r in registry.get(tool).fn(limit=500)]
    paged: list[str] = []
    while page := registry.get(tool).fn(limit=3, **({"page_after": paged[-1]} if paged else {})):
        paged += [r["id"] for r in page]
    assert paged == whole and len(whole) > 3


def test_incidents_within_iso_times_keep_both_ends(registry: ToolRegistry) -> None:
    """`from_time` and `to_time` keep what started at either end too."""
    first, *_, last = sorted(
        registry.get("list_incidents").fn(limit=6), key=lambda i: i["started_at"]
    )
    within = registry.get("list_incidents").fn(
        from_time=first["started_at"], to_time=last["started_at"], limit=500
    )
    assert {first["id"], last["id"]} <= {i["id"] for i in within}
    assert all(first["started_at"] <= i["started_at"] <= last["started_at"] for i in within)
    # Every incident of the window, not only some within it.
    whole = registry.get("list_incidents").fn(limit=500)
    assert sorted(i["id"] for i in within) == sorted(
        i["id"] for i in whole if first["started_at"] <= i["started_at"] <= last["started_at"]
    )
    with pytest.raises(ToolArgumentError):
        registry.get("list_incidents").fn(from_time="2025-06-01")
