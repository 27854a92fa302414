"""The graph's own subtasks held to their agent's capacity (ringmaster/slots.py): a run parked
while it waits, and capacity 2 across two worker processes observed by the agent itself."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from benchmarks.capacity import max_overlap
from ringmaster.agent_status import record_health
from ringmaster.agents.runtime import AgentTask
from ringmaster.cli_output import print_outcome
from ringmaster.graph.slots import CapacityWait, Grant, SlotRequest
from ringmaster.graph.state import Requester
from ringmaster.quarantine import quarantine
from ringmaster.rebalance import JobsMovable, rebalance_pass
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from ringmaster.slots import QueueSlots
from ringmaster.tables import jobs
from ringmaster.tools.base import ToolBox
from ringmaster.worker import Worker
from tests.fakes import ScriptedAgent, ScriptedPlanner, make_deps, ok, plan_of
from tests.ringmaster import slot_app

ROOT = Path(__file__).resolve().parents[2]


def test_a_run_waiting_past_the_bound_is_parked_uncounted_and_completes_when_a_slot_frees(
    tmp_path: Path, db_url: str | None
) -> None:
    gamma = ScriptedAgent(ok())
    planner = ScriptedPlanner(plan_of(("work", "gamma")))
    deps, _ = make_deps(tmp_path, planner, {"gamma": gamma}, capacity={"gamma": 1})
    settings = Settings(
        home=tmp_path, db_url=db_url, slot_wait_seconds=0.3, slot_requeue_seconds=0.0
    )
    with Runner(settings, deps=deps) as runner:
        worker = Worker(runner)  # the team's limits on the queue
        elsewhere = SlotRequest("other", 1, "x", 1, "gamma", "bob", "normal", ())
        held, granted = QueueSlots(runner.jobs).acquire(elsewhere, "another-process")
        assert granted  # gamma's only slot is taken
        thread, _ = runner.accept("work")
        assert worker.step()  # the run ran until its subtask had waited 0.3 s
        (job,) = runner.jobs.for_thread(thread)
        assert job.state == "queued" and job.attempts == 0 and job.last_error is None
        assert runner.threads.get(thread).status == "waiting"
        assert runner.outcome(thread).waiting_for == [{"subtask_id": "t1", "agent": "gamma"}]
        kinds = [e.kind for e in runner.audit.for_thread(thread)]
        assert "capacity_wait" in kinds and "run_failed" not in kinds
        assert gamma.tasks == []
        assert worker.step()  # parked again: the slot is still taken
        assert runner.jobs.get(job.id).attempts == 0
        runner.jobs.complete(held.id, "another-process")
        out = runner.drive(thread, timeout=30)
        assert out.status == "completed" and out.results["t1"]["status"] == "done"
        assert out.waiting_for == []
        assert runner.jobs.get(job.id).attempts == 1  # the waits were never counted
        assert [t.subtask_id for t in gamma.tasks] == ["t1"]  # run once, from its checkpoint
        (slot,) = runner.jobs.for_thread(thread, slots=True)
        assert slot.state == "done" and slot.agent == "gamma"


def test_a_quarantined_run_leaves_no_subtask_waiting_for_its_agent(
    tmp_path: Path, db_url: str | None
) -> None:
    planner = ScriptedPlanner(plan_of(("work", "gamma")))
    deps, _ = make_deps(tmp_path, planner, {"gamma": ScriptedAgent(ok())}, capacity={"gamma": 1})
    settings = Settings(
        home=tmp_path, db_url=db_url, slot_wait_seconds=0.3, slot_requeue_seconds=0.0
    )
    with Runner(settings, deps=deps) as runner:
        worker = Worker(runner)
        elsewhere = SlotRequest("other", 1, "x", 1, "gamma", "bob", "normal", ())
        assert QueueSlots(runner.jobs).acquire(elsewhere, "another-process")[1]
        thread, _ = runner.accept("work")
        assert worker.step()  # parked: its subtask's slot row waits in gamma's line
        (slot,) = [j for j in runner.jobs.for_thread(thread, slots=True) if j.kind == "slot"]
        assert slot.state == "queued"
        job = runner.jobs.claim("w")
        assert job is not None and job.thread_id == thread
        quarantine(runner, job, "boom", "w")
        assert runner.jobs.get(slot.id).state == "cancelled"
        out = runner.outcome(thread)
        assert out.status == "quarantined" and out.waiting_for == []


def test_a_run_parked_midway_keeps_its_finished_subtasks_and_runs_each_once(
    tmp_path: Path, db_url: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Capacity 1, three subtasks, a bound of 0.3 s: the first granted holds gamma's slot until
    # a subtask in line has given up its wait, so the run is parked while the slot's holder
    # finishes; its re-runs run only the others. (Calls of 0.25 s made that a race on a
    # loaded machine: a late waiter could find the slot free.)
    gave_up = threading.Event()

    def answer(task: AgentTask, tools: ToolBox) -> dict[str, Any]:
        assert gave_up.wait(60), "no subtask waited past the bound"  # a hang guard
        return ok()(task, tools)

    gamma = ScriptedAgent(answer)
    planner = ScriptedPlanner(plan_of(("one", "gamma"), ("two", "gamma"), ("three", "gamma")))
    deps, _ = make_deps(tmp_path, planner, {"gamma": gamma}, capacity={"gamma": 1})
    settings = Settings(
        home=tmp_path, db_url=db_url, slot_wait_seconds=0.3, slot_requeue_seconds=0.0
    )
    with Runner(settings, deps=deps) as runner:
        Worker(runner)  # the team's limits on the queue
        real = runner.slots.hold

        @contextmanager
        def hold(request: SlotRequest) -> Iterator[Grant]:
            granted = False
            try:
                with real(request) as grant:
                    granted = True
                    yield grant
            except CapacityWait:
                if not granted:
                    gave_up.set()
                raise

        monkeypatch.setattr(runner.slots, "hold", hold)
        thread, _ = runner.accept("three parts")
        out = runner.drive(thread, timeout=60)
        assert out.status == "completed"
        assert {k: r["status"] for k, r in out.results.items()} == dict.fromkeys(
            ["t1", "t2", "t3"], "done"
        )
        assert sorted(t.subtask_id for t in gamma.tasks) == ["t1", "t2", "t3"]  # each once
        spans = sorted(gamma.spans)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))  # one at a time
        kinds = [e.kind for e in runner.audit.for_thread(thread)]
        assert kinds.count("capacity_wait") >= 1 and "run_failed" not in kinds
        (job,) = runner.jobs.for_thread(thread)
        assert job.state == "done" and job.attempts == 1


@pytest.mark.xdist_group("capacity")  # overlap measured: see test_capacity.py
def test_capacity_two_holds_for_graph_subtasks_across_two_worker_processes(
    tmp_path: Path, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Processes on one database sign its audit trail with one key (each has its own home).
    monkeypatch.setenv("RINGMASTER_AUDIT_KEY", "slot-runs-test-key-0123456789abcdef")
    spans_file = tmp_path / "spans.txt"
    priorities = ["low", "normal", "high", "urgent"]
    with slot_app.build(tmp_path / "parent", pg_database, None) as runner:
        threads = [
            runner.accept(f"request {i}", requester=Requester(id="u", priority=priorities[i % 4]))[
                0
            ]
            for i in range(10)  # 10 requests of 5 gamma subtasks each: 50 subtasks
        ]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.ringmaster.slot_app",
                    str(tmp_path / f"w{n}"),
                    pg_database,
                    str(spans_file),
                ],
                cwd=ROOT,
                env=env,
            )  # fmt: skip
            for n in range(2)
        ]
        try:
            deadline = time.monotonic() + 120
            while any(runner.threads.get(t).status != "completed" for t in threads):
                assert time.monotonic() < deadline, [runner.threads.get(t).status for t in threads]
                assert all(p.poll() is None for p in procs), "a worker process died"
                time.sleep(0.1)  # polling the threads' rows, with a deadline
        finally:
            for p in procs:
                p.terminate()
                p.wait()
        for t in threads:
            assert len(runner.outcome(t).results) == slot_app.PARTS
        with runner.jobs.engine.connect() as conn:
            c = jobs.c
            slots = conn.execute(
                select(c.priority, c.created_at, c.started_at, c.state).where(c.kind == "slot")
            ).all()
    # What the agent itself saw: each subtask once, never more than 2 at a time, and 2 reached
    # (slot_app's first calls wait for a second: a grant's way to the call may be slow here).
    lines = [ln.split() for ln in spans_file.read_text().splitlines()]
    assert len(lines) == 50 and len({(t, s) for t, s, _, _ in lines}) == 50
    assert {t for t, *_ in lines} == set(threads)
    assert max_overlap([(float(s), float(e)) for *_, s, e in lines]) == 2
    # Waiting subtasks start in priority order: whenever a started while b waited in line
    # (b asked before a started), b ranked no higher, or b started first.
    assert len(slots) == 50 and all(r.state == "done" for r in slots)
    compared = 0
    for a, b in itertools.permutations(slots, 2):
        if b.priority > a.priority and b.created_at < a.started_at:
            compared += 1
            assert b.started_at <= a.started_at, (a, b)
    assert compared >= 20  # the runs did overlap: there was a line to keep in order


def test_a_run_waiting_for_an_unhealthy_agent_moves_to_its_standin_or_waits_for_a_person(
    tmp_path: Path, db_url: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    # gamma (capacity 1) may be stood in for by beta; alpha has no stand-in.
    beta, gamma, alpha = ScriptedAgent(ok()), ScriptedAgent(ok()), ScriptedAgent(ok())
    plans = {"work": plan_of(("work", "gamma")), "more": plan_of(("more", "alpha"))}
    planner = ScriptedPlanner(lambda request: plans[request])
    deps, _ = make_deps(tmp_path, planner, {"alpha": alpha, "beta": beta, "gamma": gamma})
    team = deps.registry.team
    specs = [a.model_copy(update={"standins": ["beta"]}) if a.name == "gamma" else a
             for a in team.agents]  # fmt: skip
    deps.registry.team = team = team.model_copy(update={"agents": specs})
    # No schedule reads health here (the passes are run by hand), so a parked run comes back
    # at the queue's usual pace (slot_requeue_seconds).
    settings = Settings(
        home=tmp_path, db_url=db_url, slot_wait_seconds=0.3, slot_requeue_seconds=0.0,
        rebalance_interval_seconds=0.0, checkin_interval_seconds=0.0,
    )  # fmt: skip
    with Runner(settings, deps=deps) as runner:
        worker = Worker(runner)
        down = {"gamma": (False, ("its health check failed",)),
                "alpha": (False, ("3 of 3 outputs failed",))}  # fmt: skip
        health = {**{a: (True, ()) for a in team.names()}, **down}
        record_health(runner.engine, health, runner.clock())
        moved, _ = runner.accept("work")
        assert worker.step()  # parked: gamma is granted nothing
        (slot,) = runner.jobs.for_thread(moved, slots=True)
        assert slot.state == "queued" and slot.started_at is None and not gamma.tasks
        (wait,) = [e for e in runner.audit.for_thread(moved) if e.kind == "capacity_wait"]
        assert wait.data["why"] == "is unhealthy (its health check failed)"
        # The rebalancing pass moves it to the healthy stand-in; the re-run is granted there.
        movable = JobsMovable(runner.jobs, runner.audit, team)
        report = rebalance_pass(movable, health, threshold=8)
        assert [(m.source, m.target) for m in report.moved] == [("gamma", "beta")]
        out = runner.drive(moved, timeout=30)
        assert out.status == "completed" and [t.subtask_id for t in beta.tasks] == ["t1"]
        assert not gamma.tasks and runner.jobs.get(slot.id).agent == "beta"

        # alpha has no stand-in: a person is told, and the run waits, parked, for the agent.
        parked, _ = runner.accept("more")
        assert worker.step()
        report = rebalance_pass(movable, health, threshold=8)
        assert len(report.to_person) == 1 and not report.moved
        assert worker.step()  # parked again: still nothing granted to alpha
        (slot,) = runner.jobs.for_thread(parked, slots=True)
        assert slot.state == "queued" and slot.started_at is None and not alpha.tasks
        assert runner.threads.get(parked).status == "waiting"
        # The requester is told why: not capacity, the agent's flag.
        assert runner.outcome(parked).waiting_for == [
            {"subtask_id": "t1", "agent": "alpha", "unhealthy": ["3 of 3 outputs failed"]}
        ]
        capsys.readouterr()
        print_outcome(runner.outcome(parked))
        shown = capsys.readouterr().out
        assert "waiting for capacity" not in shown
        assert "alpha, flagged unhealthy (3 of 3 outputs failed)" in shown
        assert "`ringmaster checkin` reads it now" in shown  # no worker may be reading it
        # Recovered (the next reading says so): the re-run is granted alpha's slot.
        record_health(runner.engine, {"alpha": (True, ())}, runner.clock())
        out = runner.drive(parked, timeout=30)
        assert out.status == "completed" and [t.subtask_id for t in alpha.tasks] == ["t1"]


@contextmanager
def alpha_down(
    tmp_path: Path, db_url: str | None, agent: ScriptedAgent, planned: str | None
) -> Iterator[Runner]:
    """A runner whose one agent, alpha, is flagged unhealthy; "work" is planned for `planned`
    (None: a routing review)."""
    deps, _ = make_deps(tmp_path, ScriptedPlanner(lambda r: plan_of(("work", planned))),
                        {"alpha": agent})  # fmt: skip
    settings = Settings(
        home=tmp_path, db_url=db_url, slot_wait_seconds=0.3, slot_requeue_seconds=1.0,
        rebalance_interval_seconds=0.0, checkin_interval_seconds=0.0,
    )  # fmt: skip
    with Runner(settings, deps=deps) as runner:
        record_health(runner.engine, {"alpha": (False, ("its health check failed",))},
                      runner.clock())  # fmt: skip
        yield runner


def test_a_caller_driving_a_run_parked_for_an_unhealthy_agent_gets_its_outcome_at_once(
    tmp_path: Path, db_url: str | None
) -> None:
    """`ringmaster run`, and `review approve|edit` of a routing review sent to an agent
    flagged unhealthy, drive the thread until no job is open: they sat silent until the agent
    recovered (hours, or never), so the 'waiting for alpha, flagged unhealthy …' line the
    outcome has for them was never printed. Nothing starts there before a health reading; the
    caller is given the outcome, and the run waits in the queue for a worker."""
    agent = ScriptedAgent(ok())
    with alpha_down(tmp_path, db_url, agent, "alpha") as runner:
        thread, _ = runner.accept("work")
        began = time.monotonic()
        out = runner.drive(thread, timeout=20)
        assert time.monotonic() - began < 10, "it waited for the agent to recover"
        assert out.status == "waiting" and not agent.tasks
        assert out.waiting_for == [
            {"subtask_id": "t1", "agent": "alpha", "unhealthy": ["its health check failed"]}
        ]
        (run,) = runner.jobs.for_thread(thread)
        assert run.state == "queued"  # still in line: a worker runs it once alpha recovers
        record_health(runner.engine, {"alpha": (True, ())}, runner.clock())
        assert runner.drive(thread, timeout=20).status == "completed"


def test_a_routed_subtask_parked_for_its_agent_is_not_shown_waiting_for_a_person(
    tmp_path: Path, db_url: str | None
) -> None:
    """After a routing review sent the subtask to alpha (flagged unhealthy), `thread show`
    still said 't1 human awaiting_review: waiting for a person: …' though the review was
    decided and the subtask waited for alpha."""
    from ringmaster.decisions import Decision, DecisionService, Edit

    agent = ScriptedAgent(ok())
    with alpha_down(tmp_path, db_url, agent, None) as runner:
        thread, _ = runner.accept("work")
        [item] = runner.drive(thread, timeout=20).pending
        service = DecisionService(runner, scheduler=runner.resume_scheduler, resume=runner.drive)
        out = service.decide(
            item.id, Decision("edit", edits=(Edit(0, {"agent": "alpha"}),)), "rita"
        )
        assert out.status == "waiting" and out.pending == [] and not agent.tasks
        t1 = out.results["t1"]
        assert (t1["status"], t1["agent"]) == ("waiting", "alpha"), t1
        assert t1["summary"] == "waiting for alpha, flagged unhealthy (its health check failed)"


def test_a_run_for_an_unhealthy_agent_is_requeued_until_the_next_health_reading_without_waiting(
    tmp_path: Path, db_url: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is granted to a flagged agent before the next health reading: its waiter does
    not hold the worker for the slot wait (30 s here), and the run comes back at that reading."""
    agent = ScriptedAgent(ok())
    deps, _ = make_deps(tmp_path, ScriptedPlanner(lambda r: plan_of(("work", "alpha"))),
                        {"alpha": agent})  # fmt: skip
    settings = Settings(
        home=tmp_path, db_url=db_url, slot_wait_seconds=30.0, slot_requeue_seconds=0.0,
        rebalance_interval_seconds=7.0, checkin_interval_seconds=300.0,
    )  # fmt: skip
    with Runner(settings, deps=deps) as runner:
        worker = Worker(runner)
        record_health(runner.engine, {"alpha": (False, ("its health check failed",))},
                      runner.clock())  # fmt: skip

        def no_waiting(timeout: float) -> None:
            raise AssertionError(f"a waiter for an unhealthy agent waited {timeout} s")

        monkeypatch.setattr(runner.jobs, "wait", no_waiting)
        thread, _ = runner.accept("work")
        before = runner.clock()
        assert worker.step()
        after = runner.clock()
        (wait,) = [e for e in runner.audit.for_thread(thread) if e.kind == "capacity_wait"]
        assert wait.data["requeued_in"] == 7.0
        assert wait.data["why"] == "is unhealthy (its health check failed)"
        (run,) = runner.jobs.for_thread(thread)
        # 7 s after its release, which was inside this step. (Against the clock read after
        # the reads above, with a second's slack, it hung on how fast those reads were.)
        assert run.state == "queued"
        assert before + timedelta(seconds=7) <= run.run_after <= after + timedelta(seconds=7)
        assert not worker.step()  # not before that reading
        assert runner.threads.get(thread).status == "waiting" and not agent.tasks
