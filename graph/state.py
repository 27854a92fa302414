"""The graph's state: the run (one request on a thread) and one subtask's work.

State holds plain dicts, not model objects, so checkpoints stay small, portable between
SQLite and Postgres, and readable by anything that reads the checkpointer.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BaseModel, Field

Priority = Literal["low", "normal", "high", "urgent"]

# A subtask's result has one of these; "awaiting_review" is a parked one (graph/nodes/dispatch.py).
SubtaskStatus = Literal["done", "answered", "rejected", "failed", "skipped", "awaiting_review"]


class Requester(BaseModel):
    """Who asked: identity, the scopes they may reach, and how urgent they are."""

    id: str = Field(default="anonymous", min_length=1, max_length=200)
    scopes: list[str] = Field(default_factory=list)
    priority: Priority = "normal"


def subtask_result(
    subtask: dict[str, Any],
    agent: str | None,
    status: SubtaskStatus,
    summary: str,
    *,
    output: dict[str, Any] | None = None,
    actions: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A subtask's entry in `results`: the fields every status has, then what this one adds."""
    return {
        "subtask_id": subtask["id"],
        "description": subtask["description"],
        "agent": agent,
        "status": status,
        "summary": summary,
        "output": output,
        "actions": actions if actions is not None else [],
        **extra,
    }


def merge_results(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    """Subtask results merge by id; writing None clears them for a new turn."""
    if new is None:
        return {}
    return {**(old or {}), **new}


class RunState(TypedDict, total=False):
    """One thread's state. A new request on the thread starts a new turn."""

    request: str
    requester: dict[str, Any]
    turn: int
    plan: dict[str, Any] | None
    results: Annotated[dict[str, Any], merge_results]
    answer: str | None
    history: Annotated[list[dict[str, Any]], operator.add]


class WorkState(TypedDict, total=False):
    """One subtask on its way through agent → validate → (review) → act."""

    # Given by dispatch.
    turn: int
    request: str
    requester: dict[str, Any]
    plan: list[dict[str, Any]]  # compact: id, description, agent, depends_on
    subtask: dict[str, Any]
    handoffs: list[dict[str, Any]]
    # Kept by the work graph.
    agent: str | None
    attempt: int
    fallback_used: bool
    attempts: Annotated[list[dict[str, Any]], operator.add]
    candidate: dict[str, Any] | None
    feedback: str | None
    next: str
    blocker: dict[str, Any] | None
    approved_actions: list[dict[str, Any]]
    review: dict[str, Any] | None
    deferred: bool  # sent back from the parked results: ask the person now
    # Handed back to the run.
    results: dict[str, Any]


class WorkOutput(TypedDict):
    """What a subtask's work graph hands back to the run."""

    results: dict[str, Any]
