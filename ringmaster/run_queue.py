"""The durable run queue: units of work in ringmaster's own SQL store, claimed by workers
under leases.

    enqueue_in(conn, key=…)   in the caller's transaction; a second enqueue of the same key
      │                       (the thread's turn, the decision's item) is a no-op
      ▼
    queued ── claim: ONE transaction takes the first claimable job by (priority desc, age)
      │       whose agent (if it names one) has a free slot under its capacity and rate
      ▼
    running (lease owner, lease expiry) ── heartbeat extends the lease
      │  complete → done     retry(delay) → queued again after the backoff
      │  give_up → failed    cancel → cancelled
      ▼
    a running job whose lease expired (its worker died) is claimable again by any worker

    held: a turn that waits for earlier reviews (ringmaster/turn_order.py) — never claimed,
      not open (nobody waits on it); release_in puts it back in line once they are decided

An agent flagged unhealthy (`rm_agent_health`, kept by check-ins and rebalancing passes) has
no room: nothing of it starts until the flag says it recovered; its queued work waits for a
rebalancing pass to move it to a stand-in or tell a person (ringmaster/rebalance.py).

Postgres: an agent's capacity and rate are checked under a transaction-scoped advisory lock
on the agent, which then takes the agent's first job in line (strict priority); a claim that
finds the lock taken looks again within `poll_seconds` (the other check lasts a transaction),
so a worker that lost that race does not leave a free slot idle until the next NOTIFY; a job
of no limited agent is locked `FOR UPDATE SKIP LOCKED`; every enqueue and every freed slot
NOTIFYs `rm_jobs`, as does a slot's grant that leaves room for a waiter behind it. SQLite:
write transactions begin IMMEDIATE (one writer at a time, one machine), and workers poll.
Schedules run each (name, tick) once, whichever process asks first.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, func, insert, or_, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from ringmaster.clock import Clock, as_utc, utcnow
from ringmaster.tables import agent_health, jobs, schedule_ticks, writer

CHANNEL = "rm_jobs"
OPEN_STATES = ("queued", "running")
HELD = "held"  # a run waiting for earlier reviews to be decided: not claimable, not open
SLOT = "slot"  # a subtask's slot of an agent (ringmaster/slots.py): never claimed by workers


@dataclass(frozen=True)
class Job:
    id: str
    key: str
    kind: str
    thread_id: str
    turn: int
    agent: str | None
    priority: int
    state: str
    payload: dict[str, Any] | None
    attempts: int
    lease_owner: str | None
    lease_expires: datetime | None
    last_error: str | None
    run_after: datetime
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def agent_counts(conn: Connection, now: datetime) -> tuple[dict[str, int], dict[str, int]]:
    """Per agent: its subtasks waiting for a slot (queued `slot` rows), and its jobs running
    under a live lease (the load the rebalancer and the status page read)."""
    c = jobs.c
    waiting = (
        select(c.agent, func.count())
        .where(c.state == "queued", c.kind == SLOT, c.agent.is_not(None))
        .group_by(c.agent)
    )
    running = (
        select(c.agent, func.count())
        .where(c.state == "running", c.agent.is_not(None), c.lease_expires >= now)
        .group_by(c.agent)
    )
    return (
        {str(a): int(n) for a, n in conn.execute(waiting)},
        {str(a): int(n) for a, n in conn.execute(running)},
    )


def lock_agents(conn: Connection, agents: Iterable[str]) -> None:
    """Wait for each agent's lock (Postgres, every agent, one order for every writer that
    takes several; SQLite's writer is alone already): whoever holds one (a grant checking
    room, a health reading, a rebalancing move) commits first, and this transaction then sees
    what it wrote."""
    if conn.dialect.name == "postgresql":
        for a in sorted(set(agents)):
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:a))"), {"a": a})


@contextmanager
def kept_alive(queue: SqlRunQueue, job_id: str, owner: str) -> Iterator[None]:
    """Renew the job's lease every third of it while the block runs (an agent, an LLM's
    answer, may run longer than the lease); it stops once the job is no longer `owner`'s."""
    stop = threading.Event()
    every = queue.lease.total_seconds() / 3

    def beat() -> None:
        while not stop.wait(every):
            if not queue.heartbeat(job_id, owner):
                return

    t = threading.Thread(target=beat, name=f"lease-{job_id[:8]}", daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join()


def job_from_row(r: Any) -> Job:
    m = dict(r._mapping)
    for k in ("lease_expires", "run_after", "created_at", "started_at", "finished_at"):
        m[k] = as_utc(m[k])
    return Job(**m)


@dataclass(frozen=True)
class Limits:
    """Per agent: how many of its jobs may run at once, and how many may start per period."""

    capacity: Mapping[str, int] = field(default_factory=dict)
    rate: Mapping[str, tuple[int, float]] = field(default_factory=dict)  # (calls, seconds)


class RunQueue(Protocol):
    """What workers, the runner and the decision service need of a run queue."""

    def enqueue_in(
        self,
        conn: Connection,
        *,
        key: str,
        kind: str,
        thread_id: str,
        turn: int = 0,
        agent: str | None = None,
        priority: int = 1,
        payload: dict[str, Any] | None = None,
        delay: float = 0.0,
    ) -> bool: ...

    def claim(
        self, owner: str, *, kinds: Iterable[str] | None = None, thread_id: str | None = None
    ) -> Job | None: ...

    def heartbeat(self, job_id: str, owner: str) -> bool: ...

    def complete(self, job_id: str, owner: str) -> bool: ...

    def retry(self, job_id: str, owner: str, error: str, delay: float) -> bool: ...

    def release(self, job_id: str, owner: str, delay: float) -> bool: ...

    def give_up(self, job_id: str, owner: str, error: str) -> bool: ...

    def tick(self, name: str, tick: int, owner: str) -> bool: ...

    def wait(self, timeout: float) -> None: ...


class _Contended(Exception):
    """A claim found jobs only of agents another claim was checking at that instant."""


class SqlRunQueue:
    """The run queue on SQLite or Postgres (SQLAlchemy Core), behind `RunQueue`."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock = utcnow,
        *,
        lease_seconds: float = 60.0,
        limits: Limits | None = None,
        poll_seconds: float = 0.05,
    ) -> None:
        self.engine = engine
        self.writer = writer(engine)
        self.clock = clock
        self.lease = timedelta(seconds=lease_seconds)
        self.limits = limits or Limits()
        self.poll_seconds = poll_seconds
        self.is_postgres = engine.dialect.name == "postgresql"
        self._local = threading.Condition()  # wakes waiters in this process
        self._listen: Any = None
        self._listen_lock = threading.Lock()

    # -- writing work --------------------------------------------------------------------
    def enqueue_in(
        self,
        conn: Connection,
        *,
        key: str,
        kind: str,
        thread_id: str,
        turn: int = 0,
        agent: str | None = None,
        priority: int = 1,
        payload: dict[str, Any] | None = None,
        delay: float = 0.0,
    ) -> bool:
        """Queue a job in `conn`'s transaction; False (nothing written) if `key` exists."""
        now = self.clock()
        values = dict(
            id=uuid.uuid4().hex,
            key=key,
            kind=kind,
            thread_id=thread_id,
            turn=turn,
            agent=agent,
            priority=priority,
            state="queued",
            payload=payload,
            attempts=0,
            run_after=now + timedelta(seconds=delay),
            created_at=now,
        )
        from sqlalchemy.dialects import postgresql, sqlite

        dialect_insert = postgresql.insert if self.is_postgres else sqlite.insert
        stmt = (
            dialect_insert(jobs)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(jobs.c.id)
        )
        added = conn.execute(stmt).first() is not None
        if added and self.is_postgres:
            conn.execute(text(f"NOTIFY {CHANNEL}"))  # delivered at commit
        if added:
            self._wake()
        return added

    def enqueue(self, **job: Any) -> bool:
        """`enqueue_in` in a transaction of its own."""
        with self.writer.begin() as conn:
            return self.enqueue_in(conn, **job)

    # -- claiming ------------------------------------------------------------------------
    def claim(
        self, owner: str, *, kinds: Iterable[str] | None = None, thread_id: str | None = None
    ) -> Job | None:
        """Lease the first claimable job (of `kinds`, of `thread_id`) whose agent has room,
        or None. Slots (kind `slot`, ringmaster/slots.py: the agent node takes its own) are
        claimed only when `kinds` names them, as the capacity benchmark's stand-in nodes do;
        workers never name them."""
        # Imported here: commands that only read the queue (`ringmaster status`) never claim,
        # and leave tenacity unloaded (tests/ringmaster/test_packaging.py).
        from tenacity import (
            Retrying,
            retry_if_exception_type,
            stop_after_attempt,
            wait_random_exponential,
        )

        try:
            for attempt in Retrying(
                retry=retry_if_exception_type(_Contended),
                stop=stop_after_attempt(4),
                wait=wait_random_exponential(multiplier=0.005, max=self.poll_seconds),
                reraise=True,
            ):
                with attempt:
                    return self._claim_once(owner, kinds, thread_id)
        except _Contended:
            pass
        return None

    def _claim_once(
        self, owner: str, kinds: Iterable[str] | None, thread_id: str | None
    ) -> Job | None:
        """One claim transaction. Raises `_Contended` (nothing taken) when the only agents
        with jobs in line were being checked by another claim at that instant: that check
        ends with its transaction, and may leave room for this one, so `claim` looks again
        shortly instead of leaving the worker to wait for the next NOTIFY."""
        c = jobs.c
        busy: set[str] = set()
        contended: set[str] = set()
        kinds = None if kinds is None else list(kinds)

        def claimable(now: datetime) -> Any:
            q = select(jobs).where(
                c.kind != SLOT if kinds is None or SLOT not in kinds else c.kind == SLOT,
                or_(
                    and_(c.state == "queued", c.run_after <= now),
                    and_(c.state == "running", c.lease_expires < now),  # its worker is gone
                ),
            )
            if kinds is not None:
                q = q.where(c.kind.in_(kinds))
            if thread_id is not None:
                q = q.where(c.thread_id == thread_id)
            return q.order_by(c.priority.desc(), c.created_at, c.id)

        with self.writer.begin() as conn:
            for _ in range(4):  # each pass leaves out the agents found busy in the one before
                q = claimable(self.clock())  # in the transaction: SQLite's write lock is held
                if busy:
                    q = q.where(or_(c.agent.is_(None), c.agent.not_in(sorted(busy))))
                # Candidates are read without locks; the one taken is locked below.
                rows = [job_from_row(r) for r in conn.execute(q.limit(16))]
                if not rows:
                    break
                for job in rows:
                    if job.agent in busy:
                        continue
                    if job.agent is not None and not self._try_lock(conn, job.agent):
                        busy.add(job.agent)
                        contended.add(job.agent)
                        continue
                    if job.agent is not None and not self.has_room(conn, job.agent):
                        busy.add(job.agent)
                        continue
                    if job.agent is not None and self.limited(job.agent):
                        # Under the agent's lock no other claim takes its jobs: take the first
                        # in line, so priority is strict even between claims at one instant.
                        pick = claimable(self.clock()).where(c.agent == job.agent).limit(1)
                        skip = False
                    else:
                        pick, skip = claimable(self.clock()).where(c.id == job.id), True
                    if self.is_postgres:
                        pick = pick.with_for_update(skip_locked=skip)
                    row = conn.execute(pick).first()
                    if row is None:  # taken meanwhile
                        continue
                    now = self.clock()  # after the agent's lock: the start is now
                    conn.execute(
                        update(jobs)
                        .where(c.id == row.id)
                        .values(
                            state="running",
                            lease_owner=owner,
                            lease_expires=now + self.lease,
                            attempts=c.attempts + 1,
                            started_at=now,
                        )
                    )
                    return self._get(conn, row.id)
        if contended:
            raise _Contended(sorted(contended))
        return None

    def limited(self, agent: str) -> bool:
        return agent in self.limits.capacity or agent in self.limits.rate

    def lock_agent(self, conn: Connection, agent: str) -> None:
        """Wait for the agent's lock (Postgres; SQLite's writer is already alone). Only for
        a transaction that holds no other agent's lock and no job row yet: take it first."""
        if self.is_postgres and self.limited(agent):
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:a))"), {"a": agent})

    def unhealthy(self, conn: Connection, agent: str) -> list[str] | None:
        """Why the agent is flagged unhealthy, or None (healthy, or never checked): the flag
        check-ins and rebalancing passes keep (`agent_status.record_health`)."""
        c = agent_health.c
        row = conn.execute(select(c.healthy, c.reasons).where(c.agent == agent)).first()
        if row is None or row.healthy:
            return None
        return [str(r) for r in row.reasons or []]

    def _try_lock(self, conn: Connection, agent: str) -> bool:
        """Take the agent's lock if nobody holds it (Postgres, limited agents; else True).
        A try-lock: a claim that waited here while holding another agent's lock could
        deadlock with one doing the opposite. Advisory locks are re-entrant."""
        if not (self.is_postgres and self.limited(agent)):
            return True
        got = conn.execute(text("SELECT pg_try_advisory_xact_lock(hashtext(:a))"), {"a": agent})
        return bool(got.scalar_one())

    def has_room(self, conn: Connection, agent: str) -> bool:
        """May the agent start one more job now: not flagged unhealthy (an unhealthy agent
        gets no new work until it recovers), and under its capacity and rate. The caller
        holds the agent's lock (`_try_lock` in a claim, `lock_agent` in a slot's acquire),
        which serialises this check per agent across every process."""
        capacity = self.limits.capacity.get(agent)
        rate = self.limits.rate.get(agent)
        if capacity is None and rate is None:
            return self.unhealthy(conn, agent) is None
        # After the lock, which a health reading takes to write its flag (record_health): a
        # reading committed before this grant is seen, a later one waits for it.
        if self.unhealthy(conn, agent) is not None:
            return False
        now = self.clock()  # after the lock: what others committed before it is seen
        c = jobs.c
        if capacity is not None:
            running = conn.execute(
                select(func.count())
                .select_from(jobs)
                .where(c.agent == agent, c.state == "running", c.lease_expires >= now)
            ).scalar_one()
            if running >= capacity:
                return False
        if rate is not None:
            calls, seconds = rate
            started = conn.execute(
                select(func.count())
                .select_from(jobs)
                .where(c.agent == agent, c.started_at > now - timedelta(seconds=seconds))
            ).scalar_one()
            if started >= calls:
                return False
        return True

    # -- finishing -----------------------------------------------------------------------
    def _finish(self, job_id: str, owner: str, **values: Any) -> bool:
        c = jobs.c
        with self.writer.begin() as conn:
            if "finished_at" in values:  # inside the transaction, as a claim's start is
                values["finished_at"] = self.clock()
            done = conn.execute(
                update(jobs)
                .where(c.id == job_id, c.lease_owner == owner, c.state == "running")
                .values(**values)
            ).rowcount
            if done and "lease_owner" in values and self.is_postgres:
                conn.execute(text(f"NOTIFY {CHANNEL}"))  # a slot is free: wake the waiters
        if done and "lease_owner" in values:
            self._wake()  # a slot (or a retry) may be free for a waiter here
        return bool(done)

    def heartbeat(self, job_id: str, owner: str) -> bool:
        """Extend the lease; False if the job is no longer this owner's (it was reclaimed)."""
        return self._finish(job_id, owner, lease_expires=self.clock() + self.lease)

    def complete(self, job_id: str, owner: str) -> bool:
        return self._finish(
            job_id, owner, state="done", lease_owner=None, lease_expires=None,
            finished_at=self.clock(),
        )  # fmt: skip

    def retry(self, job_id: str, owner: str, error: str, delay: float) -> bool:
        """Back to the queue after `delay` seconds, its error kept."""
        return self._finish(
            job_id, owner, state="queued", lease_owner=None, lease_expires=None,
            last_error=error, run_after=self.clock() + timedelta(seconds=delay),
        )  # fmt: skip

    def release(self, job_id: str, owner: str, delay: float) -> bool:
        """Back to the queue after `delay` seconds, the attempt not counted (it never ran)."""
        return self._finish(
            job_id, owner, state="queued", lease_owner=None, lease_expires=None,
            attempts=jobs.c.attempts - 1, run_after=self.clock() + timedelta(seconds=delay),
        )  # fmt: skip

    def give_up(self, job_id: str, owner: str, error: str) -> bool:
        return self._finish(
            job_id, owner, state="failed", lease_owner=None, lease_expires=None,
            last_error=error, finished_at=self.clock(),
        )  # fmt: skip

    def hold_in(self, conn: Connection, job: Job, payload: dict[str, Any]) -> bool:
        """Set a running job aside (state held, its payload replaced) in `conn`'s transaction,
        the attempt not counted: it runs when `release_in` puts it back in line."""
        c = jobs.c
        return bool(
            conn.execute(
                update(jobs)
                .where(c.id == job.id, c.lease_owner == job.lease_owner, c.state == "running")
                .values(
                    state=HELD,
                    lease_owner=None,
                    lease_expires=None,
                    payload=payload,
                    attempts=c.attempts - 1,
                )  # fmt: skip
            ).rowcount
        )

    def release_in(self, conn: Connection, job_id: str) -> bool:
        """A held job back in line, at once, in `conn`'s transaction."""
        c = jobs.c
        done = conn.execute(
            update(jobs)
            .where(c.id == job_id, c.state == HELD)
            .values(state="queued", run_after=self.clock())
        ).rowcount
        if done and self.is_postgres:
            conn.execute(text(f"NOTIFY {CHANNEL}"))
        if done:
            self._wake()
        return bool(done)

    def withdraw_in(self, conn: Connection, job_id: str) -> bool:
        """Cancel one held job (its requester called it off) in `conn`'s transaction; False
        if it is held no longer (released, or cancelled with its thread)."""
        c = jobs.c
        return bool(
            conn.execute(
                update(jobs)
                .where(c.id == job_id, c.state == HELD)
                .values(state="cancelled", finished_at=self.clock())
            ).rowcount
        )

    def held(self, thread_id: str) -> list[Job]:
        """The thread's held jobs, oldest first."""
        c = jobs.c
        q = select(jobs).where(c.thread_id == thread_id, c.state == HELD)
        with self.engine.connect() as conn:
            return [job_from_row(r) for r in conn.execute(q.order_by(c.turn))]

    def all_held(self) -> list[Job]:
        """Every held job, for recovery."""
        with self.engine.connect() as conn:
            return [job_from_row(r) for r in conn.execute(select(jobs).where(jobs.c.state == HELD))]

    def cancel_in(
        self,
        conn: Connection,
        thread_id: str,
        kinds: Iterable[str] | None = None,
        states: Iterable[str] = (*OPEN_STATES, HELD),
    ) -> int:
        """Cancel a thread's open and held jobs (of `kinds`, in `states`) in `conn`'s
        transaction."""
        c = jobs.c
        q = update(jobs).where(c.thread_id == thread_id, c.state.in_(list(states)))
        if kinds is not None:
            q = q.where(c.kind.in_(list(kinds)))
        return conn.execute(
            q.values(state="cancelled", lease_owner=None, finished_at=self.clock())
        ).rowcount

    # -- reading -------------------------------------------------------------------------
    def _get(self, conn: Connection, job_id: str) -> Job:
        return job_from_row(conn.execute(select(jobs).where(jobs.c.id == job_id)).one())

    def get(self, job_id: str) -> Job:
        with self.engine.connect() as conn:
            return self._get(conn, job_id)

    def by_key(self, key: str) -> Job | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(jobs).where(jobs.c.key == key)).first()
        return job_from_row(r) if r is not None else None

    def for_thread(
        self, thread_id: str, *, open_only: bool = False, slots: bool = False
    ) -> list[Job]:
        """The thread's jobs (its subtasks' slots only with `slots`: they belong to a run)."""
        c = jobs.c
        q = select(jobs).where(c.thread_id == thread_id, (c.kind == SLOT) == slots)
        if open_only:
            q = q.where(c.state.in_(OPEN_STATES))
        with self.engine.connect() as conn:
            return [job_from_row(r) for r in conn.execute(q.order_by(c.created_at))]

    def waiting_slots(self, thread_id: str) -> list[tuple[Job, list[str] | None]]:
        """The thread's subtasks queued for an agent's slot, each with why its agent is
        flagged unhealthy (`unhealthy`; None: not flagged, nothing stops it but room)."""
        queued = [j for j in self.for_thread(thread_id, open_only=True, slots=True)
                  if j.state == "queued"]  # fmt: skip
        if not queued:
            return []
        with self.engine.connect() as conn:
            return [(j, self.unhealthy(conn, j.agent) if j.agent else None) for j in queued]

    def agent_counts(self) -> tuple[dict[str, int], dict[str, int]]:
        with self.engine.connect() as conn:
            return agent_counts(conn, self.clock())

    def counts(self) -> dict[str, int]:
        q = select(jobs.c.state, func.count()).group_by(jobs.c.state)
        with self.engine.connect() as conn:
            return {s: n for s, n in conn.execute(q)}

    # -- schedules and wakeups -------------------------------------------------------------
    def tick(self, name: str, tick: int, owner: str) -> bool:
        """True for exactly one caller per (name, tick), across every process."""
        try:
            with self.writer.begin() as conn:
                conn.execute(
                    insert(schedule_ticks).values(
                        name=name, tick=tick, owner=owner, at=self.clock()
                    )
                )
        except IntegrityError:
            return False
        return True

    def wait(self, timeout: float) -> None:
        """Until a job may have been queued (a NOTIFY on Postgres, an enqueue or a retry in
        this process) or `timeout` seconds; on SQLite at most `poll_seconds` (it polls)."""
        if self.is_postgres and self._listen_lock.acquire(blocking=False):
            try:  # one thread per process listens, and wakes the others
                for _ in self._listener().notifies(timeout=timeout, stop_after=1):
                    self._wake()
            finally:
                self._listen_lock.release()
            return
        with self._local:
            self._local.wait(timeout if self.is_postgres else min(timeout, self.poll_seconds))

    def wake_in(self, conn: Connection) -> None:
        """Wake every waiter: other processes' at `conn`'s commit, this process's now."""
        if self.is_postgres:
            conn.execute(text(f"NOTIFY {CHANNEL}"))
        self._wake()

    def _wake(self) -> None:
        with self._local:
            self._local.notify_all()

    def _listener(self) -> Any:
        if self._listen is None:
            import psycopg

            url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._listen = psycopg.connect(url, autocommit=True)
            self._listen.execute(f"LISTEN {CHANNEL}")
        return self._listen

    def close(self) -> None:
        if self._listen is not None:
            self._listen.close()
            self._listen = None
