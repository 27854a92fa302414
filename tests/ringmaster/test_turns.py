"""Turns that do not wait for unrelated reviews, on the demo team (SQLite and Postgres).

The issue's scenario: a refund stops for a review; "what plan is that customer on?" runs and
answers while it waits; a turn about the refund's invoice waits for the decision and runs
after it; the decision still resumes and completes the refund's own turn.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from ringmaster.cli_chat import Chat
from ringmaster.decisions import Decision, DecisionService, Edit, ResumeAfterCommit
from ringmaster.errors import AlreadyDecided, InvalidDecision
from ringmaster.graph.state import Requester
from ringmaster.quarantine import FAILURE_KIND, failure_payload, quarantine
from ringmaster.review_queue import ReviewItem
from ringmaster.runner import QueueResume, Runner
from ringmaster.settings import Settings
from ringmaster.turns import release_held, waits_for

REFUND = "Refund invoice INV-1002 in full, the customer was double charged"


@pytest.fixture
def demo(
    tmp_path: Path, db_url: str | None, planner_cache: Path
) -> Iterator[tuple[Runner, Requester]]:
    with Runner(settings(tmp_path, db_url, planner_cache)) as runner:
        yield runner, Requester(id="ann", scopes=runner.default_scopes())


def settings(home: Path, db_url: str | None, cache: Path) -> Settings:
    return Settings(home=home, db_url=db_url, planner_cache=cache)  # trained once a session


def refunds(home: Path, invoice: str = "INV-1002") -> list[tuple[int]]:
    with sqlite3.connect(home / "demo-company.db") as conn:
        return conn.execute(
            "SELECT amount_cents FROM refunds WHERE invoice_id = ?", (invoice,)
        ).fetchall()


def refund_waiting(runner: Runner, ann: Requester) -> tuple[str, ReviewItem]:
    """A thread whose refund of INV-1002 waits for its review: the thread and the review."""
    first = runner.submit(REFUND, requester=ann)
    [item] = first.pending
    return first.thread_id, item


def held_behind_refund(runner: Runner, ann: Requester) -> tuple[str, ReviewItem]:
    """A thread whose refund waits for its review, and a turn about its invoice held behind
    it: the thread and the review."""
    thread, item = refund_waiting(runner, ann)
    held = runner.submit("what is the status of INV-1002 now?", thread_id=thread, requester=ann)
    assert (held.status, held.turn, held.queued_behind[0]["review_id"]) == ("queued", 2, item.id)
    return thread, item


def test_a_turn_runs_while_an_unrelated_review_waits(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    runner, ann = demo
    first = runner.submit(REFUND, requester=ann)
    assert first.status == "waiting"
    [item] = first.pending
    thread = first.thread_id

    plan = runner.submit("what plan is that customer on?", thread_id=thread, requester=ann)

    assert (plan.status, plan.turn, plan.queued_behind) == ("completed", 2, [])
    [subtask] = plan.plan["subtasks"]  # type: ignore[index]
    assert subtask["description"] == "what plan is CUS-1002 on?"  # the refund's customer
    assert "'that customer' → CUS-1002 (turn 1)" in subtask["rationale"]
    assert "business" in plan.results["t1"]["summary"]
    assert [p.id for p in plan.pending] == [item.id]  # the refund still waits, untouched
    assert runner.queue.get(item.id).status == "pending" and refunds(tmp_path) == []
    assert runner.threads.get(thread).status == "waiting"

    done = DecisionService(runner).decide(item.id, Decision("approve"), "rev")

    # The decision resumes the refund's own turn, not the later one.
    assert (done.status, done.turn, done.pending) == ("completed", 1, [])
    assert done.results["t1"]["status"] == "done" and "refunded 299.00" in (done.answer or "")
    assert refunds(tmp_path) == [(29900,)]
    assert runner.queue.get(item.id).status == "resumed"
    assert runner.threads.get(thread).status == "completed"
    assert [h["request"] for h in runner.history(thread)] == [REFUND, "what plan is CUS-1002 on?"]
    assert runner.outcome(thread, 2).answer == plan.answer  # turn 2 kept its answer
    events = runner.audit.for_thread(thread)
    assert [(e.kind, e.data.get("turn")) for e in events if e.kind == "final_answer"] == [
        ("final_answer", 2),
        ("final_answer", 1),
    ]
    assert runner.audit.verify() == []


def test_a_turn_about_a_pending_review_waits_for_its_decision(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    runner, ann = demo
    thread, item = refund_waiting(runner, ann)

    later = runner.submit("what is the status of INV-1002 now?", thread_id=thread, requester=ann)

    assert (later.status, later.turn, later.plan, later.answer) == ("queued", 2, None, None)
    [behind] = later.queued_behind
    assert (behind["review_id"], behind["turn"]) == (item.id, 1)
    assert "INV-1002" in behind["reason"]
    [job] = [j for j in runner.jobs.for_thread(thread) if j.turn == 2]
    assert job.state == "held" and runner.jobs.for_thread(thread, open_only=True) == []
    assert runner.threads.get(thread).status == "waiting"
    # Nothing of the turn ran: no plan, no agent.
    assert [e.kind for e in runner.audit.for_thread(thread)][-2:] == [
        "request_received",
        "turn_queued",
    ]

    done = DecisionService(runner).decide(item.id, Decision("approve"), "rev")

    assert (done.status, done.turn) == ("completed", 1) and refunds(tmp_path) == [(29900,)]
    after = runner.outcome(thread, 2)
    assert (after.status, after.queued_behind) == ("completed", [])
    assert "refunded" in (after.answer or "")  # it ran on the invoice as the refund left it
    kinds = [e.kind for e in runner.audit.for_thread(thread)]
    refund_done = kinds.index("side_effect")
    assert kinds.index("turn_released") > refund_done
    assert [e.data.get("turn") for e in runner.audit.for_thread(thread) if e.kind == "plan"] == [
        1,
        2,
    ]
    assert runner.threads.get(thread).status == "completed"
    assert runner.jobs.get(job.id).state == "done"


def test_a_read_of_the_customer_a_credit_waits_for_runs_one_about_the_credit_waits(
    demo: tuple[Runner, Requester],
) -> None:
    # A credit acts on the customer, not only on something of theirs as a refund does: their
    # plan is still no part of it. A question that speaks of the credit waits for it.
    runner, ann = demo
    first = runner.submit("Apply a credit of $150 to customer CUS-1001 for the outage.",
                          requester=ann)  # fmt: skip
    [item] = first.pending
    thread = first.thread_id

    plan = runner.submit("what plan is that customer on?", thread_id=thread, requester=ann)

    assert (plan.status, plan.turn, plan.queued_behind) == ("completed", 2, [])
    [subtask] = plan.plan["subtasks"]  # type: ignore[index]
    assert subtask["description"] == "what plan is CUS-1001 on?"
    assert runner.queue.get(item.id).status == "pending"
    for asked in ("has the credit gone through?", "how much was CUS-1001 credited?"):
        later = runner.submit(asked, thread_id=thread, requester=ann)
        [behind] = later.queued_behind
        assert later.status == "queued" and behind["review_id"] == item.id, asked


def test_a_turn_naming_the_pending_action_waits(demo: tuple[Runner, Requester]) -> None:
    runner, ann = demo
    first = runner.submit(REFUND, requester=ann)
    [item] = first.pending
    # (Calling it off, "cancel that refund", withdraws it instead: test_withdraw.py.)
    later = runner.submit("is that refund approved yet?", thread_id=first.thread_id, requester=ann)
    [behind] = later.queued_behind
    assert later.status == "queued" and behind["review_id"] == item.id
    assert "refund" in behind["reason"]


def test_a_held_turn_is_released_by_recovery_after_a_crash(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    runner, ann = demo
    thread, item = held_behind_refund(runner, ann)
    # The decision is committed and its turn resumed, but the process dies before the held
    # turn is put back in line: resumed without `release_held`.
    DecisionService(runner, scheduler=ResumeAfterCommit(), resume=runner.outcome).decide(
        item.id, Decision("approve"), "rev"
    )
    runner._drain(runner.graph, thread)  # no release_held: the process died there
    assert runner.queue.get(item.id).status == "resumed"
    assert runner.outcome(thread, 2).status == "queued"

    with Runner(settings(tmp_path, runner.settings.db_url, runner.settings.planner_cache)) as fresh:
        assert thread in fresh.recover()
        fresh.drive(thread)
        assert fresh.outcome(thread, 2).status == "completed"
        assert refunds(tmp_path) == [(29900,)]


def test_a_thread_from_before_per_turn_checkpoints_resumes_where_it_is(
    demo: tuple[Runner, Requester], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner, ann = demo
    # Before per-turn checkpoints, a turn ran on the thread's own checkpoint thread.
    with monkeypatch.context() as m:
        m.setattr(Runner, "checkpoint_thread", lambda self, thread_id, turn: thread_id)
        first = runner.submit(REFUND, requester=ann)
    [item] = first.pending
    thread = first.thread_id
    with Runner(settings(tmp_path, runner.settings.db_url, runner.settings.planner_cache)) as fresh:
        assert fresh.checkpoint_thread(thread, 1) == thread
        assert fresh.checkpoint_thread(thread, 2) == f"{thread}:2"
        plan = fresh.submit("what plan is that customer on?", thread_id=thread, requester=ann)
        assert plan.status == "completed" and "business" in plan.results["t1"]["summary"]
        done = DecisionService(fresh).decide(item.id, Decision("approve"), "rev")
        assert (done.status, done.turn) == ("completed", 1)
        assert refunds(tmp_path) == [(29900,)]
        assert [h["turn"] for h in fresh.history(thread)] == [1, 2]


def test_the_answer_to_the_supervisors_question_runs_while_the_question_waits(
    demo: tuple[Runner, Requester],
) -> None:
    runner, ann = demo
    first = runner.submit("what plan is CUS-1002 on?", requester=ann)
    thread = first.thread_id
    asked = runner.submit("what is the status of that invoice?", thread_id=thread, requester=ann)
    [question] = asked.pending  # five invoices of CUS-1002: which one?
    assert "Which invoice do you mean" in question.payload["context"]["subtask"]["description"]

    answer = runner.submit("INV-1049", thread_id=thread, requester=ann)

    # The question names INV-1049 among its options, but an answer is not its work.
    assert (answer.status, answer.queued_behind) == ("completed", [])
    [subtask] = answer.plan["subtasks"]  # type: ignore[index]
    assert subtask["description"] == "what is the status of INV-1049?"
    assert "INV-1049" in answer.results["t1"]["summary"]


def test_the_supervisors_question_cannot_be_routed_to_act_on_a_guess(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    runner, ann = demo
    thread = runner.submit("show me TCK-1002 and TCK-1058", requester=ann).thread_id
    before = {t: notes(tmp_path, t) for t in ("TCK-1002", "TCK-1058")}
    [question] = runner.submit("close it", thread_id=thread, requester=ann).pending
    assert question.payload["review_configs"][0]["allowed_decisions"] == ["respond", "reject"]
    service = DecisionService(runner)

    # Routed to support, "close it (asked: Which ticket … TCK-1002 or TCK-1058?)" closed both
    # tickets with the question as their note.
    route = Decision("edit", edits=[Edit(0, {"agent": "support"})])
    with pytest.raises(InvalidDecision, match="asks the requester which record they mean"):
        service.decide(question.id, route, "rev")

    assert runner.queue.get(question.id).status == "pending"  # nothing decided, nothing lost
    assert {t: notes(tmp_path, t) for t in before} == before
    done = service.decide(question.id, Decision("reject", reason="ask them again"), "rev")
    assert done.status == "completed"
    assert {t: notes(tmp_path, t) for t in before} == before


def test_a_turn_is_held_for_the_record_it_acts_on(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    runner, ann = demo
    thread = runner.submit("What's the status of ticket TCK-1003?", requester=ann).thread_id
    [item] = runner.submit("refund INV-1002", thread_id=thread, requester=ann).pending

    # "close it" closes the thread's ticket (an invoice is not closed): it was held "about
    # INV-1002" behind the refund, then closed TCK-1003 once the refund was decided.
    close = runner.submit("close it", thread_id=thread, requester=ann)

    assert (close.status, close.queued_behind) == ("completed", [])
    [subtask] = close.plan["subtasks"]  # type: ignore[index]
    assert "TCK-1003" in subtask["description"] and "INV-1002" not in subtask["description"]
    assert runner.queue.get(item.id).status == "pending"


def test_an_edit_the_records_refuse_is_refused_before_it_uses_up_the_review(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    runner, ann = demo
    _, item = refund_waiting(runner, ann)
    service = DecisionService(runner)

    # Each of these was committed and then failed at the tool: the review was used up and
    # the refund lost.
    for args, problem in (
        ({"amount": "5000"}, "above the amount 299.00 of invoice INV-1002"),
        ({"invoice_id": "INV-9999"}, "INV-9999"),
        # A decimal comma was read as a thousands separator (1,50 refunded 150.00), and an
        # amount past Decimal's precision raised InvalidOperation (a traceback, an HTTP 500).
        ({"amount": "1,50"}, "decimals with a point"),
        ({"amount": "1e400"}, "not an amount of money"),
        ({"amount": "1" + "0" * 29}, "too large"),
    ):
        with pytest.raises(InvalidDecision, match=problem):
            service.decide(item.id, Decision("edit", edits=[Edit(0, args)]), "rev")
        assert runner.queue.get(item.id).status == "pending"
    assert refunds(tmp_path) == []  # the checks wrote nothing

    done = service.decide(item.id, Decision("edit", edits=[Edit(0, {"amount": "40"})]), "rev")
    assert done.status == "completed"
    assert refunds(tmp_path) == [(4000,)]


def notes(home: Path, ticket: str) -> list[str]:
    with sqlite3.connect(home / "demo-company.db") as conn:
        rows = conn.execute("SELECT note FROM ticket_notes WHERE ticket_id = ?", (ticket,))
        return [r[0] for r in rows]


def test_a_question_answered_in_the_conversation_is_closed_and_cannot_act_again(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    runner, ann = demo
    first = runner.submit("show me TCK-1002 and TCK-1058", requester=ann)
    thread = first.thread_id
    before = {t: notes(tmp_path, t) for t in ("TCK-1002", "TCK-1058")}
    note = "add a note to it: customer called again"
    asked = runner.submit(note, thread_id=thread, requester=ann)
    [question] = asked.pending
    answer = runner.submit("the second one", thread_id=thread, requester=ann)
    assert answer.status == "completed"
    assert notes(tmp_path, "TCK-1058") == [*before["TCK-1058"], "customer called again"]

    # The question is decided as answered, by the requester, and its turn says so.
    item = runner.queue.get(question.id)
    assert (item.status, item.decided_by) == ("resumed", "ann")
    assert runner.threads.get(thread).status == "completed"
    [result] = runner.outcome(thread, 2).results.values()
    assert result["status"] == "answered" and "answered in the conversation (turn 3)" in str(
        result["summary"]
    )
    with pytest.raises(AlreadyDecided):  # deciding it later cannot add the note again
        DecisionService(runner).decide(question.id, Decision("approve"), "rita")
    assert {t: notes(tmp_path, t) for t in before} == {
        "TCK-1002": before["TCK-1002"],
        "TCK-1058": [*before["TCK-1058"], "customer called again"],
    }


def credits(home: Path, customer: str) -> list[tuple[int]]:
    with sqlite3.connect(home / "demo-company.db") as conn:
        return conn.execute(
            "SELECT amount_cents FROM credits WHERE customer_id = ?", (customer,)
        ).fetchall()


def test_an_action_on_a_record_the_turn_leaves_out_is_asked_never_acted_on(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    # Two Castillos in play, and "the Castillo account" names neither by id: the credit is
    # asked about, not given to one the skill finds; the reply gives it to the one picked.
    runner, ann = demo
    first = runner.submit(
        "Oscar Castillo (CUS-1015) and Freya Castillo (CUS-1017) are both customers, "
        "which plan is each of them on?",
        requester=ann,
    )
    thread = first.thread_id
    credit = "Thanks! Please apply a $15 credit to the Castillo account for the trouble."
    asked = runner.submit(credit, thread_id=thread, requester=ann)
    [question] = asked.pending
    described = question.payload["context"]["subtask"]["description"]
    assert "Which customer do you mean" in described and "CUS-1017" in described
    assert credits(tmp_path, "CUS-1015") == credits(tmp_path, "CUS-1017") == []

    answer = runner.submit("Freya", thread_id=thread, requester=ann)
    assert answer.status == "completed"
    assert credits(tmp_path, "CUS-1017") == [(1500,)] and credits(tmp_path, "CUS-1015") == []


def test_each_decision_resumes_its_own_turn_once(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    runner, ann = demo
    first = runner.submit(REFUND, requester=ann)
    [one] = first.pending
    thread = first.thread_id
    second = runner.submit(
        "Refund invoice INV-1049 in full, charged twice", thread_id=thread, requester=ann
    )
    assert (second.status, second.turn, second.queued_behind) == ("waiting", 2, [])
    [two] = [p for p in second.pending if p.id != one.id]
    assert (one.turn, two.turn) == (1, 2)

    done = DecisionService(runner).decide(two.id, Decision("approve"), "rev")

    assert (done.status, done.turn) == ("completed", 2) and "INV-1049" in (done.answer or "")
    assert [p.id for p in done.pending] == [one.id] and refunds(tmp_path) == []
    assert refunds(tmp_path, "INV-1049") == [(29900,)]
    assert runner.threads.get(thread).status == "waiting"
    with pytest.raises(AlreadyDecided):
        DecisionService(runner).decide(two.id, Decision("approve"), "rita")
    done = DecisionService(runner).decide(one.id, Decision("reject", reason="no"), "rev")
    assert (done.status, done.turn) == ("completed", 1) and "rejected" in (done.answer or "")
    assert refunds(tmp_path) == [] and runner.threads.get(thread).status == "completed"
    assert refunds(tmp_path, "INV-1049") == [(29900,)]  # once, by its own turn


def test_a_released_turn_behind_a_later_one_is_queued_until_it_runs(
    demo: tuple[Runner, Requester],
) -> None:
    runner, ann = demo
    thread, item = held_behind_refund(runner, ann)
    # A held turn is not open: the next request is taken and runs before it.
    later = runner.submit("what plan is CUS-1001 on?", thread_id=thread, requester=ann)
    assert (later.turn, later.queued_behind) == (3, [])
    # The decision is resumed and the held turn put back in line, but no worker has run it.
    DecisionService(runner, scheduler=ResumeAfterCommit(), resume=runner.outcome).decide(
        item.id, Decision("approve"), "rev"
    )
    runner._drain(runner.graph, thread)
    assert release_held(runner, thread)

    back = runner.outcome(thread, 2)
    assert (back.status, back.answer) == ("queued", None)  # not `completed`: it has not run

    runner.drive(thread)
    ran = runner.outcome(thread, 2)
    assert ran.status == "completed" and "refunded" in (ran.answer or "")


def test_cancelling_a_quarantined_thread_cancels_its_held_turns(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    runner, ann = demo
    thread, item = held_behind_refund(runner, ann)
    quarantined_and_cancelled(runner, thread)

    assert runner.threads.get(thread).status == "cancelled"
    [turn2] = [j for j in runner.jobs.for_thread(thread) if j.turn == 2]
    assert turn2.state == "cancelled"
    assert runner.outcome(thread, 2).status == "cancelled"  # not `queued` behind the refund
    [cancelled] = [e for e in runner.audit.for_thread(thread) if e.kind == "run_cancelled"]
    assert cancelled.data["held_turns_cancelled"] == 1
    # The refund's review, decided later, never lets the cancelled turn run.
    DecisionService(runner).decide(item.id, Decision("approve"), "rev")
    assert [e.data.get("turn") for e in runner.audit.for_thread(thread) if e.kind == "plan"] == [1]
    assert runner.jobs.get(turn2.id).state == "cancelled"


def quarantined_and_cancelled(runner: Runner, thread: str) -> None:
    """A resume of the thread fails its last attempt: quarantined; the person cancels."""
    with runner.jobs.writer.begin() as conn:
        QueueResume(runner.jobs).schedule_resume(conn, thread)
    job = runner.jobs.claim("w1", thread_id=thread)
    assert job is not None and job.kind == "resume"
    quarantine(runner, job, "RunFailed: boom", "w1")
    [failure] = [i for i in runner.queue.list(thread_id=thread) if i.kind == FAILURE_KIND]
    DecisionService(runner).decide(failure.id, Decision("reject", reason="stop"), "rev")


def test_a_held_turn_cancelled_behind_a_later_one_reads_cancelled(
    demo: tuple[Runner, Requester], capsys: pytest.CaptureFixture[str]
) -> None:
    runner, ann = demo
    thread, _ = held_behind_refund(runner, ann)
    later = runner.submit("what plan is CUS-1001 on?", thread_id=thread, requester=ann)
    assert later.turn == 3
    chat = Chat(runner, ann, thread, json_mode=True)
    chat.held.add(2)  # the chat that sent it waits to report it
    quarantined_and_cancelled(runner, thread)

    cancelled = runner.outcome(thread, 2)
    assert (cancelled.status, cancelled.answer) == ("cancelled", None)  # it never ran
    capsys.readouterr()
    chat.report_held()
    said = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert said[0] == {
        "type": "turn",
        "text": "turn 2, which waited for a review, was cancelled",
        "turn": 2,
    }
    assert "has run" not in json.dumps(said)


def test_a_resume_that_runs_before_a_released_turn_leaves_it_queued(
    demo: tuple[Runner, Requester],
) -> None:
    runner, ann = demo
    thread, one = held_behind_refund(runner, ann)  # turn 2 held behind the refund (turn 1)
    second = runner.submit(
        "Refund invoice INV-1049 in full, charged twice", thread_id=thread, requester=ann
    )
    [two] = [p for p in second.pending if p.id != one.id]
    assert (second.turn, second.queued_behind) == (3, [])
    service = DecisionService(runner, scheduler=runner.resume_scheduler, resume=runner.outcome)

    def run_resume() -> None:  # a worker takes the thread's resume job, nothing else
        job = runner.jobs.claim("w1", kinds=("resume",), thread_id=thread)
        assert job is not None
        runner.run_job(job)
        runner.jobs.complete(job.id, "w1")

    service.decide(one.id, Decision("approve"), "rev")
    run_resume()  # turn 1 completes; turn 2 is put back in line
    # The other refund's decision is resumed before a worker takes turn 2. Turn 1's refund
    # moved the customer's running total since this review was raised: the first approval
    # is refused naming it, the second (the reviewer has seen it) goes through.
    with pytest.raises(InvalidDecision, match="other calls changed its running totals"):
        service.decide(two.id, Decision("approve"), "rev")
    service.decide(two.id, Decision("approve"), "rev")
    run_resume()

    assert runner.threads.get(thread).status == "queued"  # not completed: turn 2 is in line
    assert (runner.outcome(thread, 2).status, runner.outcome(thread, 3).status) == (
        "queued",
        "completed",
    )
    runner.drive(thread)
    assert runner.outcome(thread, 2).status == "completed"
    assert runner.threads.get(thread).status == "completed"


def test_a_correction_with_a_held_latest_turn_corrects_the_latest_planned_one(
    demo: tuple[Runner, Requester],
) -> None:
    runner, ann = demo
    thread, _ = held_behind_refund(runner, ann)  # turn 2 is held: it has no plan yet
    assert DecisionService(runner).correct(thread, "t1", "support", "rita").outcome == "recorded"
    [correction] = runner.corrections.all()
    assert (correction.text, correction.wrong_agent) == (REFUND, "billing")


def test_a_turn_waits_only_for_earlier_turns_reviews_never_later_ones_or_failures(
    demo: tuple[Runner, Requester],
) -> None:
    runner, ann = demo
    first = runner.submit("what's the status of ticket TCK-1001?", requester=ann)
    thread = first.thread_id
    refund = runner.submit(REFUND, thread_id=thread, requester=ann)  # turn 2, its review waits
    [item] = refund.pending
    [job1] = [j for j in runner.jobs.for_thread(thread) if j.turn == 1]
    about_invoice = {**(job1.payload or {}), "request": "what is the status of INV-1002 now?"}
    # Turn 1 run again (a retry) about the invoice turn 2's refund is about: not held by it.
    assert waits_for(runner, dataclasses.replace(job1, payload=about_invoice), []) == []
    # A turn after the refund about the same invoice does wait for it.
    later = dataclasses.replace(job1, turn=3, payload=about_invoice)
    assert [b.item_id for b in waits_for(runner, later, runner.history(thread))] == [item.id]
    # A failure item is no work to wait for, even for "that run".
    runner.queue.add(thread, "failure-x", failure_payload(runner, job1, "boom"))
    about_run = dataclasses.replace(
        job1, turn=3, payload={**about_invoice, "request": "why did that run fail?"}
    )
    assert waits_for(runner, about_run, runner.history(thread)) == []


def test_a_note_bound_by_recency_is_asked_while_another_ticket_is_live(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    # One ticket per turn, nothing settling either: "the ticket" is not the newer one by
    # recency; the note is asked about, and the reply adds it to the ticket picked.
    runner, ann = demo
    thread = runner.submit("TCK-1002 is the login one", requester=ann).thread_id
    runner.submit("and TCK-1058 is about 2fa codes", thread_id=thread, requester=ann)
    before = {t: notes(tmp_path, t) for t in ("TCK-1002", "TCK-1058")}
    asked = runner.submit(
        "add a note to the ticket: customer called again", thread_id=thread, requester=ann
    )
    [question] = asked.pending
    described = question.payload["context"]["subtask"]["description"]
    assert "TCK-1002" in described and "TCK-1058" in described
    assert {t: notes(tmp_path, t) for t in before} == before

    answer = runner.submit("TCK-1002", thread_id=thread, requester=ann)
    assert answer.status == "completed"
    assert notes(tmp_path, "TCK-1002") == [*before["TCK-1002"], "customer called again"]
    assert notes(tmp_path, "TCK-1058") == before["TCK-1058"]


def _guess_asked(runner: Runner, ann: Requester) -> tuple[str, ReviewItem]:
    """A thread that named INV-1001, then 'refund INV-101': the confirmation of the guess
    INV-1001 waits ("Did you mean INV-1001 …?"). The thread and that question."""
    thread = runner.submit("what's the status of INV-1001?", requester=ann).thread_id
    [question] = runner.submit("refund INV-101", thread_id=thread, requester=ann).pending
    return thread, question


def test_a_mistyped_id_is_confirmed_before_it_is_refunded(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    # "INV-101" is one slip from the INV-1001 the thread named: it was read as INV-1001 and
    # 99.00 refunded without anyone being asked.
    runner, ann = demo
    thread = runner.submit("what's the status of INV-1001?", requester=ann).thread_id

    asked = runner.submit("refund INV-101", thread_id=thread, requester=ann)

    assert refunds(tmp_path, "INV-1001") == []
    [question] = asked.pending
    described = question.payload["context"]["subtask"]["description"]
    assert "Did you mean INV-1001 (99.00, February)? Reply yes or name the invoice." in described
    [subtask] = asked.plan["subtasks"]  # type: ignore[index]
    assert "'INV-101' → INV-1001 (turn 1, guessed from a typo)" in subtask["rationale"]
    [refs] = [
        e for e in runner.audit.for_thread(thread) if e.kind == "references" and e.data["turn"] == 2
    ]
    assert refs.data["question"] and refs.data["resolutions"][0]["guessed"] == "typo"

    done = runner.submit("yes", thread_id=thread, requester=ann)

    assert done.status == "completed" and refunds(tmp_path, "INV-1001") == [(9900,)]
    [subtask] = done.plan["subtasks"]  # type: ignore[index]
    assert subtask["description"] == "refund INV-1001"
    assert runner.queue.get(question.id).status == "resumed"  # the question, answered


def test_no_to_a_confirmation_runs_nothing_closes_it_and_asks_which_was_meant(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    # "no" left the confirmation pending and was planned as a request of its own.
    runner, ann = demo
    thread, question = _guess_asked(runner, ann)

    declined = runner.submit("no", thread_id=thread, requester=ann)

    assert refunds(tmp_path, "INV-1001") == []
    assert runner.queue.get(question.id).status != "pending"  # the confirmation is closed
    # The turn is one question, saying nothing ran and asking which invoice was meant.
    [again] = declined.pending
    line = "Not INV-1001, so nothing was done. Which invoice did you mean?"
    assert line in again.payload["context"]["subtask"]["description"]
    assert declined.plan is not None and "refund" not in json.dumps(declined.plan["subtasks"])

    runner.submit("yes", thread_id=thread, requester=ann)
    assert refunds(tmp_path, "INV-1001") == []  # "yes" confirms nothing after a "no"


def test_a_mistyped_id_in_a_look_up_is_read_and_the_answer_says_so(
    demo: tuple[Runner, Requester],
) -> None:
    runner, ann = demo
    thread = runner.submit("what's the status of INV-1001?", requester=ann).thread_id

    read = runner.submit("how much was INV-101 for?", thread_id=thread, requester=ann)

    assert read.status == "completed" and read.pending == []
    assert "INV-101 read as INV-1001" in (read.answer or "")
    assert "99.00" in (read.answer or "")


@pytest.mark.parametrize("said", ["ok", "y", "yes thanks", "ok, thanks!"])
def test_a_short_or_polite_yes_confirms_the_guess(
    demo: tuple[Runner, Requester], tmp_path: Path, said: str
) -> None:
    # "ok" and "yes thanks" were answered as pleasantries ("Noted.", "You're welcome.") and "y"
    # was planned as a request of its own: the confirmation stayed pending, nothing was refunded.
    runner, ann = demo
    thread, question = _guess_asked(runner, ann)

    done = runner.submit(said, thread_id=thread, requester=ann)

    assert done.status == "completed" and refunds(tmp_path, "INV-1001") == [(9900,)]
    assert runner.queue.get(question.id).status == "resumed"


@pytest.mark.parametrize("said", ["n", "no thanks"])
def test_a_short_or_polite_no_declines_the_guess(
    demo: tuple[Runner, Requester], tmp_path: Path, said: str
) -> None:
    runner, ann = demo
    thread, question = _guess_asked(runner, ann)

    declined = runner.submit(said, thread_id=thread, requester=ann)

    assert refunds(tmp_path, "INV-1001") == []
    assert runner.queue.get(question.id).status != "pending"
    [again] = declined.pending
    assert "Which invoice did you mean?" in again.payload["context"]["subtask"]["description"]


@pytest.mark.parametrize("said", ["yes", "no", "y", "n", "nope", "yes please", "Yep!"])
def test_a_bare_yes_or_no_with_nothing_asked_is_answered_and_raises_nothing(
    demo: tuple[Runner, Requester], tmp_path: Path, said: str
) -> None:
    """With no question asked and no confirmation pending, a bare "yes" or "no" went to a
    person as "looks out of scope" (or "low confidence"): a review for a word that answers
    nothing. It is answered in a line, and nothing is raised or run."""
    runner, ann = demo
    thread = runner.submit("what's the status of INV-1001?", requester=ann).thread_id
    for where in (None, thread):  # a new thread, and one whose last turn asked nothing
        out = runner.submit(said, thread_id=where, requester=ann)
        assert (out.status, out.pending) == ("completed", []), out
        assert out.answer == "Nothing I asked is waiting for a yes or no."
        # The supervisor's own reply: nothing planned or run, not a subtask for no agent. The
        # plan says why, as it happened: not "a pleasantry".
        assert out.plan is not None and out.plan["reply"] == out.answer
        assert (out.plan["subtasks"], out.results, out.subtasks()) == ([], {}, [])
        assert out.plan["rationale"].startswith("a yes or no with no question waiting"), out.plan
    assert runner.queue.list(status="pending") == [] and refunds(tmp_path, "INV-1001") == []


def test_a_reply_stored_on_a_stand_in_subtask_loads_as_the_reply(
    demo: tuple[Runner, Requester],
) -> None:
    """Turns stored before `Plan.reply` kept the supervisor's reply on a subtask for no agent,
    done with the reply: such a turn reads as the reply alone, not a person's work, and the
    thread goes on."""
    runner, ann = demo
    thread = runner.submit("thanks!", requester=ann).thread_id
    stand_in = {"id": "t1", "description": "thanks!", "agent": None, "confidence": 1.0,
                "rationale": "a pleasantry that asks for nothing", "alternatives": [],
                "depends_on": [], "escalate": False, "escalation_reason": None}  # fmt: skip
    old_plan = {"subtasks": [stand_in], "planner": "supervisor", "reply": "You're welcome."}
    done = {"subtask_id": "t1", "description": "thanks!", "agent": None, "status": "done",
            "summary": "You're welcome.", "output": {"summary": "You're welcome."},
            "actions": []}  # fmt: skip
    runner.update_turn(thread, 1, {"plan": old_plan, "results": {"t1": done}}, "synthesize")
    assert runner.turn_state(thread, 1).values["plan"]["subtasks"] == [stand_in]

    out = runner.outcome(thread)

    assert (out.status, out.answer) == ("completed", "You're welcome.")
    assert out.plan is not None and out.plan["reply"] == "You're welcome."
    assert (out.plan["subtasks"], out.results, out.subtasks()) == ([], {}, [])
    later = runner.submit("what's the status of INV-1001?", thread_id=thread, requester=ann)
    assert (later.status, [s["agent"] for s in later.subtasks()]) == ("completed", ["billing"])


def test_a_question_stays_open_past_a_pleasantry_and_a_stray_yes(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    """After "Which ticket do you mean: …?", "thanks" then "TCK-1003" was a status look-up and
    the question's review stayed pending: only the last turn's question was read. A stray
    "yes" now points back to the question, and the pick answers it."""
    runner, ann = demo
    thread = runner.submit("status of TCK-1001 and TCK-1003", requester=ann).thread_id
    [question] = runner.submit("close it", thread_id=thread, requester=ann).pending

    runner.submit("thanks", thread_id=thread, requester=ann)
    yes = runner.submit("yes", thread_id=thread, requester=ann)
    done = runner.submit("TCK-1003", thread_id=thread, requester=ann)

    assert yes.answer == (
        "That question wants a pick, not a yes or no: "
        "Which ticket do you mean: TCK-1001 or TCK-1003?"
    )
    assert yes.plan is not None and yes.plan["subtasks"] == []
    assert yes.plan["rationale"].startswith("a yes or no to a question that wants a pick")
    [subtask] = done.plan["subtasks"]  # type: ignore[index]
    assert subtask["description"] == "close TCK-1003"
    assert runner.queue.get(question.id).status == "resumed"


def test_a_question_without_options_is_answered_by_describing_the_record(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    """ "Which deployment do you mean?" listed no options, and "the web one" was planned as a
    request of its own while the question stayed pending. Now the reply is read against the
    demo's deployments: two live web ones are asked about, and "production" picks one."""
    runner, ann = demo
    thread = runner.submit("hi", requester=ann).thread_id
    [first] = runner.submit("roll back that one", thread_id=thread, requester=ann).pending

    again = runner.submit("the web one", thread_id=thread, requester=ann)
    [second] = again.pending
    done = runner.submit("production", thread_id=thread, requester=ann)

    asked = second.payload["context"]["subtask"]["description"]
    assert "Which deployment do you mean: DEP-1025 or DEP-1028?" in asked
    [subtask] = done.plan["subtasks"]  # type: ignore[index]
    assert "DEP-1028" in subtask["description"]
    assert runner.queue.get(first.id).status == "resumed"
    assert runner.queue.get(second.id).status == "resumed"


def test_no_and_another_invoice_runs_on_the_invoice_named(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    # "no, INV-1003" ran "refund INV-101 (INV-1003)", which billing read as INV-101: "no
    # invoice with id INV-101", done; INV-1003 was named and not refunded.
    runner, ann = demo
    thread, question = _guess_asked(runner, ann)

    done = runner.submit("no, INV-1003", thread_id=thread, requester=ann)

    assert refunds(tmp_path, "INV-1001") == [] and refunds(tmp_path, "INV-1003") == [(2900,)]
    [subtask] = done.plan["subtasks"]  # type: ignore[index]
    assert subtask["description"] == "refund INV-1003"
    assert runner.queue.get(question.id).status == "resumed"


def test_yes_with_another_invoice_named_does_not_run_the_guess(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    # "yes, INV-1003" refunded INV-1001, the guess, though the reply named INV-1003.
    runner, ann = demo
    thread, _ = _guess_asked(runner, ann)

    done = runner.submit("yes, INV-1003", thread_id=thread, requester=ann)

    assert refunds(tmp_path, "INV-1001") == [] and refunds(tmp_path, "INV-1003") == [(2900,)]
    [subtask] = done.plan["subtasks"]  # type: ignore[index]
    assert subtask["description"] == "refund INV-1003"


def test_a_no_anywhere_in_a_short_reply_declines_the_guess(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    # "yeah nah" counted as a yes ("nah" was in the one yes/no list but not in the check for a
    # no inside a yes) and refunded INV-1001, the guess.
    runner, ann = demo
    thread, question = _guess_asked(runner, ann)

    declined = runner.submit("yeah nah", thread_id=thread, requester=ann)

    assert refunds(tmp_path, "INV-1001") == []
    # declined, as a plain "no" is: the question answered, and which invoice asked
    assert runner.queue.get(question.id).status != "pending"
    [again] = declined.pending
    assert "Which invoice did you mean?" in again.payload["context"]["subtask"]["description"]


def test_a_pleasantry_after_a_guessed_look_up_does_not_repeat_the_guess(
    demo: tuple[Runner, Requester],
) -> None:
    # "thanks" after "how much was INV-101 for?" was answered "(INV-101 read as INV-1001)
    # You're welcome.": the last turn's reading, said again for a turn that read nothing.
    runner, ann = demo
    thread = runner.submit("what's the status of INV-1001?", requester=ann).thread_id
    guessed = runner.submit("how much was INV-101 for?", thread_id=thread, requester=ann)
    assert "INV-101 read as INV-1001" in (guessed.answer or ""), guessed.answer

    thanks = runner.submit("thanks", thread_id=thread, requester=ann)

    assert thanks.answer == "You're welcome.", thanks.answer


def test_that_day_after_two_days_is_asked_and_the_day_named_answers_it(
    demo: tuple[Runner, Requester],
) -> None:
    # "any incidents that day?" after a request that wrote two days (escalated: the
    # planner was unsure of it) listed every incident, the words dropped. It asks which day
    # now, runs nothing, and "June 11" answers it.
    runner, ann = demo
    thread = runner.submit("deployments on June 10 and June 11", requester=ann).thread_id

    asked = runner.submit("any incidents that day?", thread_id=thread, requester=ann)
    [question] = [item for item in asked.pending if item.turn == 2]
    done = runner.submit("June 11", thread_id=thread, requester=ann)

    described = question.payload["context"]["subtask"]["description"]
    assert "Which day do you mean: June 10 or June 11?" in described
    assert "INC-" not in json.dumps(asked.results or {})
    [subtask] = done.plan["subtasks"]  # type: ignore[index]
    assert subtask["description"] == "any incidents on June 11?"
    assert runner.queue.get(question.id).status == "resumed"


def _asked_which_invoice(runner: Runner, ann: Requester) -> tuple[str, ReviewItem]:
    """A thread whose turn 3 ("do that for CUS-1005 too", after a refund corrected to
    INV-1012) asks which of CUS-1005's invoices is meant: the thread and the question."""
    thread = runner.submit("refund INV-1008 in full", requester=ann).thread_id
    runner.submit("sorry, I meant INV-1012", thread_id=thread, requester=ann)
    asked = runner.submit("do that for CUS-1005 too", thread_id=thread, requester=ann)
    [question] = [i for i in asked.pending if i.kind == "routing"]
    assert "Which invoice do you mean" in question.payload["context"]["subtask"]["description"]
    return thread, question


def test_a_question_left_behind_a_later_turn_is_answered_by_a_pick(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    """'cancel that refund' came between the question and 'the first one': the pick was read
    against the call-off (looking an invoice up) and the question stayed open for ever, an
    item in every reviewer's queue. A reply that only picks answers the question still
    open that it fits, as if it had followed it."""
    runner, ann = demo
    thread, question = _asked_which_invoice(runner, ann)
    runner.submit("cancel that refund", thread_id=thread, requester=ann)

    answer = runner.submit("the first one", thread_id=thread, requester=ann)

    [subtask] = answer.plan["subtasks"]  # type: ignore[index]
    assert subtask["agent"] == "billing" and "refund INV-1005" in subtask["description"]
    decided = runner.queue.get(question.id)
    assert decided.status == "resumed" and decided.decided_by == ann.id
    assert runner.outcome(thread, 3).status == "completed"
    assert refunds(tmp_path, "INV-1005") != []  # 99.00, under the limit: no review


def test_a_reviewers_answer_to_which_record_goes_on_with_the_record(
    demo: tuple[Runner, Requester], tmp_path: Path
) -> None:
    """`review respond ITEM --message INV-1052` ended the turn 'answered' with the bare
    'INV-1052', no refund proposed. The answer is the pick: the turn goes on with the
    request it asked about, for INV-1052, to the agent that takes it. The item recommends
    only a decision it accepts (it cannot be routed)."""
    runner, ann = demo
    thread, question = _asked_which_invoice(runner, ann)
    context = question.payload["context"]
    assert context["recommended"]["decision"] == "respond"
    assert "route" not in context["recommended"]["reason"]

    DecisionService(runner).decide(question.id, Decision("respond", message="INV-1052"), "rev")

    turn = runner.outcome(thread, 3)
    [result] = turn.results.values()
    assert result["agent"] == "billing" and "INV-1052" in result["description"], result
    assert refunds(tmp_path, "INV-1052") != []  # 99.00, under the limit: no review
    # An answer that picks no option stands as the answer, as before.
    thread, question = _asked_which_invoice(runner, ann)
    DecisionService(runner).decide(question.id, Decision("respond", message="ask later"), "rev")
    [result] = runner.outcome(thread, 3).results.values()
    assert (result["status"], result["summary"]) == ("answered", "ask later")


def test_a_repeat_with_nothing_it_can_be_done_on_says_so_and_raises_nothing(
    demo: tuple[Runner, Requester],
) -> None:
    """'do the same for CUS-1015' after a close, when her only ticket is closed, asked "Which
    ticket do you mean?" with nothing to pick, parked for a reviewer. It says what is true;
    nothing is routed and nothing waits for anyone."""
    runner, ann = demo
    first = runner.submit("close TCK-1001", requester=ann)
    told = runner.submit("do the same for CUS-1015", thread_id=first.thread_id, requester=ann)
    assert told.status == "completed" and told.pending == [] and told.subtasks() == []
    assert told.answer is not None
    assert told.answer.startswith("CUS-1015 has no ticket that can be closed (TCK-1111 is")
    assert told.answer.endswith("; nothing was done")
