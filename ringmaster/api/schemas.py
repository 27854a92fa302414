"""Bodies and answers of the HTTP API. Bodies forbid unknown fields and bound every size."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Priority = Literal["low", "normal", "high", "urgent"]
DecisionKind = Literal["approve", "edit", "reject", "respond"]
ReviewStatus = Literal["pending", "decided", "resumed", "all"]
ThreadStatus = Literal["idle", "running", "waiting", "completed", "failed"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorCode(StrEnum):
    """The stable, machine-readable code of every error answer (a problem's `code`)."""

    bad_request = "bad_request"
    invalid_input = "invalid_input"  # the body or parameters fail their schema
    invalid_request = "invalid_request"  # the request text cannot be taken
    invalid_decision = "invalid_decision"  # the decision does not fit the item
    unauthenticated = "unauthenticated"
    forbidden = "forbidden"
    own_item = "own_item"  # a reviewer deciding an item raised by their own request
    not_found = "not_found"
    method_not_allowed = "method_not_allowed"
    conflict = "conflict"
    already_decided = "already_decided"
    thread_busy = "thread_busy"
    body_too_large = "body_too_large"
    unsupported_media_type = "unsupported_media_type"
    rate_limited = "rate_limited"
    internal_error = "internal_error"
    unavailable = "unavailable"


class FieldProblem(BaseModel):
    """One invalid field of a body or parameter list."""

    loc: list[str]
    msg: str
    type: str


class Problem(BaseModel):
    """Every error answer: an RFC 9457 problem (`application/problem+json`) with a stable
    `code` and the request's id. `detail` is written for people; a server error's says only
    which request id to quote, and the cause is in the server's log under that id."""

    type: str = Field(description="A URI naming the kind of problem (one per `code`).")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="What went wrong with this request, for people.")
    instance: str = Field(description="The path of the request that failed.")
    code: ErrorCode
    request_id: str
    errors: list[FieldProblem] | None = Field(
        default=None, description="For `invalid_input`: each field that is not valid."
    )


# -- bodies ----------------------------------------------------------------------------------
class RequestIn(Body):
    """A request on a thread."""

    request: str = Field(min_length=1, max_length=100_000, description="What you want done.")
    priority: Priority | None = Field(
        default=None, description="Defaults to the user's priority; cannot exceed it."
    )
    background: bool = Field(
        default=False,
        description="Answer 202 at once and run in the background (follow the events stream).",
    )


class ActionEdit(Body):
    """New values for arguments of one of the item's actions (0-based), merged onto the
    proposed arguments (those not named keep their proposed value), then checked against the
    tool's argument schema."""

    action: int = Field(ge=0, le=100)
    args: dict[str, Any]


class DecisionIn(Body):
    """A reviewer's decision on every action of an item.

    approve: run the actions as proposed. edit: run them with `edits` merged in (actions without
    an edit are approved). reject: run none of them, `reason` says why. respond: run none,
    `message` is the answer the requester gets instead.
    """

    decision: DecisionKind
    edits: list[ActionEdit] | None = Field(default=None, max_length=100)
    reason: str | None = Field(default=None, max_length=2_000)
    message: str | None = Field(default=None, max_length=8_000)


# -- answers ---------------------------------------------------------------------------------
class UserOut(BaseModel):
    name: str
    role: str
    scopes: list[str] | None
    priority: str


class ThreadOut(BaseModel):
    id: str
    requester: str
    status: str
    turn: int
    last_request: str | None
    error: str | None
    created_at: datetime
    updated_at: datetime


class ThreadPage(BaseModel):
    items: list[ThreadOut]
    total: int
    limit: int
    offset: int


class ReviewOut(BaseModel):
    """A queue row without its payload."""

    id: str
    thread_id: str
    turn: int
    subtask_id: str
    kind: str
    agent: str | None
    category: str | None
    priority: str
    requester: str
    status: str
    summary: str
    decided_by: str | None
    claimed_by: str | None
    created_at: datetime
    decided_at: datetime | None
    resumed_at: datetime | None
    age_seconds: float
    deadline: datetime
    overdue: bool


class ReviewDetail(ReviewOut):
    """A queue row with what the reviewer needs: the interrupt's payload and the decision."""

    payload: dict[str, Any]
    decision: dict[str, Any] | None


class ReviewPage(BaseModel):
    items: list[ReviewOut]
    total: int
    limit: int
    offset: int


class OutcomeOut(BaseModel):
    """Where a thread stands after a run or a resume."""

    thread_id: str
    status: str
    plan: dict[str, Any] | None
    results: dict[str, Any]
    answer: str | None
    pending: list[ReviewOut]
    error: str | None


class Accepted(BaseModel):
    """A request taken to run in the background."""

    thread_id: str
    turn: int
    status: Literal["accepted"] = "accepted"
    events: str = Field(description="The SSE stream of this turn's progress.")


class ThreadDetail(OutcomeOut):
    thread: ThreadOut
    history: list[dict[str, Any]]


class AgentOut(BaseModel):
    name: str
    description: str
    examples: int
    tools: list[str]
    scopes: list[str]
    capacity: int
    fallback: str | None
    human_categories: list[str]
    pending_reviews: int


class AuditEventOut(BaseModel):
    seq: int
    thread_id: str
    at: datetime
    actor: str
    kind: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


class VerifyOut(BaseModel):
    ok: bool
    problems: list[str]


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    status: Literal["ready", "not ready"]
    checks: dict[str, str]
