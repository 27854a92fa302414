"""Read-only ops tools: service health, deployments, incidents and alerts."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ringmaster.tools.demo import records as rec
from ringmaster.tools.demo.db import as_of, connect, iso
from ringmaster.tools.demo.periods import span
from ringmaster.tools.errors import ToolArgumentError


def current_deployment(
    conn: sqlite3.Connection, service: str, environment: str, before: str | None = None
) -> sqlite3.Row | None:
    """The deployment now serving: the newest one that did not fail or get rolled back; with
    `before` (an ISO time), the one serving then: the newest such deployed before it."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM deployments WHERE service = ? AND environment = ? "
        "AND status = 'succeeded' AND (? IS NULL OR deployed_at < ?) "
        "ORDER BY deployed_at DESC, id DESC LIMIT 1",
        (service, environment, before, before),
    ).fetchone()
    return row


def _end_of(conn: sqlite3.Connection, on: Any, period: Any) -> tuple[str | None, str | None]:
    """The ISO time a past day or period ends (exclusive), and that last day ("2025-06-01"),
    by the company's clock; (None, today) for one that reaches now, (None, None) for neither.

    `on` is an ISO day ("2025-06-01") or a month and day ("06-01"), of the company's year,
    or of the year before when that month is after its current one."""
    if on is not None and period is not None:
        raise ToolArgumentError("give one of on and period, not both")
    now = as_of(conn)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period is not None:
        during = span(conn, period)
        assert during is not None
        end = during.end
        if during.to_now:
            return None, today.date().isoformat()
    elif on is not None:
        m = re.fullmatch(r"(?:(\d{4})-)?(\d{2})-(\d{2})", str(on))
        if m is None:
            raise ToolArgumentError(f"on must be an ISO day (YYYY-MM-DD or MM-DD); got {on!r}")
        month = int(m.group(2))
        year = int(m.group(1) or (now.year if month <= now.month else now.year - 1))
        try:
            day = datetime(year, month, int(m.group(3)), tzinfo=now.tzinfo)
        except ValueError as e:
            raise ToolArgumentError(f"on is no day: {on!r} ({e})") from None
        end = day + timedelta(days=1)
    else:
        return None, None
    if end - timedelta(days=1) >= today:
        return None, today.date().isoformat()  # today or later: what runs now
    return iso(end), (end - timedelta(days=1)).date().isoformat()


def service_health(db: Path, service: str | None = None) -> list[dict[str, Any]]:
    """Health per service from open incidents and firing alerts, with production versions."""
    services = rec.one_or_all(service, rec.SERVICES, "service")
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
    days: int | None = None,
    since: str | None = None,
    from_time: str | None = None,
    to_time: str | None = None,
    page_after: str | None = None,
) -> list[dict[str, Any]]:
    """Deployments, newest first; `period`, `days` or `since` keeps those deployed in it.

    A period is one of today, yesterday, this_week, last_week, this_month, last_month,
    this_quarter, last_quarter, this_year and last_year: a calendar span by the company's clock
    (a week runs Monday to Sunday); `days` is the last that many days, ending now; `since` a
    period, from its start to now (`periods`). `from_time` and `to_time` (ISO times with their
    offset) keep those deployed at or after, at or before them; `page_after` (the last id of a
    page) lists the page after it."""
    filters = {
        "service": rec.optional_choice(service, rec.SERVICES, "service"),
        "environment": rec.optional_choice(environment, rec.ENVIRONMENTS, "environment"),
    }
    with connect(db) as conn:
        during = span(conn, period, days, since)
        bounds = None if during is None else during.bounds()
        rows = rec.newest(
            conn,
            "deployments",
            filters,
            "deployed_at",
            limit,
            bounds,
            _within(from_time, to_time),
            page_after,
        )
    return [rec.plain(r) for r in rows]


def current_versions(
    db: Path,
    service: str | None = None,
    environment: str | None = None,
    on: str | None = None,
    period: str | None = None,
    at: str | None = None,
) -> list[dict[str, Any]]:
    """What runs now, per service and environment: the newest succeeded deployment's version.

    A failed or rolled-back deployment is not running. Each row has the running deployment's
    id (`deployment_id`), when and by whom it went out; version and deployment_id are null
    where nothing runs. No service or environment: every one. `on` (an ISO day, "2025-06-01",
    or "06-01" in the company's latest such month) or `period` (`periods`, "last_month"): what
    ran at the end of that day or period instead; each row's `as_of` is that day (today for
    one that reaches now), null when neither is given. `at` (an ISO time, as an incident's
    `started_at`): what was running at that moment, deployed before it (the deployment an
    incident began under); `as_of` is that time."""
    services = rec.one_or_all(service, rec.SERVICES, "service")
    environments = rec.one_or_all(environment, rec.ENVIRONMENTS, "environment")
    # The row's names for the running deployment's columns ("id" is the deployment's).
    columns = {
        "version": "version",
        "deployment_id": "id",
        "previous_version": "previous_version",
        "kind": "kind",
        "deployed_at": "deployed_at",
        "deployed_by": "deployed_by",
    }
    out = []
    with connect(db) as conn:
        before: str | None
        day: str | None
        if at is not None:
            if on is not None or period is not None:
                raise ToolArgumentError("give one of on, period and at, not several")
            before = day = _moment(at)
        else:
            before, day = _end_of(conn, on, period)
        for name in services:
            for env in environments:
                now = current_deployment(conn, name, env, before)
                out.append(
                    {"service": name, "environment": env}
                    | {key: now[column] if now else None for key, column in columns.items()}
                    | {"as_of": day}
                )
    return out


def _moment(at: str, field: str = "at") -> str:
    """`at` as the ISO time the database compares with (UTC, as its columns keep it)."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ToolArgumentError(
            f"{field} must be an ISO time with its UTC offset (2025-06-14T10:05:00+00:00); "
            f"got {at!r}"
        )
    return iso(moment)


def _within(from_time: str | None, to_time: str | None) -> tuple[str | None, str | None]:
    """The ISO bounds, either open, a listing keeps its rows' times within."""
    first = None if from_time is None else _moment(from_time, "from_time")
    last = None if to_time is None else _moment(to_time, "to_time")
    return first, last


def get_deployment(db: Path, deployment_id: str) -> dict[str, Any]:
    """One deployment."""
    with connect(db) as conn:
        dep = rec.record_id(deployment_id, "DEP", "deployment_id")
        return rec.plain(rec.get_row(conn, "deployments", dep, "deployment"))


def get_incident(db: Path, incident_id: str) -> dict[str, Any]:
    """One incident."""
    with connect(db) as conn:
        inc = rec.record_id(incident_id, "INC", "incident_id")
        return rec.plain(rec.get_row(conn, "incidents", inc, "incident"))


def list_incidents(
    db: Path,
    status: str | None = None,
    service: str | None = None,
    limit: int = 20,
    period: str | None = None,
    days: int | None = None,
    since: str | None = None,
    from_time: str | None = None,
    to_time: str | None = None,
    page_after: str | None = None,
) -> list[dict[str, Any]]:
    """Incidents, newest first; `period`, `days` or `since` keeps those started in it
    (`periods`), `from_time` and `to_time` (ISO times with their offset) those started at or
    after, at or before them; `page_after` (the last id of a page) lists the page after it."""
    filters = {
        "status": rec.optional_choice(status, ("open", "monitoring", "resolved"), "status"),
        "service": rec.optional_choice(service, rec.SERVICES, "service"),
    }
    with connect(db) as conn:
        during = span(conn, period, days, since)
        bounds = None if during is None else during.bounds()
        rows = rec.newest(
            conn,
            "incidents",
            filters,
            "started_at",
            limit,
            bounds,
            _within(from_time, to_time),
            page_after,
        )
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
