"""Agent status: each agent's health, load and speed, read from the audit trail and the run queue.

Health: last success and last error (an `agent_output` event with or without an error), the
error rate over a window, and an optional health check the team file declares
(`health_check: module:attr`). An agent is unhealthy when its check fails, or when at least
`min_samples` outputs in the window failed at `unhealthy_error_rate` or more; its reasons say
which, with the latest error.

Only the agent's own failures count: an exception of its code, a timeout, a tool whose store
failed. An attempt a tool refused because of what the request gave it (an unknown id, an
amount out of range), one the requester's scopes did not reach, or one that found the
request's model budget spent (`fault` "input", "scope" or "budget" on its event,
graph/nodes/agent.py) is `refused`: it says nothing about the agent. Nor do questions back to
the requester (needs_input) or a validator's refusal of an output count: they are outputs
without an error.

Load comes from a `QueueProvider`; by default `JobsQueue` reads it from the run queue itself
(ringmaster/run_queue.py): queue depth is the agent's queued `slot` rows (subtasks waiting for
its slot), running its jobs under a live lease. So `ringmaster status`, GET /agents/status,
/metrics and the rebalancer read the same numbers as the queue.

The health each check-in or rebalancing pass reads is kept per agent (`record_health`, in
`rm_agent_health`): the run queue's grant reads that flag, not the audit trail, and starts
nothing of an agent flagged unhealthy until a later reading says it recovered.

Speed: per subtask, the time from when it could start (its plan, the last output it
depended on, or the last review it or that output waited for) to its agent's output, so time
spent waiting for a person is not counted as the agent's; median and p95 over the window,
throughput per hour, and an estimated time to clear the queue (work outstanding × median ÷
capacity).
"""

from __future__ import annotations

import pkgutil
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from ringmaster.agents.spec import AgentSpec, Team
from ringmaster.clock import as_utc
from ringmaster.percentiles import percentile as shared_percentile
from ringmaster.run_queue import agent_counts, lock_agents
from ringmaster.tables import agent_health, agent_status_history, audit_events, writer

WORK_KINDS = ("plan", "agent_output", "interrupt", "reroute", "review_applied")


class QueueProvider(Protocol):
    """Work waiting for and running on each agent."""

    def depth(self, agent: str) -> int: ...

    def running(self, agent: str) -> int: ...


def _event_rows(engine: Engine, *, since: datetime | None = None) -> Any:
    q = (
        select(
            audit_events.c.thread_id,
            audit_events.c.at,
            audit_events.c.kind,
            audit_events.c.actor,
            audit_events.c.data,
        )
        .where(audit_events.c.kind.in_(WORK_KINDS + ("request_received",)))
        .order_by(audit_events.c.seq)
    )
    if since is not None:
        q = q.where(audit_events.c.at >= since)
    with engine.connect() as conn:
        return [(t, as_utc(at), kind, actor, data) for t, at, kind, actor, data in conn.execute(q)]


class JobsQueue:
    """QueueProvider over the run queue's jobs (a snapshot taken at construction)."""

    def __init__(self, engine: Engine, now: datetime) -> None:
        with engine.connect() as conn:
            self.waiting, self.busy = agent_counts(conn, now)

    def depth(self, agent: str) -> int:
        return self.waiting.get(agent, 0)

    def running(self, agent: str) -> int:
        return self.busy.get(agent, 0)


@dataclass
class AgentStatus:
    name: str
    healthy: bool
    reasons: list[str]
    last_success: datetime | None
    last_error: datetime | None
    last_error_message: str | None
    outputs: int  # agent outputs in the window, the refused ones left out
    errors: int  # of those, the agent's own failures
    refused: int  # attempts that failed on the request's input (not the agent's fault)
    error_rate: float | None  # None: no output in the window
    health_check: str | None  # None: none declared; "ok"; or why it failed
    queue_depth: int
    running: int
    capacity: int
    throughput_per_hour: float
    p50_seconds: float | None
    p95_seconds: float | None
    eta_seconds: float | None  # to clear what is queued and running; None: no timing yet
    hourly: list[int] = field(default_factory=list)  # outputs per hour, oldest first

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        for k in ("last_success", "last_error"):
            d[k] = d[k].isoformat() if d[k] else None
        return d


def run_health_check(spec: AgentSpec) -> str | None:
    """None when none is declared, "ok", or why it failed (a check never raises past here)."""
    if not spec.health_check:
        return None
    try:
        ok = pkgutil.resolve_name(spec.health_check)()
    except Exception as exc:  # a broken check is a failed check: fail closed
        return f"failed: {type(exc).__name__}: {exc}"
    return "ok" if ok else "failed: the check returned false"


def seconds_text(value: float | None) -> str:
    """A duration as a person reads it in `status` and on the web page: "–" when nothing was
    timed, "<0.1s" and "0.3s" below ten seconds (a sub-second agent is not "0s"), whole
    seconds up to two minutes, minutes after. The API keeps the seconds as floats."""
    if value is None:
        return "–"
    if value == 0:
        return "0s"  # an ETA with nothing to clear
    if value < 0.1:
        return "<0.1s"
    if value < 10:
        return f"{value:.1f}s"
    return f"{value:.0f}s" if value < 120 else f"{value / 60:.1f}m"


def percentile(values: list[float], q: float) -> float | None:
    """The q-quantile (0–1) by linear interpolation, None for no values."""
    if not values:
        return None
    return shared_percentile(values, q * 100)


def agents_fault(data: Mapping[str, Any]) -> bool:
    """Whether a failed `agent_output` counts against its agent: "agent", or no `fault` at all
    (an event from before faults were marked)."""
    return data.get("fault") in (None, "agent")


@dataclass
class _Tally:
    outputs: int = 0
    errors: int = 0
    refused: int = 0
    last_error: str | None = None  # the latest of the agent's own errors
    durations: list[float] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)


def _tally(rows: Iterable[Any], since: datetime) -> dict[str, _Tally]:
    """Per agent: outputs and errors after `since`, and how long each subtask took."""
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    ready: dict[tuple[str, str], datetime] = {}
    deps: dict[tuple[str, str], list[str]] = {}
    finished: dict[tuple[str, str], datetime] = {}
    for thread_id, at, kind, actor, data in rows:
        if kind == "plan":
            for s in data.get("subtasks", []):
                key = (thread_id, s["id"])
                ready[key] = at
                deps[key] = list(s.get("depends_on", []))
                finished.pop(key, None)
        elif kind == "agent_output" and actor.startswith("agent:"):
            agent = actor.removeprefix("agent:")
            key = (thread_id, data.get("subtask_id", ""))
            dep_ends = [finished.get((thread_id, d)) for d in deps.get(key, [])]
            start = max([ready.get(key, at)] + [t for t in dep_ends if t is not None])
            if at >= since:
                t = tallies[agent]
                if data.get("error") and not agents_fault(data):
                    t.refused += 1  # the requester's to fix: neither output nor error
                elif data.get("error"):
                    t.outputs += 1
                    t.times.append(at)
                    t.errors += 1
                    t.last_error = str(data["error"])
                else:
                    t.outputs += 1
                    t.times.append(at)
                    t.durations.append((at - start).total_seconds())
            finished[key] = at
            ready[key] = at  # a retry starts when the failed attempt ended
        elif kind == "review_applied":
            # A person decided: the subtask (a routing review) and whatever waits on its output
            # (an approval) go on from here, not from before the wait.
            key = (thread_id, data.get("subtask_id", ""))
            ready[key] = at
            if key in finished:
                finished[key] = at
    return tallies


def _last_outputs(engine: Engine) -> dict[str, dict[str, Any]]:
    """Per agent: its latest successful output's time, and its latest error's time and text
    (the agent's own errors: an attempt refused for the request's input is none)."""
    q = (
        select(audit_events.c.actor, audit_events.c.at, audit_events.c.data)
        .where(audit_events.c.kind == "agent_output")
        .order_by(audit_events.c.seq.desc())
        .limit(20_000)
    )
    last: dict[str, dict[str, Any]] = defaultdict(dict)
    with engine.connect() as conn:
        for actor, at, data in conn.execute(q):
            agent = str(actor).removeprefix("agent:")
            if data.get("error") and not agents_fault(data):
                continue
            key = "error" if data.get("error") else "success"
            if key not in last[agent]:
                last[agent][key] = (as_utc(at), data.get("error"))
    return last


def agent_statuses(
    engine: Engine,
    team: Team,
    now: datetime,
    *,
    window: timedelta = timedelta(hours=1),
    queue: QueueProvider | None = None,
    unhealthy_error_rate: float = 0.5,
    min_samples: int = 3,
    hours: int = 12,
    run_checks: bool = True,
    lookback: timedelta = timedelta(hours=6),
) -> list[AgentStatus]:
    """The status of every agent in the team, as of `now`."""
    queue = queue or JobsQueue(engine, now)
    chart_since = now - timedelta(hours=hours)
    since = min(now - window, chart_since)
    # The lookback gives subtasks that started before the window their start times.
    rows = _event_rows(engine, since=since - lookback)
    window_tally = _tally(rows, now - window)
    chart_tally = _tally(rows, chart_since)
    last = _last_outputs(engine)
    result = []
    for spec in team.agents:
        t = window_tally.get(spec.name, _Tally())
        rate = t.errors / t.outputs if t.outputs else None
        check = run_health_check(spec) if run_checks else None
        reasons = []
        if check and check != "ok":
            reasons.append(f"health check {check}")
        if rate is not None and t.outputs >= min_samples and rate >= unhealthy_error_rate:
            latest = f" (latest: {_short(t.last_error)})" if t.last_error else ""
            reasons.append(f"{t.errors} of {t.outputs} outputs failed in the last {window}{latest}")
        depth, running = queue.depth(spec.name), queue.running(spec.name)
        p50 = percentile(t.durations, 0.5)
        hourly = [0] * hours
        for at in chart_tally.get(spec.name, _Tally()).times:
            slot = int((at - chart_since).total_seconds() // 3600)
            if 0 <= slot < hours:
                hourly[slot] += 1
        success = last.get(spec.name, {}).get("success")
        error = last.get(spec.name, {}).get("error")
        result.append(
            AgentStatus(
                name=spec.name,
                healthy=not reasons,
                reasons=reasons,
                last_success=success[0] if success else None,
                last_error=error[0] if error else None,
                last_error_message=error[1] if error else None,
                outputs=t.outputs,
                errors=t.errors,
                refused=t.refused,
                error_rate=rate,
                health_check=check,
                queue_depth=depth,
                running=running,
                capacity=spec.capacity,
                throughput_per_hour=(t.outputs - t.errors) / (window.total_seconds() / 3600),
                p50_seconds=p50,
                p95_seconds=percentile(t.durations, 0.95),
                eta_seconds=(depth + running) * p50 / spec.capacity if p50 is not None else None,
                hourly=hourly,
            )
        )
    return result


def _short(text: str | None, most: int = 120) -> str:
    one = " ".join(str(text).split())
    return one if len(one) <= most else one[: most - 1] + "…"


Health = Mapping[str, tuple[bool, tuple[str, ...]]]  # per agent: healthy, and why not


def record_health(
    engine: Engine, health: Health, at: datetime, *, whole_team: bool = False
) -> None:
    """Keep each agent's current health where the run queue's grant reads it (one row per
    agent, replaced at each reading). `whole_team`: `health` is a reading of every agent of
    the team, so the flag of an agent no longer in it goes (no later reading would clear it,
    and the grant would refuse that agent for ever)."""
    if not health:
        return
    from sqlalchemy.dialects import postgresql, sqlite

    dialect_insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    rows = [
        {"agent": a, "healthy": ok, "reasons": list(why), "at": at}
        for a, (ok, why) in sorted(health.items())  # one lock order for every writer
    ]
    stmt = dialect_insert(agent_health).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=["agent"],
        set_={k: stmt.excluded[k] for k in ("healthy", "reasons", "at")},
    )
    with writer(engine).begin() as conn:
        # Each agent's lock, which a grant holds while it checks and starts (run_queue.py): a
        # grant in flight commits first, and any later one sees this reading.
        lock_agents(conn, health)
        conn.execute(stmt)
        if whole_team:
            conn.execute(delete(agent_health).where(agent_health.c.agent.not_in(sorted(health))))


def health_of(statuses: Iterable[AgentStatus]) -> Health:
    return {s.name: (s.healthy, tuple(s.reasons)) for s in statuses}


def flagged_unhealthy(engine: Engine) -> list[str]:
    """The agents whose kept health says unhealthy (the run queue starts nothing of them)."""
    c = agent_health.c
    with engine.connect() as conn:
        return [str(a) for (a,) in conn.execute(select(c.agent).where(c.healthy.is_(False)))]


def record_statuses(engine: Engine, statuses: list[AgentStatus], at: datetime) -> None:
    """Keep a check-in's statuses for history (the status page's queue-depth chart), and
    each agent's health as the current one."""
    record_health(engine, health_of(statuses), at, whole_team=True)
    with writer(engine).begin() as conn:
        for s in statuses:
            conn.execute(
                agent_status_history.insert().values(
                    at=at,
                    agent=s.name,
                    healthy=s.healthy,
                    queue_depth=s.queue_depth,
                    running=s.running,
                    data=s.to_dict(),
                )
            )


def history(engine: Engine, since: datetime) -> dict[str, list[tuple[datetime, int, bool]]]:
    """Per agent, its recorded (time, queue depth, healthy) since `since`, oldest first."""
    c = agent_status_history.c
    q = select(c.agent, c.at, c.queue_depth, c.healthy).where(c.at >= since).order_by(c.at)
    out: dict[str, list[tuple[datetime, int, bool]]] = defaultdict(list)
    with engine.connect() as conn:
        for agent, at, depth, healthy in conn.execute(q):
            out[agent].append((as_utc(at), int(depth), bool(healthy)))  # type: ignore[arg-type]
    return dict(out)


def previously_healthy(engine: Engine, agent: str) -> bool | None:
    """The agent's health at the last check-in, None before its first."""
    c = agent_status_history.c
    q = select(c.healthy).where(c.agent == agent).order_by(c.at.desc(), c.id.desc()).limit(1)
    with engine.connect() as conn:
        row = conn.execute(q).first()
    return None if row is None else bool(row[0])
