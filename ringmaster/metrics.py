"""Prometheus metrics for `/metrics` (prometheus-client).

Two sources. What the stores know (subtasks per agent and outcome, queue depth, review backlog
and age, failed runs, model calls and tokens, the outbox, per-agent latency quantiles) is read
from the database at each scrape by `StoreCollector`, so every API worker reports the same
numbers whichever one Prometheus reaches. What only a process knows (its HTTP requests and their
latencies) is kept in prometheus-client counters; with `PROMETHEUS_MULTIPROC_DIR` set (several
uvicorn workers) prometheus-client keeps them in files there and a scrape sums every worker's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ringmaster.agent_status import agent_statuses
from ringmaster.agents.spec import Team
from ringmaster.clock import Clock, as_utc, utcnow
from ringmaster.tables import audit_events, notifications, review_items, threads, usage

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Not in the default registry: `render` puts them (or, multiprocess, their files) in its own.
REQUESTS = Counter(
    "ringmaster_http_requests",
    "HTTP requests answered, by method, route and status.",
    ["method", "route", "status"],
    registry=None,
)
LATENCY = Histogram(
    "ringmaster_http_request_seconds",
    "Time to answer an HTTP request, by method and route.",
    ["method", "route"],
    registry=None,
)


class MetricsMiddleware:
    """Counts and times every HTTP request under its route's template (never its raw path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(scope["method"], route).observe(time.perf_counter() - start)


class StoreCollector(Collector):
    """Reads the application's tables at scrape time (see the module docstring)."""

    def __init__(
        self, engine: Engine, team: Callable[[], Team], clock: Clock = utcnow, **status: Any
    ) -> None:
        self.engine, self.team, self.clock, self.status = engine, team, clock, status

    def collect(self) -> Iterator[Metric]:
        now = self.clock()
        yield self._subtasks()
        yield from self._agents(now)
        yield from self._reviews(now)
        yield from self._runs_usage_outbox()

    def _subtasks(self) -> Metric:
        m = CounterMetricFamily(
            "ringmaster_subtasks",
            "Agent outputs, by agent and outcome (refused: the request's input, not the agent,"
            " failed; see agent_status.py).",
            labels=["agent", "outcome"],
        )
        failed = audit_events.c.data["error"].as_string().is_not(None)
        fault = audit_events.c.data["fault"].as_string()
        q = (
            select(audit_events.c.actor, failed.label("failed"), fault.label("fault"), func.count())
            .where(audit_events.c.kind == "agent_output")
            .group_by(audit_events.c.actor, failed, fault)
        )
        counts: dict[tuple[str, str], int] = {}
        with self.engine.connect() as conn:
            for actor, is_failed, whose, n in conn.execute(q):
                refused = whose not in (None, "agent")  # as agent_status.agents_fault reads it
                outcome = ("refused" if refused else "error") if is_failed else "ok"
                key = (str(actor).removeprefix("agent:"), outcome)
                counts[key] = counts.get(key, 0) + int(n)
        for labels, n in sorted(counts.items()):
            m.add_metric(list(labels), n)
        return m

    def _agents(self, now: datetime) -> Iterator[Metric]:
        statuses = agent_statuses(self.engine, self.team(), now, **self.status)
        depth = GaugeMetricFamily(
            "ringmaster_queue_depth", "Subtasks waiting for an agent.", labels=["agent"]
        )
        running = GaugeMetricFamily(
            "ringmaster_subtasks_running", "Subtasks an agent is working on.", labels=["agent"]
        )
        healthy = GaugeMetricFamily(
            "ringmaster_agent_healthy", "1 if the agent takes new work.", labels=["agent"]
        )
        seconds = GaugeMetricFamily(
            "ringmaster_subtask_seconds",
            "Time per subtask over the status window, by agent and quantile.",
            labels=["agent", "quantile"],
        )
        for s in statuses:
            depth.add_metric([s.name], s.queue_depth)
            running.add_metric([s.name], s.running)
            healthy.add_metric([s.name], 1 if s.healthy else 0)
            for q, v in (("0.5", s.p50_seconds), ("0.95", s.p95_seconds)):
                if v is not None:
                    seconds.add_metric([s.name, q], v)
        yield from (depth, running, healthy, seconds)

    def _reviews(self, now: datetime) -> Iterator[Metric]:
        c = review_items.c
        backlog = GaugeMetricFamily(
            "ringmaster_review_backlog", "Reviews waiting for a person.", labels=["overdue"]
        )
        oldest = GaugeMetricFamily(
            "ringmaster_review_oldest_age_seconds", "Age of the oldest pending review."
        )
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).where(c.status == "pending")).scalar() or 0
            late = (
                conn.execute(
                    select(func.count()).where(c.status == "pending", c.deadline < now)
                ).scalar()
                or 0
            )
            first = conn.execute(select(func.min(c.created_at)).where(c.status == "pending"))
            first_at = as_utc(first.scalar())
        backlog.add_metric(["false"], total - late)
        backlog.add_metric(["true"], late)
        oldest.add_metric([], (now - first_at).total_seconds() if first_at else 0.0)
        yield from (backlog, oldest)

    def _runs_usage_outbox(self) -> Iterator[Metric]:
        runs = GaugeMetricFamily(
            "ringmaster_threads",
            "Threads by status (failed: runs kept for `ringmaster recover`).",
            labels=["status"],
        )
        calls = CounterMetricFamily("ringmaster_model_calls", "Chat model calls.")
        tokens = CounterMetricFamily("ringmaster_tokens", "Model tokens.", labels=["direction"])
        outbox = GaugeMetricFamily(
            "ringmaster_outbox", "Notifications by delivery state.", labels=["status"]
        )
        u = usage.c
        with self.engine.connect() as conn:
            q = select(threads.c.status, func.count()).group_by(threads.c.status)
            for status, n in conn.execute(q):
                runs.add_metric([status], int(n))
            sums = conn.execute(
                select(
                    func.coalesce(func.sum(u.model_calls), 0),
                    func.coalesce(func.sum(u.input_tokens), 0),
                    func.coalesce(func.sum(u.output_tokens), 0),
                )
            ).one()
            q = select(notifications.c.status, func.count()).group_by(notifications.c.status)
            for status, n in conn.execute(q):
                outbox.add_metric([status], int(n))
        calls.add_metric([], int(sums[0]))
        tokens.add_metric(["input"], int(sums[1]))
        tokens.add_metric(["output"], int(sums[2]))
        yield from (runs, calls, tokens, outbox)


def render(store: StoreCollector | None) -> bytes:
    """The exposition text: this process's (or every worker's) HTTP metrics, and the stores'."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get(MULTIPROC_ENV):
        MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    if store is not None:
        registry.register(store)
    return generate_latest(registry)
