"""Operations: every agent's status, Prometheus metrics, the summary of a period, the outbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from ringmaster.agent_status import agent_statuses
from ringmaster.api.deps import AnyUser, AppState, Reviewer, StateDep
from ringmaster.api.errors import ApiError, doc
from ringmaster.api.schemas import ErrorCode
from ringmaster.errors import ConfigError
from ringmaster.metrics import CONTENT_TYPE, StoreCollector, render
from ringmaster.outbox import STATES, Outbox
from ringmaster.summary import build_summary, parse_since
from ringmaster.summary import render as render_summary

router = APIRouter(tags=["operations"])


def status_options(state: AppState) -> dict[str, Any]:
    s = state.settings
    return {
        "window": timedelta(minutes=s.status_window_minutes),
        "unhealthy_error_rate": s.unhealthy_error_rate,
    }


def statuses(state: AppState) -> list[Any]:
    runner = state.runner
    team = runner.deps.registry.team
    return agent_statuses(runner.engine, team, runner.clock(), **status_options(state))


@router.get("/agents/status", operation_id="get_agents_status", responses=doc(401, 403))
async def agents_status(state: StateDep, caller: AnyUser) -> list[dict[str, Any]]:
    """Every agent's health, queue depth, running work, throughput, p50/p95 and ETA."""
    return [s.to_dict() for s in await to_thread.run_sync(statuses, state)]


@router.get(
    "/metrics",
    operation_id="get_metrics",
    response_class=PlainTextResponse,
    responses=doc(401, 403),
)
async def metrics(state: StateDep, caller: Reviewer) -> Response:
    """Prometheus exposition text (send the scrape's token as a bearer token)."""
    runner = state.runner
    store = StoreCollector(
        runner.engine, lambda: runner.deps.registry.team, runner.clock, **status_options(state)
    )
    body = await to_thread.run_sync(render, store)
    return Response(body, media_type=CONTENT_TYPE)


def summary_of(state: AppState, span: timedelta) -> Any:
    """What happened over the last `span` (`parse_since` reads the query's `since`)."""
    now = state.runner.clock()
    return build_summary(state.runner.engine, now - span, now, statuses(state))


@router.get(
    "/summary",
    operation_id="get_summary",
    responses={
        200: {"content": {"application/json": {}, "text/html": {}, "text/markdown": {}}},
        **doc(401, 403, 422),
    },
)
async def summary(
    state: StateDep,
    caller: Reviewer,
    since: Annotated[str, Query(max_length=16)] = "24h",
    format: Annotated[str, Query(pattern="^(json|md|html)$")] = "json",
) -> Response:
    """What happened over the period: per agent, rates, and the action items."""
    try:
        span = parse_since(since, "since")
    except ConfigError as exc:  # a bad query parameter, as FastAPI's own checks answer one
        raise ApiError(422, str(exc), ErrorCode.invalid_input) from None
    s = await to_thread.run_sync(summary_of, state, span)
    if format == "json":
        return Response(render_summary(s, "json"), media_type="application/json")
    if format == "html":
        return HTMLResponse(render_summary(s, "html"))
    return PlainTextResponse(render_summary(s, "md"), media_type="text/markdown")


@router.get("/outbox", operation_id="list_outbox", responses=doc(401, 403, 422))
async def outbox(
    state: StateDep,
    caller: Reviewer,
    status: Annotated[str | None, Query(pattern=f"^({'|'.join(STATES)})$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    """Notifications, newest first, with their delivery state (queued, retrying, delivered,
    failed), attempts and last error."""
    box = Outbox(state.runner.engine, {})
    rows = await to_thread.run_sync(lambda: box.list(status, limit))
    return [r.to_dict() for r in rows]
