"""The plan a supervisor produces, and the `Planner` protocol every planner implements."""

from __future__ import annotations

import graphlib
from collections.abc import Sequence
from typing import Literal, Protocol

from pydantic import BaseModel, Field, model_validator


class Alternative(BaseModel):
    """Another agent the planner considered for a subtask, with its score."""

    agent: str
    score: float = Field(ge=0.0, le=1.0)


# Why a subtask went to a person, as the place that escalated it knows it: the planner was
# unsure of the route (its best agent's score too low, or two agents too close), the part is out
# of scope (the team's human examples outranked every agent), it is unlike every agent's
# examples, the requester may not reach the agent it fits, no agent fits, no agent is available
# to take it, the message says it asks for nothing, it needs the requester's answer first, or
# the planner failed.
EscalationKind = Literal[
    "low_confidence",
    "ambiguous",
    "out_of_scope",
    "unfamiliar",
    "unreachable",
    "no_agent",
    "unavailable",
    "asks_nothing",
    "question",
    "failed",
]


class Subtask(BaseModel):
    """One part of a request: what to do, who does it, how sure the planner is, and why."""

    id: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    description: str = Field(min_length=1)
    agent: str | None  # None: no agent fits, a human decides
    confidence: float = Field(ge=0.0, le=1.0)
    rationale: str = ""
    alternatives: list[Alternative] = Field(default_factory=list)
    depends_on: list[str] = Field(default_factory=list)
    escalate: bool = False  # routing is unsure: a human confirms or picks the agent
    escalation_reason: str | None = None  # in words, for people
    # None on a plan stored before it: not known to be unsure, so context settles nothing.
    escalation_kind: EscalationKind | None = None

    @property
    def unsure(self) -> bool:
        """Whether it escalated only because the route was unsure (too low, or too close),
        not for a reason of its own: only such a route may be settled by context."""
        return self.escalation_kind in ("low_confidence", "ambiguous")


class Plan(BaseModel):
    """Subtasks forming a DAG through `depends_on`; or, for a message that asks for no work
    ("thanks!", a stray "yes"), no subtask and the supervisor's own `reply`."""

    subtasks: list[Subtask] = Field(default_factory=list)
    planner: str = "unknown"
    reply: str | None = None  # the supervisor's own answer: nothing is routed or run
    rationale: str = ""  # why the supervisor answered itself (a subtask says its own why)
    # A stand-in for the planner's own answer, which a failed call (timeout, rate limit, outage)
    # kept from it: asking again may give another plan, so evals do not cache it. Never stored.
    stand_in: bool = Field(default=False, exclude=True)

    @model_validator(mode="after")
    def _check_dag(self) -> Plan:
        if (self.reply is None) == (not self.subtasks):
            raise ValueError("a plan has subtasks or the supervisor's reply, one of the two")
        ids = [s.id for s in self.subtasks]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate subtask ids in {ids}")
        known = set(ids)
        for s in self.subtasks:
            missing = [d for d in s.depends_on if d not in known]
            if missing:
                raise ValueError(f"subtask {s.id} depends on unknown {missing}")
        try:
            graphlib.TopologicalSorter({s.id: s.depends_on for s in self.subtasks}).prepare()
        except graphlib.CycleError:
            raise ValueError("subtask dependencies form a cycle") from None
        return self

    def agents(self) -> set[str]:
        """The set of agents the plan routes to (escalated subtasks count as none)."""
        return {s.agent for s in self.subtasks if s.agent is not None and not s.escalate}


def human_plan(request: str, reason: str, planner: str, kind: EscalationKind) -> Plan:
    """A plan of one subtask that a human must route: the fail-closed answer."""
    return Plan(
        planner=planner,
        subtasks=[
            Subtask(
                id="t1",
                description=request,
                agent=None,
                confidence=0.0,
                rationale=reason,
                escalate=True,
                escalation_reason=reason,
                escalation_kind=kind,
            )
        ],
    )


class Planner(Protocol):
    """Turns a request into a plan, never routing to an agent outside `allowed_agents`.

    `context` says, a line each, what the request's references to earlier turns resolved to
    (`Resolved.context`); a planner that asks a model puts it in the prompt, others may
    ignore it (the request already carries the ids)."""

    name: str

    def plan(
        self, request: str, *, allowed_agents: Sequence[str] | None = None, context: str = ""
    ) -> Plan: ...
