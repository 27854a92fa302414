"""A turn that calls off the thread's unfinished work ("cancel that refund"): the pending
refund is withdrawn, not made again or waited for; a held turn it names is dropped; both are
in the audit trail, and the turn says what happened (SQLite and Postgres)."""

from __future__ import annotations

from pathlib import Path

from ringmaster.graph.state import Requester
from ringmaster.runner import Runner
from ringmaster.withdraw import called_off
from tests.ringmaster.test_turns import (  # noqa: F401
    REFUND,
    demo,
    held_behind_refund,
    refund_waiting,
    refunds,
)


def test_cancel_that_refund_withdraws_the_pending_refund(
    demo: tuple[Runner, Requester],  # noqa: F811
    tmp_path: Path,
) -> None:
    runner, ann = demo
    thread, item = refund_waiting(runner, ann)

    cancel = runner.submit("cancel that refund", thread_id=thread, requester=ann)

    assert (cancel.status, cancel.turn, cancel.queued_behind) == ("completed", 2, [])
    [row] = cancel.subtasks()
    assert row["status"] == "done"
    # Said as a person names it, as "Which refund do you mean: …?" does, not as the call.
    amount = item.payload["action_requests"][0]["args"]["amount"]
    assert (
        f"withdrew review {item.id[:10]} of turn 1 (the refund of {amount} on INV-1002), "
        "called off: it was rejected in your name" in row["summary"]
    )
    assert "issue_refund" not in row["summary"] and "reason=" not in row["summary"]
    decided = runner.queue.get(item.id)
    assert decided.status == "resumed" and decided.decided_by == ann.id
    assert [d["type"] for d in decided.decision["decisions"]] == ["reject"]  # type: ignore[index]
    assert refunds(tmp_path) == []  # never made, neither by the review nor by turn 2
    refund_turn = runner.outcome(thread, 1)
    assert refund_turn.status == "completed"
    assert refund_turn.results["t1"]["status"] == "rejected"
    assert refund_turn.results["t1"]["summary"].startswith(
        "issue_refund was not run: the requester withdrew it (called off in turn 2: cancel "
        "that refund)"
    )
    assert runner.threads.get(thread).status == "completed" and cancel.pending == []
    kinds = [e.kind for e in runner.audit.for_thread(thread) if e.data.get("turn") == 2]
    assert kinds[0] == "request_received" and kinds[-1] == "final_answer"
    assert "plan" not in kinds  # nothing was planned: no agent ran on these words
    # The next turn sees the call-off in the conversation.
    assert [h["turn"] for h in runner.history(thread)] == [1, 2]


def test_cancelling_a_held_turn_drops_it_and_leaves_the_review(
    demo: tuple[Runner, Requester],  # noqa: F811
    tmp_path: Path,
) -> None:
    runner, ann = demo
    thread, item = held_behind_refund(runner, ann)  # turn 2 held: "…status of INV-1002 now?"

    cancel = runner.submit("never mind the INV-1002 status", thread_id=thread, requester=ann)

    assert cancel.status == "completed" and cancel.turn == 3
    assert "dropped turn 2 (what is the status of INV-1002 now?)" in cancel.answer  # type: ignore[operator]
    assert runner.jobs.held(thread) == []
    assert runner.outcome(thread, 2).status == "cancelled"
    assert runner.queue.get(item.id).status == "pending"  # the refund's review is not touched
    [event] = [e for e in runner.audit.for_thread(thread) if e.kind == "turn_withdrawn"]
    assert (event.data["turn"], event.data["by_turn"]) == (2, 3)
    assert refunds(tmp_path) == []


def test_a_call_off_with_nothing_unfinished_is_an_ordinary_request(
    demo: tuple[Runner, Requester],  # noqa: F811
    tmp_path: Path,
) -> None:
    runner, ann = demo
    out = runner.submit("cancel that refund", requester=ann)
    [row] = out.subtasks()
    assert row["agent"] == "billing" and row["status"] == "needs_input"
    assert refunds(tmp_path) == []


def test_what_a_request_calls_off() -> None:
    assert called_off("cancel that refund") == "that refund"
    assert called_off("Actually, never mind") == ""
    assert called_off("please don't do the rollback") == "the rollback"
    for request in (
        REFUND,
        "what is the status of that refund?",
        "the customer cancelled",
        "don't forget to refund INV-1004 too",
    ):
        assert called_off(request) is None, request


def test_a_correction_withdraws_the_refund_it_corrects(
    demo: tuple[Runner, Requester],  # noqa: F811
    tmp_path: Path,
) -> None:
    runner, ann = demo
    thread, wrong = refund_waiting(runner, ann)  # INV-1002, waits for approval

    fixed = runner.submit("sorry, I meant INV-1012", thread_id=thread, requester=ann)

    [right] = fixed.pending  # the refund repeated for INV-1012, waiting for its own approval
    assert "INV-1012" in str(right.payload) and "INV-1002" not in str(right.payload)
    withdrawn = runner.queue.get(wrong.id)
    assert (withdrawn.status, withdrawn.decided_by) == ("resumed", ann.id)
    assert withdrawn.decision["decisions"][0]["type"] == "reject"  # type: ignore[index]
    assert refunds(tmp_path) == []  # INV-1002 was never refunded
    summary = runner.outcome(thread, 1).results["t1"]["summary"]
    assert "superseded in turn 2: sorry, I meant INV-1012" in summary


def test_a_correction_says_which_review_it_withdrew_and_why(
    demo: tuple[Runner, Requester],  # noqa: F811
) -> None:
    """The correcting turn's answer names the review it withdrew (id, record, amount) and
    why, from the audit event its rejection committed with."""
    from ringmaster.decisions import Decision, DecisionService

    runner, ann = demo
    thread, wrong = refund_waiting(runner, ann)
    amount = wrong.payload["action_requests"][0]["args"]["amount"]

    fixed = runner.submit("sorry, I meant INV-1012", thread_id=thread, requester=ann)

    [event] = [e for e in runner.audit.for_thread(thread) if e.kind == "review_withdrawn"]
    assert (event.data["turn"], event.data["review_id"]) == (2, wrong.id)
    [note] = fixed.notes()  # the turn waits for its own review: said before its answer
    assert note.startswith(
        f"withdrew review {wrong.id[:10]} of turn 1 (the refund of {amount} on INV-1002), "
    )
    assert "superseded by this turn's correction (sorry, I meant INV-1012)" in note
    assert fixed.to_dict()["withdrawn"][0]["review_id"] == wrong.id
    [right] = [i for i in fixed.pending if i.turn == 2]
    DecisionService(runner).decide(right, Decision("reject", reason="not today"), "rita")
    done = runner.outcome(thread, 2)
    assert done.answer is not None and done.answer.startswith(note + "\n[t1 billing")


def test_a_correction_that_adds_a_record_withdraws_nothing(
    demo: tuple[Runner, Requester],  # noqa: F811
) -> None:
    runner, ann = demo
    thread, item = refund_waiting(runner, ann)

    more = runner.submit("actually, INV-1012 too", thread_id=thread, requester=ann)

    [added] = [i for i in more.pending if i.turn == 2]  # the refund for INV-1012 as well
    assert "INV-1012" in str(added.payload)
    assert runner.queue.get(item.id).status == "pending"


def test_a_call_off_withdraws_only_the_requesters_own_work_on_the_record_it_names(
    demo: tuple[Runner, Requester],  # noqa: F811
) -> None:
    runner, ann = demo
    thread, item = refund_waiting(runner, ann)  # INV-1002, waits for approval
    bob = Requester(id="bob", scopes=runner.default_scopes())
    for who, words in (
        (ann, "cancel the refund for INV-1004"),  # another record
        (ann, "stop sending me refund emails"),  # a request of its own
        (bob, "never mind"),  # not bob's refund
    ):
        runner.submit(words, thread_id=thread, requester=who)
        assert runner.queue.get(item.id).status == "pending", words
    kept = runner.submit("cancel the refund, the customer changed their mind", thread_id=thread,
                         requester=ann)  # fmt: skip
    assert runner.queue.get(item.id).status == "resumed"  # a reason after it is still a call-off
    assert "withdrew review" in kept.subtasks()[0]["summary"]


def test_a_correction_naming_the_wrong_record_withdraws_it(
    demo: tuple[Runner, Requester],  # noqa: F811
) -> None:
    runner, ann = demo
    thread, wrong = refund_waiting(runner, ann)

    fixed = runner.submit("no, INV-1012 not INV-1002", thread_id=thread, requester=ann)

    assert fixed.queued_behind == []
    assert runner.queue.get(wrong.id).status == "resumed"  # withdrawn, not left to approve
    [right] = [i for i in fixed.pending if i.turn == 2]
    assert "INV-1012" in str(right.payload)


def test_a_call_off_retried_after_its_rejection_still_says_what_it_withdrew(
    demo: tuple[Runner, Requester],  # noqa: F811
) -> None:
    """The process stopped between the rejection and the answer: the retried turn finds the
    review decided, not pending, and still answers that it withdrew it (it was planned as a
    new request, which billing asked back about)."""
    from ringmaster.decisions import Decision, DecisionService

    runner, ann = demo
    thread, item = refund_waiting(runner, ann)
    reason = "called off in turn 2: cancel that refund"  # what turn 2's first attempt made
    DecisionService(runner).decide(item, Decision("reject", reason=reason), ann.id)

    cancel = runner.submit("cancel that refund", thread_id=thread, requester=ann)

    assert cancel.turn == 2
    [row] = cancel.subtasks()
    assert row["agent"] == "conversation" and f"withdrew review {item.id[:10]}" in row["summary"]


def test_a_correction_naming_the_record_taken_back_withdraws_it_and_plans_the_other_at_once(
    demo: tuple[Runner, Requester],  # noqa: F811
    tmp_path: Path,
) -> None:
    from ringmaster.decisions import Decision, DecisionService
    from ringmaster.errors import AlreadyDecided

    runner, ann = demo
    thread, wrong = refund_waiting(runner, ann)  # INV-1002, 299.00, waits for approval
    amount = wrong.payload["action_requests"][0]["args"]["amount"]

    fixed = runner.submit("don't refund INV-1002, refund INV-1005 instead", thread_id=thread,
                          requester=ann)  # fmt: skip

    assert fixed.queued_behind == [] and fixed.turn == 2  # planned at once, not held
    withdrawn = runner.queue.get(wrong.id)
    assert (withdrawn.status, withdrawn.decided_by) == ("resumed", ann.id)
    [row] = fixed.subtasks()
    assert row["agent"] == "billing" and "INV-1005" in row["summary"]
    # The correction keeps turn 1's reason ("double charged"), which INV-1005's one charge
    # does not bear out: the new refund waits for a person, who reads that doubt first.
    [doubted] = fixed.pending
    assert "INV-1005 has 1 successful charge(s)" in doubted.summary
    assert [w["review_id"] for w in fixed.withdrawn] == [wrong.id]
    assert refunds(tmp_path, "INV-1005") == []
    paid = DecisionService(runner).decide(doubted, Decision("approve"), "rev")
    assert paid.answer is not None and paid.answer.startswith(
        f"withdrew review {wrong.id[:10]} of turn 1 (the refund of {amount} on INV-1002)"
    )
    assert refunds(tmp_path) == [] and refunds(tmp_path, "INV-1005") != []
    try:  # approving the withdrawn review elsewhere cannot run it any more
        DecisionService(runner).decide(wrong.id, Decision("approve"), "rev")
    except AlreadyDecided:
        pass
    assert refunds(tmp_path) == []


def test_the_forms_of_a_correction_that_name_the_record_taken_back(
    demo: tuple[Runner, Requester],  # noqa: F811
) -> None:
    from ringmaster.graph.references import kinds_from_team
    from ringmaster.graph.references.swaps import swap

    kinds = kinds_from_team(demo[0].deps.registry.team.entities)
    for words in (
        "not INV-1002, INV-1005 instead",
        "don't refund INV-1002, refund INV-1005 instead",
        "instead of INV-1002, INV-1005",
        "INV-1005 not INV-1002",
        "sorry, INV-1005 rather than INV-1002",
    ):
        found = swap(words, kinds)
        assert found is not None and found.correcting, words
        assert (found.wrong, found.right) == (("INV-1002",), ("INV-1005",)), words
    leaves_out = swap("close TCK-1001 but not TCK-1003", kinds)
    assert leaves_out is not None and not leaves_out.correcting  # a request, not a correction


def test_never_mind_after_a_question_withdraws_the_question(
    demo: tuple[Runner, Requester],  # noqa: F811
) -> None:
    runner, ann = demo
    thread = runner.submit("What's the status of TCK-1001 and TCK-1003?", requester=ann).thread_id
    asked = runner.submit("close it", thread_id=thread, requester=ann)
    [question] = asked.pending

    off = runner.submit("never mind", thread_id=thread, requester=ann)

    [row] = off.subtasks()
    assert row["agent"] == "conversation" and row["status"] == "done"
    assert "withdrew the question of turn 2 (Which ticket do you mean" in (off.answer or "")
    closed = runner.queue.get(question.id)
    assert closed.status == "resumed" and closed.decided_by == ann.id
    assert off.pending == []


def test_neither_after_a_question_runs_the_request_on_the_record_meant(
    demo: tuple[Runner, Requester],  # noqa: F811
) -> None:
    runner, ann = demo
    thread = runner.submit("What's the status of TCK-1001 and TCK-1003?", requester=ann).thread_id
    [question] = runner.submit("close it", thread_id=thread, requester=ann).pending

    meant = runner.submit("neither, I meant TCK-1005", thread_id=thread, requester=ann)

    [subtask] = meant.plan["subtasks"]  # type: ignore[index]
    assert subtask["description"] == "close TCK-1005"
    assert "closed TCK-1005" in (meant.answer or "")
    assert runner.queue.get(question.id).status != "pending"  # answered, not left to decide


def test_a_correction_after_the_corrected_refund_ran_says_it_stands(
    demo: tuple[Runner, Requester],  # noqa: F811
    tmp_path: Path,
) -> None:
    runner, ann = demo
    first = runner.submit("Refund invoice INV-1003 in full, the customer cancelled", requester=ann)
    assert first.status == "completed"  # under the limit: ran at once
    [(cents,)] = refunds(tmp_path, "INV-1003")

    fixed = runner.submit("sorry, I meant INV-1006", thread_id=first.thread_id, requester=ann)

    [note] = fixed.notes()
    assert note.startswith("turn 1's issue_refund(invoice_id=INV-1003, amount=")
    assert f"{cents / 100:.2f}" in note and "had already run" in note and "not undone" in note
    assert fixed.answer is not None and fixed.answer.startswith(note)
    assert refunds(tmp_path, "INV-1003") == [(cents,)]  # it stands
    assert [e.kind for e in runner.audit.for_thread(first.thread_id)].count(
        "correction_too_late"
    ) == 1


def test_a_reviewers_rejection_is_not_a_withdrawal_on_a_one_person_machine(
    demo: tuple[Runner, Requester],  # noqa: F811
    tmp_path: Path,
) -> None:
    """The README's demo: one login asks and reviews (no users), and `review reject` is a
    reviewer's rejection; it read 'the requester withdrew it' because the names matched."""
    from ringmaster.decisions import Decision, DecisionService

    runner, ann = demo
    thread, item = refund_waiting(runner, ann)
    done = DecisionService(runner).decide(
        item, Decision("reject", reason="not without the account manager"), ann.id
    )
    summary = done.results["t1"]["summary"]
    assert summary.startswith(
        "issue_refund was not run: a reviewer rejected it (not without the account manager)"
    ), summary
    assert "withdrew" not in (done.answer or "") and refunds(tmp_path) == []


TWO_REFUNDS = "refund INV-1004 in full, and also refund INV-1002"


def _two_refunds_waiting(runner: Runner, ann: Requester) -> tuple[str, dict[str, str]]:
    """One turn whose two refunds wait for review: the thread, and each invoice's review id."""
    first = runner.submit(TWO_REFUNDS, requester=ann)
    items = {i.payload["action_requests"][0]["args"]["invoice_id"]: i.id for i in first.pending}
    assert sorted(items) == ["INV-1002", "INV-1004"], first.pending
    return first.thread_id, items


def test_a_call_off_naming_one_record_withdraws_only_its_review_of_a_shared_request(
    demo: tuple[Runner, Requester],  # noqa: F811
) -> None:
    """Both refunds were raised by one request, whose words name both invoices: 'cancel the
    refund for INV-1004' withdrew the INV-1002 refund too (the reviews were matched by their
    request's words, not their actions)."""
    runner, ann = demo
    thread, items = _two_refunds_waiting(runner, ann)
    out = runner.submit("cancel the refund for INV-1004", thread_id=thread, requester=ann)
    assert runner.queue.get(items["INV-1004"]).status == "resumed"
    assert runner.queue.get(items["INV-1002"]).status == "pending"
    assert "INV-1002" not in out.subtasks()[0]["summary"]


def test_that_refund_among_two_is_asked_which_and_withdraws_neither(
    demo: tuple[Runner, Requester],  # noqa: F811
) -> None:
    """'cancel that refund' names one refund; with two waiting, both were rejected in the
    requester's name. Which one is asked, and nothing is withdrawn."""
    runner, ann = demo
    thread, items = _two_refunds_waiting(runner, ann)
    out = runner.submit("cancel that refund", thread_id=thread, requester=ann)
    [row] = out.subtasks()
    assert row["status"] == "needs_input"
    assert row["summary"].startswith("Which refund do you mean:"), row["summary"]
    assert all(i[:10] in row["summary"] for i in items.values())
    assert [runner.queue.get(i).status for i in items.values()] == ["pending", "pending"]


def test_the_refunds_or_both_refunds_withdraws_both(
    demo: tuple[Runner, Requester],  # noqa: F811
) -> None:
    """The plural was read as words of a request of its own: the turn was queued behind the
    very reviews it called off, which a reviewer could then approve."""
    runner, ann = demo
    for words in ("cancel the refunds", "cancel both refunds"):
        thread, items = _two_refunds_waiting(runner, ann)
        out = runner.submit(words, thread_id=thread, requester=ann)
        assert out.queued_behind == [], words
        assert [runner.queue.get(i).status for i in items.values()] == ["resumed"] * 2, words
        assert out.subtasks()[0]["summary"].count("withdrew review") == 2, words


def test_that_refund_among_three_says_cancel_all_not_both() -> None:
    """The question offered "cancel both refunds" with three refunds waiting."""
    from datetime import UTC, datetime

    from ringmaster.review_queue import ReviewItem
    from ringmaster.withdraw import which_one

    def refund(n: int) -> ReviewItem:
        call = {"name": "issue_refund", "args": {"invoice_id": f"INV-100{n}"}}
        return ReviewItem(
            id=f"r{n}" * 6, thread_id="t", turn=1, subtask_id=f"s-{n}", kind="approval",
            agent="billing", category="refund", priority="normal", requester="ann",
            status="pending", summary="refund", payload={"action_requests": [call]},
            decision=None, decided_by=None, claimed_by=None, created_at=datetime.now(UTC),
            decided_at=None, resumed_at=None,
        )  # fmt: skip

    three = which_one("that refund", [refund(n) for n in (1, 2, 3)])
    two = which_one("that refund", [refund(n) for n in (1, 2)])
    assert three is not None and 'or "all".' in three.text, three
    assert two is not None and 'or "both".' in two.text, two
    # Said as a person names it, not as a call: "issue_refund(invoice_id=…, reason=)".
    assert "the refund on INV-1001 (review r1r1r1r1r1)" in two.text, two
    assert "issue_refund" not in two.text and "invoice_id" not in two.text


def test_the_answer_to_which_refund_withdraws_the_one_picked(
    demo: tuple[Runner, Requester],  # noqa: F811
    tmp_path: Path,
) -> None:
    """'the second one' to "Which refund do you mean: …?" was read as a new request about
    INV-1002 and queued behind its review, which, approved, refunded it. The answer
    completes the call-off: the review picked is withdrawn in the requester's name, the
    other stays pending, and nothing is refunded."""
    runner, ann = demo
    for answer, gone in (
        ("the second one", ["INV-1002"]),
        ("INV-1004", ["INV-1004"]),
        ("the one for INV-1002", ["INV-1002"]),
        ("cancel the first one", ["INV-1004"]),
        ("both", ["INV-1002", "INV-1004"]),
    ):
        thread, items = _two_refunds_waiting(runner, ann)
        asked = runner.submit("cancel that refund", thread_id=thread, requester=ann)
        first = asked.subtasks()[0]["summary"].split(" or ")[0]
        assert "INV-1004" in first, first  # listed in the order the refunds were asked
        out = runner.submit(answer, thread_id=thread, requester=ann)
        assert (out.status, out.queued_behind) == ("completed", []), answer
        for invoice, review in items.items():
            item = runner.queue.get(review)
            if invoice in gone:
                assert (item.status, item.decided_by) == ("resumed", ann.id), answer
                [d] = item.decision["decisions"]  # type: ignore[index]
                assert d["type"] == "reject" and "cancel that refund" in d["message"]
                assert answer in d["message"], d
                assert f"withdrew review {review[:10]}" in out.answer, out.answer  # type: ignore[operator]
            else:
                assert item.status == "pending", answer
        assert "plan" not in [
            e.kind for e in runner.audit.for_thread(thread) if e.data.get("turn") == 3
        ]  # fmt: skip
        # Answered: a later "the first one" is no answer to it any more.
        again = runner.submit("the first one", thread_id=thread, requester=ann)
        assert "withdrew" not in str(again.answer), again.answer
    assert refunds(tmp_path) == []


def test_a_request_after_which_refund_is_no_pick(
    demo: tuple[Runner, Requester],  # noqa: F811
) -> None:
    """A reply that names a record the question did not offer, or asks for a refund, is a
    request of its own: nothing is withdrawn on it."""
    runner, ann = demo
    for words in ("refund INV-1004 again", "INV-1003", "what about the second invoice of CUS-1002"):
        thread, items = _two_refunds_waiting(runner, ann)
        runner.submit("cancel that refund", thread_id=thread, requester=ann)
        runner.submit(words, thread_id=thread, requester=ann)
        assert [runner.queue.get(i).status for i in items.values()] == ["pending"] * 2, words


def test_a_pick_that_fits_two_open_questions_is_asked_which(
    demo: tuple[Runner, Requester],  # noqa: F811
) -> None:
    """'the first one' answers "Which refund do you mean?" (call it off) and the open "Which
    ticket do you mean: TCK-1002 or TCK-1058?" (close it) alike: which question is asked;
    nothing is withdrawn, nothing closed on a guess."""
    runner, ann = demo
    thread, items = _two_refunds_waiting(runner, ann)
    runner.submit("show me TCK-1002 and TCK-1058", thread_id=thread, requester=ann)
    asked = runner.submit("close it", thread_id=thread, requester=ann).pending
    [ticket] = [i for i in asked if i.kind == "routing"]
    runner.submit("cancel that refund", thread_id=thread, requester=ann)

    out = runner.submit("the first one", thread_id=thread, requester=ann)

    [row] = out.subtasks()
    assert row["status"] == "needs_input"
    assert row["summary"].startswith("Which question are you answering: turn 4's"), row
    assert [runner.queue.get(i).status for i in items.values()] == ["pending"] * 2
    assert runner.queue.get(ticket.id).status == "pending"


def test_a_record_is_matched_whole_never_as_the_start_of_another() -> None:
    """ "INV-100" was found in "issue_refund(invoice_id=INV-1004, …)": an answer naming it picked,
    and a call-off naming it withdrew, the refund of another record."""
    from datetime import UTC, datetime

    from ringmaster.review_queue import ReviewItem
    from ringmaster.withdraw import picks, targets

    def refund(invoice: str) -> ReviewItem:
        call = {"name": "issue_refund", "args": {"invoice_id": invoice, "amount": "10.00"}}
        return ReviewItem(
            id=invoice.lower() * 2, thread_id="t", turn=1, subtask_id="t1", kind="approval",
            agent="billing", category="refund", priority="normal", requester="ann",
            status="pending", summary="refund", payload={"action_requests": [call]},
            decision=None, decided_by=None, claimed_by=None, created_at=datetime.now(UTC),
            decided_at=None, resumed_at=None,
        )  # fmt: skip

    offered = [refund("INV-1004"), refund("INV-1002")]
    assert picks("the one for", "refund", offered, ["INV-100"]) == []
    assert picks("the one for", "refund", offered, ["INV-1004"]) == [offered[0]]
    assert targets("the refund for", offered, [], ["INV-100"]) == ([], [])
    assert targets("the refund for", offered, [], ["INV-1002"]) == ([offered[1]], [])
