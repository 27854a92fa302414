"""The crash harness of issue #10, on SQLite and Postgres: a real child process (the runner as
`ringmaster run`, `review approve` or `worker` drive it, tests/ringmaster/kill_child.py) is
stopped at one step of a request's life and killed with SIGKILL there; then a worker starts.

The child stops right after the commit that marks the step (its wrapper writes stopped.json and
blocks); the parent checks the database shows the step — the row, job or checkpoint — before it
kills. After the kill a new runner's worker takes over, and then:

- the request is not lost: the thread ends `completed` with its plan, both results and an
  answer (a pending review on the way is decided, as a person would);
- no side effect twice: the ledger holds each payment once; one `side_effect` audit event per
  effect; one review item, raised once and decided once; the agent whose proposal is under
  review is never asked again;
- nothing failed or was quarantined on the way, no job is left open, the audit chain verifies.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ringmaster.decisions import Decision, DecisionService
from ringmaster.run_queue import Job
from ringmaster.runner import Runner
from tests.fakes import Ledger
from tests.ringmaster.kill_child import BIG, REQUEST, SMALL, STOPPED, build

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0  # seconds for a child to reach its step, and for the recovery to finish


@dataclass(frozen=True)
class Seen:
    """What the parent reads of the thread while the child is stopped."""

    runner: Runner
    thread_id: str
    pid: int
    ledger: Ledger

    def jobs(self) -> list[Job]:
        return self.runner.jobs.for_thread(self.thread_id)

    def checkpoint(self) -> object:
        # The request's turn (1) has a checkpoint thread of its own.
        ckpt = self.runner.checkpoint_thread(self.thread_id, 1)
        config = {"configurable": {"thread_id": ckpt, "checkpoint_ns": ""}}
        return self.runner.graph.checkpointer.get_tuple(config)

    def status(self) -> str:
        return self.runner.threads.get(self.thread_id).status

    def effects(self) -> list[int]:
        return [amount for _, amount, _ in self.ledger.rows()]

    def audited(self, kind: str) -> int:
        return sum(e.kind == kind for e in self.runner.audit.for_thread(self.thread_id))

    def held_by_child(self, kind: str) -> Job:
        (job,) = [j for j in self.jobs() if j.kind == kind and j.state == "running"]
        assert job.lease_owner is not None and f":{self.pid}:" in job.lease_owner
        return job


def at_accepting(s: Seen) -> None:
    # The child's transaction holds the turn, its audit event and its job, uncommitted.
    assert s.jobs() == [] and s.audited("request_received") == 0
    row = s.runner.threads.get(s.thread_id)
    assert (row.status, row.turn) == ("idle", 0)


def at_accepted(s: Seen) -> None:
    (job,) = s.jobs()
    assert (job.kind, job.state, job.attempts, job.turn) == ("run", "queued", 0, 1)
    assert s.status() == "queued" and s.audited("request_received") == 1
    assert s.checkpoint() is None


def at_started(s: Seen) -> None:
    s.held_by_child("run")
    assert s.status() == "running"  # the window of issue #10's lost request
    assert s.checkpoint() is None


def at_first_checkpoint(s: Seen) -> None:
    s.held_by_child("run")
    assert s.checkpoint() is not None
    assert s.effects() == [] and s.audited("plan") == 0


def at_effect_executed(s: Seen) -> None:
    s.held_by_child("run")
    assert s.effects() == [SMALL] and s.audited("side_effect") == 0


def at_effect_audited(s: Seen) -> None:
    s.held_by_child("run")
    assert s.effects() == [SMALL] and s.audited("side_effect") == 1


def at_interrupt_saved(s: Seen) -> None:
    s.held_by_child("run")
    assert len(s.runner.turn_state(s.thread_id, 1).interrupts) == 1  # t2 waits for a person
    assert s.runner.queue.list(status=None, thread_id=s.thread_id) == []
    assert s.effects() == [SMALL]


def at_review_raised(s: Seen) -> None:
    s.held_by_child("run")
    (item,) = s.runner.queue.list(status="pending", thread_id=s.thread_id)
    assert item.subtask_id == "t2" and s.audited("interrupt") == 1


def at_decision_committed(s: Seen) -> None:
    (item,) = s.runner.queue.list(status=None, thread_id=s.thread_id)
    assert item.status == "decided" and s.audited("human_decision") == 1
    (resume,) = [j for j in s.jobs() if j.kind == "resume"]
    assert (resume.state, resume.attempts) == ("queued", 0)
    assert s.effects() == [SMALL]


def at_resume_running(s: Seen) -> None:
    s.held_by_child("resume")
    (item,) = s.runner.queue.list(status=None, thread_id=s.thread_id)
    assert item.status == "decided" and s.status() == "running"
    assert s.effects() == [SMALL]


def at_resume_effect(s: Seen) -> None:
    s.held_by_child("resume")
    assert sorted(s.effects()) == [SMALL, BIG] and s.audited("side_effect") == 1


@dataclass(frozen=True)
class Step:
    name: str
    command: str  # the child: run | approve (the decision) | worker (runs a committed decision)
    seen: Callable[[Seen], None]  # the database state that marks the step


STEPS = [
    Step("accepting", "run", at_accepting),
    Step("accepted", "run", at_accepted),
    Step("started", "run", at_started),
    Step("first_checkpoint", "run", at_first_checkpoint),
    Step("effect_executed", "run", at_effect_executed),
    Step("effect_audited", "run", at_effect_audited),
    Step("interrupt_saved", "run", at_interrupt_saved),
    Step("review_raised", "run", at_review_raised),
    Step("decision_committed", "approve", at_decision_committed),
    Step("resume_running", "worker", at_resume_running),
    Step("resume_effect", "worker", at_resume_effect),
]
AFTER_REVIEW = {
    "interrupt_saved",
    "review_raised",
    "decision_committed",
    "resume_running",
    "resume_effect",
}


def spawn(home: Path, db_url: str | None, step: str, *command: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.ringmaster.kill_child",
            str(home),
            db_url or "",
            step,
            *command,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_stop(child: subprocess.Popen[str], home: Path, step: str) -> int:
    """The child's pid once it says it stopped at `step` (poll with a deadline)."""
    marker = home / STOPPED
    deadline = time.monotonic() + DEADLINE
    while not marker.exists():
        if child.poll() is not None:
            _, err = child.communicate()
            pytest.fail(f"the child exited ({child.returncode}) before {step}: {err}")
        if time.monotonic() > deadline:
            child.kill()
            pytest.fail(f"the child never reached {step}")
        time.sleep(0.02)
    stopped = json.loads(marker.read_text())
    assert stopped == {"step": step, "pid": child.pid}
    return child.pid


@pytest.mark.parametrize("step", STEPS, ids=[s.name for s in STEPS])
def test_sigkill_at_a_step_then_a_worker_loses_nothing_and_repeats_nothing(
    tmp_path: Path, db_url: str | None, step: Step
) -> None:
    command = [step.command]
    if step.command != "run":  # up to the review in this process, as a first `ringmaster run`
        before, _, _ = build(tmp_path, db_url)
        with before:
            (item,) = before.submit(REQUEST).pending
            if step.command == "approve":  # the child decides it
                command.append(item.id)
            else:  # decided here; the killed worker runs the resume
                service = DecisionService(
                    before, scheduler=before.resume_scheduler, resume=before.outcome
                )
                service.decide(item.id, Decision("approve"), "ann")
    # The recovering process starts first: a start-up takes the audit trail's lock, which the
    # child may hold, stopped inside a transaction, until it is killed.
    runner, ledger, agents = build(tmp_path, db_url)
    with runner:
        child = spawn(tmp_path, db_url, step.name, *command)
        try:
            pid = wait_for_stop(child, tmp_path, step.name)
            (thread,) = runner.threads.list()
            step.seen(Seen(runner, thread.id, pid, ledger))
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=DEADLINE)
            assert child.returncode == -signal.SIGKILL
            recover_and_check(runner, ledger, agents, thread.id, step)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()


def recover_and_check(
    runner: Runner, ledger: Ledger, agents: dict, thread_id: str, step: Step
) -> None:
    if step.name == "accepting":
        # Killed before its commit, the request was never accepted (its caller got no thread
        # id): nothing of it is left but the new, empty thread, and a worker finds nothing.
        at_accepting(Seen(runner, thread_id, 0, ledger))
        assert runner.drive(thread_id, timeout=DEADLINE).status == "idle"
        assert runner.audit.for_thread(thread_id) == []
        runner.accept(REQUEST, thread_id=thread_id)  # the caller sends it again
    # A worker starts (this process; a new Runner, its graph built now).
    out = runner.drive(thread_id, timeout=DEADLINE)
    assert runner.jobs.for_thread(thread_id, open_only=True, slots=True) == []
    assert out.status in ("completed", "waiting"), out
    # Once a proposal is under review, the agent that made it is never asked again: a
    # second proposal would be a second payment to approve.
    if step.name in AFTER_REVIEW:
        assert agents["gamma"].tasks == []
    if out.status == "waiting":
        (item,) = out.pending
        assert item.subtask_id == "t2" and item.kind == "approval"
        service = DecisionService(runner, scheduler=runner.resume_scheduler, resume=runner.drive)
        out = service.decide(item.id, Decision("approve"), "bob")
    assert out.status == "completed", out
    assert out.plan is not None and len(out.plan["subtasks"]) == 2 and out.answer
    assert {sid: r["status"] for sid, r in out.results.items()} == {"t1": "done", "t2": "done"}

    assert ledger.rows() == [
        (f"{thread_id}:1:t1:0:record", SMALL, "t1"),
        (f"{thread_id}:1:t2:0:record", BIG, "t2"),
    ]
    events = runner.audit.for_thread(thread_id)
    kinds = Counter(e.kind for e in events)
    effects = [e.data["idempotency_key"] for e in events if e.kind == "side_effect"]
    assert sorted(effects) == [key for key, _, _ in ledger.rows()], effects
    (item,) = runner.queue.list(status=None, thread_id=thread_id)
    assert item.status == "resumed"
    assert [e.data["item_id"] for e in events if e.kind == "interrupt"] == [item.id]
    assert kinds["human_decision"] == 1 and kinds["request_received"] == 1
    assert kinds["plan"] == 1 and kinds["final_answer"] == 1  # planned once, answered once
    assert kinds["run_failed"] == 0 and kinds["run_quarantined"] == 0
    assert {j.state for j in runner.jobs.for_thread(thread_id)} == {"done"}
    assert runner.audit.verify() == []
