"""The decision service's contract with a ResumeScheduler: the resume is scheduled inside the
transaction that commits the decision — both or neither, once — and `resume` runs after it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from ringmaster.decisions import Decision, DecisionService, Edit
from ringmaster.errors import AlreadyDecided, InvalidDecision
from ringmaster.runner import Runner, RunOutcome
from ringmaster.settings import Settings
from tests.fakes import ScriptedAgent, ScriptedPlanner, make_deps, ok, plan_of, proposing

PLAN = plan_of(("big", "gamma"))


class TableScheduler:
    """Writes a job row with the caller's connection, as a queue-backed scheduler would."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def schedule_resume(self, conn: Connection, thread_id: str) -> None:
        conn.execute(text("INSERT INTO resume_jobs (thread_id) VALUES (:t)"), {"t": thread_id})
        if self.fail:
            raise RuntimeError("the queue is down")


@pytest.fixture
def runner(tmp_path: Path, db_url: str | None) -> Iterator[Runner]:
    agents = {"gamma": ScriptedAgent(proposing(50)), "beta": ScriptedAgent(ok())}
    deps, _ = make_deps(tmp_path, ScriptedPlanner(PLAN), agents)
    with Runner(Settings(home=tmp_path, db_url=db_url), deps=deps) as r:
        with r.engine.begin() as conn:
            conn.execute(text("CREATE TABLE resume_jobs (thread_id VARCHAR(64))"))
        yield r


def jobs(runner: Runner) -> list[str]:
    with runner.engine.connect() as conn:
        return [row[0] for row in conn.execute(text("SELECT thread_id FROM resume_jobs"))]


def human_decisions(runner: Runner, thread: str) -> int:
    return sum(e.kind == "human_decision" for e in runner.audit.for_thread(thread))


def test_the_resume_is_scheduled_in_the_decisions_transaction(runner: Runner) -> None:
    out = runner.submit("do it")
    (item,) = out.pending
    seen: list[tuple[str, list[str]]] = []

    def resume(thread_id: str) -> RunOutcome:
        # After the commit: another connection sees the decision and its job.
        seen.append((runner.queue.get(item.id).status, jobs(runner)))
        return runner.resume_thread(thread_id)

    broken = DecisionService(runner, scheduler=TableScheduler(fail=True), resume=resume)
    with pytest.raises(RuntimeError):
        broken.decide(item.id, Decision("approve"), "rev")
    # The scheduler failed, so the decision was not committed either.
    assert runner.queue.get(item.id).status == "pending" and jobs(runner) == []
    assert human_decisions(runner, out.thread_id) == 0 and seen == []

    service = DecisionService(runner, scheduler=TableScheduler(), resume=resume)
    with pytest.raises(InvalidDecision):  # refused before the transaction: no job
        service.decide(item.id, Decision("edit", (Edit(0, {"amout": 7}),)), "rev")
    assert jobs(runner) == []
    done = service.decide(item.id, Decision("edit", (Edit(0, {"amount": 7}),)), "rev")
    assert done.status == "completed"
    assert seen == [("decided", [out.thread_id])]
    with pytest.raises(AlreadyDecided):
        service.decide(item.id, Decision("approve"), "eve")
    assert jobs(runner) == [out.thread_id] and human_decisions(runner, out.thread_id) == 1
    (action,) = done.results["t1"]["actions"]
    assert action["args"] == {"amount": 7, "note": "t1"}


def test_a_decision_past_no_new_total_reads_nothing_of_what_was_shown(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a reviewer was shown of a review's totals (`ReviewQueue.shown_to`) is read only for
    an approval past totals its review did not show, not on every decision."""
    out = runner.submit("do it")
    (item,) = out.pending
    read: list[tuple[str, str]] = []

    def shown_to(item_id: str, who: str) -> list[str]:
        read.append((item_id, who))
        return []

    monkeypatch.setattr(runner.queue, "shown_to", shown_to)
    assert DecisionService(runner).decide(item.id, Decision("approve"), "rev").status == "completed"
    assert read == []
