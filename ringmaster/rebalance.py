"""Rebalancing queued subtasks: `graph/standins.plan_moves` applied to the run queue's jobs.

A subtask waiting for its agent's capacity is an `rm_jobs` row of kind `slot`, state `queued`,
whose `agent` column names the agent that will run it when its slot is granted, and whose
payload holds `subtask_id`, `planned_agent`, `requester` and `scopes` (the requester's). So
moving it is one conditional update of that column:

    UPDATE rm_jobs SET agent = :to WHERE id = :id AND state = 'queued' AND agent = :from

in one transaction with a `reroute` audit event carrying the reason (the status page reads
the same rows, ringmaster/agent_status.py). A row that started, or was
moved by another process, meanwhile is left alone. The target is checked again here, whatever
the planner of the moves decided: it must be the planned agent or one of its stand-ins, known
to the team, and reachable by the requester's scopes. A move off a spike is applied only while
its premise still holds, read under both agents' locks: the source over the threshold, the
target with room. Two passes can overlap (a pass slower than the interval, another worker's
next tick): one planned from loads read before the other's moves would otherwise move the
spike again, onto a stand-in the other had just filled.

Off an unhealthy agent all queued work moves, to its least-loaded healthy stand-in even when
that one is full (plan_moves): it waits in a healthy queue, whose capacity the queue enforces.
Work on an unhealthy agent with no healthy stand-in the requester may reach stays queued
where it is, and goes to a person: an outbox row to the policy's escalation group (delivered
by ringmaster/outbox.py) and a `rebalance_escalated` audit event, once per row and agent. The
run queue starts none of it while the agent is flagged unhealthy; it runs there once the
agent recovers, or moves at a later pass once a stand-in is healthy, unless a person moves or
cancels it first.

`rebalance_pass` is one pass: read the queue and each agent's load and health, plan, move.
The workers run it on a schedule (ringmaster/schedules.py); `status_health` reads health as
the status page does and keeps it as the flag the run queue's grant reads.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from ringmaster.agents.spec import Team
from ringmaster.audit import AuditLog
from ringmaster.graph.standins import Load, Move, QueuedSubtask, plan_moves, spike_reason
from ringmaster.outbox_queue import queue_once
from ringmaster.run_queue import SLOT, SqlRunQueue, agent_counts, lock_agents
from ringmaster.tables import jobs

log = logging.getLogger(__name__)

ACTOR = "system:rebalancer"
# Per agent: healthy, and why not.
Health = Mapping[str, tuple[bool, tuple[str, ...]]]


class JobsMovable:
    """`MovableQueue` (and the status page's `QueueProvider`) over the run queue's jobs."""

    def __init__(
        self,
        queue: SqlRunQueue,
        audit: AuditLog,
        team: Team,
        *,
        group: str = "escalation",
    ) -> None:
        self.queue = queue
        self.audit = audit
        self.team = team
        self.group = group

    # -- reading -------------------------------------------------------------------------
    def queued(self, agents: Iterable[str] | None = None) -> list[QueuedSubtask]:
        """Waiting subtasks of the team's agents (of `agents`), in the order the queue would
        start them."""
        c = jobs.c
        q = (
            select(c.id, c.agent, c.payload)
            .where(c.state == "queued", c.kind == SLOT, c.agent.is_not(None))
            .order_by(c.priority.desc(), c.created_at, c.id)
        )
        if agents is not None:
            q = q.where(c.agent.in_(list(agents)))
        known = set(self.team.names())
        with self.queue.engine.connect() as conn:
            rows = conn.execute(q).all()
        out = []
        for job_id, agent, payload in rows:
            if agent not in known:
                continue  # not the team's (a stale row after a team change): never moved
            p = payload or {}
            planned = p.get("planned_agent")
            out.append(
                QueuedSubtask(
                    key=job_id,
                    agent=agent,
                    requester_scopes=tuple(p.get("scopes") or ()),
                    planned=planned if planned in known else None,
                )
            )
        return out

    def _counts(self) -> tuple[Counter[str], Counter[str]]:
        waiting, running = self.queue.agent_counts()
        return Counter(waiting), Counter(running)

    def waiting(self) -> int:
        """How many subtasks wait in any agent's queue (0: a pass has nothing to do)."""
        return sum(self._counts()[0].values())

    def depth(self, agent: str) -> int:
        return self._counts()[0][agent]

    def running(self, agent: str) -> int:
        return self._counts()[1][agent]

    def loads(self, health: Health) -> dict[str, Load]:
        """Each agent's queued and running jobs, capacity and health (healthy when unknown)."""
        waiting, running = self._counts()
        out = {}
        for spec in self.team.agents:
            ok, reasons = health.get(spec.name, (True, ()))
            n, r = waiting[spec.name], running[spec.name]
            out[spec.name] = Load(ok, n, r, spec.capacity, reasons)
        return out

    # -- moving --------------------------------------------------------------------------
    def refusal(self, payload: dict[str, Any], source: str, target: str) -> str | None:
        """Why `target` may not take this work, or None."""
        if target not in self.team.names():
            return f"{target} is not an agent of the team"
        planned = payload.get("planned_agent") or source
        if planned not in self.team.names():
            planned = source
        qualified = [planned, *self.team.agent(planned).standins]
        if target not in qualified:
            return f"{target} is neither {planned} nor one of its stand-ins"
        if not self.team.agent(target).reachable_by(frozenset(payload.get("scopes") or ())):
            return f"the requester's scopes do not reach {target}"
        return None

    def move(self, move: Move) -> bool:
        """Apply one move; False when the row started or moved meanwhile, when its person was
        told before, or when the target is refused (see the module docstring)."""
        c = jobs.c
        with self.queue.writer.begin() as conn:
            row = conn.execute(
                select(c.id, c.thread_id, c.state, c.agent, c.payload).where(c.id == move.key)
            ).first()
            if row is None or row.state != "queued" or row.agent != move.source:
                return False
            payload = dict(row.payload or {})
            if move.target is None:
                return self._to_person(conn, row, payload, move)
            why_not = self.refusal(payload, move.source, move.target)
            if why_not is not None:
                log.warning("rebalance of job %s refused: %s", move.key, why_not)
                return False
            reason = move.reason
            if move.over is not None:
                held = self._spike_holds(conn, move)
                if held is None:
                    return False
                reason = held
            moved = conn.execute(
                update(jobs)
                .where(c.id == move.key, c.state == "queued", c.agent == move.source)
                .values(agent=move.target, payload={**payload, "move_reason": reason})
            ).rowcount
            if moved != 1:
                return False
            self.audit.append_in(
                conn, row.thread_id, "reroute", ACTOR,
                job=row.id, subtask_id=payload.get("subtask_id"),
                planned=payload.get("planned_agent"), reason=reason,
                **{"from": move.source, "to": move.target},
            )  # fmt: skip
        return True

    def _spike_holds(self, conn: Any, move: Move) -> str | None:
        """Why the move off a spike stands now, with the counts read under both agents' locks
        (which every mover takes), or None when it no longer does: the source no longer over its
        threshold, or the target without room. Another pass's moves, planned from the same
        loads, are seen here once committed, never applied twice; and the reason recorded is
        what held when the move was made, not when it was planned."""
        assert move.target is not None and move.over is not None
        lock_agents(conn, (move.source, move.target))
        waiting, running = agent_counts(conn, self.queue.clock())
        capacity = self.team.agent(move.target).capacity
        queued, busy = waiting.get(move.target, 0), running.get(move.target, 0)
        if waiting.get(move.source, 0) <= move.over or queued >= capacity - busy:
            return None
        load = (queued, busy, capacity)
        return spike_reason(move.source, waiting[move.source], move.over, move.target, load)

    def _to_person(self, conn: Any, row: Any, payload: dict[str, Any], move: Move) -> bool:
        now = self.queue.clock()
        body = {
            "kind": "queued_work_stuck",
            "text": (
                f"Subtask {payload.get('subtask_id')} of thread {row.thread_id} waits for "
                f"{move.source}: {move.reason}. It stays queued for that agent, which starts "
                "nothing while it is flagged unhealthy: it runs there once the agent recovers, "
                "or moves once a stand-in the requester may reach is healthy. Move or cancel it "
                "to have it sooner."
            ),
            "thread_id": row.thread_id,
            "job": row.id,
            "subtask_id": payload.get("subtask_id"),
            "agent": move.source,
            "requester": payload.get("requester"),
            "reason": move.reason,
            "link": f"ringmaster thread show {row.thread_id}",
        }
        if not queue_once(
            conn,
            item_id=f"rebalance:{row.id}:{move.source}",
            recipient=self.group,
            thread_id=row.thread_id,
            payload=body,
            now=now,
        ):
            return False  # its person was told before
        self.audit.append_in(
            conn, row.thread_id, "rebalance_escalated", ACTOR,
            job=row.id, subtask_id=payload.get("subtask_id"), agent=move.source,
            reason=move.reason, group=self.group,
        )  # fmt: skip
        return True


@dataclass
class RebalanceReport:
    moved: list[Move] = field(default_factory=list)
    to_person: list[Move] = field(default_factory=list)  # newly escalated by this pass
    missed: list[Move] = field(default_factory=list)  # started, moved or told before


def rebalance_pass(movable: JobsMovable, health: Health, *, threshold: int) -> RebalanceReport:
    """Plan moves from the queue as it is now, and apply each (see the module docstring)."""
    report = RebalanceReport()
    loads = movable.loads(health)
    # Only work on an unhealthy agent or over the threshold may move: read no other rows.
    busy = [a for a, ld in loads.items() if not ld.healthy or ld.queued > threshold]
    if not busy:
        return report
    moves = plan_moves(movable.team, movable.queued(busy), loads, threshold=threshold)
    for m in moves:
        if not movable.move(m):
            report.missed.append(m)
        elif m.target is None:
            report.to_person.append(m)
        else:
            report.moved.append(m)
    return report


def status_health(
    movable: JobsMovable,
    *,
    window: timedelta,
    unhealthy_error_rate: float,
) -> Callable[[], Health]:
    """Health as the status page reads it (audit trail, health checks), for each pass; each
    reading is kept as the flag the run queue's grant reads (`record_health`)."""
    from ringmaster.agent_status import agent_statuses, health_of, record_health

    def read() -> Health:
        now = movable.queue.clock()
        statuses = agent_statuses(
            movable.queue.engine,
            movable.team,
            now,
            window=window,
            queue=movable,
            unhealthy_error_rate=unhealthy_error_rate,
            hours=1,
        )
        health = health_of(statuses)
        record_health(movable.queue.engine, health, now, whole_team=True)
        return health

    return read
