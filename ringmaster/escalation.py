"""Deadline escalation: pending reviews past their deadline are escalated, once each.

Escalating an item raises its priority, moves it to the policy's escalation group, queues a
notification in the outbox (and posts it to a webhook when one is configured) and writes an
audit event. An overdue item whose action the policy marks deny-on-timeout is then rejected
by `system:deadline` through the decision service (ringmaster/decisions.py: the same checks
and the same one-transaction commit and scheduled resume as a person's decision) and its run
resumed. Everything is a conditional update, so `ringmaster
escalate` from cron and the scheduler in `ringmaster serve` may run at the same time.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ringmaster.agents.policy import Policy
from ringmaster.decisions import Checks, Decision, ResumeAfterCommit, ResumeScheduler, decide_item
from ringmaster.errors import AlreadyDecided
from ringmaster.review_queue import DEADLINE, ReviewItem, ReviewQueue
from ringmaster.run_queue import SLOT

log = logging.getLogger(__name__)

Poster = Callable[[str, dict[str, Any]], None]


def post_json(url: str, body: dict[str, Any]) -> None:
    """POST a JSON body; raises on a network error or a non-2xx answer."""
    data = json.dumps(body, default=str).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (http/https only)
        if not 200 <= response.status < 300:
            raise OSError(f"webhook answered {response.status}")


@dataclass
class EscalationReport:
    escalated: list[str] = field(default_factory=list)
    denied: list[str] = field(default_factory=list)
    webhook_failures: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def packet(item: ReviewItem, link: str) -> dict[str, Any]:
    """What a person needs to act on an escalation without opening anything else."""
    ctx = item.payload.get("context", {})
    return {
        "item_id": item.id,
        "subtask_id": item.subtask_id,
        "kind": item.kind,
        "agent": item.agent,
        "deadline": item.deadline.isoformat() if item.deadline else None,
        "blocker": ctx.get("blocker"),
        "request": ctx.get("request"),
        "actions": item.payload.get("action_requests"),
        "prior_attempts": ctx.get("prior_attempts", []),
        "recommended": ctx.get("recommended"),
        "confidence": (ctx.get("subtask") or {}).get("confidence"),
        "link": link,
    }


def escalate_overdue(
    queue: ReviewQueue,
    policy: Policy,
    now: datetime,
    *,
    resume: Callable[[str], Any],
    link_for: Callable[[str], str] = lambda item_id: f"ringmaster review show {item_id}",
    poster: Poster = post_json,
    scheduler: ResumeScheduler | None = None,
    run_by: str | None = None,
) -> EscalationReport:
    """Escalate every overdue item once (see the module docstring). `run_by`: who ran this
    pass (`ringmaster escalate --as`), kept in each escalation's audit event; the actor stays
    the deadline, which is why it escalated."""
    report = EscalationReport()
    group = policy.escalation.group
    for item in queue.overdue(now):
        body = packet(item, link_for(item.id))
        if not queue.mark_escalated(item, now, group, body, run_by):
            continue  # someone else escalated or decided it first
        report.escalated.append(item.id)
        if policy.escalation.webhook:
            status, error = "sent", None
            try:
                poster(policy.escalation.webhook, body)
            except Exception as exc:  # a dead webhook must not stop the escalations
                status, error = "failed", str(exc)
                report.webhook_failures.append(item.id)
                log.warning("escalation webhook failed for %s: %s", item.id, exc)
            with queue.writer.begin() as conn:
                queue.notify(
                    conn, item, now, "webhook", policy.escalation.webhook, body, status, error
                )
        names = {a["name"] for a in item.payload.get("action_requests", [])}
        if names & set(policy.deny_on_timeout):
            denial = Decision("reject", reason="not approved before the deadline")
            try:
                decide_item(
                    queue,
                    item,
                    denial,
                    DEADLINE,
                    checks=Checks(),
                    scheduler=scheduler or ResumeAfterCommit(),
                    timed_out=True,
                )
            except AlreadyDecided:
                continue
            report.denied.append(item.id)
            resume(item.thread_id)
    return report


# -- stuck work ------------------------------------------------------------------------------
@dataclass
class CheckInReport:
    stuck_runs: list[str] = field(default_factory=list)  # job ids
    silent_workers: list[str] = field(default_factory=list)
    webhook_failures: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def check_in(
    jobs: Any,
    policy: Policy,
    now: datetime,
    *,
    stuck_after: float,
    silent_after: float,
    owner: str,
    poster: Poster = post_json,
) -> CheckInReport:
    """Escalate, once each, running jobs with no progress for `stuck_after` seconds (neither
    the job nor its thread changed) and workers not seen for `silent_after` seconds: a
    notification in the outbox with the context a person needs, posted to the escalation
    webhook when there is one. `jobs` is the run queue (ringmaster/run_queue.py); each alert
    is deduplicated by its schedule tick, so any number of processes may check in."""
    from sqlalchemy import and_, insert, select

    from ringmaster.tables import jobs as jobs_table
    from ringmaster.tables import notifications, threads, workers

    report = CheckInReport()
    stuck_at = now - timedelta(seconds=stuck_after)
    silent_at = now - timedelta(seconds=silent_after)
    j, t, w = jobs_table.c, threads.c, workers.c
    with jobs.engine.connect() as conn:
        stuck = conn.execute(
            select(j.id, j.thread_id, j.kind, j.turn, j.started_at, j.lease_owner, t.last_request)
            .join(threads, t.id == j.thread_id)
            .where(
                j.state == "running",
                j.kind != SLOT,  # a slot is held inside its run job, which is checked
                j.started_at < stuck_at,
                t.updated_at < stuck_at,
            )
        ).all()
        silent = conn.execute(
            select(w.id, w.seen_at).where(and_(w.stopped_at.is_(None), w.seen_at < silent_at))
        ).all()
    alerts: list[tuple[str, str, dict[str, Any]]] = []
    for r in stuck:
        body = {
            "kind": "stuck_run",
            "job": r.id,
            "thread_id": r.thread_id,
            "run": r.kind,
            "turn": r.turn,
            "running_since": str(r.started_at),
            "worker": r.lease_owner,
            "request": r.last_request,
            "link": f"ringmaster thread show {r.thread_id}",
        }
        alerts.append((f"stuck:{r.id}", r.thread_id, body))
    for r in silent:
        body = {"kind": "silent_worker", "worker": r.id, "last_seen": str(r.seen_at)}
        alerts.append((f"silent:{r.id}", "-", body))
    group = policy.escalation.group
    for key, thread_id, body in alerts:
        if not jobs.tick(key[:64], 0, owner):
            continue  # escalated before, by this process or another
        status, error = "queued", None
        if policy.escalation.webhook:
            status = "sent"
            try:
                poster(policy.escalation.webhook, body)
            except Exception as exc:  # a dead webhook must not stop the check-in
                status, error = "failed", str(exc)
                report.webhook_failures.append(key)
        with jobs.writer.begin() as conn:
            conn.execute(
                insert(notifications).values(
                    created_at=now,
                    item_id=key[:64],
                    thread_id=thread_id,
                    channel="webhook" if policy.escalation.webhook else "outbox",
                    recipient=policy.escalation.webhook or group,
                    payload=body,
                    status=status,
                    error=error,
                )
            )
        if body["kind"] == "stuck_run":
            report.stuck_runs.append(body["job"])
        else:
            report.silent_workers.append(body["worker"])
    return report
