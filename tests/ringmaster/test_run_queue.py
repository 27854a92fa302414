"""The run queue's conformance suite: every test runs on SQLite and on Postgres."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from ringmaster.run_queue import Limits, SqlRunQueue
from ringmaster.settings import Settings
from ringmaster.tables import jobs, make_engine


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def app_url(db_url: str | None, tmp_path: Path) -> str:
    return Settings(home=tmp_path, db_url=db_url).app_db_url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_queue(app_url: str, clock: FakeClock) -> Iterator:
    made: list[SqlRunQueue] = []

    def make(**kw: object) -> SqlRunQueue:
        q = SqlRunQueue(make_engine(app_url), clock, lease_seconds=30, **kw)  # type: ignore[arg-type]
        made.append(q)
        return q

    yield make
    for q in made:
        q.close()
        q.engine.dispose()


def add(q: SqlRunQueue, key: str, **kw: object) -> bool:
    job = {"kind": "run", "thread_id": f"t-{key}", "turn": 1, **kw}
    return q.enqueue(key=key, **job)


def test_enqueue_is_idempotent_on_its_key(make_queue) -> None:
    q = make_queue()
    assert add(q, "t1:1")
    assert not add(q, "t1:1", priority=3)
    assert q.counts() == {"queued": 1}
    assert q.by_key("t1:1").priority == 1  # the first enqueue stands


def test_enqueue_commits_or_rolls_back_with_the_callers_transaction(make_queue) -> None:
    q = make_queue()
    with pytest.raises(RuntimeError), q.writer.begin() as conn:
        q.enqueue_in(conn, key="lost", kind="run", thread_id="t")
        raise RuntimeError("the caller's transaction fails")
    assert q.by_key("lost") is None
    with q.writer.begin() as conn:
        q.enqueue_in(conn, key="kept", kind="run", thread_id="t")
    assert q.by_key("kept") is not None


def test_claims_by_priority_then_age_and_each_job_once(make_queue, clock) -> None:
    q = make_queue()
    for i, prio in enumerate([1, 3, 1, 0, 3]):
        add(q, f"j{i}", priority=prio)
        clock.advance(1)
    order = [q.claim("w").key for _ in range(5)]
    assert order == ["j1", "j4", "j0", "j2", "j3"]
    assert q.claim("w") is None
    assert q.counts() == {"running": 5}


def test_a_lease_that_expires_is_reclaimed_and_the_old_owner_loses_it(make_queue, clock) -> None:
    q = make_queue()
    add(q, "j")
    first = q.claim("dead-worker")
    assert first.attempts == 1 and first.lease_owner == "dead-worker"
    assert q.claim("other") is None  # leased
    clock.advance(20)
    assert q.heartbeat(first.id, "dead-worker")  # extends to now + 30
    clock.advance(29)
    assert q.claim("other") is None
    clock.advance(2)
    again = q.claim("other")
    assert again.id == first.id and again.attempts == 2 and again.lease_owner == "other"
    assert not q.complete(first.id, "dead-worker")  # it no longer holds the lease
    assert q.complete(first.id, "other")
    assert q.get(first.id).state == "done"


def test_retry_waits_out_its_backoff_and_keeps_the_error(make_queue, clock) -> None:
    q = make_queue()
    add(q, "j")
    job = q.claim("w")
    assert q.retry(job.id, "w", "boom", delay=10)
    assert q.claim("w") is None
    clock.advance(11)
    again = q.claim("w")
    assert again.id == job.id and again.attempts == 2 and again.last_error == "boom"
    assert q.give_up(job.id, "w", "boom twice")
    failed = q.get(job.id)
    assert failed.state == "failed" and failed.last_error == "boom twice"


def test_capacity_per_agent_and_waiting_jobs_in_priority_order(make_queue, clock) -> None:
    q = make_queue(limits=Limits(capacity={"billing": 2}))
    for i in range(4):
        add(q, f"b{i}", agent="billing", priority=1)
        clock.advance(1)
    add(q, "urgent", agent="billing", priority=3)
    add(q, "other", agent="support")
    held = [q.claim("w"), q.claim("w")]
    assert [j.key for j in held] == ["urgent", "b0"]
    third = q.claim("w")
    assert third.key == "other"  # billing is full; other agents' work goes past it
    assert q.claim("w") is None
    q.complete(held[0].id, "w")
    assert q.claim("w").key == "b1"  # the next billing job, by priority then age
    assert q.claim("w") is None


def test_an_expired_lease_frees_its_capacity_slot(make_queue, clock) -> None:
    q = make_queue(limits=Limits(capacity={"billing": 1}))
    add(q, "a", agent="billing")
    clock.advance(1)
    add(q, "b", agent="billing")
    assert q.claim("dead").key == "a"
    assert q.claim("w") is None
    clock.advance(31)
    assert q.claim("w").key == "a"  # the dead worker's job first: it is the oldest


def test_rate_limit_counts_starts_in_the_period(make_queue, clock) -> None:
    q = make_queue(limits=Limits(rate={"llm": (2, 10.0)}))
    for i in range(4):
        add(q, f"r{i}", agent="llm")
        clock.advance(0.01)
    a, b = q.claim("w"), q.claim("w")
    q.complete(a.id, "w")
    q.complete(b.id, "w")
    assert q.claim("w") is None  # two starts in the last 10 s, though nothing runs
    clock.advance(10.5)
    assert q.claim("w").key == "r2"


def test_kinds_filter(make_queue) -> None:
    q = make_queue()
    add(q, "t", kind="task")
    assert q.claim("w", kinds=["run", "resume"]) is None
    assert q.claim("w", kinds=["task"]).key == "t"


def test_a_schedule_tick_runs_once_across_queues(make_queue) -> None:
    q1, q2 = make_queue(), make_queue()
    assert q1.tick("checkin", 42, "p1")
    assert not q2.tick("checkin", 42, "p2")
    assert not q1.tick("checkin", 42, "p1")
    assert q2.tick("checkin", 43, "p2")


def race(
    drain: Callable[[SqlRunQueue, str], None], queues: list[SqlRunQueue], claimers: int
) -> None:
    """Run `drain` in `claimers` threads at once, spread over the queues' engines."""
    threads = [
        threading.Thread(target=drain, args=(queues[i % len(queues)], f"w{i}"))
        for i in range(claimers)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_concurrent_claims_take_every_job_exactly_once(app_url: str) -> None:
    queues = [SqlRunQueue(make_engine(app_url)) for _ in range(2)]
    for i in range(60):
        add(queues[0], f"c{i}")
    claimed: list[str] = []
    lock = threading.Lock()

    def drain(q: SqlRunQueue, name: str) -> None:
        while (job := q.claim(name)) is not None:
            with lock:
                claimed.append(job.key)
            q.complete(job.id, name)

    race(drain, queues, claimers=6)
    assert sorted(claimed) == sorted(f"c{i}" for i in range(60))
    assert queues[0].counts() == {"done": 60}
    for q in queues:
        q.engine.dispose()


def test_wait_wakes_when_another_process_enqueues(app_url: str) -> None:
    waiter, sender = SqlRunQueue(make_engine(app_url)), SqlRunQueue(make_engine(app_url))
    waiter.wait(0.01)  # on Postgres: LISTEN is in place before anything is sent
    woke = threading.Event()

    def wait() -> None:
        while waiter.claim("w") is None:
            waiter.wait(30)
        woke.set()

    t = threading.Thread(target=wait)
    t.start()
    add(sender, "wake")
    assert woke.wait(20)  # within the wait's timeout: a NOTIFY (Postgres) or a poll (SQLite)
    t.join()
    for q in (waiter, sender):
        q.close()
        q.engine.dispose()


def test_an_agents_jobs_start_in_strict_priority_order_under_concurrent_claims(
    app_url: str,
) -> None:
    # Six claimers over two engines race for one agent of capacity 2: whichever wins, it
    # must take the first job in line, so the start order is exactly (priority desc, age).
    limits = Limits(capacity={"billing": 2})
    queues = [SqlRunQueue(make_engine(app_url), limits=limits) for _ in range(2)]
    keys = [f"p{i:02d}" for i in range(40)]
    for i, key in enumerate(keys):
        add(queues[0], key, kind="task", agent="billing", priority=i % 4)
    expected = sorted(keys, key=lambda k: (-(int(k[1:]) % 4), k))
    deadline = time.monotonic() + 60

    def drain(q: SqlRunQueue, name: str) -> None:
        while q.counts().get("done", 0) < len(keys) and time.monotonic() < deadline:
            job = q.claim(name)
            if job is not None:
                q.complete(job.id, name)

    race(drain, queues, claimers=6)
    with queues[0].engine.connect() as conn:
        started = [k for (k,) in conn.execute(select(jobs.c.key).order_by(jobs.c.started_at))]
    assert started == expected
    for q in queues:
        q.engine.dispose()


def test_a_claim_that_meets_another_claims_check_looks_again(pg_database: str) -> None:
    # Another transaction holds billing's lock (a claim checking its room right now). A claim
    # does not wait on it, so it cannot deadlock: it gives up after a few short looks, and
    # takes the job when the lock is freed between two looks. Before, the first look's
    # "taken" counted as "full": the worker then slept until the next NOTIFY with a slot free.
    url = Settings(db_url=pg_database).app_db_url
    q = SqlRunQueue(make_engine(url), limits=Limits(capacity={"billing": 2}))
    add(q, "b0", agent="billing")
    looks: list[bool] = []
    hold, missed, freed = threading.Event(), threading.Event(), threading.Event()
    real = q._try_lock

    def spy(conn, agent):  # type: ignore[no-untyped-def]
        got = real(conn, agent)
        looks.append(got)
        if not got and hold.is_set() and not missed.is_set():
            missed.set()
            assert freed.wait(60)  # hold this look until the lock is freed (a hang guard)
        return got

    q._try_lock = spy  # type: ignore[method-assign]
    other = make_engine(url).connect()
    other.begin()
    other.execute(text("SELECT pg_advisory_xact_lock(hashtext('billing'))"))
    assert q.claim("w") is None
    assert looks == [False] * 4  # looked again, then gave up: the lock was never freed
    looks.clear()
    hold.set()
    got: list[object] = []
    t = threading.Thread(target=lambda: got.append(q.claim("w")))
    t.start()
    assert missed.wait(60)  # its first look found the lock taken …
    other.rollback()  # … which is freed before its next look
    freed.set()
    t.join(60)
    assert looks == [False, True]
    assert [j.key for j in got] == ["b0"]  # type: ignore[attr-defined]
    other.close()
    q.engine.dispose()
