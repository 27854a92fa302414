"""The FastAPI app: `create_app(settings, runner=None)`.

At start-up the app builds the graph and resumes every decided-but-not-resumed item
(`Runner.recover`); with several processes on one Postgres each does so, and the thread lock
and the queue's conditional update see that no item is resumed twice.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import FastAPI

from ringmaster import logs
from ringmaster.accounts import Accounts
from ringmaster.api import errors, tracing, web, web_ops
from ringmaster.api.deps import AppState
from ringmaster.api.middleware import BodyLimit, RequestContext
from ringmaster.api.progress import ProgressHub
from ringmaster.api.ratelimit import RateLimiter
from ringmaster.api.routes import agents, audit, health, meta, operations, reviews, threads
from ringmaster.metrics import MetricsMiddleware
from ringmaster.runner import Runner
from ringmaster.settings import Settings

log = logging.getLogger(__name__)

# Routes open without a token: the health checks and the web queue's sign-in and assets.
PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/ui/login", "/ui/static"})


async def _escalate_every(runner: Runner, settings: Settings) -> None:
    """The in-server scheduler for deadline escalation (idempotent beside cron's)."""
    while True:
        await asyncio.sleep(settings.escalation_interval_seconds)
        try:
            await to_thread.run_sync(runner.escalate)
        except Exception:  # keep scheduling; a failed round is retried at the next tick
            log.exception("deadline escalation failed")
        try:  # stuck runs and silent workers (docs/execution.md), once each
            await to_thread.run_sync(runner.check_in)
        except Exception:
            log.exception("stuck-work check-in failed")


def _chain(first: Any, then: Any) -> Any:
    if first is None:
        return then

    def both(namespace: tuple[str, ...], update: dict[str, Any]) -> None:
        first(namespace, update)
        then(namespace, update)

    return both


def create_app(
    settings: Settings | None = None,
    runner: Runner | None = None,
    tracer_provider: Any | None = None,
) -> FastAPI:
    """The API and the web queue over one runner (made from `settings` when not given);
    requests are traced with `tracer_provider`, else the global one if it is configured."""
    settings = settings or Settings()
    hub = ProgressHub()
    own_runner = runner is None
    if runner is None:
        runner = Runner(settings, on_event=hub.on_update, recover_on_start=False)
    else:  # the runner's own hook, if it has one, keeps its updates; the streams get them too
        runner.on_event = _chain(runner.on_event, hub.on_update)
    state = AppState(
        settings=settings,
        runner=runner,
        accounts=Accounts(runner.engine),
        hub=hub,
        request_limit=RateLimiter(
            runner.engine, settings.api_requests_per_minute, settings.api_rate_burst, "requests"
        ),
        decision_limit=RateLimiter(
            runner.engine, settings.api_decisions_per_minute, settings.api_rate_burst, "decisions"
        ),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await to_thread.run_sync(state.start)
        scheduler = None
        if settings.escalation_interval_seconds > 0:
            scheduler = asyncio.create_task(_escalate_every(runner, settings))
        worker = start_worker(state) if settings.serve_worker else None
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.cancel()
            if worker is not None:
                await to_thread.run_sync(worker.stop)
            if own_runner:
                runner.close()

    app = FastAPI(
        title="ringmaster",
        version="0.1.0",
        summary="Send requests to a team of agents; review what needs a human.",
        lifespan=lifespan,
        openapi_url=None,  # served by routes/meta.py, behind a token
        docs_url=None,
        redoc_url=None,
        telemetry=tracing.telemetry_config(tracer_provider),
    )
    app.state.rm = state
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.api_max_body_bytes)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(RequestContext)  # added last: the outermost of ours
    for module in (health, meta, threads, reviews, operations, agents, audit):
        app.include_router(module.router)
    web.install(app)
    web_ops.install(app)
    return app


class _ServeWorker:
    """`ringmaster serve`'s worker: a thread running queued jobs until the app stops."""

    def __init__(self, state: AppState) -> None:
        from ringmaster.schedules import worker_scheduler
        from ringmaster.thread_store import new_owner
        from ringmaster.worker import Worker

        def handle(job: Any) -> None:
            with state.hub.tracking(job.thread_id):  # its progress reaches the streams
                state.runner.run_job(job)

        owner = new_owner()
        self.worker = Worker(
            state.runner,
            owner=owner,
            handler=handle,
            scheduler=worker_scheduler(state.runner, owner),  # check-ins, rebalancing, summary
        )
        self.stop_event = threading.Event()
        self.thread = threading.Thread(
            target=self.worker.serve_forever, args=(self.stop_event,), name="rm-worker"
        )
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join()


def start_worker(state: AppState) -> _ServeWorker:
    return _ServeWorker(state)


def app_from_env() -> FastAPI:
    """The app as `ringmaster serve` runs it (in each worker process): settings from the
    environment, logs configured as they say, OpenTelemetry tracing if it is installed."""
    settings = Settings()
    logs.configure(settings.log_level, settings.log_format, settings.secret_values())
    return create_app(settings)
