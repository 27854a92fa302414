"""Slots over the run queue (ringmaster/slots.py): every test runs on SQLite and on Postgres."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from ringmaster.agent_status import record_health
from ringmaster.graph.slots import CapacityWait, SlotRequest
from ringmaster.run_queue import Limits, SqlRunQueue
from ringmaster.settings import Settings
from ringmaster.slots import QueueSlots, slot_key
from ringmaster.tables import jobs, make_engine
from tests.ringmaster.test_run_queue import FakeClock, add


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def queue(db_url: str | None, tmp_path: Path, clock: FakeClock) -> Iterator[SqlRunQueue]:
    url = Settings(home=tmp_path, db_url=db_url).app_db_url
    q = SqlRunQueue(
        make_engine(url),
        clock,
        lease_seconds=30,
        limits=Limits(capacity={"billing": 1, "support": 2}, rate={"llm": (2, 10.0)}),
    )
    yield q
    q.close()
    q.engine.dispose()


def ask(
    sub: str, agent: str = "billing", priority: str = "normal", attempt: int = 1
) -> SlotRequest:
    return SlotRequest(
        thread_id=f"th-{sub}",
        turn=1,
        subtask_id=sub,
        attempt=attempt,
        agent=agent,
        requester="ann",
        priority=priority,
        scopes=("billing",),
    )


def test_a_slot_is_a_queue_row_that_holds_the_agents_capacity(queue, clock) -> None:
    slots = QueueSlots(queue)
    held, granted = slots.acquire(ask("a"), "w1")
    assert granted and held.state == "running" and held.kind == "slot"
    assert held.key == "slot:th-a:1:a:1" == slot_key(ask("a")) and held.agent == "billing"
    assert held.priority == 1 and held.payload == {
        "subtask_id": "a",
        "attempt": 1,
        "planned_agent": "billing",
        "requester": "ann",
        "priority": "normal",
        "scopes": ["billing"],
    }
    waiting, granted = slots.acquire(ask("b"), "w2")
    assert not granted and waiting.state == "queued"  # capacity 1 is taken
    clock.advance(0.5)  # the task is younger than slot b: b is first in line by age
    add(queue, "task", kind="task", agent="billing")
    assert queue.claim("worker") is None  # a task of billing counts against the same capacity
    assert queue.complete(held.id, "w1")
    # Billing has room now, and the older slot b waits: a worker still takes only the task.
    taken = queue.claim("worker")
    assert taken is not None and taken.kind == "task"
    assert queue.claim("worker") is None  # workers never claim slots
    assert queue.complete(taken.id, "worker")
    assert slots.acquire(ask("b"), "w2")[1]


def test_waiting_slots_are_granted_in_priority_order_then_age(queue, clock) -> None:
    slots = QueueSlots(queue)
    holder, _ = slots.acquire(ask("h"), "w0")
    for sub, prio in [("old-normal", "normal"), ("urgent", "urgent"), ("new-normal", "normal")]:
        assert not slots.acquire(ask(sub, priority=prio), f"w-{sub}")[1]
        clock.advance(0.1)
    queue.complete(holder.id, "w0")
    # The slot is free, but only the first in line may take it, whoever asks first.
    assert not slots.acquire(ask("new-normal"), "w-new-normal")[1]
    assert not slots.acquire(ask("old-normal"), "w-old-normal")[1]
    urgent, granted = slots.acquire(ask("urgent", priority="urgent"), "w-urgent")
    assert granted
    queue.complete(urgent.id, "w-urgent")
    assert not slots.acquire(ask("new-normal"), "w-new-normal")[1]
    assert slots.acquire(ask("old-normal"), "w-old-normal")[1]


def test_a_dead_waiter_stops_blocking_once_its_lease_lapses_but_keeps_its_place(
    queue, clock
) -> None:
    slots = QueueSlots(queue, waiter_lease_seconds=2.0)
    holder, _ = slots.acquire(ask("h"), "w0")
    assert not slots.acquire(ask("dead", priority="urgent"), "w-dead")[1]
    assert not slots.acquire(ask("alive"), "w-alive")[1]
    queue.complete(holder.id, "w0")
    assert not slots.acquire(ask("alive"), "w-alive")[1]  # the urgent waiter is still live
    clock.advance(2.5)  # it stopped renewing: its lease lapsed
    alive, granted = slots.acquire(ask("alive"), "w-alive")
    assert granted
    # Its run, started again, asks with the same row: first in line again once renewed.
    assert not slots.acquire(ask("dead", priority="urgent"), "w-new")[1]
    assert not slots.acquire(ask("third"), "w-third")[1]
    queue.complete(alive.id, "w-alive")
    assert not slots.acquire(ask("third"), "w-third")[1]
    again, granted = slots.acquire(ask("dead", priority="urgent"), "w-new")
    assert granted and again.key == slot_key(ask("dead"))


def test_capacity_and_rate_hold_for_slots(queue, clock) -> None:
    slots = QueueSlots(queue)
    a = slots.acquire(ask("a", "support"), "w")[0]
    assert slots.acquire(ask("b", "support"), "w")[1]
    assert not slots.acquire(ask("c", "support"), "w")[1]  # capacity 2
    queue.complete(a.id, "w")
    assert slots.acquire(ask("c", "support"), "w")[1]
    r1, _ = slots.acquire(ask("r1", "llm"), "w")
    r2, _ = slots.acquire(ask("r2", "llm"), "w")
    queue.complete(r1.id, "w")
    queue.complete(r2.id, "w")
    assert not slots.acquire(ask("r3", "llm"), "w")[1]  # 2 starts in 10 s, nothing running
    clock.advance(10.5)
    assert slots.acquire(ask("r3", "llm"), "w")[1]


def test_a_rerun_after_a_crash_finds_its_own_row(queue, clock) -> None:
    slots = QueueSlots(queue)
    first, granted = slots.acquire(ask("a"), "crashed-process")
    assert granted
    # The run is started again elsewhere: the old holder's lease is still live.
    assert not slots.acquire(ask("a"), "new-process")[1]
    clock.advance(31)  # the lease lapsed: the slot is the re-run's, the same row
    again, granted = slots.acquire(ask("a"), "new-process")
    assert granted and again.id == first.id and again.lease_owner == "new-process"
    assert not queue.complete(first.id, "crashed-process")
    assert queue.complete(first.id, "new-process")
    # Asked for again once done (an interrupt inside the agent, or a crash before the
    # checkpoint): the row is opened again, still one row for the attempt.
    assert slots.acquire(ask("a"), "resumed")[1]
    with queue.engine.connect() as conn:
        n = conn.execute(
            select(func.count()).select_from(jobs).where(jobs.c.key == slot_key(ask("a")))
        ).scalar_one()
    assert n == 1


def test_a_slot_moved_while_queued_is_granted_for_the_new_agent(queue, clock) -> None:
    slots = QueueSlots(queue, wait_seconds=5.0)
    holder, _ = slots.acquire(ask("h"), "w0")
    waiting, granted = slots.acquire(ask("m"), "w-m")
    assert not granted
    with queue.writer.begin() as conn:  # what a rebalancer does: only while it is queued
        moved = conn.execute(
            update(jobs)
            .where(jobs.c.id == waiting.id, jobs.c.state == "queued")
            .values(agent="support", payload={**waiting.payload, "move_reason": "billing full"})
        ).rowcount
    assert moved == 1
    with slots.hold(ask("m")) as grant:
        assert grant.agent == "support" and grant.moved == "billing full"
        assert queue.get(waiting.id).state == "running"
    done = queue.get(waiting.id)
    assert done.state == "done" and done.agent == "support"
    assert queue.get(holder.id).state == "running"  # billing's capacity was never used


def test_hold_gives_up_at_its_bound_and_frees_its_slot_however_the_block_ends(queue) -> None:
    slots = QueueSlots(queue, wait_seconds=0.2)
    with pytest.raises(RuntimeError), slots.hold(ask("a")) as grant:
        assert grant.agent == "billing" and grant.moved is None
        with pytest.raises(CapacityWait, match="waited 0.2 s for a slot of billing"):
            with slots.hold(ask("b")):
                pass
        raise RuntimeError("the agent crashed")
    assert queue.by_key(slot_key(ask("a"))).state == "done"
    assert queue.by_key(slot_key(ask("b"))).state == "queued"  # it keeps its place
    with slots.hold(ask("b")) as grant:  # the capacity is free again
        assert grant.agent == "billing"


def test_an_agent_flagged_unhealthy_is_granted_nothing_until_it_recovers(queue, clock) -> None:
    slots = QueueSlots(queue)
    # The health a check-in or rebalancing pass read, kept where the grant reads it.
    record_health(queue.engine, {"support": (False, ("3 of 3 outputs failed",))}, clock())
    waiting, granted = slots.acquire(ask("a", "support"), "w-a")
    assert not granted and waiting.state == "queued" and waiting.started_at is None
    add(queue, "task", kind="task", agent="support")
    assert queue.claim("worker") is None  # its tasks do not start either
    # "free" has no limit at all: a flag of it is still refused; other agents are not held.
    record_health(queue.engine, {"free": (False, ("down",))}, clock())
    assert not slots.acquire(ask("f", "free"), "w-f")[1]
    assert slots.acquire(ask("b"), "w-b")[1]
    assert started(queue, "support") == started(queue, "free") == 0
    with pytest.raises(
        CapacityWait,
        match=r"subtask a gets no slot of support, which is unhealthy \(3 of 3 outputs",
    ):
        with QueueSlots(queue, wait_seconds=0.05).hold(ask("a", "support")):
            pass
    # Recovered: the waiting subtask keeps its place and starts, then the task.
    clock.advance(60)
    record_health(queue.engine, {"support": (True, ()), "free": (True, ())}, clock())
    again, granted = slots.acquire(ask("a", "support"), "w-a")
    assert granted and again.id == waiting.id and again.started_at == clock()
    task = queue.claim("worker")
    assert task is not None and task.agent == "support"
    assert slots.acquire(ask("f", "free"), "w-f")[1]
    assert started(queue, "support") == 2 and started(queue, "free") == 1


def test_a_waiter_refused_for_an_unhealthy_agent_says_whether_it_waited(queue, clock) -> None:
    asks: list[str] = []

    class Slow(QueueSlots):
        """Each ask is slow, as on a loaded machine (one transaction longer than 0.05 s); a
        health reading flags support after the second."""

        def acquire(self, request: SlotRequest, owner: str) -> tuple[Any, bool]:
            got = super().acquire(request, owner)
            time.sleep(0.1)  # the pause is the condition, not a wait for something
            asks.append(request.subtask_id)
            if asks == ["b", "b"]:
                record_health(queue.engine, {"support": (False, ("down",))}, clock())
            return got

    # Refused for capacity, then flagged while it waited: it says how long it waited.
    for sub in ("x", "y"):
        assert QueueSlots(queue).acquire(ask(sub, "support"), f"w-{sub}")[1]
    with pytest.raises(CapacityWait, match=r"^subtask b waited \d+\.\d s for a slot of support"):
        with Slow(queue, wait_seconds=5).hold(ask("b", "support")):
            pass
    # Refused at its first ask: it never waited, however long that ask took.
    with pytest.raises(CapacityWait, match=r"^subtask a gets no slot of support, which is unh"):
        with Slow(queue, wait_seconds=5).hold(ask("a", "support")):
            pass
    assert asks == ["b", "b", "a"]


def started(queue: SqlRunQueue, agent: str) -> int:
    with queue.engine.connect() as conn:
        return conn.execute(
            select(func.count())
            .select_from(jobs)
            .where(jobs.c.agent == agent, jobs.c.started_at.is_not(None))
        ).scalar_one()


def test_a_health_reading_waits_for_a_grant_in_flight_on_postgres(queue, clock) -> None:
    if not queue.is_postgres:
        pytest.skip("SQLite's writer is alone: a reading cannot overlap a grant")
    slots = QueueSlots(queue)
    with queue.writer.begin() as grant:
        queue.lock_agent(grant, "billing")  # a grant of billing's, in flight
        assert queue.has_room(grant, "billing")
        reading = threading.Thread(
            target=record_health,
            args=(queue.engine, {"billing": (False, ("down",))}, clock()),
        )
        reading.start()
        waiting = text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        deadline = time.monotonic() + 30  # a guard: it is observed waiting, or it is a failure
        with queue.engine.connect() as conn:
            while not conn.execute(waiting).scalar_one():
                assert time.monotonic() < deadline, "the reading never waited for the grant"
                conn.rollback()
        with queue.engine.connect() as conn:
            assert queue.unhealthy(conn, "billing") is None  # not written before the grant ends
    reading.join()
    assert not slots.acquire(ask("a"), "w")[1]  # a later grant sees the reading


def test_a_grant_that_leaves_room_wakes_the_waiter_behind_it(db_url, tmp_path, clock) -> None:
    # Support (capacity 2) is full; a, then b wait in line, each as its own process would.
    # Both slots free in one transaction; b looks first and is refused (a is ahead); then a
    # is granted, and one slot is left: b must be woken for it, not sleep until a slot is
    # freed or its poll. (Before, a grant woke nobody: with short runs in a long line, one
    # slot of two was used at a time.) The waiters' poll is 120 s: only a wake-up is in time.
    url = Settings(home=tmp_path, db_url=db_url).app_db_url
    limits = Limits(capacity={"support": 2})
    qs = [SqlRunQueue(make_engine(url), clock, limits=limits) for _ in range(3)]
    held_q, a_q, b_q = qs
    holder = QueueSlots(held_q)
    held = [holder.acquire(ask(s, "support"), "elsewhere")[0] for s in ("h1", "h2")]
    assert all(h.state == "running" for h in held)
    a_slots, b_slots = (
        QueueSlots(q, wait_seconds=120, waiter_lease_seconds=360, poll_seconds=120)
        for q in (a_q, b_q)
    )
    freed, b_refused, release = threading.Event(), threading.Event(), threading.Event()
    inside: dict[str, threading.Event] = {"a": threading.Event(), "b": threading.Event()}
    real_a, real_b = a_slots.acquire, b_slots.acquire
    # A look either ends before the slots are freed or begins after (on SQLite a waiter
    # looks at every poll).
    gate = threading.Lock()

    def acquire_a(request: SlotRequest, owner: str):  # type: ignore[no-untyped-def]
        with gate:
            if not freed.is_set():
                return real_a(request, owner)
        assert b_refused.wait(60)  # b looks first once the slots are free
        return real_a(request, owner)

    def acquire_b(request: SlotRequest, owner: str):  # type: ignore[no-untyped-def]
        with gate:
            if not freed.is_set():
                return real_b(request, owner)
        job, granted = real_b(request, owner)
        if not granted:
            b_refused.set()
        return job, granted

    a_slots.acquire, b_slots.acquire = acquire_a, acquire_b  # type: ignore[method-assign]
    # Their rows are queued before anyone listens: no waiter is woken by another's row, so
    # each wakes only for the freed slots and then for a grant that wakes it.
    lines = {"a": (a_slots, "high"), "b": (b_slots, "normal")}
    for name, (slots, priority) in lines.items():
        assert not slots.acquire(ask(name, "support", priority), "before")[1]
    for q in (a_q, b_q):
        q.wait(0.01)  # on Postgres: LISTEN is in place before anything is sent

    def wait_in_line(name: str, slots: QueueSlots, priority: str) -> None:
        with slots.hold(ask(name, "support", priority)):
            inside[name].set()
            release.wait(60)

    threads = [
        threading.Thread(target=wait_in_line, args=(name, *line), daemon=True)
        for name, line in lines.items()
    ]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30  # a hang guard: both are observed waiting in line
    with held_q.engine.connect() as conn:
        waiting = select(func.count()).where(
            jobs.c.kind == "slot", jobs.c.state == "queued", jobs.c.lease_owner != "before"
        )
        while conn.execute(waiting).scalar_one() < 2:
            assert time.monotonic() < deadline, "a and b never waited in line"
            conn.rollback()
    with gate, held_q.writer.begin() as conn:  # one NOTIFY for both: each waiter wakes once
        freed.set()
        conn.execute(
            update(jobs)
            .where(jobs.c.id.in_([h.id for h in held]))
            .values(state="done", lease_owner=None, finished_at=clock())
        )
        if held_q.is_postgres:
            conn.execute(text("NOTIFY rm_jobs"))
    try:
        assert inside["a"].wait(60) and b_refused.is_set()
        assert inside["b"].wait(60), "b slept while a slot was free"
    finally:
        release.set()
        for t in threads:
            t.join(60)
        for q in qs:
            q.close()
            q.engine.dispose()
