"""Load- and health-aware choice among qualified agents, and rebalancing of queued work.

Qualified means: the agent the planner chose, or one the team file names as its stand-in
(`standins:`, agents whose skills overlap). A stand-in is considered only if the requester's
scopes reach it, so work never goes to an agent outside them.

At planning (`apply_standins`, called by the plan node): an unhealthy agent gets nothing new;
its subtask goes to the least-loaded healthy stand-in, or, when there is none, to a person. A
healthy agent that is full (queued + running ≥ capacity) gives the subtask to a stand-in that
has room. Each change says why, in the subtask's rationale and in a `standin` event.

For queued work (`plan_moves`): when an agent's queue passes a threshold while a stand-in has
room, queued subtasks move there; when an agent is unhealthy, all of its queued subtasks move
to its least-loaded healthy stand-ins (room or not: they wait in a healthy queue), or, with no
healthy stand-in the requester may reach, go to a person. Each move says why. The graph has no queue
of its own: a run queue implementing `MovableQueue` applies the moves (ringmaster/rebalance.py
does, over the run queue's waiting `slot` jobs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ringmaster.agents.spec import Team
from ringmaster.graph.events import emit
from ringmaster.graph.planner.base import Plan


@dataclass(frozen=True)
class Load:
    """What an agent carries now, and whether it may take new work."""

    healthy: bool
    queued: int
    running: int
    capacity: int
    reasons: tuple[str, ...] = ()

    @property
    def ratio(self) -> float:
        return (self.queued + self.running) / max(self.capacity, 1)

    @property
    def has_room(self) -> bool:
        return self.queued + self.running < self.capacity

    def describe(self) -> str:
        state = "healthy" if self.healthy else "unhealthy (" + "; ".join(self.reasons) + ")"
        return f"{state}, {self.queued} queued + {self.running} running of {self.capacity}"


class Availability(Protocol):
    """Each agent's load and health (ringmaster reads it from its stores)."""

    def load(self, agent: str) -> Load | None: ...


@dataclass(frozen=True)
class Choice:
    agent: str | None  # None: a person
    reason: str | None  # None: the planner's choice stands
    loads: dict[str, str] = field(default_factory=dict)


def qualified(team: Team, agent: str, allowed: Sequence[str]) -> list[str]:
    """The agent and its stand-ins, in the team file's order, that the requester may reach."""
    spec = team.agent(agent)
    return [a for a in [agent, *spec.standins] if a in allowed]


def choose(team: Team, agent: str, allowed: Sequence[str], availability: Availability) -> Choice:
    """Who should take a subtask the planner gave to `agent` (see the module docstring)."""
    candidates = qualified(team, agent, allowed)
    loads = {a: availability.load(a) for a in candidates}
    seen = {a: ld.describe() for a, ld in loads.items() if ld is not None}
    own = loads.get(agent)
    if own is None or (own.healthy and own.has_room):
        return Choice(agent, None, seen)
    others = [
        a for a in candidates[1:] if (ld := loads[a]) is not None and ld.healthy and ld.has_room
    ]
    best = min(others, key=lambda a: loads[a].ratio, default=None)  # type: ignore[union-attr]
    if not own.healthy:
        if best is None:
            return Choice(
                None,
                f"{agent} is {own.describe()}, and no stand-in the requester may reach is "
                "healthy with room",
                seen,
            )
        return Choice(best, f"{agent} is {own.describe()}; {best} stands in", seen)
    if best is None:  # full, and nobody has room: it waits in its own queue
        return Choice(agent, None, seen)
    return Choice(best, f"{agent} is full ({own.describe()}); {best} has room", seen)


def apply_standins(
    plan: Plan, team: Team, allowed: Sequence[str], availability: Availability | None
) -> Plan:
    """The plan with each subtask's agent chosen by health and load (the plan node's hook)."""
    if availability is None:
        return plan
    subtasks = []
    for s in plan.subtasks:
        if s.agent is None or s.escalate:
            subtasks.append(s)
            continue
        choice = choose(team, s.agent, allowed, availability)
        if choice.reason is None:
            subtasks.append(s)
            continue
        emit(
            "standin",
            "system:router",
            subtask_id=s.id,
            planned=s.agent,
            agent=choice.agent,
            reason=choice.reason,
            loads=choice.loads,
        )
        update: dict[str, Any] = {"rationale": f"{s.rationale} (router: {choice.reason})".strip()}
        if choice.agent is None:
            update |= {
                "agent": None,
                "escalate": True,
                "escalation_reason": choice.reason,
                "escalation_kind": "unavailable",
            }
        else:
            update["agent"] = choice.agent
        subtasks.append(s.model_copy(update=update))
    return plan.model_copy(update={"subtasks": subtasks})


# -- queued work ------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueuedSubtask:
    """A subtask waiting in an agent's queue, with the scopes of whoever asked for it."""

    key: str  # the queue's id for it
    agent: str  # whose queue it waits in now
    requester_scopes: tuple[str, ...]
    planned: str | None = None  # the agent the plan gave it to; None: `agent`


@dataclass(frozen=True)
class Move:
    key: str
    source: str
    target: str | None  # None: to a person
    reason: str
    # Off a spike: planned while the source had more than `over` queued and the target had
    # room. Loads read earlier may be stale (another pass moved meanwhile): a queue applies
    # the move only while both still hold. None: off an unhealthy agent, room or not.
    over: int | None = None


class MovableQueue(Protocol):
    """A run queue whose waiting subtasks can be reassigned (ringmaster's run queue)."""

    def queued(self) -> list[QueuedSubtask]: ...

    def move(self, move: Move) -> bool: ...  # False: it started or moved meanwhile


def plan_moves(
    team: Team,
    queued: list[QueuedSubtask],
    loads: dict[str, Load],
    *,
    threshold: int,
    scopes_reach: Callable[[str, tuple[str, ...]], bool] | None = None,
) -> list[Move]:
    """Moves for queued work: off unhealthy agents, and off queues longer than `threshold`
    onto stand-ins with room, never to an agent the subtask's requester may not reach."""

    def reach(agent: str, scopes: tuple[str, ...]) -> bool:
        if scopes_reach is not None:
            return scopes_reach(agent, scopes)
        return team.agent(agent).reachable_by(frozenset(scopes))

    live = {a: [ld.queued, ld.running, ld.capacity, ld.healthy] for a, ld in loads.items()}
    moves: list[Move] = []
    for job in queued:
        src = live.get(job.agent)
        if src is None:
            continue
        unhealthy = not src[3]
        spiking = src[0] > threshold
        if not (unhealthy or spiking):
            continue
        # Qualified: the planned agent and its stand-ins (a stand-in's own stand-ins are not
        # qualified for work it only stood in for), other than where it waits now.
        planned = team.agent(job.planned or job.agent)
        fit = [
            a
            for a in dict.fromkeys([planned.name, *planned.standins])
            if a != job.agent and a in live and live[a][3] and reach(a, job.requester_scopes)
        ]
        if unhealthy and not fit:
            why = f"{job.agent} is unhealthy and no healthy stand-in the requester may reach"
            moves.append(Move(job.key, job.agent, None, why))
            src[0] -= 1
            continue
        # Off a spike, only onto a stand-in with room. Off an unhealthy agent, onto the least
        # loaded healthy stand-in even when it is full: waiting in a healthy agent's queue
        # beats running on a broken one (the queue would grant the unhealthy agent's slots).
        options = fit if unhealthy else [a for a in fit if live[a][0] + live[a][1] < live[a][2]]
        target = min(options, key=lambda a: (live[a][0] + live[a][1]) / live[a][2], default=None)
        if target is None:  # the stand-ins are full: it waits for whichever frees first
            continue
        t = live[target]
        why = (
            f"{job.agent} is unhealthy; {target} is the least-loaded healthy stand-in "
            f"({t[0]} queued + {t[1]} running of {t[2]})"
            if unhealthy
            else spike_reason(job.agent, src[0], threshold, target, (t[0], t[1], t[2]))
        )
        moves.append(Move(job.key, job.agent, target, why, None if unhealthy else threshold))
        src[0] -= 1
        live[target][0] += 1
    return moves


def spike_reason(
    source: str, queued: int, threshold: int, target: str, load: tuple[int, int, int]
) -> str:
    """Why a job moves off a spike: `source`'s queue over `threshold`, and `target`'s load
    (queued, running, capacity) leaving room."""
    return (
        f"{source} has {queued} queued, over the threshold of {threshold}; "
        f"{target} has room ({load[0]} queued + {load[1]} running of {load[2]})"
    )
