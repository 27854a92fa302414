"""Threads: create one, send a request on it (answered now or in the background), follow
its progress as server-sent events, read it. A requester sees only their own threads."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any, cast

from anyio import to_thread
from fastapi import APIRouter, Body, Header, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse

from ringmaster import logs
from ringmaster.accounts import PRIORITIES, AccountError, User, listed_requester
from ringmaster.api import pagination, progress
from ringmaster.api.decisions import service
from ringmaster.api.deps import AnyUser, AppState, StateDep, visible_thread
from ringmaster.api.errors import ApiError, doc
from ringmaster.api.pagination import Cursor
from ringmaster.api.schemas import (
    Accepted,
    ErrorCode,
    NewThreadIn,
    OutcomeOut,
    RequestIn,
    ThreadDetail,
    ThreadOut,
    ThreadPage,
    ThreadStatus,
    TurnOut,
)
from ringmaster.api.views import outcome_out, thread_out
from ringmaster.errors import NotAllowed, ThreadBusy
from ringmaster.graph.intake import validate_request
from ringmaster.graph.state import Requester
from ringmaster.queries import list_threads
from ringmaster.runner import RunOutcome
from ringmaster.thread_view import thread_view

log = logging.getLogger(__name__)
router = APIRouter(prefix="/threads", tags=["threads"])
ThreadId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post(
    "",
    operation_id="create_thread",
    status_code=201,
    response_model=ThreadOut,
    responses=doc(401, 403, 422, 429),
)
def create_thread(
    state: StateDep, caller: AnyUser, body: Annotated[NewThreadIn | None, Body()] = None
) -> ThreadOut:
    """A new, empty thread owned by the caller. It takes no body (or `{}`); a request goes to
    `POST /threads/{id}/requests`, and a field sent here is a 422."""
    state.request_limit.take(caller.key)
    thread_id = state.runner.submit_thread(caller.user.name)
    return thread_out(state.runner.threads.get(thread_id))


@router.get(
    "", operation_id="list_threads", response_model=ThreadPage, responses=doc(401, 403, 422)
)
def get_threads(
    state: StateDep,
    caller: AnyUser,
    status: ThreadStatus | None = None,
    requester: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Cursor = None,
) -> ThreadPage:
    """Threads, last updated first: the caller's own, or anyone's for reviewers and admins."""
    try:  # a requester's own; another's is refused, as the CLI's `thread list --requester`
        requester = listed_requester(caller.user, requester)
    except AccountError as exc:
        raise ApiError(403, str(exc), ErrorCode.forbidden) from None
    after = None
    if cursor is not None:
        at, last_id = pagination.decode("threads", cursor, 2)
        try:
            after = (datetime.fromisoformat(str(at)), str(last_id))
        except ValueError:
            raise ApiError(
                422, "cursor: not a cursor of this list", ErrorCode.invalid_input
            ) from None
    rows, total = list_threads(
        state.runner.engine, requester=requester, status=status, limit=limit + 1, after=after
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = (
        pagination.encode("threads", rows[-1].updated_at.isoformat(), rows[-1].id)
        if more and rows
        else None
    )
    return ThreadPage(
        items=[thread_out(r) for r in rows], total=total, limit=limit, next_cursor=next_cursor
    )


@router.get(
    "/{thread_id}",
    operation_id="get_thread",
    response_model=ThreadDetail,
    responses=doc(401, 403, 404, 422),
)
def get_thread(thread_id: ThreadId, state: StateDep, caller: AnyUser) -> ThreadDetail:
    """A thread's status, plan, results, pending reviews and turns: what `ringmaster thread
    show --json` gives (one function reads both)."""
    visible_thread(state, caller.user, thread_id)
    view = thread_view(state.runner, thread_id)
    return ThreadDetail(
        **outcome_out(view.outcome).model_dump(),
        thread=thread_out(view.row),
        thread_status=cast(ThreadStatus, view.row.status),  # pydantic checks it
        history=view.history,
        turns=[TurnOut.model_validate(t) for t in view.turns],
    )


def _requester(state: AppState, user: User, priority: str | None) -> Requester:
    if priority is not None and PRIORITIES.index(priority) > PRIORITIES.index(user.priority):
        raise HTTPException(403, f"priority {priority} is above your priority ({user.priority})")
    scopes = user.scopes if user.scopes is not None else state.runner.default_scopes()
    return Requester(id=user.name, scopes=scopes, priority=priority or user.priority)  # type: ignore[arg-type]


def _drive(state: AppState, thread_id: str) -> RunOutcome:
    # The request is queued; run it in this API thread (or wait for the worker that took it).
    turn = state.runner.threads.get(thread_id).turn
    with state.hub.tracking(thread_id), logs.bind(thread_id=thread_id, turn=turn):
        return state.runner.drive(thread_id)


@router.post(
    "/{thread_id}/requests",
    operation_id="send_request",
    response_model=OutcomeOut,
    responses={
        202: {"model": Accepted, "description": "Taken; runs in the background"},
        **doc(400, 401, 403, 404, 409, 413, 415, 422, 429),
    },
)
def send_request(
    thread_id: ThreadId,
    body: RequestIn,
    state: StateDep,
    caller: AnyUser,
) -> Any:
    """Send a request on one of your threads. Answered when the run completes or stops for a
    review, or at once (202) with `background: true`."""
    row = state.runner.threads.get(thread_id)
    if row.requester != caller.user.name:
        visible_thread(state, caller.user, thread_id)  # 404 for a thread you cannot see
        raise HTTPException(403, "only the thread's requester may send requests on it")
    text = validate_request(body.request, max_chars=state.settings.max_request_chars)
    requester = _requester(state, caller.user, body.priority)
    state.request_limit.take(caller.key)
    if row.status == "running":
        raise ThreadBusy(f"thread {thread_id} is running a request")
    after = state.runner.audit.last_seq(thread_id)
    # Accepted only once durably queued: the turn, its audit event and its job together.
    _, turn = state.runner.accept(text, thread_id=thread_id, requester=requester)
    if not body.background:
        return outcome_out(_drive(state, thread_id))
    accepted = Accepted(
        thread_id=thread_id,
        turn=turn,
        events=f"/threads/{thread_id}/events?after={after}&turn={turn}",
    )
    return JSONResponse(
        accepted.model_dump(), status_code=202, headers={"Location": f"/threads/{thread_id}"}
    )


@router.post(
    "/{thread_id}/turns/{turn}/withdraw",
    operation_id="withdraw_turn",
    response_model=OutcomeOut,
    responses=doc(401, 403, 404, 409, 422, 429),
)
def withdraw_turn(
    thread_id: ThreadId,
    turn: Annotated[int, Path(ge=1, le=1_000_000)],
    state: StateDep,
    caller: AnyUser,
) -> OutcomeOut:
    """Call off a turn of yours that is queued behind a review (its outcome said `queued`,
    with `queued_behind`) before it runs, as "never mind" does in a chat: it never runs, the
    audit trail has a `turn_withdrawn` event, and the review it waited for is left as it is.
    409 when the turn is not (or no longer) queued."""
    visible_thread(state, caller.user, thread_id)  # 404 for a thread you cannot see
    state.request_limit.take(caller.key)
    try:
        service(state).withdraw_turn(thread_id, turn, caller.user.name)
    except NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None
    return outcome_out(state.runner.outcome(thread_id, turn))


@router.get(
    "/{thread_id}/events",
    operation_id="stream_thread_events",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "Server-sent events: request, plan, subtask_started, agent_output, "
            "validation, subtask_finished, interrupt, decision, side_effect, final_answer, "
            "failed; then end (the turn settled) or timeout. Each audit event's id is its "
            "sequence number (resume with Last-Event-ID). An idle stream gets a `: ping` "
            "comment every RINGMASTER_API_PING_SECONDS.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **doc(401, 403, 404, 422),
    },
)
async def events(
    thread_id: ThreadId,
    request: Request,
    state: StateDep,
    caller: AnyUser,
    after: Annotated[int, Query(ge=0, le=progress.LAST_SEQ)] = 0,
    turn: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
) -> EventSourceResponse:
    """Follow a thread: its audit events after `after`, until turn `turn` (default: the
    current one) completes, stops for a review or fails."""
    row = await to_thread.run_sync(visible_thread, state, caller.user, thread_id)
    after = progress.resume_after(after, last_event_id)
    gen = progress.stream(
        state.runner,
        state.hub,
        thread_id,
        after=after,
        turn=row.turn if turn is None else turn,
        poll=state.settings.api_poll_seconds,
        limit=state.settings.api_stream_seconds,
    )
    return progress.response(gen, ping=state.settings.api_ping_seconds)
