"""The audit trail: a thread's story, and a check of the whole hash chain (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from ringmaster.api.deps import Admin, AnyUser, StateDep, visible_thread
from ringmaster.api.errors import doc
from ringmaster.api.schemas import AuditEventOut, VerifyOut

router = APIRouter(tags=["audit"])
ThreadId = Annotated[str, Path(min_length=1, max_length=64)]


@router.get(
    "/threads/{thread_id}/audit",
    response_model=list[AuditEventOut],
    responses=doc(401, 403, 404, 422),
)
def thread_audit(thread_id: ThreadId, state: StateDep, caller: AnyUser) -> list[AuditEventOut]:
    """Every audit event of a thread in order: receipt → plan → routing → work → validation
    → review → result."""
    visible_thread(state, caller.user, thread_id)
    return [AuditEventOut(**e.__dict__) for e in state.runner.audit.for_thread(thread_id)]


@router.get("/audit/verify", response_model=VerifyOut, responses=doc(401, 403))
def verify(state: StateDep, caller: Admin) -> VerifyOut:
    """Check the hash chain; each problem names the row that was edited, deleted or inserted."""
    problems = state.runner.audit.verify()
    return VerifyOut(ok=not problems, problems=problems)
