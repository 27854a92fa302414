"""Slots over the run queue: the graph's subtasks held to each agent's capacity and rate limit
across every process (graph/slots.py is the protocol; the agent node asks for one).

A slot is a row of `rm_jobs`, kind `slot`, one per attempt of a subtask:

    key      slot:THREAD:TURN:SUBTASK:ATTEMPT   (a re-run after a crash finds its own row)
    agent    the agent that will run it: the planned one, unless a rebalancer moved the row
             while it was queued (`UPDATE rm_jobs SET agent=… WHERE id=… AND state='queued'`)
    priority the requester's (0 low … 3 urgent); age is `created_at`, kept across re-runs
    payload  {subtask_id, attempt, planned_agent, requester, priority, scopes}; a mover may
             add `move_reason` (shown to people when the moved slot runs)

    acquire  ONE transaction: insert-if-absent, take the agent's lock, then grant (state
             running, a lease) only if the agent has room under its capacity and rate AND no
             other live waiter of the agent ranks before this one (priority desc, then age)
             and the agent is not flagged unhealthy (`SqlRunQueue.has_room`);
             else stay queued with a short waiter's lease (a waiter that died stops counting
             once it lapses, but its row keeps its place for its run's next attempt);
             a grant that leaves room while others wait in line wakes them (they were
             refused while it was ahead of them)
    hold     a heartbeat renews the lease while the agent runs; completed when it ends
    bound    past `wait_seconds` the node raises CapacityWait: the worker puts the run back
             in the queue (no attempt counted) and the re-run asks again with the same row;
             a row a rebalancing pass moved meanwhile (off an unhealthy agent: all of them)
             is granted for its new agent

A finished row asked for again (the agent was interrupted for a tool approval, or a crash
came after it finished but before its checkpoint) is opened again for the agent asked for.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import Connection

from ringmaster.graph.slots import CapacityWait, Grant, SlotRequest
from ringmaster.review_queue import PRIORITIES
from ringmaster.run_queue import SLOT, Job, SqlRunQueue, job_from_row, kept_alive
from ringmaster.tables import jobs
from ringmaster.thread_store import new_owner


def slot_key(r: SlotRequest) -> str:
    return f"slot:{r.thread_id}:{r.turn}:{r.subtask_id}:{r.attempt}"


class QueueSlots:
    """`graph.slots.Slots` on a `SqlRunQueue` (its limits are the team's)."""

    def __init__(
        self,
        queue: SqlRunQueue,
        *,
        wait_seconds: float = 10.0,
        unhealthy_requeue_seconds: float = 30.0,
        waiter_lease_seconds: float = 2.0,
        poll_seconds: float = 0.5,
    ) -> None:
        self.queue = queue
        self.wait_seconds = wait_seconds
        self.unhealthy_requeue_seconds = unhealthy_requeue_seconds
        self.lease = queue.lease  # a held slot's, renewed like a run's
        self.waiter_lease = timedelta(seconds=waiter_lease_seconds)
        self.poll_seconds = min(poll_seconds, waiter_lease_seconds / 3)

    @contextmanager
    def hold(self, request: SlotRequest) -> Iterator[Grant]:
        owner = new_owner()
        start = time.monotonic()
        slept = False  # refused at its first ask, it never waited, however slow that ask
        while True:
            job, granted = self.acquire(request, owner)
            if granted:
                break
            agent = job.agent or request.agent
            waited = time.monotonic() - start
            reasons = self._unhealthy(agent)
            if reasons is not None:
                # Nothing is granted to it before the next health reading: holding a worker
                # for the wait buys nothing, so the run comes back after that reading.
                raise CapacityWait(
                    agent, request.subtask_id, waited if slept else 0.0, _unhealthy_why(reasons),
                    retry_after=self.unhealthy_requeue_seconds,
                )  # fmt: skip
            left = self.wait_seconds - waited
            if left <= 0:
                raise CapacityWait(agent, request.subtask_id, self.wait_seconds)
            self.queue.wait(min(left, self.poll_seconds))  # a NOTIFY when a slot frees
            slept = True
        agent = job.agent or request.agent
        moved = None
        if agent != request.agent:
            moved = (job.payload or {}).get("move_reason") or (
                f"the run queue moved the waiting subtask from {request.agent} to {agent}"
            )
        try:
            with kept_alive(self.queue, job.id, owner):  # renewed while the agent runs
                yield Grant(agent=agent, moved=moved)
        finally:
            self.queue.complete(job.id, owner)

    def _unhealthy(self, agent: str) -> list[str] | None:
        with self.queue.engine.connect() as conn:
            return self.queue.unhealthy(conn, agent)

    # -- one attempt, one transaction --------------------------------------------------------
    def acquire(self, request: SlotRequest, owner: str) -> tuple[Job, bool]:
        """The slot's row, and whether it is now held by `owner`."""
        q, c, key = self.queue, jobs.c, slot_key(request)
        with q.writer.begin() as conn:
            seen = conn.execute(select(c.agent, c.state).where(c.key == key)).first()
            reopen = seen is not None and seen.state in ("done", "failed", "cancelled")
            agent = request.agent if seen is None or reopen else seen.agent
            q.lock_agent(conn, agent)  # first: before any row of ours is locked
            if seen is None:
                q.enqueue_in(
                    conn,
                    key=key,
                    kind=SLOT,
                    thread_id=request.thread_id,
                    turn=request.turn,
                    agent=agent,
                    priority=PRIORITIES.get(request.priority, 1),
                    payload=payload(request),
                )
            elif reopen:
                conn.execute(
                    update(jobs)
                    .where(c.key == key)
                    .values(state="queued", agent=agent, payload=payload(request), finished_at=None)
                )
            pick = select(jobs).where(c.key == key)
            job = job_from_row(
                conn.execute(pick.with_for_update() if q.is_postgres else pick).one()
            )
            now = q.clock()
            if job.agent != agent:  # moved between our read and our lock: the next pass
                return job, False
            if job.state == "running" and job.lease_owner == owner:
                return job, True
            if job.state == "running" and (job.lease_expires or now) >= now:
                return job, False  # an earlier run of this attempt holds it until its lease lapses
            if not self._ahead(conn, job, now) and q.has_room(conn, agent):
                values: dict[str, Any] = dict(
                    state="running", lease_owner=owner, lease_expires=now + self.lease,
                    attempts=c.attempts + 1, started_at=now,
                )  # fmt: skip
            else:  # wait in line, alive for as long as this lease is renewed
                values = dict(
                    state="queued", lease_owner=owner, lease_expires=now + self.waiter_lease
                )
            conn.execute(update(jobs).where(c.id == job.id).values(**values))
            granted = values["state"] == "running"
            if granted and self._waiting(conn, agent, now) and q.has_room(conn, agent):
                # Waiters behind this one were refused while it was first in line, and sleep
                # until a wake-up: room is left, so the next in line is woken for it now, not
                # when a slot is freed or at its poll (one slot of two idle meanwhile).
                q.wake_in(conn)
            return q._get(conn, job.id), granted

    def _waiting(self, conn: Connection, agent: str, now: Any) -> bool:
        """Is a live waiter of `agent` in line?"""
        c = jobs.c
        live = and_(c.kind == SLOT, c.agent == agent, c.state == "queued", c.lease_expires >= now)
        return conn.execute(select(c.id).where(live).limit(1)).first() is not None

    def _ahead(self, conn: Connection, job: Job, now: Any) -> bool:
        """Is a live waiter of the same agent before `job` in line (priority, then age)?"""
        c = jobs.c
        before = or_(
            c.priority > job.priority,
            and_(
                c.priority == job.priority,
                or_(
                    c.created_at < job.created_at,
                    and_(c.created_at == job.created_at, c.id < job.id),
                ),
            ),
        )
        n = conn.execute(
            select(func.count())
            .select_from(jobs)
            .where(
                c.kind == SLOT,
                c.agent == job.agent,
                c.state == "queued",
                c.lease_expires >= now,
                c.id != job.id,
                before,
            )
        ).scalar_one()
        return bool(n)


def _unhealthy_why(reasons: list[str]) -> str:
    return "is unhealthy (" + ("; ".join(reasons) or "no reason given") + ")"


def payload(r: SlotRequest) -> dict[str, Any]:
    return {
        "subtask_id": r.subtask_id,
        "attempt": r.attempt,
        "planned_agent": r.agent,
        "requester": r.requester,
        "priority": r.priority,
        "scopes": list(r.scopes),
    }
