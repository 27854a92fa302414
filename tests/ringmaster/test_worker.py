"""Workers and faults, on SQLite and Postgres: a run that keeps failing is retried, then
quarantined as a `failure` review item; other threads run, and every process start works."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from ringmaster.decisions import Decision, DecisionService
from ringmaster.errors import ThreadQuarantined
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from ringmaster.worker import Worker
from tests.fakes import ScriptedAgent, ScriptedPlanner, make_deps, ok, plan_of, proposing

MAX = 3


def settings(tmp_path: Path, db_url: str | None) -> Settings:
    return Settings(home=tmp_path, db_url=db_url, run_max_attempts=MAX, run_retry_seconds=0.0)


def build(tmp_path: Path, db_url: str | None, poison: str) -> Runner:
    """Runs 'poison …' requests into the fault; any other request runs cleanly."""

    def plan(request: str) -> Any:
        if request.startswith("poison"):
            return plan_of(("pay", "beta"))
        return plan_of(("work", "gamma"))

    beta = ScriptedAgent(proposing(5))  # under the approval limit: no review
    if poison == "agent_output":
        # An agent whose output no checkpoint can hold (an integer beyond 64 bits).
        beta = ScriptedAgent(lambda task, tools: {"summary": "huge", "value": 2**70})
    deps, _ = make_deps(
        tmp_path, ScriptedPlanner(plan), {"beta": beta, "gamma": ScriptedAgent(ok())}
    )
    if poison == "approval_rule":
        tools = deps.registry.tools.tools
        tools["record"] = dataclasses.replace(tools["record"], needs_approval=raising_rule)
    runner = Runner(settings(tmp_path, db_url), deps=deps)
    if poison == "checkpoint_save":
        saver = runner.graph.checkpointer
        put = saver.put

        def failing_put(config: Any, checkpoint: Any, *args: Any) -> Any:
            values = checkpoint["channel_values"]
            if values.get("plan") and str(values.get("request")).startswith("poison"):
                raise OverflowError("cannot save this state")
            return put(config, checkpoint, *args)

        saver.put = failing_put  # below the decision service and the runner
    return runner


def raising_rule(args: Any) -> str | None:
    raise ZeroDivisionError("the approval rule broke")


def drain(runner: Runner) -> None:
    """Run every job, retries included (their backoff is 0), until none is open."""
    worker = Worker(runner)
    for _ in range(50):
        worker.run_until_idle()
        counts = runner.jobs.counts()
        if not counts.get("queued") and not counts.get("running"):
            return
    pytest.fail(f"jobs still open: {runner.jobs.counts()}")


@pytest.mark.parametrize("poison", ["approval_rule", "agent_output", "checkpoint_save"])
def test_a_poison_run_is_quarantined_and_blocks_nothing(
    tmp_path: Path, db_url: str | None, poison: str
) -> None:
    with build(tmp_path, db_url, poison) as runner:
        healthy_before, _ = runner.accept("work first")
        bad, _ = runner.accept("poison pay")
        healthy_after, _ = runner.accept("work after")
        drain(runner)
        for thread in (healthy_before, healthy_after):
            assert runner.threads.get(thread).status == "completed"
        row = runner.threads.get(bad)
        assert row.status == "quarantined" and row.error
        (job,) = runner.jobs.for_thread(bad)
        assert job.state == "failed" and job.attempts == MAX
        out = runner.outcome(bad)
        (item,) = out.pending
        assert item.kind == "failure" and item.thread_id == bad
        kinds = [e.kind for e in runner.audit.for_thread(bad)]
        assert kinds.count("run_failed") == MAX and kinds.count("run_quarantined") == 1
    # Every process start works: a new runner builds, recovers (re-queues nothing
    # quarantined), and serves new requests.
    with build(tmp_path, db_url, poison) as again:
        assert again.recover() == []
        assert again.submit("work again").status == "completed"
        assert again.threads.get(bad).status == "quarantined"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_failure_item_is_decided_through_the_decision_service(
    tmp_path: Path, db_url: str | None
) -> None:
    with build(tmp_path, db_url, "checkpoint_save") as runner:
        cancelled, _ = runner.accept("poison one")
        retried, _ = runner.accept("poison two")
        drain(runner)
        items = {i.thread_id: i for i in runner.queue.list(status="pending")}
        service = DecisionService(runner, scheduler=runner.resume_scheduler, resume=runner.drive)
        out = service.decide(items[cancelled], Decision("reject", reason="drop it"), "ann")
        assert out.status == "cancelled" and out.pending == []
    # The fault is fixed (a new process, its checkpointer healthy): retry continues the run
    # from its last checkpoint and completes it.
    deps, ledger = make_deps(
        tmp_path, ScriptedPlanner(plan_of(("pay", "beta"))), {"beta": ScriptedAgent(proposing(5))}
    )
    with Runner(settings(tmp_path, db_url), deps=deps) as fixed:
        service = DecisionService(fixed, scheduler=fixed.resume_scheduler, resume=fixed.drive)
        out = service.decide(items[retried], Decision("approve"), "ann")
        assert out.status == "completed"
        assert out.results["t1"]["status"] == "done"
        assert [r[1] for r in ledger.rows()] == [5]
        assert fixed.threads.get(cancelled).status == "cancelled"
        kinds = [e.kind for e in fixed.audit.for_thread(retried)]
        assert "run_retried" in kinds and kinds.count("request_received") == 1


def test_team_capacity_and_rate_limit_become_the_queues_limits() -> None:
    from ringmaster.agents.spec import parse_team
    from ringmaster.worker import team_limits

    team = parse_team(
        """
agents:
  - name: billing
    description: invoices and refunds
    capacity: 2
    rate_limit: {calls: 30, seconds: 60}
    runtime: {kind: python, entry: tests.fakes:unused}
  - name: support
    description: questions
    runtime: {kind: python, entry: tests.fakes:unused}
"""
    )
    limits = team_limits(team)
    assert limits.capacity == {"billing": 2, "support": 4}
    assert limits.rate == {"billing": (30, 60.0)}


def test_check_in_escalates_a_stuck_run_and_a_silent_worker_once(
    tmp_path: Path, db_url: str | None
) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from ringmaster.clock import utcnow
    from ringmaster.tables import notifications, workers

    now = [utcnow()]
    deps, _ = make_deps(tmp_path, ScriptedPlanner(plan_of(("work", "gamma"))), {})
    s = settings(tmp_path, db_url).model_copy(
        update={"stuck_run_seconds": 600.0, "silent_worker_seconds": 60.0}
    )
    with Runner(s, deps=deps, clock=lambda: now[0]) as runner:
        stuck, _ = runner.accept("work that hangs")
        fine, _ = runner.accept("work that moves")
        job = runner.jobs.claim("host:1:hung", thread_id=stuck)
        with runner.jobs.writer.begin() as conn:
            conn.execute(
                workers.insert().values(id="host:1:hung", started_at=now[0], seen_at=now[0])
            )
        assert runner.check_in().to_dict() == {
            "stuck_runs": [], "silent_workers": [], "webhook_failures": []
        }  # fmt: skip
        now[0] += timedelta(seconds=120)
        runner.jobs.claim("host:2:alive", thread_id=fine)  # started recently: not stuck
        report = runner.check_in()
        assert report.silent_workers == ["host:1:hung"] and report.stuck_runs == []
        now[0] += timedelta(seconds=600)
        runner.jobs.heartbeat(job.id, "host:1:hung")  # a live lease is no progress
        report = runner.check_in()
        assert report.stuck_runs == [job.id] and report.silent_workers == []
        assert runner.check_in().stuck_runs == []  # once each
        with runner.engine.connect() as conn:
            rows = conn.execute(select(notifications.c.payload)).scalars().all()
        assert sorted(r["kind"] for r in rows) == ["silent_worker", "stuck_run"]
        (run_alert,) = [r for r in rows if r["kind"] == "stuck_run"]
        assert run_alert["thread_id"] == stuck and run_alert["request"] == "work that hangs"


def test_a_retry_continues_the_quarantined_turn(tmp_path: Path, db_url: str | None) -> None:
    with build(tmp_path, db_url, "checkpoint_save") as runner:
        thread, _ = runner.accept("poison one")
        drain(runner)
        [item] = runner.queue.list(status="pending", thread_id=thread)
        assert (item.kind, item.turn) == ("failure", 1)
    deps, ledger = make_deps(
        tmp_path, ScriptedPlanner(plan_of(("pay", "beta"))), {"beta": ScriptedAgent(proposing(5))}
    )
    with Runner(settings(tmp_path, db_url), deps=deps) as fixed:
        service = DecisionService(fixed, scheduler=fixed.resume_scheduler, resume=fixed.drive)
        service.decide(item, Decision("approve"), "ann")
        # The retry continues turn 1 from its last checkpoint, not the thread's latest turn.
        out = fixed.outcome(thread, 1)
        assert out.status == "completed" and out.results["t1"]["status"] == "done"
        assert [r[1] for r in ledger.rows()] == [5]
        # Decided: the thread takes new turns again.
        assert fixed.submit("work next", thread_id=thread).turn == 2


def test_a_quarantined_thread_refuses_a_new_turn_until_its_failure_is_decided(
    tmp_path: Path, db_url: str | None
) -> None:
    with build(tmp_path, db_url, "checkpoint_save") as runner:
        thread, _ = runner.accept("poison one")
        drain(runner)
        [item] = runner.outcome(thread, 1).pending
        assert (item.kind, item.turn) == ("failure", 1)
        # A later turn would build on one that never finished: one line saying what to do.
        with pytest.raises(ThreadQuarantined) as refused:
            runner.submit("work next", thread_id=thread)
        message = str(refused.value)
        assert "\n" not in message and "quarantined" in message and item.id in message
        # Nothing was queued: the thread is as it was, its turn 1 still waiting for a person.
        assert runner.threads.get(thread).status == "quarantined"
        assert runner.threads.get(thread).turn == 1
        assert not runner.jobs.for_thread(thread, open_only=True)
        quarantined = runner.outcome(thread, 1)
        assert (quarantined.status, quarantined.answer) == ("quarantined", None)
        # Cancelled by a person: the thread takes a new turn.
        service = DecisionService(runner, scheduler=runner.resume_scheduler, resume=runner.drive)
        service.decide(item, Decision("reject", reason="give up"), "ann")
        assert runner.threads.get(thread).status == "cancelled"
        assert runner.submit("work next", thread_id=thread).status == "completed"
