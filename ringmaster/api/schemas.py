"""Bodies and answers of the HTTP API. Bodies forbid unknown fields and bound every size."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator
from pydantic_core import PydanticCustomError

from ringmaster.review_kinds import ReviewKind
from ringmaster.thread_statuses import ThreadStatus

Priority = Literal["low", "normal", "high", "urgent"]
DecisionKind = Literal["approve", "edit", "reject", "respond"]
ReviewStatus = Literal["pending", "decided", "resumed", "all"]
ItemStatus = Literal["pending", "decided", "resumed"]
Role = Literal["requester", "reviewer", "admin"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorCode(StrEnum):
    """The stable, machine-readable code of every error answer (a problem's `code`)."""

    bad_request = "bad_request"
    invalid_json = "invalid_json"  # the body is not JSON at all (it says where it breaks)
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
    thread_quarantined = "thread_quarantined"  # its failure item waits for a person
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
class NewThreadIn(Body):
    """`POST /threads`: no fields. It makes an empty thread; its first request goes to
    `POST /threads/{id}/requests`, so a field sent here (`request` above all) is refused rather
    than dropped while a 201 says all went well."""

    @model_validator(mode="before")
    @classmethod
    def _no_fields(cls, data: Any) -> Any:
        if isinstance(data, dict) and data:
            raise PydanticCustomError(
                "extra_forbidden",
                "POST /threads takes no fields ({fields}): it makes an empty thread; send the "
                "request to POST {where}",
                {"fields": ", ".join(sorted(map(str, data))), "where": "/threads/{id}/requests"},
            )
        return data


class RequestIn(Body):
    """A request on a thread."""

    request: str = Field(min_length=1, max_length=100_000, description="What you want done.")
    priority: Priority | None = Field(
        default=None, description="Defaults to the user's priority; cannot exceed it."
    )
    # Strict: "yes", "on", "1" or 1 were read as true (pydantic's lax booleans), so a body
    # written by hand ran in the background when it may not have meant to.
    background: StrictBool = Field(
        default=False,
        description="Answer 202 at once and run in the background (follow the events stream); "
        "JSON true or false, nothing else.",
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
    role: Role
    scopes: list[str] | None
    priority: Priority


class ThreadOut(BaseModel):
    id: str
    requester: str
    status: ThreadStatus
    turn: int
    last_request: str | None
    error: str | None
    created_at: datetime
    updated_at: datetime


class Page(BaseModel):
    """Every list answer: one page of `items`, how many match in all, and the cursor of the
    next page (`null` on the last). Pass it back as `cursor` with the same filters."""

    total: int
    limit: int
    next_cursor: str | None


class ThreadPage(Page):
    items: list[ThreadOut]


class ReviewOut(BaseModel):
    """A queue row without its payload."""

    id: str
    thread_id: str
    turn: int
    subtask_id: str
    kind: ReviewKind
    agent: str | None
    category: str | None
    priority: Priority
    requester: str
    status: ItemStatus
    summary: str
    decided_by: str | None
    claimed_by: str | None
    created_at: datetime
    decided_at: datetime | None
    resumed_at: datetime | None
    age_seconds: float
    deadline: datetime
    overdue: bool


class Open(BaseModel):
    """A part of an interrupt's payload: the named fields are typed, others are kept."""

    model_config = ConfigDict(extra="allow")


class ActionRequestOut(Open):
    """One action a reviewer decides (LangChain's `ActionRequest`)."""

    name: str = Field(description="The tool, or route_subtask / accept_output / release_output.")
    args: dict[str, Any] = Field(default_factory=dict, description="The proposed arguments.")
    description: str | None = None


class ReviewConfigOut(Open):
    """Which decisions an action allows (LangChain's `ReviewConfig`)."""

    action_name: str
    allowed_decisions: list[DecisionKind]
    args_schema: dict[str, Any] | None = None


class Recommendation(Open):
    decision: DecisionKind
    reason: str | None = None


class ReviewContext(Open):
    """The packaged context: why a person is asked, and what they need to decide."""

    kind: ReviewKind = "unknown"
    thread_id: str | None = None
    turn: int | None = None
    subtask_id: str | None = None
    agent: str | None = None
    category: str | None = None
    request: str | None = None
    requester: dict[str, Any] | None = None
    plan: list[dict[str, Any]] | dict[str, Any] | None = Field(
        default=None, description="The plan: its subtasks, with agents and dependencies."
    )
    subtask: dict[str, Any] | None = None
    blocker: str | None = Field(default=None, description="Why the run stopped for a person.")
    prior_attempts: list[Any] = Field(default_factory=list)
    output: dict[str, Any] | None = None
    recommended: Recommendation | None = None
    gated: list[int] = Field(
        default_factory=list, description="Which proposed actions the decisions are for."
    )


class ReviewPayload(Open):
    """The interrupt's value (LangChain's `HITLRequest`) and ringmaster's packaged context."""

    action_requests: list[ActionRequestOut] = Field(default_factory=list)
    review_configs: list[ReviewConfigOut] = Field(default_factory=list)
    context: ReviewContext = Field(default_factory=ReviewContext)
    refused: str | None = Field(default=None, description="Why the last answer was refused.")


class ReviewDetail(ReviewOut):
    """A queue row with what the reviewer needs: the interrupt's payload and the decision."""

    payload: ReviewPayload
    decision: dict[str, Any] | None


class ReviewPage(Page):
    items: list[ReviewOut]


class OutcomeOut(BaseModel):
    """Where a thread stands after a run or a resume."""

    thread_id: str
    status: ThreadStatus
    plan: dict[str, Any] | None
    results: dict[str, Any]
    subtasks: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Every subtask of the plan in order: [{subtask_id, agent, status, summary}];"
        " one with no result yet is `waiting` (for the subtasks it depends on, or an agent's"
        " slot: its summary says which) or `not started`.",
    )
    answer: str | None
    pending: list[ReviewOut]
    error: str | None
    waiting_for: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Subtasks waiting in line for a busy agent's capacity: [{subtask_id, agent}]"
        " (status `waiting` with no pending review: the run is queued again and will continue);"
        " for an agent flagged unhealthy, `unhealthy` lists why (nothing starts there until it"
        " recovers).",
    )
    turn: int = Field(0, description="The turn this outcome is of (0: none yet).")
    queued_behind: list[dict[str, Any]] = Field(
        default_factory=list,
        description="A turn about the work of earlier pending reviews (status `queued`): "
        "[{review_id, turn, summary, reason}]; it runs once they are decided.",
    )
    withdrawn: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Earlier reviews a correcting turn withdrew (rejected in the requester's "
        "name): [{review_id, review_turn, action, request}]; its answer says so first.",
    )
    stood: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Actions of the turn a correcting turn corrects that had already run: "
        "[{turn, corrected_turn, action, did, request}]; they were not undone and stand, and "
        "its answer says so.",
    )


class Accepted(BaseModel):
    """A request taken to run in the background."""

    thread_id: str
    turn: int
    status: Literal["accepted"] = "accepted"
    events: str = Field(description="The SSE stream of this turn's progress.")


class TurnOut(BaseModel):
    """One turn of a thread, as `ringmaster thread show --json` gives it."""

    turn: int
    request: str | None
    status: ThreadStatus
    answer: str | None
    subtasks: list[dict[str, Any]] = Field(description="As the outcome's `subtasks`.")
    pending: list[str] = Field(description="The ids of the turn's pending reviews.")
    queued_behind: list[str] = Field(description="The ids of the reviews it is queued behind.")
    withdrawn: list[str] = Field(description="The ids of the earlier reviews it withdrew.")
    stood: list[dict[str, Any]] = Field(description="As the outcome's `stood`.")


class ThreadDetail(OutcomeOut):
    """The latest turn's outcome (`status` is that turn's), the thread's row and status (an
    earlier turn may still wait for a review), its finished turns and every turn."""

    thread: ThreadOut
    thread_status: ThreadStatus
    history: list[dict[str, Any]]
    turns: list[TurnOut] = Field(description="Every turn of the thread, oldest first.")


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


class AuditPage(Page):
    items: list[AuditEventOut]
