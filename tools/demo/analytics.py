"""Read-only analytics over the demo company: counts, trends and reports.

Relative periods ("the last 7 days", "last week") are measured from the company's clock
(`db.as_of`), so a report is the same whenever it runs, and mean what the ops listings take
them to mean (`periods`). A period is half-open, start <= t < end, but one that contains the
company's now has no upper bound, so the rows the tools just wrote are in it.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ringmaster.tools.demo.db import as_of, connect, iso
from ringmaster.tools.demo.money import fmt
from ringmaster.tools.demo.periods import dates, span
from ringmaster.tools.demo.records import limit_arg
from ringmaster.tools.errors import ToolArgumentError

# entity -> (the time column that places a row in a period, the columns one may filter/group by)
ENTITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "tickets": ("created_at", ("status", "priority", "customer_id")),
    "customers": ("created_at", ("status", "plan")),
    "invoices": ("issued_at", ("status", "customer_id", "period", "currency")),
    "payments": ("paid_at", ("status", "customer_id")),
    "refunds": ("created_at", ("customer_id",)),
    "credits": ("created_at", ("customer_id",)),
    "deployments": ("deployed_at", ("service", "environment", "status", "kind")),
    "incidents": ("started_at", ("service", "severity", "status")),
    "alerts": ("fired_at", ("service", "severity", "status", "name")),
}
BUCKETS = ("day", "week", "month")


def _date(value: Any, field: str) -> datetime:
    try:
        dt = datetime.fromisoformat(str(value))
    except ValueError:
        raise ToolArgumentError(
            f"{field} {value!r} is not an ISO date such as 2025-05-01"
        ) from None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _period(
    conn: sqlite3.Connection,
    period: str | None,
    days: int | None,
    start: str | None = None,
    end: str | None = None,
    since: str | None = None,
) -> tuple[str | None, str | None, dict[str, Any]]:
    """The ISO bounds to select rows by (None: unbounded) and the period to report: a named
    `period`, the last `days` days or `since` a period's start (`periods.span`, with its
    words), or `start`/`end`."""
    named = span(conn, period, days, since)
    if named is not None:
        if start is not None or end is not None:
            raise ToolArgumentError("give one of period, days, since and start/end, not two")
        return (*named.bounds(), named.as_dict())
    first = _date(start, "start") if start is not None else None
    after = _date(end, "end") if end is not None else None
    if first and after and first >= after:
        raise ToolArgumentError(f"start {start} must be before end {end}")
    lo = iso(first) if first else None
    now = as_of(conn)
    # A span that contains the company's now ends at now, with no upper bound, as the named
    # ones do (`periods`): "June" on 15 June is 1–15 June.
    to_now = after is not None and (first is None or first < now) and after > now
    hi = None if to_now or after is None else iso(after)
    reported: dict[str, Any] = {"start": lo, "end": iso(now) if to_now else hi}
    if first and after:
        # The days it covers, named as the named spans are: "3 June 2025", "2–4 June 2025".
        reported["words"] = dates(first, now if to_now else after - timedelta(microseconds=1))
    return lo, hi, reported


def _where(
    entity: str,
    filters: dict[str, Any] | None,
    lo: str | None,
    hi: str | None,
    *,
    alias: str = "",
) -> tuple[str, list[Any]]:
    """The WHERE clause and its parameters; `alias` qualifies the columns ("t.") in a join."""
    column, allowed = ENTITIES[entity]
    clauses, params = ["1 = 1"], []
    for key, value in (filters or {}).items():
        if key not in allowed:
            raise ToolArgumentError(
                f"{entity} can be filtered by {', '.join(allowed)}; not by {key!r}"
            )
        if isinstance(value, list):  # any of these values: ["open", "pending"]
            if not value:
                raise ToolArgumentError(f"filter {key!r} lists no values")
            clauses.append(f"{alias}{key} IN ({', '.join('?' * len(value))})")
            params.extend(value)
        else:
            clauses.append(f"{alias}{key} = ?")
            params.append(value)
    if lo is not None:
        clauses.append(f"{alias}{column} >= ?")
        params.append(lo)
    if hi is not None:
        clauses.append(f"{alias}{column} < ?")
        params.append(hi)
    return " AND ".join(clauses), params


def _entity(entity: Any) -> str:
    if entity not in ENTITIES:
        raise ToolArgumentError(f"entity must be one of {', '.join(ENTITIES)}; got {entity!r}")
    return str(entity)


def count_records(
    db: Path,
    entity: str,
    days: int | None = None,
    start: str | None = None,
    end: str | None = None,
    filters: dict[str, Any] | None = None,
    group_by: str | None = None,
    period: str | None = None,
    since: str | None = None,
) -> dict[str, Any]:
    """How many rows of an entity fall in a period, optionally grouped by a column."""
    entity = _entity(entity)
    with connect(db) as conn:
        lo, hi, reported = _period(conn, period, days, start, end, since)
        where, params = _where(entity, filters, lo, hi)
        total = conn.execute(f"SELECT COUNT(*) FROM {entity} WHERE {where}", params).fetchone()[0]
        groups: list[dict[str, Any]] = []
        if group_by is not None:
            if group_by not in ENTITIES[entity][1]:
                raise ToolArgumentError(
                    f"{entity} can be grouped by {', '.join(ENTITIES[entity][1])}; "
                    f"not by {group_by!r}"
                )
            groups = [
                {"key": r[0], "count": r[1]}
                for r in conn.execute(
                    f"SELECT {group_by}, COUNT(*) FROM {entity} WHERE {where} "
                    f"GROUP BY {group_by} ORDER BY COUNT(*) DESC, {group_by}",
                    params,
                )
            ]
    return {
        "entity": entity,
        "count": total,
        "period": reported,
        "filters": dict(filters or {}),
        "groups": groups,
    }


def _buckets(now: datetime, bucket: str, periods: int) -> list[tuple[datetime, datetime]]:
    if bucket == "month":
        out = []
        first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = now
        for _ in range(periods):
            out.append((first, end))
            end = first
            first = (first - timedelta(days=1)).replace(day=1)
        return out[::-1]
    step = timedelta(days=1 if bucket == "day" else 7)
    return [(now - step * (k + 1), now - step * k) for k in range(periods)][::-1]


def trend(
    db: Path,
    entity: str,
    bucket: str = "week",
    periods: int = 8,
    filters: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Counts per day, week or month, oldest first, ending at the company's now."""
    entity = _entity(entity)
    if bucket not in BUCKETS:
        raise ToolArgumentError(f"bucket must be one of {', '.join(BUCKETS)}; got {bucket!r}")
    periods = limit_arg(periods, 120)
    with connect(db) as conn:
        series = []
        now = as_of(conn)
        for lo, hi in _buckets(now, bucket, periods):
            # The bucket that ends now has no upper bound: the tools' writes happened now.
            where, params = _where(entity, filters, iso(lo), None if hi == now else iso(hi))
            n = conn.execute(f"SELECT COUNT(*) FROM {entity} WHERE {where}", params).fetchone()[0]
            series.append({"start": iso(lo), "end": iso(hi), "count": n})
    change = series[-1]["count"] - series[-2]["count"] if len(series) > 1 else 0
    return {"entity": entity, "bucket": bucket, "series": series, "change": change}


def revenue_report(
    db: Path,
    days: int | None = None,
    start: str | None = None,
    end: str | None = None,
    period: str | None = None,
    since: str | None = None,
) -> dict[str, Any]:
    """Billed, collected, refunded and outstanding money in a period, with a monthly split."""
    with connect(db) as conn:
        lo, hi, reported = _period(conn, period, days, start, end, since)

        def total(table: str, condition: str) -> int:
            where, params = _where(table, None, lo, hi)
            value: int = conn.execute(
                f"SELECT COALESCE(SUM(amount_cents), 0) FROM {table} WHERE {where}{condition}",
                params,
            ).fetchone()[0]
            return value

        billed = total("invoices", "")
        outstanding = total("invoices", " AND status = 'unpaid'")
        collected = total("payments", " AND status = 'succeeded'")
        refunded = total("refunds", "")
        where, params = _where("invoices", None, lo, hi)
        months = [
            {"month": r[0], "invoices": r[1], "billed": fmt(r[2]), "unpaid": fmt(r[3])}
            for r in conn.execute(
                "SELECT period, COUNT(*), SUM(amount_cents), "
                "SUM(CASE WHEN status = 'unpaid' THEN amount_cents ELSE 0 END) "
                f"FROM invoices WHERE {where} GROUP BY period ORDER BY period",
                params,
            )
        ]
    return {
        "period": reported,
        "currency": "USD",
        "billed": fmt(billed),
        "collected": fmt(collected),
        "refunded": fmt(refunded),
        "net_revenue": fmt(collected - refunded),
        "outstanding": fmt(outstanding),
        "months": months,
    }


def ticket_report(
    db: Path,
    days: int | None = None,
    start: str | None = None,
    end: str | None = None,
    period: str | None = None,
    since: str | None = None,
) -> dict[str, Any]:
    """Tickets opened and closed in a period, by status and priority, and time to close."""
    with connect(db) as conn:
        lo, hi, reported = _period(conn, period, days, start, end, since)
        where, params = _where("tickets", None, lo, hi)

        def grouped(column: str) -> dict[str, int]:
            return {
                r[0]: r[1]
                for r in conn.execute(
                    f"SELECT {column}, COUNT(*) FROM tickets WHERE {where} GROUP BY {column} "
                    f"ORDER BY {column}",
                    params,
                )
            }

        opened = conn.execute(f"SELECT COUNT(*) FROM tickets WHERE {where}", params).fetchone()[0]
        closed_rows = conn.execute(
            "SELECT created_at, closed_at FROM tickets WHERE closed_at IS NOT NULL"
            + (" AND closed_at >= ?" if lo else "")
            + (" AND closed_at < ?" if hi else ""),
            [p for p in (lo, hi) if p],
        ).fetchall()
        subjects = [
            {"subject": r[0], "count": r[1]}
            for r in conn.execute(
                f"SELECT subject, COUNT(*) FROM tickets WHERE {where} GROUP BY subject "
                "ORDER BY COUNT(*) DESC, subject LIMIT 5",
                params,
            )
        ]
        by_status, by_priority = grouped("status"), grouped("priority")
    hours = [
        (datetime.fromisoformat(c) - datetime.fromisoformat(o)).total_seconds() / 3600
        for o, c in closed_rows
    ]
    return {
        "period": reported,
        "opened": opened,
        "closed": len(closed_rows),
        "by_status": by_status,
        "by_priority": by_priority,
        "avg_hours_to_close": round(sum(hours) / len(hours), 1) if hours else None,
        "top_subjects": subjects,
    }


def top_customers(
    db: Path,
    metric: str = "billed",
    limit: int = 5,
    days: int | None = None,
    period: str | None = None,
    since: str | None = None,
) -> dict[str, Any]:
    """Customers ranked by amount billed or by number of tickets."""
    if metric not in ("billed", "tickets"):
        raise ToolArgumentError(f"metric must be billed or tickets; got {metric!r}")
    table, value = (
        ("invoices", "SUM(t.amount_cents)") if metric == "billed" else ("tickets", "COUNT(*)")
    )
    with connect(db) as conn:
        lo, hi, reported = _period(conn, period, days, since=since)
        where, params = _where(table, None, lo, hi, alias="t.")
        rows = conn.execute(
            f"SELECT c.id, c.name, {value} AS v FROM {table} t JOIN customers c "
            f"ON c.id = t.customer_id WHERE {where} "
            "GROUP BY c.id ORDER BY v DESC, c.id LIMIT ?",
            (*params, limit_arg(limit, 50)),
        ).fetchall()
    return {
        "metric": metric,
        "period": reported,
        "customers": [
            {"customer_id": r[0], "name": r[1], "value": fmt(r[2]) if metric == "billed" else r[2]}
            for r in rows
        ],
    }
