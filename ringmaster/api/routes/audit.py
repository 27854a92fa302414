"""The audit trail: a thread's story, and a check of the whole hash chain (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from ringmaster.api import pagination
from ringmaster.api.deps import Admin, AnyUser, StateDep, visible_thread
from ringmaster.api.errors import ApiError, doc
from ringmaster.api.pagination import Cursor
from ringmaster.api.schemas import AuditEventOut, AuditPage, ErrorCode, VerifyOut
from ringmaster.api.views import caller_error
from ringmaster.audit import AuditEvent
from ringmaster.queries import list_audit

router = APIRouter(tags=["audit"])
ThreadId = Annotated[str, Path(min_length=1, max_length=64)]


@router.get(
    "/threads/{thread_id}/audit",
    operation_id="list_thread_audit",
    response_model=AuditPage,
    responses=doc(401, 403, 404, 422),
)
def thread_audit(
    thread_id: ThreadId,
    state: StateDep,
    caller: AnyUser,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Cursor = None,
) -> AuditPage:
    """A thread's audit events in order, one page at a time: receipt → plan → routing → work
    → validation → review → result."""
    visible_thread(state, caller.user, thread_id)
    after = 0
    if cursor is not None:
        (seq,) = pagination.decode("audit", cursor, 1)
        if not isinstance(seq, int) or seq < 0:
            raise ApiError(422, "cursor: not a cursor of this list", ErrorCode.invalid_input)
        after = seq
    events, total = list_audit(state.runner.audit, thread_id, after=after, limit=limit + 1)
    more = len(events) > limit
    events = events[:limit]
    admin = caller.user.can("admin")
    return AuditPage(
        items=[event_out(e, admin) for e in events],
        total=total,
        limit=limit,
        next_cursor=pagination.encode("audit", events[-1].seq) if more and events else None,
    )


def event_out(event: AuditEvent, admin: bool) -> AuditEventOut:
    """An audit event as a caller sees it: a failed run's exception text only for admins
    (the hashes are of the stored event; `audit verify` checks those)."""
    data = event.data
    if event.kind in ("run_failed", "run_quarantined") and not admin and "error" in data:
        data = {**data, "error": caller_error(event.thread_id, data.get("turn"), data["error"])}
    return AuditEventOut(**{**event.__dict__, "data": data})


@router.get(
    "/audit/verify", operation_id="verify_audit", response_model=VerifyOut, responses=doc(401, 403)
)
def verify(state: StateDep, caller: Admin) -> VerifyOut:
    """Check the hash chain; each problem names the row that was edited, deleted or inserted."""
    problems = state.runner.audit.verify()
    return VerifyOut(ok=not problems, problems=problems)
