"""The operations pages under /ui: agent status, the summary of a period, the outbox.

Server-rendered like the queue (ringmaster/api/web.py: its session, its CSP); the charts are
inline SVG drawn on the server (summary.bar_chart), so there is no script and no build.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from ringmaster.agent_status import history
from ringmaster.api.deps import StateDep
from ringmaster.api.routes.operations import statuses, summary_of
from ringmaster.api.web import SessionDep, page
from ringmaster.errors import ConfigError
from ringmaster.outbox import STATES, Outbox
from ringmaster.summary import COLUMNS, HEADERS, bar_chart, parse_since

router = APIRouter(prefix="/ui", include_in_schema=False)
HOURS = 12


def _depth_series(points: list[tuple[datetime, int, bool]]) -> list[int]:
    return [depth for _, depth, _ in points][-48:]


@router.get("/status")
async def status_page(request: Request, state: StateDep, session: SessionDep) -> HTMLResponse:
    now = state.runner.clock()
    rows = await to_thread.run_sync(statuses, state)
    hist = await to_thread.run_sync(history, state.runner.engine, now - timedelta(hours=HOURS))
    charts = {
        s.name: {
            "throughput": Markup(bar_chart(s.hourly, width=240, height=50, label="done per hour")),
            "depth": Markup(
                bar_chart(
                    _depth_series(hist.get(s.name, [])),
                    width=240,
                    height=50,
                    label="queue depth at check-ins",
                )
            ),
        }
        for s in rows
    }
    return page(
        request,
        "status.html",
        {"me": session.user, "csrf": session.csrf, "rows": rows, "charts": charts, "now": now},
    )


@router.get("/summary")
async def summary_page(
    request: Request,
    state: StateDep,
    session: SessionDep,
    since: Annotated[str, Query(max_length=16)] = "24h",
) -> HTMLResponse:
    error = None
    try:
        span = parse_since(since, "since")
    except ConfigError as exc:  # the last day's summary, and what was wrong with the period
        error, since, span = str(exc), "24h", timedelta(hours=24)
    s = await to_thread.run_sync(summary_of, state, span)
    chart = Markup(bar_chart(s.hourly_processed, label="subtasks processed per hour"))
    return page(
        request,
        "summary.html",
        {
            "me": session.user,
            "csrf": session.csrf,
            "s": s,
            "totals": s.totals(),
            "columns": COLUMNS,
            "headers": HEADERS,
            "chart": chart,
            "since": since,
            "error": error,
        },
        status_code=400 if error else 200,
    )


@router.get("/outbox")
async def outbox_page(
    request: Request,
    state: StateDep,
    session: SessionDep,
    status: Annotated[str, Query(max_length=16)] = "",
) -> HTMLResponse:
    box = Outbox(state.runner.engine, {})
    status = status if status in STATES else ""
    rows = await to_thread.run_sync(lambda: box.list(status or None, 100))
    counts = await to_thread.run_sync(box.counts)
    return page(
        request,
        "outbox.html",
        {
            "me": session.user,
            "csrf": session.csrf,
            "rows": rows,
            "counts": counts,
            "states": STATES,
            "status": status,
        },
    )


def install(app: FastAPI) -> None:
    app.include_router(router)
