"""Check-ins: each agent's health recorded for history, stuck runs and newly unhealthy agents
escalated to a person through the outbox, once each.

Run on a schedule inside `ringmaster serve` or from cron (`ringmaster checkin`). Running it
twice is harmless: a stuck run is notified once per turn (its outbox row's `item_id` is the
dedupe key) and an agent once per change from healthy to unhealthy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from ringmaster.agent_status import (
    AgentStatus,
    QueueProvider,
    agent_statuses,
    previously_healthy,
    record_statuses,
)
from ringmaster.agents.spec import Team
from ringmaster.clock import as_utc
from ringmaster.outbox_queue import queue_once
from ringmaster.tables import audit_events, threads, writer

GROUP = "escalation"


@dataclass
class CheckinReport:
    statuses: list[AgentStatus] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)  # threads escalated by this check-in
    unhealthy: list[str] = field(default_factory=list)  # agents newly unhealthy

    def to_dict(self) -> dict[str, Any]:
        return {
            "statuses": [s.to_dict() for s in self.statuses],
            "stuck": self.stuck,
            "unhealthy": self.unhealthy,
        }


def _stuck_threads(engine: Engine, now: datetime, stuck_after: timedelta) -> list[Any]:
    c = threads.c
    q = select(threads).where(
        (c.status == "failed") | ((c.status == "running") & (c.updated_at < now - stuck_after))
    )
    with engine.connect() as conn:
        return list(conn.execute(q))


def checkin(
    engine: Engine,
    team: Team,
    now: datetime,
    *,
    queue: QueueProvider | None = None,
    stuck_after: timedelta = timedelta(minutes=30),
    window: timedelta = timedelta(hours=1),
    unhealthy_error_rate: float = 0.5,
) -> CheckinReport:
    """One check-in as of `now` (see the module docstring)."""
    report = CheckinReport()
    before = {a.name: previously_healthy(engine, a.name) for a in team.agents}
    report.statuses = agent_statuses(
        engine, team, now, window=window, queue=queue, unhealthy_error_rate=unhealthy_error_rate
    )
    record_statuses(engine, report.statuses, now)
    with writer(engine).begin() as conn:
        for s in report.statuses:
            if s.healthy or before[s.name] is False:
                continue
            body = {
                "text": f"Agent {s.name} is unhealthy: {'; '.join(s.reasons)}",
                "kind": "unhealthy_agent",
                "agent": s.name,
                "reasons": s.reasons,
                "queue_depth": s.queue_depth,
                "last_error": s.last_error_message,
            }
            if queue_once(
                conn,
                item_id=f"unhealthy:{s.name}:{now.isoformat()}",
                recipient=GROUP,
                thread_id="",
                payload=body,
                now=now,
            ):
                report.unhealthy.append(s.name)
        for t in _stuck_threads(engine, now, stuck_after):
            m = t._mapping
            recent = conn.execute(
                select(audit_events.c.kind, audit_events.c.actor, audit_events.c.at)
                .where(audit_events.c.thread_id == m["id"])
                .order_by(audit_events.c.seq.desc())
                .limit(5)
            ).all()
            since = as_utc(m["updated_at"])
            body = {
                "text": (
                    f"Run of thread {m['id']} is {'failed' if m['status'] == 'failed' else 'stuck'}"
                    f" since {since:%Y-%m-%d %H:%M} UTC: {m['error'] or m['last_request']}"
                ),
                "kind": "stuck_run",
                "thread_id": m["id"],
                "status": m["status"],
                "turn": m["turn"],
                "request": m["last_request"],
                "error": m["error"],
                "since": since.isoformat() if since else None,
                "recent_events": [
                    {"kind": k, "actor": a, "at": as_utc(at).isoformat()}  # type: ignore[union-attr]
                    for k, a, at in reversed(recent)
                ],
                "link": f"ringmaster thread show {m['id']}",
            }
            if queue_once(
                conn,
                item_id=f"stuck:{m['id']}:{m['turn']}",
                recipient=GROUP,
                thread_id=m["id"],
                payload=body,
                now=now,
            ):
                report.stuck.append(m["id"])
    return report
