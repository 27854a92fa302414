"""Rebalancing real queued work (ringmaster/rebalance.py) on SQLite and Postgres, with an
injected clock: slot rows enqueued through `SqlRunQueue.enqueue` as the graph's subtasks queue
them, moved by one conditional update with one audit event each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from ringmaster.audit import AuditLog
from ringmaster.graph.standins import Move, QueuedSubtask
from ringmaster.rebalance import JobsMovable, rebalance_pass
from ringmaster.run_queue import Limits, SqlRunQueue
from ringmaster.tables import jobs, notifications
from tests.ringmaster.ops_traffic import START, TEAM, Clock, engine

__all__ = ["engine"]

HEALTHY = {a: (True, ()) for a in TEAM.names()}


def setup(engine: Engine) -> tuple[SqlRunQueue, AuditLog, JobsMovable, Clock]:
    clock = Clock(START)
    queue = SqlRunQueue(engine, clock, lease_seconds=30)
    audit = AuditLog(engine, clock, b"k")
    return queue, audit, JobsMovable(queue, audit, TEAM), clock


def slot(
    queue: SqlRunQueue,
    n: int,
    agent: str,
    scopes: list[str],
    priority: int = 1,
    planned: str | None = None,
) -> str:
    """A subtask waiting for `agent`'s capacity, as the agent node queues it."""
    thread, sid = f"t{n:03d}", f"s{n}"
    payload = {"subtask_id": sid, "planned_agent": planned or agent, "requester": "ann",
               "scopes": scopes}  # fmt: skip
    assert queue.enqueue(
        key=f"slot:{thread}:1:{sid}", kind="slot", thread_id=thread, turn=1, agent=agent,
        priority=priority, payload=payload,
    )  # fmt: skip
    job = queue.by_key(f"slot:{thread}:1:{sid}")
    assert job is not None
    return job.id


def agents_of(queue: SqlRunQueue, ids: list[str]) -> dict[str, str | None]:
    return {i: queue.get(i).agent for i in ids}


def events(audit: AuditLog, kind: str) -> list[Any]:
    return [e for e in audit._rows() if e.kind == kind]


def test_a_spike_moves_to_a_qualified_idle_agent_in_scope_only(engine: Engine) -> None:
    queue, audit, movable, clock = setup(engine)
    # billing (capacity 2, stand-ins billing2 then support) gets 8 subtasks: 4 from a
    # requester who reaches billing only, 2 who also reaches support, 2 who also reaches legal
    # (in scope, but legal is no stand-in of billing: unqualified).
    only_billing = [slot(queue, i, "billing", ["billing"], priority=3) for i in range(4)]
    with_support = [slot(queue, i, "billing", ["billing", "support"]) for i in range(4, 6)]
    with_legal = [slot(queue, i, "billing", ["billing", "legal"]) for i in range(6, 8)]
    clock.advance(seconds=5)

    report = rebalance_pass(movable, HEALTHY, threshold=2)

    after = agents_of(queue, only_billing + with_support + with_legal)
    assert {after[i] for i in only_billing} <= {"billing", "billing2"}
    assert {after[i] for i in with_legal} <= {"billing", "billing2"}
    assert "legal" not in after.values()
    # billing2 had room for 2: two of the first in queue order (the high-priority ones) went
    # there; support had room for 2 and only the requesters reaching it could go.
    moved = sorted(str(after[i]) for i in only_billing)
    assert moved == ["billing", "billing", "billing2", "billing2"]
    assert [after[i] for i in with_support] == ["support", "support"]
    assert len(report.moved) == 4 and not report.to_person
    reroutes = events(audit, "reroute")
    assert len(reroutes) == 4  # one audit event per move
    by_job = {e.data["job"]: e for e in reroutes}
    for job_id, agent in after.items():
        if agent == "billing":
            assert job_id not in by_job
            continue
        e = by_job[job_id]
        assert (e.data["from"], e.data["to"], e.actor) == ("billing", agent, "system:rebalancer")
        assert "over the threshold of 2" in e.data["reason"] and agent in e.data["reason"]
        assert e.at == clock.now
    # A second pass: every stand-in is full now, so nothing moves again.
    assert not rebalance_pass(movable, HEALTHY, threshold=2).moved
    assert len(events(audit, "reroute")) == 4
    assert audit.verify() == []


def test_an_unhealthy_agent_receives_nothing_new(engine: Engine) -> None:
    queue, audit, movable, _ = setup(engine)
    ids = [slot(queue, i, "billing", ["billing", "support"]) for i in range(6)]
    health = {**HEALTHY, "billing2": (False, ("health check failed",))}

    report = rebalance_pass(movable, health, threshold=1)

    after = agents_of(queue, ids)
    assert "billing2" not in after.values()
    assert list(after.values()).count("support") == 2  # support's room
    assert {m.target for m in report.moved} == {"support"}


def test_work_queued_on_an_unhealthy_agent_moves_to_a_healthy_qualified_one(
    engine: Engine,
) -> None:
    queue, audit, movable, _ = setup(engine)
    # Moved to billing2 from billing before; billing2 is unhealthy now. Qualified: billing
    # (the planned agent) and its stand-ins; support is out of scope, legal unqualified.
    job = slot(queue, 1, "billing2", ["billing", "legal"], planned="billing")
    health = {**HEALTHY, "billing2": (False, ("error rate 100%",))}

    report = rebalance_pass(movable, health, threshold=5)

    assert [(m.source, m.target) for m in report.moved] == [("billing2", "billing")]
    assert queue.get(job).agent == "billing"
    (e,) = events(audit, "reroute")
    assert e.data["reason"].startswith("billing2 is unhealthy") and e.data["planned"] == "billing"


def test_off_an_unhealthy_agent_with_no_healthy_standin_to_a_person_once(engine: Engine) -> None:
    queue, audit, movable, _ = setup(engine)
    job = slot(queue, 1, "billing", ["billing"])  # support is out of this requester's scopes
    health = {**HEALTHY, "billing": (False, ("error rate 80%",)), "billing2": (False, ("down",))}

    first = rebalance_pass(movable, health, threshold=5)
    second = rebalance_pass(movable, health, threshold=5)

    assert len(first.to_person) == 1 and not first.moved
    assert not second.to_person and len(second.missed) == 1  # told once
    assert queue.get(job).agent == "billing" and queue.get(job).state == "queued"
    with engine.connect() as conn:
        rows = conn.execute(select(notifications)).all()
    assert len(rows) == 1
    row = rows[0]._mapping
    assert (row["channel"], row["recipient"], row["status"]) == ("outbox", "escalation", "queued")
    assert row["payload"]["job"] == job and row["payload"]["agent"] == "billing"
    assert "no healthy stand-in" in row["payload"]["reason"]
    # What the person is told matches the queue: nothing starts on a flagged agent.
    text = row["payload"]["text"]
    assert "when it has room" not in text and "once the agent recovers" in text
    (event,) = events(audit, "rebalance_escalated")
    assert event.data["reason"] == row["payload"]["reason"]
    assert not events(audit, "reroute")


def test_a_row_that_started_meanwhile_is_not_moved(engine: Engine) -> None:
    queue, audit, movable, _ = setup(engine)
    for i in range(4):
        slot(queue, i, "billing", ["billing"])
    first, second = plan(movable)  # billing2 has room for two
    # Its slot is granted first (workers never claim slot rows: the agent node takes its own).
    with engine.begin() as conn:
        taken = conn.execute(
            update(jobs)
            .where(jobs.c.id == first.key, jobs.c.state == "queued")
            .values(state="running", lease_owner="w1")
        ).rowcount
    assert taken == 1

    assert movable.move(first) is False
    assert queue.get(first.key).agent == "billing" and queue.get(first.key).state == "running"
    assert not events(audit, "reroute")
    # One already moved by another process is not moved again either.
    assert movable.move(second) is True
    assert movable.move(second) is False
    assert queue.get(second.key).agent == "billing2"
    assert len(events(audit, "reroute")) == 1


def grant(queue: SqlRunQueue, job_id: str) -> str | None:
    """Start a queued slot row as the agent node's acquire does: only if its agent has room."""
    with queue.writer.begin() as conn:
        agent = conn.execute(select(jobs.c.agent).where(jobs.c.id == job_id)).scalar_one()
        if not queue.has_room(conn, agent):
            return None
        now = queue.clock()
        conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.state == "queued")
            .values(state="running", lease_owner="w", lease_expires=now + timedelta(minutes=1))
        )
    return job_id


def plan(movable: JobsMovable) -> list[Move]:
    from ringmaster.graph.standins import plan_moves

    return plan_moves(TEAM, movable.queued(), movable.loads(HEALTHY), threshold=1)


def test_move_checks_the_target_again(engine: Engine) -> None:
    queue, audit, movable, _ = setup(engine)
    job = slot(queue, 1, "billing", ["billing", "legal"])
    assert movable.move(Move(job, "billing", "support", "asked")) is False  # out of scope
    assert movable.move(Move(job, "billing", "legal", "asked")) is False  # no stand-in
    assert movable.move(Move(job, "billing", "nobody", "asked")) is False  # not in the team
    assert queue.get(job).agent == "billing"
    assert not events(audit, "reroute")
    assert movable.move(Move(job, "billing", "billing2", "asked")) is True
    assert queue.get(job).agent == "billing2"
    # The reason travels with the row: the agent node shows it when the slot is granted.
    assert (queue.get(job).payload or {})["move_reason"] == "asked"


def test_all_work_leaves_an_unhealthy_agent_and_capacity_still_holds(engine: Engine) -> None:
    queue, audit, movable, _ = setup(engine)
    ids = [slot(queue, i, "billing", ["billing"]) for i in range(5)]
    health = {**HEALTHY, "billing": (False, ("its health check failed",))}

    report = rebalance_pass(movable, health, threshold=100)

    # billing2 has room for 2, but the other 3 wait in its queue rather than on billing.
    assert set(agents_of(queue, ids).values()) == {"billing2"}
    assert len(report.moved) == 5 and len(events(audit, "reroute")) == 5
    assert "least-loaded healthy stand-in" in report.moved[-1].reason
    queue.limits = Limits(capacity={a.name: a.capacity for a in TEAM.agents})
    started = [grant(queue, j) for j in ids]
    assert sum(j is not None for j in started) == 2  # billing2's capacity


def test_two_passes_at_once_move_a_spike_once(engine: Engine) -> None:
    queue, audit, movable, _ = setup(engine)
    ids = [slot(queue, i, "billing", ["billing"]) for i in range(4)]  # billing2 has room for 2

    class Overlapped(JobsMovable):
        """Pass A, paused between reading the loads and reading the queue: pass B (another
        worker's, at the next tick) runs whole in between."""

        def queued(self, agents: Any = None) -> list[QueuedSubtask]:
            other = rebalance_pass(movable, HEALTHY, threshold=1)
            assert len(other.moved) == 2
            return super().queued(agents)

    first = rebalance_pass(Overlapped(queue, audit, TEAM), HEALTHY, threshold=1)

    # A planned from loads read before B's moves: billing2 looked empty, so it chose the two
    # still on billing. billing2 is full now and billing is at the threshold: neither moves.
    assert not first.moved and len(first.missed) == 2
    assert sorted(str(a) for a in agents_of(queue, ids).values()) == [
        "billing", "billing", "billing2", "billing2",
    ]  # fmt: skip
    assert len(events(audit, "reroute")) == 2


def test_a_move_off_a_spike_records_the_loads_it_was_made_on(engine: Engine) -> None:
    """A subtask queued for the stand-in between the pass's reading of the loads and its moves:
    the one move that still fits says the loads it was made on (billing2 1 queued, not 0), and
    the second, for which no room is left, is not made."""
    queue, audit, movable, _ = setup(engine)
    for i in range(3):
        slot(queue, i, "billing", ["billing"])

    class Late(JobsMovable):
        def queued(self, agents: Any = None) -> list[QueuedSubtask]:
            slot(queue, 9, "billing2", ["billing"])  # after the loads were read
            return super().queued(agents)

    done = rebalance_pass(Late(queue, audit, TEAM), HEALTHY, threshold=1)
    assert len(done.moved) == 1
    [event] = events(audit, "reroute")
    assert event.data["reason"] == (
        "billing has 3 queued, over the threshold of 1; "
        "billing2 has room (1 queued + 0 running of 2)"
    )
