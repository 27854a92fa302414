"""The policy's cumulative limits for tools that keep no running totals of their own.

A tool that writes to a system ringmaster does not own (a payments API, another database)
cannot share a transaction with ringmaster's tables. So the act node asks this ledger before
the call: in one write transaction it adds up the counted calls of the window that share the
call's customer, invoice, requester or agent, refuses the call (ApprovalRequired) past a
limit, and otherwise records it. The record is made before the effect and forgotten again
only when the tool raises, so a crash between the two counts the call (fail closed) rather
than letting a split slip through. Two concurrent calls serialize on the transaction:
SQLite's `BEGIN IMMEDIATE`, Postgres's advisory locks on the groups the call counts in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, insert, select, text
from sqlalchemy.engine import Connection, Engine

from ringmaster.clock import Clock, utcnow
from ringmaster.tables import limit_ledger, writer
from ringmaster.tools.base import CallContext, CumulativeLimit, Earlier
from ringmaster.tools.errors import ApprovalRequired

_COLUMNS = {"customer": "customer_id", "invoice": "invoice_id"}


def amount_of(value: Any) -> Decimal:
    """An argument as money; one that is not a number counts as infinite (fail closed)."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal("Infinity")
    return amount if amount.is_finite() else Decimal("Infinity")


def _group(limit: CumulativeLimit, ctx: CallContext, args: Mapping[str, Any]) -> str | None:
    if limit.per == "requester":
        return ctx.requester
    if limit.per == "agent":
        return ctx.agent
    value = args.get(f"{limit.per}_id")
    return str(value) if value not in (None, "") else None


def _lock_key(per: str, group: str) -> int:
    digest = hashlib.sha256(f"ringmaster limit:{per}:{group}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class SqlLimitLedger:
    """`tools.base.LimitLedger` over ringmaster's own tables (SQLite or Postgres)."""

    def __init__(self, engine: Engine | str, clock: Clock = utcnow) -> None:
        self._engine = engine  # a URL: the engine is made on first use (most runs need none)
        self.clock = clock

    @property
    def writer(self) -> Engine:
        if isinstance(self._engine, str):
            from ringmaster.tables import make_engine

            self._engine = make_engine(self._engine)
        return writer(self._engine)

    def reserve(self, tool: str, key: str, args: Mapping[str, Any], ctx: CallContext) -> None:
        limits = [lim for lim in ctx.limits if tool in lim.tools]
        if not limits:
            return
        with self.writer.begin() as conn:
            groups = {(lim.per, g) for lim in limits if (g := _group(lim, ctx, args)) is not None}
            if conn.dialect.name == "postgresql":  # sorted: two calls never lock crosswise
                for per, group in sorted(groups):
                    conn.execute(
                        text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_key(per, group)}
                    )
            seen = conn.execute(
                select(limit_ledger.c.idempotency_key).where(limit_ledger.c.idempotency_key == key)
            ).first()
            if seen is not None:  # the same call again (a re-run): it was counted already
                return
            now = self.clock()
            # A person approved this very call, having been shown every limit it passed
            # (`passed`, when the review was raised): it runs, and still counts.
            if not ctx.approved_by:
                passed = self._passed(conn, tool, limits, args, ctx, now)
                if passed:
                    raise ApprovalRequired("; ".join(passed))
            conn.execute(
                insert(limit_ledger).values(
                    idempotency_key=key,
                    tool=tool,
                    amounts={lim.field: str(args.get(lim.field, 0)) for lim in limits},
                    requester=ctx.requester,
                    agent=ctx.agent,
                    customer_id=_text(args.get("customer_id")),
                    invoice_id=_text(args.get("invoice_id")),
                    approved_by=ctx.approved_by,
                    at=now,
                )
            )

    def passed(
        self, tool: str, args: Mapping[str, Any], ctx: CallContext, earlier: Earlier = ()
    ) -> list[str]:
        """Read-only: every limit the call would pass if it ran now, after the `earlier`
        calls of its answer, in the words `reserve` refuses it with; nothing is written or
        locked (the validate node names them in a review it raises, so the reviewer is told
        before approving)."""
        limits = [lim for lim in ctx.limits if tool in lim.tools]
        if not limits:
            return []
        with self.writer.connect() as conn:
            return self._passed(conn, tool, limits, args, ctx, self.clock(), earlier)

    def _passed(
        self,
        conn: Connection,
        tool: str,
        limits: list[CumulativeLimit],
        args: Mapping[str, Any],
        ctx: CallContext,
        now: Any,
        earlier: Earlier = (),
    ) -> list[str]:
        """Every limit the call passes, not the first: the reviewer weighs them all."""
        passed = []
        for lim in limits:
            group = _group(lim, ctx, args)
            # The answer's calls before this one, as `reserve` will have recorded them.
            ahead = sum(
                (
                    amount_of(a.get(lim.field))
                    for name, a in earlier
                    if name in lim.tools and group is not None and _group(lim, ctx, a) == group
                ),
                Decimal("0"),
            )
            if reason := self._check(conn, tool, lim, group, args, now, ahead):
                passed.append(reason)
        return passed

    def _check(
        self,
        conn: Connection,
        tool: str,
        limit: CumulativeLimit,
        group: str | None,
        args: Mapping[str, Any],
        now: Any,
        ahead: Decimal = Decimal("0"),
    ) -> str | None:
        """Why the call passes `limit` (its total and the limit), or None; `ahead` is what
        calls not yet recorded add before it."""
        amount = amount_of(args.get(limit.field))
        if group is None:
            if limit.per in _COLUMNS:  # nothing names the customer or invoice: ask a person
                return (
                    f"policy: {tool} names no {limit.per}, so its total per {limit.per} "
                    "cannot be checked; a person must approve it"
                )
            return None
        column = limit_ledger.c[_COLUMNS.get(limit.per, limit.per)]
        rows = conn.execute(
            select(limit_ledger.c.amounts).where(
                column == group,
                limit_ledger.c.at >= now - limit.window,
                limit_ledger.c.tool.in_(sorted(limit.tools)),
            )
        ).all()
        before = sum((amount_of(r.amounts.get(limit.field)) for r in rows), ahead)
        total = before + amount
        return limit.passed(group, before, amount) if total > limit.over else None

    def release(self, key: str) -> None:
        with self.writer.begin() as conn:
            conn.execute(delete(limit_ledger).where(limit_ledger.c.idempotency_key == key))


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)[:100]
