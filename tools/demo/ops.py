"""Read-only ops tools: service health, deployments, incidents and alerts."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ringmaster.tools.demo import records as rec
from ringmaster.tools.demo.db import as_of, connect, iso

# The relative periods a listing may be narrowed to, each a calendar span around the company's
# clock (`db.as_of`, never the machine's), half-open: start <= t < end. A week is the calendar
# week, Monday to Sunday (ISO 8601), not the last 7 days: "this week" on Sunday 2025-06-15 is
# 2025-06-09 to 2025-06-16, "last week" 2025-06-02 to 2025-06-09.
PERIODS = ("today", "yesterday", "this_week", "last_week", "this_month", "last_month")


def current_deployment(
    conn: sqlite3.Connection, service: str, environment: str
) -> sqlite3.Row | None:
    """The deployment now serving: the newest one that did not fail or get rolled back."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM deployments WHERE service = ? AND environment = ? "
        "AND status = 'succeeded' ORDER BY deployed_at DESC, id DESC LIMIT 1",
        (service, environment),
    ).fetchone()
    return row


def _month_start(day: datetime, months: int = 0) -> datetime:
    """The first of the month `months` after `day`'s (before it, when negative)."""
    month = day.year * 12 + day.month - 1 + months
    return day.replace(year=month // 12, month=month % 12 + 1, day=1)


def period_bounds(conn: sqlite3.Connection, period: Any) -> tuple[str, str]:
    """The start and end (ISO) of a relative period in `PERIODS`, by the company's clock."""
    name = rec.choice(period, PERIODS, "period")
    today = as_of(conn).replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday())
    start, end = {
        "today": (today, today + timedelta(days=1)),
        "yesterday": (today - timedelta(days=1), today),
        "this_week": (monday, monday + timedelta(days=7)),
        "last_week": (monday - timedelta(days=7), monday),
        "this_month": (_month_start(today), _month_start(today, 1)),
        "last_month": (_month_start(today, -1), _month_start(today)),
    }[name]
    return iso(start), iso(end)


def service_health(db: Path, service: str | None = None) -> list[dict[str, Any]]:
    """Health per service from open incidents and firing alerts, with production versions."""
    services = rec.SERVICES if service is None else (rec.choice(service, rec.SERVICES, "service"),)
    out = []
    with connect(db) as conn:
        for name in services:
            incidents = conn.execute(
                "SELECT id, title, severity FROM incidents "
                "WHERE service = ? AND status != 'resolved' ORDER BY id",
                (name,),
            ).fetchall()
            alerts = conn.execute(
                "SELECT id, name, severity, value FROM alerts "
                "WHERE service = ? AND status = 'firing' ORDER BY id",
                (name,),
            ).fetchall()
            severities = {i["severity"] for i in incidents}
            alert_levels = {a["severity"] for a in alerts}
            if "sev1" in severities:
                status = "down"
            elif severities or "critical" in alert_levels:
                status = "degraded"
            elif "warning" in alert_levels:
                status = "warning"
            else:
                status = "operational"
            prod = current_deployment(conn, name, "production")
            out.append(
                {
                    "service": name,
                    "status": status,
                    "production_version": prod["version"] if prod else None,
                    "open_incidents": [rec.plain(i) for i in incidents],
                    "firing_alerts": [rec.plain(a) for a in alerts],
                }
            )
    return out


def list_deployments(
    db: Path,
    service: str | None = None,
    environment: str | None = None,
    limit: int = 10,
    period: str | None = None,
) -> list[dict[str, Any]]:
    """Deployments, newest first; `period` keeps those deployed in it (`PERIODS`).

    A period is one of today, yesterday, this_week, last_week, this_month and last_month: a
    calendar span by the company's clock."""
    filters = {
        "service": rec.optional_choice(service, rec.SERVICES, "service"),
        "environment": rec.optional_choice(environment, rec.ENVIRONMENTS, "environment"),
    }
    with connect(db) as conn:
        span = None if period is None else period_bounds(conn, period)
        rows = rec.newest(conn, "deployments", filters, "deployed_at", limit, span)
    return [rec.plain(r) for r in rows]


def get_deployment(db: Path, deployment_id: str) -> dict[str, Any]:
    """One deployment."""
    with connect(db) as conn:
        dep = rec.record_id(deployment_id, "DEP", "deployment_id")
        return rec.plain(rec.get_row(conn, "deployments", dep, "deployment"))


def list_incidents(
    db: Path,
    status: str | None = None,
    service: str | None = None,
    limit: int = 20,
    period: str | None = None,
) -> list[dict[str, Any]]:
    """Incidents, newest first; `period` keeps those started in it (`PERIODS`)."""
    filters = {
        "status": rec.optional_choice(status, ("open", "monitoring", "resolved"), "status"),
        "service": rec.optional_choice(service, rec.SERVICES, "service"),
    }
    with connect(db) as conn:
        span = None if period is None else period_bounds(conn, period)
        rows = rec.newest(conn, "incidents", filters, "started_at", limit, span)
    return [rec.plain(r) for r in rows]


def list_alerts(
    db: Path, service: str | None = None, status: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Monitoring alerts, newest first."""
    filters = {
        "service": rec.optional_choice(service, rec.SERVICES, "service"),
        "status": rec.optional_choice(status, ("firing", "resolved"), "status"),
    }
    with connect(db) as conn:
        rows = rec.newest(conn, "alerts", filters, "fired_at", limit)
    return [rec.plain(r) for r in rows]
