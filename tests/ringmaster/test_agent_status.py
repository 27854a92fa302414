"""Agent status and check-ins from scripted traffic, with an injected clock, SQLite and Postgres."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from ringmaster.agent_status import AuditQueue, agent_statuses, history, percentile
from ringmaster.checkin import checkin
from ringmaster.tables import notifications
from tests.ringmaster.ops_traffic import LEGAL_UP, START, TEAM, Clock, Traffic, engine

__all__ = ["engine"]


def by_name(statuses: list) -> dict:  # type: ignore[type-arg]
    return {s.name: s for s in statuses}


def test_health_load_and_speed_come_from_the_trail(engine: Engine) -> None:
    clock = Clock(START + timedelta(hours=9))
    traffic = Traffic(engine, clock)
    # Three billing subtasks done in 2, 4 and 6 minutes; one failed.
    for minutes in (2, 4, 6):
        tid = traffic.start([("s1", "billing", [])], ["billing"])
        clock.advance(minutes=minutes)
        traffic.output(tid, "s1", "billing")
        traffic.finish(tid)
    tid = traffic.start([("s1", "billing", [])], ["billing"])
    clock.advance(minutes=1)
    traffic.output(tid, "s1", "billing", error="boom")
    traffic.finish(tid, "failed", "boom")
    # Work in flight: s1 running on support, s2 waits for s1, s3 waits too (a person has s0).
    live = traffic.start(
        [("s0", None, []), ("s1", "support", []), ("s2", "support", ["s1"]),
         ("s3", "billing2", ["s1", "s2"])],
        ["billing", "support"],
    )  # fmt: skip
    queue = AuditQueue(engine)
    assert (queue.running("support"), queue.depth("support")) == (1, 1)
    assert (queue.running("billing2"), queue.depth("billing2")) == (0, 1)
    clock.advance(minutes=3)
    traffic.output(live, "s1", "support")
    s = by_name(agent_statuses(engine, TEAM, clock(), window=timedelta(hours=1)))
    billing = s["billing"]
    assert (billing.outputs, billing.errors, billing.error_rate) == (4, 1, 0.25)
    assert billing.healthy  # 1 of 4 is under the 50% threshold
    assert billing.p50_seconds == 240.0
    assert billing.p95_seconds == pytest.approx(percentile([120.0, 240.0, 360.0], 0.95))
    assert billing.last_error_message == "boom"
    assert billing.last_success == START + timedelta(hours=9, minutes=12)
    assert billing.throughput_per_hour == 3.0
    assert billing.hourly[-1] == 4 and sum(billing.hourly) == 4
    support = s["support"]
    assert (support.running, support.queue_depth) == (1, 0)  # s2 is ready now that s1 is done
    assert support.p50_seconds == 180.0
    assert support.eta_seconds == 1 * 180.0 / 2
    assert s["legal"].health_check == "ok" and s["legal"].eta_seconds is None
    # An hour later the window holds nothing: no error rate, nothing unhealthy.
    clock.advance(hours=2)
    later = by_name(agent_statuses(engine, TEAM, clock(), window=timedelta(hours=1)))
    assert later["billing"].outputs == 0 and later["billing"].error_rate is None
    assert later["billing"].last_error_message == "boom"  # kept beyond the window


def test_error_rate_and_health_check_make_an_agent_unhealthy(engine: Engine) -> None:
    clock = Clock(START)
    traffic = Traffic(engine, clock)
    for error in ("boom", "boom", None):
        tid = traffic.start([("s1", "support", [])], ["support"])
        clock.advance(minutes=1)
        traffic.output(tid, "s1", "support", error=error)
        traffic.finish(tid)
    LEGAL_UP["ok"] = False
    try:
        s = by_name(agent_statuses(engine, TEAM, clock()))
    finally:
        LEGAL_UP["ok"] = True
    assert not s["support"].healthy
    assert s["support"].reasons == ["2 of 3 outputs failed in the last 1:00:00"]
    assert not s["legal"].healthy
    assert s["legal"].health_check == "failed: the check returned false"
    assert s["billing"].healthy and s["billing"].error_rate is None


def test_checkin_records_history_and_escalates_once(engine: Engine) -> None:
    clock = Clock(START)
    traffic = Traffic(engine, clock)
    stuck = traffic.start([("s1", "billing", [])], ["billing"])
    failed = traffic.start([("s1", "support", [])], ["support"])
    traffic.finish(failed, "failed", "RuntimeError: tool crashed")
    for _ in range(3):
        tid = traffic.start([("s1", "support", [])], ["support"])
        traffic.output(tid, "s1", "support", error="boom")
        traffic.finish(tid)
    clock.advance(minutes=10)
    first = checkin(engine, TEAM, clock(), stuck_after=timedelta(minutes=30))
    assert first.stuck == [failed]  # the running one is not stuck yet
    assert first.unhealthy == ["support"]
    clock.advance(minutes=30)
    second = checkin(engine, TEAM, clock(), stuck_after=timedelta(minutes=30))
    assert second.stuck == [stuck]  # the failed one was escalated already
    assert second.unhealthy == []  # still unhealthy: told once
    with engine.connect() as conn:
        rows = conn.execute(select(notifications).order_by(notifications.c.id)).all()
    kinds = [(r.payload["kind"], r.thread_id, r.status, r.channel) for r in rows]
    assert kinds == [
        ("unhealthy_agent", "", "queued", "outbox"),
        ("stuck_run", failed, "queued", "outbox"),
        ("stuck_run", stuck, "queued", "outbox"),
    ]
    assert rows[1].payload["error"] == "RuntimeError: tool crashed"
    assert [e["kind"] for e in rows[2].payload["recent_events"]][:2] == [
        "request_received",
        "plan",
    ]
    h = history(engine, START)
    assert [(at - START, depth) for at, depth, _ in h["billing"]] == [
        (timedelta(minutes=10), 0),
        (timedelta(minutes=40), 0),
    ]
    assert [healthy for _, _, healthy in h["support"]] == [False, False]
