"""The graph's state: the run (one request on a thread) and one subtask's work.

State holds plain dicts, not model objects, so checkpoints stay small, portable between
SQLite and Postgres, and readable by anything that reads the checkpointer. The one exception
is `messages`, the chat transcript chat clients (Agent Chat UI, LangGraph Studio) read and
write: LangChain messages under `add_messages`, one human and one AI message per turn.

The TypedDicts come from `typing_extensions`: on Python 3.11 pydantic cannot build a JSON
schema from `typing.TypedDict`, and LangGraph Server would show clients no input or output
schema.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from ringmaster.graph.priority import Priority  # its old home: `graph.state.Priority` still works

# A subtask's result has one of these; "awaiting_review" is a parked one (graph/nodes/dispatch.py),
# "needs_input" one whose agent could not tell what to do and asks the requester (its output's
# `question`, graph/nodes/act.py).
SubtaskStatus = Literal[
    "done", "answered", "rejected", "failed", "skipped", "awaiting_review", "needs_input"
]


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


def stored_turn(
    plan: dict[str, Any] | None, results: dict[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """A stored turn's plan and results in the shape this version writes. Turns stored before
    the supervisor's own reply was `Plan.reply` alone kept it on a stand-in subtask for no
    agent, done with the reply: readers would call that subtask a person's work."""
    if not plan or plan.get("reply") is None or not plan.get("subtasks"):
        return plan, results
    stand_ins = {s["id"] for s in plan["subtasks"]}
    return (
        {**plan, "subtasks": []},
        {sid: r for sid, r in results.items() if sid not in stand_ins},
    )


def merge_results(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    """Subtask results merge by id; writing None clears them for a new turn."""
    if new is None:
        return {}
    return {**(old or {}), **new}


class RunState(TypedDict, total=False):
    """One thread's state. A new request on the thread starts a new turn.

    A turn's request is `request`, or, from a chat client, the last human message in
    `messages`; the plan node starts the turn (clears the last turn's results and answer) and
    the synthesize node appends the answer to `messages` as an AI message.
    """

    request: str
    messages: Annotated[list[AnyMessage], add_messages]
    requester: dict[str, Any]
    turn: int
    plan: dict[str, Any] | None
    results: Annotated[dict[str, Any], merge_results]
    answer: str | None
    history: Annotated[list[dict[str, Any]], operator.add]
    # Kinds of secret (password, card number …) taken out of the turn's request before it was
    # stored (ringmaster's intake); the plan node records them in the plan, and answers say so.
    redacted: list[str]
    read_as: list[str]  # guessed readings the turn used ("INV-101 read as INV-1001")


class WorkState(TypedDict, total=False):
    """One subtask on its way through agent → validate → (review) → act."""

    # Given by dispatch.
    turn: int
    request: str
    requester: dict[str, Any]
    plan: list[dict[str, Any]]  # compact: id, description, agent, depends_on
    subtask: dict[str, Any]
    handoffs: list[dict[str, Any]]
    history: list[dict[str, Any]]  # the conversation, for a subtask that asks which record
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
    refused: str | None  # why the last answer to this review was refused (graph/nodes/review.py)
    deferred: bool  # sent back from the parked results: ask the person now
    # Handed back to the run.
    results: dict[str, Any]


class WorkOutput(TypedDict):
    """What a subtask's work graph hands back to the run."""

    results: dict[str, Any]
