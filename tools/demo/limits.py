"""Running totals for the policy's cumulative limits, checked inside an effect's transaction.

Each call of a side-effecting tool records who it was made for (`effect_callers`), in the
transaction that makes the effect. Before that transaction commits, every limit the tool
carries adds the calls of the last window that share this call's customer, invoice,
requester or agent; past the limit, and with no person's approval, the call raises
ApprovalRequired and the transaction (the effect with it) rolls back. SQLite runs the whole
transaction under `BEGIN IMMEDIATE`, so two calls cannot both see the total below the limit.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ringmaster.tools.base import CALL_CONTEXT, CallContext, CumulativeLimit
from ringmaster.tools.errors import ApprovalRequired

CALLERS_TABLE = """
CREATE TABLE IF NOT EXISTS effect_callers (
    idempotency_key TEXT PRIMARY KEY, requester TEXT NOT NULL, agent TEXT,
    approved_by TEXT, customer_id TEXT, invoice_id TEXT
)
"""


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal("0")


def _key(limit: CumulativeLimit, ctx: CallContext, facts: dict[str, Any]) -> str | None:
    if limit.per == "requester":
        return ctx.requester
    if limit.per == "agent":
        return ctx.agent
    value = facts.get(f"{limit.per}_id")
    return str(value) if value else None


def _facts(args: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """The customer and invoice a call is of (a refund's customer is its invoice's)."""
    return {
        "customer_id": result.get("customer_id") or args.get("customer_id"),
        "invoice_id": result.get("invoice_id") or args.get("invoice_id"),
    }


def record_and_check(
    conn: sqlite3.Connection,
    tool: str,
    key: str,
    args: dict[str, Any],
    result: dict[str, Any],
    now: str,
) -> None:
    """Record this call's caller, then refuse it (ApprovalRequired) if it passes a limit."""
    ctx = CALL_CONTEXT.get()
    if ctx is None:  # called outside a run (a script, a test of the tool itself)
        return
    record_caller(conn, key, args, result, ctx)
    # A person approved this very call, having been shown every limit it passed
    # (`tools.base.limits_passed`, when the review was raised): it runs, and still counts.
    if ctx.approved_by:
        return
    passed = passed_limits(conn, tool, key, args, result, ctx, now)
    if passed:
        raise ApprovalRequired("; ".join(passed))


def record_caller(
    conn: sqlite3.Connection,
    key: str,
    args: dict[str, Any],
    result: dict[str, Any],
    ctx: CallContext,
) -> None:
    """Record who the call under `key` was made for, and the customer and invoice it is of."""
    facts = _facts(args, result)
    conn.execute(CALLERS_TABLE)
    conn.execute(
        "INSERT OR REPLACE INTO effect_callers VALUES (?, ?, ?, ?, ?, ?)",
        (key, ctx.requester, ctx.agent, ctx.approved_by, facts["customer_id"], facts["invoice_id"]),
    )


def passed_limits(
    conn: sqlite3.Connection,
    tool: str,
    key: str,
    args: dict[str, Any],
    result: dict[str, Any],
    ctx: CallContext,
    now: str,
) -> list[str]:
    """Every limit the call passes, not the first: the reviewer weighs them all. Reads only;
    the calls counted are the window's others (not `key`)."""
    facts = _facts(args, result)
    passed = []
    conn.execute(CALLERS_TABLE)  # a database no call was counted in yet
    for limit in ctx.limits:
        if tool not in limit.tools:
            continue
        group = _key(limit, ctx, facts)
        if group is None:
            continue
        since = (datetime.fromisoformat(now) - limit.window).isoformat(timespec="seconds")
        column = {"customer": "customer_id", "invoice": "invoice_id"}.get(limit.per, limit.per)
        tools = sorted(limit.tools)
        rows = conn.execute(
            f"SELECT s.args FROM side_effects s JOIN effect_callers c USING (idempotency_key) "
            f"WHERE c.{column} = ? AND s.created_at >= ? AND s.idempotency_key != ? "
            f"AND s.tool IN ({', '.join('?' for _ in tools)})",
            (group, since, key, *tools),
        ).fetchall()
        before = sum((_amount(json.loads(r[0]).get(limit.field)) for r in rows), Decimal("0"))
        total = before + _amount(args.get(limit.field))
        if total > limit.over:
            passed.append(limit.passed(group, before, total - before))
    return passed
