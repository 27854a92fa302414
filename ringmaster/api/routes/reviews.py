"""The review queue: list with filters, read, claim, decide (exactly once; then 409)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Path, Query

from ringmaster import logs
from ringmaster.api import pagination
from ringmaster.api.decisions import decision_of, service
from ringmaster.api.deps import AppState, Caller, Reviewer, StateDep
from ringmaster.api.errors import ApiError, doc
from ringmaster.api.pagination import Cursor
from ringmaster.api.schemas import (
    DecisionIn,
    ErrorCode,
    OutcomeOut,
    Priority,
    ReviewDetail,
    ReviewOut,
    ReviewPage,
    ReviewStatus,
)
from ringmaster.api.views import outcome_out, review_detail, review_out
from ringmaster.queries import ReviewFilter, list_reviews
from ringmaster.review_kinds import ReviewKind
from ringmaster.review_queue import ReviewItem
from ringmaster.runner import RunOutcome

log = logging.getLogger(__name__)
PRIORITY_NAMES = get_args(Priority)
router = APIRouter(prefix="/reviews", tags=["reviews"])
ItemId = Annotated[str, Path(min_length=1, max_length=64)]
Name = Annotated[str | None, Query(min_length=1, max_length=64)]
Seconds = Annotated[float | None, Query(ge=0, le=10**9)]


@router.get(
    "", operation_id="list_reviews", response_model=ReviewPage, responses=doc(401, 403, 422)
)
def get_reviews(
    state: StateDep,
    caller: Reviewer,
    status: ReviewStatus = "pending",
    agent: Name = None,
    category: Name = None,
    kind: ReviewKind | None = None,
    priority: Priority | None = None,
    assignee: Annotated[
        str | None,
        Query(min_length=1, max_length=64, description="A user name, or '-' for unclaimed."),
    ] = None,
    thread_id: Name = None,
    older_than: Annotated[Seconds, Query(description="Age at least this many seconds.")] = None,
    newer_than: Annotated[Seconds, Query(description="Age at most this many seconds.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Cursor = None,
) -> ReviewPage:
    """Review items, most urgent and oldest first, one page at a time (`next_cursor`)."""
    f = ReviewFilter(
        status=None if status == "all" else status,
        agent=agent,
        category=category,
        kind=kind,
        priority=priority,
        assignee=assignee,
        thread_id=thread_id,
        min_age_seconds=older_than,
        max_age_seconds=newer_than,
    )
    after = None
    if cursor is not None:
        priority, at, last_id = pagination.decode("reviews", cursor, 3)
        after = (_priority(priority), _when(at), str(last_id))
    items, total = list_reviews(state.runner.engine, f, limit=limit + 1, after=after)
    more = len(items) > limit
    items = items[:limit]
    last = items[-1] if items else None
    return ReviewPage(
        items=[review_out(i) for i in items],
        total=total,
        limit=limit,
        next_cursor=(
            pagination.encode("reviews", last.priority, last.created_at.isoformat(), last.id)
            if more and last is not None
            else None
        ),
    )


def _priority(value: Any) -> str:
    if value not in PRIORITY_NAMES:
        raise ApiError(422, "cursor: not a cursor of this list", ErrorCode.invalid_input)
    return str(value)


def _when(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise ApiError(422, "cursor: not a cursor of this list", ErrorCode.invalid_input) from None


@router.get(
    "/{item_id}",
    operation_id="get_review",
    response_model=ReviewDetail,
    responses=doc(401, 403, 404, 422),
)
def get_review(item_id: ItemId, state: StateDep, caller: Reviewer) -> ReviewDetail:
    """One item with everything a reviewer needs: request, plan, blocker, prior attempts,
    proposed actions with their arguments, recommended decision. Any unique id prefix."""
    return review_detail(state.runner.queue.find(item_id))


def not_own(item: ReviewItem, caller: Caller) -> None:
    if item.requester == caller.user.name:
        raise ApiError(
            403, "you cannot review an item raised by your own request", ErrorCode.own_item
        )


@router.post(
    "/{item_id}/claim",
    operation_id="claim_review",
    response_model=ReviewOut,
    responses=doc(401, 403, 404, 409, 422, 429),
)
def claim(item_id: ItemId, state: StateDep, caller: Reviewer) -> ReviewOut:
    """Mark a pending item as yours while you look at it (advisory)."""
    return review_out(claim_item(state, caller, item_id))


def _acting_on(state: AppState, caller: Caller, item_id: str) -> ReviewItem:
    """The item a reviewer claims or decides: not raised by their own request, and one of
    their decision tokens spent (an unknown item is refused before one is)."""
    item = state.runner.queue.find(item_id)
    not_own(item, caller)
    state.decision_limit.take(caller.key)
    return item


def claim_item(state: AppState, caller: Caller, item_id: str) -> ReviewItem:
    """Claim the item for the caller; shared with the web queue."""
    item = _acting_on(state, caller, item_id)
    return state.runner.queue.claim(item.id, caller.user.name)


def decide(state: AppState, caller: Caller, item_id: str, body: DecisionIn) -> RunOutcome:
    """Check and record the decision (exactly once; 409 if anyone was first, 422 and still
    pending if it does not fit) and resume the thread; shared with the web queue."""
    item = _acting_on(state, caller, item_id)
    with logs.bind(thread_id=item.thread_id, turn=item.turn):
        log.info("decision %s on review %s by %s", body.decision, item.id, caller.user.name)
        return service(state).decide(item, decision_of(body), caller.user.name)


@router.post(
    "/{item_id}/decision",
    operation_id="decide_review",
    response_model=OutcomeOut,
    responses=doc(400, 401, 403, 404, 409, 413, 415, 422, 429),
)
def post_decision(
    item_id: ItemId, body: DecisionIn, state: StateDep, caller: Reviewer
) -> OutcomeOut:
    """Decide an item: approve, edit (arguments merged onto the proposed ones, checked against
    the tool's schema), reject (with a reason) or respond. A decision that does not fit is 422
    and the item stays pending. The run resumes at once; the answer is the thread afterwards.
    A second decision on the same item, by anyone, is 409 and changes nothing."""
    return outcome_out(decide(state, caller, item_id, body))
