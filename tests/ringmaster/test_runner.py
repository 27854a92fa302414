"""The runner on SQLite and Postgres: resume in a new process, exactly-once decisions, crashes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from ringmaster.decisions import Decision, DecisionService
from ringmaster.errors import AlreadyDecided, InvalidDecision, NotFound, ThreadBusy
from ringmaster.graph.errors import RequestError
from ringmaster.review_queue import ReviewItem
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from ringmaster.worker import Worker
from tests.fakes import Ledger, ScriptedAgent, ScriptedPlanner, make_deps, ok, plan_of, proposing

ROOT = Path(__file__).resolve().parents[2]


def runner_for(
    tmp_path: Path, db_url: str | None, agents: dict[str, ScriptedAgent], plan: Any
) -> tuple[Runner, Ledger]:
    deps, ledger = make_deps(tmp_path, ScriptedPlanner(plan), agents)
    return Runner(Settings(home=tmp_path, db_url=db_url), deps=deps), ledger


APPROVAL_PLAN = plan_of(("small", "beta"), ("big", "gamma"))


def approval_agents() -> dict[str, ScriptedAgent]:
    return {"beta": ScriptedAgent(ok()), "gamma": ScriptedAgent(proposing(50))}


def test_interrupt_then_a_new_runner_resumes(tmp_path: Path, db_url: str | None) -> None:
    with runner_for(tmp_path, db_url, approval_agents(), APPROVAL_PLAN)[0] as first:
        out = first.submit("do it")
    assert out.status == "waiting"
    (item,) = out.pending
    assert item.kind == "approval" and item.subtask_id == "t2" and item.status == "pending"
    assert out.results["t1"]["status"] == "done"

    runner, ledger = runner_for(tmp_path, db_url, approval_agents(), APPROVAL_PLAN)
    with runner:
        assert [i.id for i in runner.queue.list()] == [item.id]
        done = DecisionService(runner).decide(item.id[:8], Decision("approve"), "alice")
        assert done.status == "completed" and done.pending == []
        assert done.results["t2"]["status"] == "done"
        assert runner.queue.get(item.id).status == "resumed"
        assert runner.queue.get(item.id).decided_by == "alice"
    assert [r[1] for r in ledger.rows()] == [50]


def test_concurrent_decisions_resume_exactly_once(tmp_path: Path, db_url: str | None) -> None:
    with runner_for(tmp_path, db_url, approval_agents(), APPROVAL_PLAN)[0] as first:
        (item,) = first.submit("do it").pending
    outcomes: list[str] = []
    lock = threading.Lock()
    resumed_by_gamma: list[int] = []

    def decide(n: int) -> None:
        gamma = ScriptedAgent(proposing(50))
        runner, _ = runner_for(
            tmp_path, db_url, {"beta": ScriptedAgent(ok()), "gamma": gamma}, APPROVAL_PLAN
        )
        with runner:
            try:
                out = DecisionService(runner).decide(item.id, Decision("approve"), f"r{n}")
                result = out.status
            except AlreadyDecided:
                result = "refused"
        with lock:
            outcomes.append(result)
            resumed_by_gamma.append(len(gamma.tasks))

    workers = [threading.Thread(target=decide, args=(n,)) for n in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(outcomes) == ["completed"] + ["refused"] * 5
    # The winner resumes from the checkpoint with the approved proposal: no decider's runner
    # asks the agent again (a second proposal would be a second payment to approve).
    assert resumed_by_gamma == [0] * 6
    ledger = Ledger(tmp_path / "ledger.db")
    assert [r[1] for r in ledger.rows()] == [50]
    with runner_for(tmp_path, db_url, approval_agents(), APPROVAL_PLAN)[0] as check:
        assert check.queue.get(item.id).status == "resumed"


def test_bad_input_is_refused_and_changes_nothing(tmp_path: Path, db_url: str | None) -> None:
    runner, ledger = runner_for(tmp_path, db_url, approval_agents(), APPROVAL_PLAN)
    with runner:
        for bad in ("", "   ", "x" * 1_000_000, b"\xff\xfe"):
            with pytest.raises(RequestError):
                runner.submit(bad)
        assert runner.threads.list() == []
        with pytest.raises(NotFound):
            runner.submit("hello", thread_id="no-such-thread")
        with pytest.raises(NotFound):
            DecisionService(runner).decide("deadbeef", Decision("approve"), "x")
        out = runner.submit("do it")
        (item,) = out.pending
        # A thread takes one request at a time (a pending review does not count: see
        # test_turns.py); the refused one stores nothing.
        busy = runner.submit_thread("x")
        runner.accept("one", thread_id=busy)
        with pytest.raises(ThreadBusy):
            runner.accept("two", thread_id=busy)
        assert runner.threads.get(busy).turn == 1
        with pytest.raises(InvalidDecision):
            DecisionService(runner).decide(item.id, Decision("explode"), "x")
        with pytest.raises(InvalidDecision):
            DecisionService(runner).decide(item.id, Decision("edit"), "x")
        assert runner.queue.get(item.id).status == "pending"
        DecisionService(runner).decide(item.id, Decision("reject", reason="no"), "bob")
        before = runner.queue.get(item.id)
        with pytest.raises(AlreadyDecided):
            DecisionService(runner).decide(item.id, Decision("approve"), "eve")
        after = runner.queue.get(item.id)
        assert after == before and after.decided_by == "bob"
    assert ledger.rows() == []


def test_multi_turn_thread_remembers_history(tmp_path: Path, db_url: str | None) -> None:
    runner, _ = runner_for(tmp_path, db_url, {}, plan_of(("a", "beta")))
    with runner:
        first = runner.submit("first")
        runner.submit("second", thread_id=first.thread_id)
        history = runner.history(first.thread_id)
        assert [h["request"] for h in history] == ["first", "second"]
        assert runner.threads.get(first.thread_id).turn == 2


def _proc(tmp_path: Path, db_url: str | None, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.ringmaster.proc_app", str(tmp_path), db_url or "", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_mid_run_then_recover_loses_nothing_and_repeats_nothing(
    tmp_path: Path, db_url: str | None
) -> None:
    proc = _proc(tmp_path, db_url, "submit", "--slow")
    ledger_path = tmp_path / "ledger.db"
    # Wait for the observable event: t1's side effect is in the ledger; t2 is still working.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if ledger_path.exists() and Ledger(ledger_path).rows():
            break
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the run never reached its first side effect")
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    beta = ScriptedAgent(proposing(5))
    agents = {"beta": beta, "gamma": ScriptedAgent(ok()), "alpha": ScriptedAgent(proposing(50))}
    plan = plan_of(("pay", "beta"), ("work", "gamma"), ("big", "alpha"))
    runner, ledger = runner_for(tmp_path, db_url, agents, plan)
    with runner:
        (thread,) = runner.threads.list()
        assert thread.status == "running"  # the killed run left it so
        _ = runner.graph
        assert runner.threads.get(thread.id).status == "running"  # starting runs nothing
        assert Worker(runner).run_until_idle() == 1  # a worker takes the dead run's job
        out = runner.outcome(thread.id)
        assert out.status == "waiting"
        assert {sid: r["status"] for sid, r in out.results.items()} == {
            "t1": "done",
            "t2": "done",
            "t3": "awaiting_review",  # parked until t2 finished, then asked
        }
        (item,) = out.pending
        assert item.subtask_id == "t3"
    # Approve in yet another process; t1's small payment must still be there exactly once.
    proc = _proc(tmp_path, db_url, "approve", item.id)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert json.loads(stdout)["status"] == "completed"
    assert sorted(r[1] for r in ledger.rows()) == [5, 50]


def test_a_decision_on_a_turn_with_no_checkpoint_fails_it_instead_of_completing(
    tmp_path: Path, db_url: str | None
) -> None:
    """With the turn's checkpoint gone (the checkpoint store lost or swapped), an approval was
    taken as consumed by an earlier resume: the thread said 'completed', the item 'resumed', and
    the approved action never ran."""
    runner, ledger = runner_for(tmp_path, db_url, approval_agents(), APPROVAL_PLAN)
    with runner:
        out = runner.submit("do it")
        (item,) = out.pending
        runner.graph.checkpointer.delete_thread(runner.checkpoint_thread(out.thread_id, 1))
        done = DecisionService(runner).decide(item.id, Decision("approve"), "alice")
        assert done.status == "quarantined"
        assert "turn 1 has no checkpoint to resume" in (done.error or "")
        assert runner.threads.get(out.thread_id).status == "quarantined"
        assert runner.queue.get(item.id).status == "decided"  # not marked resumed
    assert ledger.rows() == []


def quarantined_approval(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, ReviewItem, ReviewItem]:
    """A thread whose approval's resume failed until quarantined (the store was down), the
    store back: its id, the approval and the pending failure item."""
    from ringmaster.errors import RunFailed

    out = runner.submit("do it")
    (item,) = out.pending
    invoke = Runner._invoke

    def store_down(self: Runner, *args: Any, **kwargs: Any) -> None:
        raise RunFailed("the store is down")

    monkeypatch.setattr(Runner, "_invoke", store_down)
    assert DecisionService(runner).decide(item.id, Decision("approve"), "alice").status == (
        "quarantined"
    )
    monkeypatch.setattr(Runner, "_invoke", invoke)
    (failure,) = runner.queue.list(thread_id=out.thread_id, kind="failure")
    return out.thread_id, item, failure


def test_a_thread_cancelled_from_quarantine_is_not_resumed_by_recover(
    tmp_path: Path, db_url: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The approval stayed 'decided' when a person rejected the failure item ('reject
    cancels'): the next `recover` (every runner start) queued the cancelled thread, and a
    worker ran the approved action anyway."""
    runner, ledger = runner_for(tmp_path, db_url, approval_agents(), APPROVAL_PLAN)
    with runner:
        thread_id, item, failure = quarantined_approval(runner, monkeypatch)
        DecisionService(runner).decide(failure.id, Decision("reject", reason="cancel"), "bob")
        assert runner.threads.get(thread_id).status == "cancelled"
        assert runner.recover() == []
        Worker(runner).run_until_idle()
        assert runner.threads.get(thread_id).status == "cancelled"
        (cancelled,) = [e for e in runner.audit.for_thread(thread_id) if e.kind == "run_cancelled"]
        assert cancelled.data["decisions_not_run"] == [item.id]
    assert ledger.rows() == []


def test_deciding_a_failure_item_answers_with_the_threads_latest_turn(
    tmp_path: Path, db_url: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resume's failure item belongs to no one turn (turn 0): rejecting it answered with
    turn 0's outcome, 'completed' with nothing in it, while the thread was cancelled."""
    runner, _ = runner_for(tmp_path, db_url, approval_agents(), APPROVAL_PLAN)
    with runner:
        thread_id, _, failure = quarantined_approval(runner, monkeypatch)
        assert failure.turn == 0
        said = DecisionService(runner).decide(failure.id, Decision("reject", reason="no"), "bob")
        assert (said.turn, said.status) == (1, "cancelled")


def test_a_failed_resumes_item_is_not_shown_as_another_turns(
    tmp_path: Path, db_url: str | None, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """A resume's failure item (turn 0, of no one turn) was listed under 'Waiting for review
    (other turns of this thread)' on a thread of one turn."""
    from ringmaster.cli_output import print_outcome

    runner, _ = runner_for(tmp_path, db_url, approval_agents(), APPROVAL_PLAN)
    with runner:
        thread_id, _, _ = quarantined_approval(runner, monkeypatch)
        capsys.readouterr()
        print_outcome(runner.outcome(thread_id))
    shown = capsys.readouterr().out
    assert "Waiting for review (the thread)" in shown and "other turns" not in shown
