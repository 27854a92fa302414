"""Agent status and check-ins from scripted traffic, with an injected clock, SQLite and Postgres."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from ringmaster.agent_status import (
    JobsQueue,
    agent_statuses,
    flagged_unhealthy,
    history,
    percentile,
    record_health,
)
from ringmaster.audit import AuditLog
from ringmaster.checkin import checkin
from ringmaster.rebalance import JobsMovable, status_health
from ringmaster.run_queue import SqlRunQueue
from ringmaster.tables import audit_events, jobs, notifications
from tests.ringmaster.ops_traffic import LEGAL_UP, START, TEAM, Clock, Traffic, engine

__all__ = ["engine"]


def by_name(statuses: list) -> dict:  # type: ignore[type-arg]
    return {s.name: s for s in statuses}


def slot(queue: SqlRunQueue, thread: str, sid: str, agent: str) -> str:
    """A subtask's slot row, queued as the agent node queues it."""
    key = f"slot:{thread}:1:{sid}:1"
    payload = {"subtask_id": sid, "planned_agent": agent, "requester": "ann", "scopes": []}
    assert queue.enqueue(
        key=key, kind="slot", thread_id=thread, turn=1, agent=agent, payload=payload
    )
    job = queue.by_key(key)
    assert job is not None
    return job.id


def grant(queue: SqlRunQueue, job_id: str) -> bool:
    """Start a queued slot row (held by owner "w" under a live lease)."""
    now = queue.clock()
    with queue.writer.begin() as conn:
        return bool(
            conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.state == "queued")
                .values(state="running", lease_owner="w", lease_expires=now + queue.lease,
                        started_at=now)
            ).rowcount
        )  # fmt: skip


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
    # Work in flight, as the run queue holds it: s1 running on support, s2 waiting for a
    # slot of support, s3 waiting for billing2 (a person has s0, which queues nowhere).
    live = traffic.start(
        [("s0", None, []), ("s1", "support", []), ("s2", "support", []),
         ("s3", "billing2", [])],
        ["billing", "support"],
    )  # fmt: skip
    queue = SqlRunQueue(engine, clock, lease_seconds=60)
    s1 = slot(queue, live, "s1", "support")
    slot(queue, live, "s2", "support")
    slot(queue, live, "s3", "billing2")
    assert grant(queue, s1)
    load = JobsQueue(engine, clock())
    assert (load.running("support"), load.depth("support")) == (1, 1)
    assert (load.running("billing2"), load.depth("billing2")) == (0, 1)
    clock.advance(minutes=3)
    traffic.output(live, "s1", "support")
    assert queue.complete(s1, "w")
    assert grant(queue, queue.by_key(f"slot:{live}:1:s2:1").id)  # type: ignore[union-attr]
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
    assert (support.running, support.queue_depth) == (1, 0)  # s2 started once s1 was done
    assert support.p50_seconds == 180.0
    assert support.eta_seconds == 1 * 180.0 / 2
    assert s["legal"].health_check == "ok" and s["legal"].eta_seconds is None
    # An hour later the window holds nothing: no error rate, nothing unhealthy.
    clock.advance(hours=2)
    later = by_name(agent_statuses(engine, TEAM, clock(), window=timedelta(hours=1)))
    assert later["billing"].outputs == 0 and later["billing"].error_rate is None
    assert later["billing"].last_error_message == "boom"  # kept beyond the window


def test_time_waiting_for_a_person_is_not_the_agents(engine: Engine) -> None:
    clock = Clock(START + timedelta(hours=9))
    traffic = Traffic(engine, clock)
    # s1 (billing) takes 2 minutes, then waits 50 minutes for an approval; s2 (support) is
    # sent to a person for routing for 30 minutes, then takes 3 minutes; s3 (support) depends
    # on s1 and takes 4 minutes once s1's approval is applied.
    tid = traffic.start(
        [("s1", "billing", []), ("s2", "support", []), ("s3", "support", ["s1"])],
        ["billing", "support"],
    )
    clock.advance(minutes=2)
    traffic.output(tid, "s1", "billing")
    clock.advance(minutes=30)
    traffic.applied(tid, "s2")
    clock.advance(minutes=3)
    traffic.output(tid, "s2", "support")
    clock.advance(minutes=17)
    traffic.applied(tid, "s1")
    clock.advance(minutes=4)
    traffic.output(tid, "s3", "support")
    s = by_name(agent_statuses(engine, TEAM, clock(), window=timedelta(hours=2)))
    assert s["billing"].p50_seconds == 120.0
    assert s["support"].p50_seconds == 210.0  # 3 and 4 minutes: no wait for a person
    assert s["support"].p95_seconds == pytest.approx(percentile([180.0, 240.0], 0.95))


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
    assert s["support"].reasons == ["2 of 3 outputs failed in the last 1:00:00 (latest: boom)"]
    assert not s["legal"].healthy
    assert s["legal"].health_check == "failed: the check returned false"
    assert s["billing"].healthy and s["billing"].error_rate is None


def test_refused_input_is_neither_an_output_nor_an_error(engine: Engine) -> None:
    """Attempts a tool refused for the request's input leave health, the rate, the last error
    and /metrics' error count alone; the agent's own failures (marked or from before marking)
    still count."""
    from prometheus_client.core import CollectorRegistry
    from prometheus_client.exposition import generate_latest
    from prometheus_client.parser import text_string_to_metric_families

    from ringmaster.metrics import StoreCollector

    clock = Clock(START)
    traffic = Traffic(engine, clock)
    for agent, error, fault in [
        *[("support", "no ticket TCK-9", "input")] * 3,
        ("support", "tool 'get_invoice' needs one of the scopes ['billing']", "scope"),
        ("support", None, None),
        ("billing", "database is locked", "agent"),
        ("billing", "boom", None),  # an event from before faults were marked: the agent's
        ("billing", "no invoice INV-9", "input"),
    ]:
        tid = traffic.start([("s1", agent, [])], [agent])
        clock.advance(minutes=1)
        traffic.output(tid, "s1", agent, error=error, fault=fault)
        traffic.finish(tid)
    s = by_name(agent_statuses(engine, TEAM, clock()))
    support, billing = s["support"], s["billing"]
    assert support.healthy and support.reasons == []
    assert (support.outputs, support.errors, support.refused) == (1, 0, 4)
    assert support.last_error is None and support.error_rate == 0.0
    assert (billing.outputs, billing.errors, billing.refused) == (2, 2, 1)
    assert billing.error_rate == 1.0 and billing.healthy  # 2 outputs: under the 3 a rate needs
    assert billing.last_error_message == "boom"
    registry = CollectorRegistry()
    registry.register(StoreCollector(engine, lambda: TEAM, clock))
    m = {
        (x.name, tuple(sorted(x.labels.items()))): x.value
        for family in text_string_to_metric_families(generate_latest(registry).decode())
        for x in family.samples
        if x.name == "ringmaster_subtasks_total"
    }
    total = "ringmaster_subtasks_total"
    assert m[(total, (("agent", "support"), ("outcome", "refused")))] == 4
    assert m[(total, (("agent", "support"), ("outcome", "ok")))] == 1
    assert (total, (("agent", "support"), ("outcome", "error"))) not in m
    assert m[(total, (("agent", "billing"), ("outcome", "error")))] == 2
    assert m[(total, (("agent", "billing"), ("outcome", "refused")))] == 1


def test_a_reading_of_the_team_drops_the_flag_of_an_agent_no_longer_in_it(engine: Engine) -> None:
    """An agent flagged before it left the team: no reading covers it again, so without this
    the run queue's grant would refuse it for ever (and every pass would read all health)."""
    clock = Clock(START)
    record_health(engine, {"retired": (False, ("down",)), "support": (False, ("down",))}, clock())
    assert sorted(flagged_unhealthy(engine)) == ["retired", "support"]
    checkin(engine, TEAM, clock(), stuck_after=timedelta(minutes=30))
    assert flagged_unhealthy(engine) == []  # support read healthy; retired is no agent now
    queue = SqlRunQueue(engine, clock)
    with engine.connect() as conn:
        assert queue.unhealthy(conn, "retired") is None
    # The rebalancing pass's reading does the same.
    record_health(engine, {"retired": (False, ("down",))}, clock())
    movable = JobsMovable(queue, AuditLog(engine, clock, b"k"), TEAM)
    status_health(movable, window=timedelta(hours=1), unhealthy_error_rate=0.5)()
    assert flagged_unhealthy(engine) == []


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
    assert flagged_unhealthy(engine) == ["support"]  # the flag the run queue's grant reads
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


def test_queue_depth_is_the_queues_own_rows_without_any_audit_event(engine: Engine) -> None:
    clock = Clock(START)
    queue = SqlRunQueue(engine, clock, lease_seconds=60)
    waiting = [slot(queue, f"t{i}", "s1", "billing") for i in range(3)]
    held = slot(queue, "t9", "s1", "support")
    gone = slot(queue, "t8", "s1", "support")
    assert grant(queue, held) and grant(queue, gone)
    clock.advance(seconds=30)
    # A worker that died: its lease lapsed, so its slot no longer counts as running.
    with queue.writer.begin() as conn:
        conn.execute(update(jobs).where(jobs.c.id == gone).values(lease_expires=clock()))
    clock.advance(seconds=1)
    queue.enqueue(key="run:t7:1", kind="run", thread_id="t7", turn=1)  # a run: no agent's
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_events)).scalar_one() == 0
    s = by_name(agent_statuses(engine, TEAM, clock()))
    assert (s["billing"].queue_depth, s["billing"].running) == (3, 0)
    assert (s["support"].queue_depth, s["support"].running) == (0, 1)
    assert (s["billing2"].queue_depth, s["billing2"].running) == (0, 0)
    # The rebalancer reads the same numbers.
    movable = JobsMovable(queue, AuditLog(engine, clock, b"k"), TEAM)
    assert [movable.depth(a) for a in TEAM.names()] == [s[a].queue_depth for a in TEAM.names()]
    assert [movable.running(a) for a in TEAM.names()] == [s[a].running for a in TEAM.names()]
    assert queue.complete(held, "w")
    assert grant(queue, waiting[0])
    later = by_name(agent_statuses(engine, TEAM, clock()))
    assert (later["billing"].queue_depth, later["billing"].running) == (2, 1)
    assert later["support"].running == 0
