"""Schedules inside the workers (ringmaster/schedules.py), on SQLite and Postgres, with an
injected clock: two workers run each tick once — check-ins, rebalancing passes, the daily
summary and the outbox sender."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from ringmaster.agent_status import flagged_unhealthy
from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.runtime import PythonRuntime
from ringmaster.audit import AuditLog
from ringmaster.graph.deps import GraphDeps
from ringmaster.outbox_queue import queue_once
from ringmaster.run_queue import SqlRunQueue
from ringmaster.runner import Runner
from ringmaster.schedules import Schedule, Scheduler, worker_scheduler, worker_schedules
from ringmaster.settings import Settings
from ringmaster.tables import agent_status_history, audit_events, notifications, schedule_ticks
from ringmaster.tools.base import ToolRegistry
from ringmaster.worker import Worker
from tests.fakes import ScriptedAgent, ScriptedPlanner, ok, plan_of
from tests.ringmaster.ops_traffic import AUDIT_KEY, START, TEAM, Clock, engine
from tests.ringmaster.webhook import Hook

__all__ = ["engine"]


def wait_for(what: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_two_schedulers_racing_run_each_tick_once(engine: Engine) -> None:
    clock = Clock(START + timedelta(seconds=30))
    runs: Counter[tuple[str, int]] = Counter()
    lock = threading.Lock()

    def record(name: str) -> Callable[[datetime, int], None]:
        def run(now: datetime, tick: int) -> None:
            with lock:
                runs[(name, tick)] += 1

        return run

    def scheduler(owner: str) -> Scheduler:
        queue = SqlRunQueue(engine, clock)  # each worker has its own queue object
        schedules = [
            Schedule("often", 60, record("often")),
            Schedule("daily", 86400, record("daily"), offset=3600),  # at 01:00 UTC
            Schedule("off", 0, record("off")),
        ]
        return Scheduler(queue, schedules, owner)

    a, b = scheduler("a"), scheduler("b")
    barrier = threading.Barrier(3)  # the two schedulers and the clock
    ran: dict[str, list[tuple[str, int]]] = {"a": [], "b": []}

    def loop(name: str, s: Scheduler) -> None:
        for _ in range(100):
            barrier.wait()  # both ask at the same clock reading
            ran[name] += s.run_due()
            barrier.wait()  # the main thread moves the clock between rounds

    threads = [threading.Thread(target=loop, args=(n, s)) for n, s in (("a", a), ("b", b))]
    for t in threads:
        t.start()
    # 100 rounds of 50 s: from 00:00:30 to 01:23:50, one round per clock reading.
    for _ in range(100):
        barrier.wait()
        barrier.wait()
        clock.advance(seconds=50)
    for t in threads:
        t.join()

    # The tick current at start (minute 0) is not run; minutes 1…83 are, once each.
    assert sorted(t for (n, t) in runs if n == "often") == [
        int(START.timestamp() // 60) + m for m in range(1, 84)
    ]
    assert set(runs.values()) == {1}
    assert [k for k in runs if k[0] == "daily"] == [("daily", int(START.timestamp() // 86400))]
    assert not [k for k in runs if k[0] == "off"]
    assert sorted(ran["a"] + ran["b"]) == sorted(runs)  # each run reported by its runner only
    with engine.connect() as conn:
        owners = Counter(o for (o,) in conn.execute(select(schedule_ticks.c.owner)))
    assert sum(owners.values()) == len(runs)


def test_a_failing_schedule_is_logged_and_the_others_run(engine: Engine) -> None:
    clock = Clock(START)

    def broken(now: datetime, tick: int) -> None:
        raise RuntimeError("boom")

    seen: list[int] = []
    s = Scheduler(
        SqlRunQueue(engine, clock),
        [Schedule("broken", 10, broken), Schedule("fine", 10, lambda now, t: seen.append(t))],
        "a",
    )
    clock.advance(seconds=10)
    assert [n for n, _ in s.run_due()] == ["fine"]
    assert len(seen) == 1


# -- inside real workers ---------------------------------------------------------------------
def runner_for(tmp_path: Path, url: str, clock: Clock, settings: Settings) -> Runner:
    registry = AgentRegistry.build(
        TEAM,
        ToolRegistry(),
        overrides={n: PythonRuntime(ScriptedAgent(ok())) for n in TEAM.names()},
    )
    deps = GraphDeps(registry=registry, planner=ScriptedPlanner(plan_of(("x", "billing"))))
    return Runner(settings, deps=deps, clock=clock)


@contextmanager
def serving(workers: list[Worker]) -> Iterator[None]:
    stop = threading.Event()
    threads = [
        threading.Thread(target=w.serve_forever, args=(stop,), kwargs={"idle_wait": 0.05})
        for w in workers
    ]
    for t in threads:
        t.start()
    try:
        yield
    finally:
        stop.set()
        for t in threads:
            t.join()


def count(engine: Engine, table: Any, *where: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def test_two_workers_run_each_scheduled_job_once(tmp_path: Path, engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    clock = Clock(START)  # 00:00 UTC
    settings = Settings(
        home=tmp_path, db_url=url, checkin_interval_seconds=300, rebalance_interval_seconds=60,
        rebalance_threshold=1, summary_interval_hours=24, summary_at_hour_utc=0.25,
        outbox_interval_seconds=120,
    )  # fmt: skip
    runs: Counter[tuple[str, int]] = Counter()
    lock = threading.Lock()

    def counted(s: Schedule) -> Schedule:
        def run(now: datetime, tick: int) -> None:
            with lock:
                runs[(s.name, tick)] += 1
            s.run(now, tick)

        return dataclasses.replace(s, run=run)

    runners = [runner_for(tmp_path, url, clock, settings) for _ in range(2)]
    workers = []
    for i, r in enumerate(runners):
        sched = worker_scheduler(r, f"w{i}")
        sched.schedules = [counted(s) for s in sched.schedules]
        workers.append(Worker(r, owner=f"w{i}", scheduler=sched))
    # A spike of 4 subtasks waiting for billing (capacity 2): billing2 is idle.
    for n in range(4):
        assert runners[0].jobs.enqueue(
            key=f"slot:t{n}:1:s1", kind="slot", thread_id=f"t{n}", turn=1, agent="billing",
            payload={"subtask_id": "s1", "planned_agent": "billing", "requester": "ann",
                     "scopes": ["billing"]},
        )  # fmt: skip

    def seen_by_both(name: str) -> Callable[[], bool]:
        """Both workers have asked for the schedule's current tick (so a second run of it
        would have happened by now)."""

        def check() -> bool:
            return all(
                w.scheduler is not None
                and w.scheduler._seen[name] == _schedule(w, name).tick_at(clock())
                for w in workers
            )

        return check

    try:
        with serving(workers):
            for minute in range(1, 21):  # 00:01 … 00:20, a minute at a time
                clock.now = START + timedelta(minutes=minute)
                for name in ("checkin", "rebalance", "summary", "outbox"):
                    wait_for(seen_by_both(name))
    finally:
        for r in runners:
            r.close()

    assert set(runs.values()) == {1}  # whichever worker took a tick, it ran once
    names = Counter(n for n, _ in runs)
    assert names == {"rebalance": 20, "checkin": 4, "outbox": 10, "summary": 1}
    # What ran is the real thing: statuses recorded 4 times for 4 agents, the spike moved to
    # billing2 (its room: 2) by one audit event a move, one summary queued in the outbox.
    assert count(engine, agent_status_history) == 4 * len(TEAM.agents)
    assert count(engine, audit_events, audit_events.c.kind == "reroute") == 2
    assert count(engine, notifications, notifications.c.recipient == "summary") == 1


def _schedule(w: Worker, name: str) -> Schedule:
    assert w.scheduler is not None
    (s,) = [s for s in w.scheduler.schedules if s.name == name]
    return s


def test_the_rebalancing_pass_keeps_the_health_flag_the_queue_reads(
    tmp_path: Path, engine: Engine
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    clock = Clock(START)
    settings = Settings(home=tmp_path, db_url=url, rebalance_threshold=8, audit_key=AUDIT_KEY)
    runner = runner_for(tmp_path, url, clock, settings)
    try:
        (rebalance,) = [s for s in worker_schedules(runner) if s.name == "rebalance"]
        # billing failed 3 of 3 in the window, and a subtask waits for it: the pass reads its
        # health, keeps the flag, and moves the subtask to billing2.
        audit = AuditLog(engine, clock, AUDIT_KEY.encode())
        for n in range(3):
            audit.append(f"e{n}", "agent_output", "agent:billing", subtask_id="s1", error="boom")
        assert runner.jobs.enqueue(
            key="slot:t1:1:s1:1", kind="slot", thread_id="t1", turn=1, agent="billing",
            payload={"subtask_id": "s1", "planned_agent": "billing", "requester": "ann",
                     "scopes": ["billing"]},
        )  # fmt: skip
        rebalance.run(clock(), 1)
        assert flagged_unhealthy(engine) == ["billing"]
        assert runner.jobs.by_key("slot:t1:1:s1:1").agent == "billing2"  # type: ignore[union-attr]
        # Nothing waits any more, but billing is flagged: the next pass reads health again,
        # and once its errors are out of the window the flag says it recovered.
        clock.advance(hours=2)
        rebalance.run(clock(), 2)
        assert flagged_unhealthy(engine) == []
    finally:
        runner.close()


def test_a_slow_outbox_send_does_not_hold_up_claims(tmp_path: Path, engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    clock = Clock(START)
    with Hook([], held=True) as hook:
        settings = Settings(
            home=tmp_path, db_url=url, checkin_interval_seconds=0, rebalance_interval_seconds=0,
            summary_interval_hours=0, outbox_interval_seconds=60, notify_webhook_url=hook.url,
            outbox_backoff_seconds=60,  # a send that times out would hold its pass a minute more
        )  # fmt: skip
        runner = runner_for(tmp_path, url, clock, settings)
        worker = Worker(runner, owner="w0", scheduler=worker_scheduler(runner, "w0"))
        with runner.engine.begin() as conn:
            assert queue_once(
                conn, item_id="x", recipient="escalation", thread_id="", payload={"text": "hi"},
                now=clock(),
            )  # fmt: skip
        try:
            with serving([worker]):
                clock.advance(seconds=60)  # the outbox's tick turns: its send blocks in the hook
                wait_for(hook.entered.is_set)
                thread, _ = runner.accept("x")  # queued while the send is held: claimed, run
                wait_for(lambda: [j.state for j in runner.jobs.for_thread(thread)] == ["done"])
                assert not hook.requests  # claimed and run while the send was still held
                hook.release.set()
                wait_for(
                    lambda: count(engine, notifications, notifications.c.status == "delivered") == 1
                )
        finally:
            runner.close()
    assert len(hook.delivered) == 1
