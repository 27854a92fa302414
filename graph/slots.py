"""Slots: the agent node asks for one before it runs an agent, so that an agent's `capacity`
and `rate_limit` hold for the graph's own subtasks across every process.

    with deps.slots.hold(SlotRequest(...)) as agent:   # waits, in priority order, up to a bound
        run `agent`                                    # the agent the slot was granted for

The graph only names the protocol; ringmaster implements it over its run queue
(ringmaster/slots.py). `GraphDeps.slots` None means no limits (graph tests, LangGraph Server).
A slot may be granted for another agent than the one asked for: a rebalancer may move a waiting
slot to a qualified stand-in, and the node runs whichever agent the slot names.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from ringmaster.graph.errors import GraphError


@dataclass(frozen=True)
class SlotRequest:
    """One attempt of one subtask asking to run `agent`."""

    thread_id: str
    turn: int
    subtask_id: str
    attempt: int
    agent: str
    requester: str
    priority: str  # the requester's priority name (low, normal, high, urgent)
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class Grant:
    """A held slot: the agent to run, and why it is not the one asked for (None if it is)."""

    agent: str
    moved: str | None = None


class CapacityWait(GraphError):
    """No slot came within the wait's bound: the run stops here and is queued again later,
    continuing from its last checkpoint (the subtask keeps its place in line)."""

    def __init__(
        self,
        agent: str,
        subtask_id: str,
        waited: float,
        why: str = "is at capacity",
        retry_after: float | None = None,
    ) -> None:
        # An unhealthy agent's waiter leaves at once: "waited 0.0 s" would read as a fault.
        waiting = f"waited {waited:.1f} s for a slot of" if waited >= 0.05 else "gets no slot of"
        super().__init__(
            f"subtask {subtask_id} {waiting} {agent}, which {why}; the run is queued again"
        )
        self.agent = agent
        self.subtask_id = subtask_id
        self.why = why
        # Seconds before asking again is worth it (None: the queue's usual pace). An unhealthy
        # agent gets nothing until the next health reading, so its waiters come back then.
        self.retry_after = retry_after


class Slots(Protocol):
    """Per-agent slots; `hold` waits for one (raising CapacityWait past its bound) and frees
    it when the block ends, however it ends."""

    def hold(self, request: SlotRequest) -> AbstractContextManager[Grant]: ...
