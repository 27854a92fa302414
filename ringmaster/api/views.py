"""Store rows as API answers: threads, review items (with age and deadline), outcomes."""

from __future__ import annotations

from datetime import datetime
from typing import cast, get_args

from ringmaster.agents.policy import Policy
from ringmaster.api.schemas import (
    ItemStatus,
    OutcomeOut,
    Priority,
    ReviewDetail,
    ReviewKind,
    ReviewOut,
    ReviewPayload,
    ThreadOut,
    ThreadStatus,
)
from ringmaster.clock import utcnow
from ringmaster.review_queue import ReviewItem
from ringmaster.runner import RunOutcome
from ringmaster.thread_store import ThreadRow

REVIEW_KINDS = frozenset(get_args(ReviewKind))


def caller_error(thread_id: str, turn: int | None, error: str | None) -> str | None:
    """What a caller is told of a failed run. The stored error is an internal exception's text
    (the runner keeps it for operators, and logs it with the thread and turn): callers get a
    sentence saying where to find it, never the text itself."""
    if error is None:
        return None
    where = f"thread {thread_id}" + (f", turn {turn}" if turn else "")
    return f"the run failed on an internal error; the cause is in the server's log under {where}"


def thread_out(row: ThreadRow) -> ThreadOut:
    return ThreadOut(
        id=row.id,
        requester=row.requester,
        status=cast(ThreadStatus, row.status),  # pydantic checks it
        turn=row.turn,
        last_request=row.last_request,
        error=caller_error(row.id, row.turn, row.error),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def deadline(item: ReviewItem) -> datetime:
    """The deadline the policy set when the item was queued (older rows: the default's)."""
    if item.deadline is not None:
        return item.deadline
    return item.created_at + Policy().deadline(item.priority)


def review_out(item: ReviewItem, now: datetime | None = None) -> ReviewOut:
    now = now or utcnow()
    due = deadline(item)
    return ReviewOut(
        id=item.id,
        thread_id=item.thread_id,
        turn=item.turn,
        subtask_id=item.subtask_id,
        # A kind this API version does not name (a newer worker's) is shown as "unknown".
        kind=cast(ReviewKind, item.kind if item.kind in REVIEW_KINDS else "unknown"),
        agent=item.agent,
        category=item.category,
        priority=cast(Priority, item.priority),
        requester=item.requester,
        status=cast(ItemStatus, item.status),
        summary=item.summary,
        decided_by=item.decided_by,
        claimed_by=item.claimed_by,
        created_at=item.created_at,
        decided_at=item.decided_at,
        resumed_at=item.resumed_at,
        age_seconds=round((now - item.created_at).total_seconds(), 3),
        deadline=due,
        overdue=item.status == "pending" and now > due,
    )


def review_detail(item: ReviewItem) -> ReviewDetail:
    base = review_out(item)
    return ReviewDetail(
        **base.model_dump(),
        payload=ReviewPayload.model_validate(item.payload),
        decision=item.decision,
    )


def outcome_out(o: RunOutcome) -> OutcomeOut:
    now = utcnow()
    return OutcomeOut(
        thread_id=o.thread_id,
        status=cast(ThreadStatus, o.status),
        plan=o.plan,
        results=o.results,
        subtasks=o.subtasks(),
        answer=o.answer,
        pending=[review_out(p, now) for p in o.pending],
        error=caller_error(o.thread_id, None, o.error),
        waiting_for=o.waiting_for,
        turn=o.turn,
        queued_behind=o.queued_behind,
        withdrawn=o.withdrawn,
        stood=o.stood,
    )
