"""The demo company's tool registry: every tool with its scopes and approval rule.

Scopes (a requester needs one of a tool's scopes; none means anyone):
    support    customer and ticket look-ups, ticket changes, customer emails
    billing    invoices, payments, refunds, credits, plan changes; customer look-ups
    ops        deployments and what runs now, rollbacks, incidents, alerts
    content    reading deployments and incidents for release notes; customer emails
    analytics  counts, trends and reports
    legal      personal-data export and erasure, documents; customer look-ups
    (none)     search_kb, service_health, list_plans: public help centre, status and prices
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from ringmaster.tools.base import (
    CALL_CONTEXT,
    ApprovalRule,
    CallContext,
    Earlier,
    Tool,
    ToolRegistry,
    never,
)
from ringmaster.tools.demo import analytics, claims, ops, reads, writes
from ringmaster.tools.demo.effects import dry_run
from ringmaster.tools.demo.money import parse_amount
from ringmaster.tools.errors import ToolArgumentError, ToolError
from ringmaster.tools.money import money_text

DEFAULT_REFUND_LIMIT = Decimal("100.00")


def amount_above(limit: Decimal, what: str) -> ApprovalRule:
    """Approval when the amount is above `limit`, or cannot be read at all (fail closed)."""

    def rule(args: Mapping[str, Any]) -> str | None:
        try:
            amount = parse_amount(args.get("amount"))
        except ToolArgumentError:
            return f"the {what} amount {money_text(args.get('amount'))} could not be checked"
        if amount > limit:
            return f"{what} of {money_text(amount)} is above the {money_text(limit)} limit"
        return None

    return rule


def always(reason: str) -> ApprovalRule:
    def rule(_: Mapping[str, Any]) -> str | None:
        return reason

    return rule


def rollback_rule(args: Mapping[str, Any]) -> str | None:
    # Anything but an explicit staging rollback needs a person, so a typo fails closed.
    if args.get("environment") == "staging":
        return None
    return f"rollback of {args.get('service')} in {args.get('environment')}"


def email_rule(db: Path, args: Mapping[str, Any]) -> str | None:
    """Approval for an email to many customers, or one whose words the records at `db` do not
    bear out now: a refund never issued, a ticket said closed that is open (demo/claims.py)."""
    try:
        recipients = writes.recipients_of(args.get("to"))
    except ToolArgumentError:
        return "the recipients could not be checked"
    if any(r.lower() == writes.ALL_CUSTOMERS for r in recipients):
        return "email to all customers"
    if len(set(recipients)) > 1:
        return f"email to {len(set(recipients))} recipients"
    try:
        differs = claims.email_against_records(
            db, recipients, str(args.get("subject") or ""), str(args.get("body") or "")
        )
    except sqlite3.Error as exc:  # fail closed: words unchecked are not sent unread
        return f"what the email says could not be checked against the records ({exc})"
    return "; ".join(differs) or None


def _dry_check(fn: Callable[..., Any], args: Mapping[str, Any]) -> None:
    """A write run against the records now and rolled back (`effects.dry_run`)."""
    with dry_run():
        fn(idempotency_key="dry-run", **args)


def _would_pass(
    writers: Mapping[str, Callable[..., Any]],
    fn: Callable[..., Any],
    args: Mapping[str, Any],
    ctx: CallContext,
    earlier: Earlier = (),
) -> list[str]:
    """The running-total limits a write would pass if it ran now for `ctx` (`Tool.would_pass`),
    after the `earlier` writes of its answer: one dry run of them all, in order, counted
    against the totals as they are, nothing written. `writers` are the demo's writes by name;
    an earlier call of another tool counts in no demo total."""
    token = CALL_CONTEXT.set(ctx)
    try:
        with dry_run() as passed:
            for i, (name, before) in enumerate(earlier):
                if name not in writers:
                    continue
                try:
                    writers[name](idempotency_key=f"dry-run:earlier:{i}", **before)
                except ToolError:  # refused by the records: it will not run
                    continue
            passed.clear()  # an earlier call's own limits are named with that call
            fn(idempotency_key="dry-run", **args)
    finally:
        CALL_CONTEXT.reset(token)
    return passed


def build_demo_tools(db_path: Path, refund_limit: Decimal = DEFAULT_REFUND_LIMIT) -> ToolRegistry:
    """Every demo tool bound to the database at `db_path` (which must already exist)."""
    registry = ToolRegistry()
    db = Path(db_path)
    limit = Decimal(refund_limit)
    writers: dict[str, Callable[..., Any]] = {}  # filled as they are added

    def add(
        fn: Callable[..., Any],
        scopes: tuple[str, ...] = (),
        *,
        side_effect: bool = False,
        approval: ApprovalRule = never,
    ) -> None:
        doc = (fn.__doc__ or fn.__name__).strip().splitlines()[0]
        if side_effect:
            writers[fn.__name__] = partial(fn, db)
        registry.register(
            Tool(
                name=fn.__name__,
                description=doc,
                fn=partial(fn, db),
                side_effect=side_effect,
                scopes=frozenset(scopes),
                needs_approval=approval,
                # Every write runs through `run_once`, which checks the policy's running
                # totals in the transaction of the effect (tools/demo/limits.py).
                keeps_totals=side_effect,
                check=partial(_dry_check, partial(fn, db)) if side_effect else None,
                would_pass=partial(_would_pass, writers, partial(fn, db)) if side_effect else None,
            )
        )

    customers = ("support", "billing", "legal")
    # content finds the customer a message is addressed to by name ("remind Maria Lopez …").
    add(reads.find_customer, (*customers, "content"))
    add(reads.get_customer, customers)
    # analytics lists the customers a count is of: "which customers are on the free plan?"
    add(reads.list_customers, (*customers, "analytics"))
    add(reads.list_tickets, ("support",))
    add(reads.get_ticket, ("support",))
    add(reads.search_kb)
    add(reads.list_invoices, ("billing",))
    add(reads.get_invoice, ("billing",))
    add(reads.list_payments, ("billing",))
    add(reads.list_plans)
    add(ops.service_health)
    add(ops.list_deployments, ("ops", "content"))
    add(ops.current_versions, ("ops", "content"))
    add(ops.get_deployment, ("ops",))
    add(ops.get_incident, ("ops",))
    add(ops.list_incidents, ("ops", "content"))
    add(ops.list_alerts, ("ops",))
    add(reads.get_document, ("legal",))
    add(reads.search_documents, ("legal",))
    add(reads.list_documents, ("legal",))
    add(reads.export_customer_data, ("legal",))
    for fn in (
        analytics.count_records,
        analytics.trend,
        analytics.revenue_report,
        analytics.ticket_report,
        analytics.top_customers,
    ):
        add(fn, ("analytics",))

    add(writes.open_ticket, ("support",), side_effect=True)
    add(writes.update_ticket, ("support",), side_effect=True)
    add(writes.close_ticket, ("support",), side_effect=True)
    add(
        writes.issue_refund,
        ("billing",),
        side_effect=True,
        approval=amount_above(limit, "refund"),
    )
    add(
        writes.apply_credit,
        ("billing",),
        side_effect=True,
        approval=amount_above(limit, "credit"),
    )
    add(
        writes.change_plan,
        ("billing",),
        side_effect=True,
        approval=always("a plan change changes what the customer pays"),
    )
    add(writes.rollback_deployment, ("ops",), side_effect=True, approval=rollback_rule)
    add(writes.create_incident, ("ops",), side_effect=True)
    add(
        writes.send_email,
        ("support", "content", "billing"),
        side_effect=True,
        approval=partial(email_rule, db),
    )
    add(
        writes.erase_customer_data,
        ("legal",),
        side_effect=True,
        approval=always("erasing personal data cannot be undone"),
    )
    return registry
