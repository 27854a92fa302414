"""A review raised for a call names every running-total limit the call would pass, not the
per-call threshold alone: once a person approves, the call runs without the running-total
check (`CallContext.approved_by`), so the review is where the reviewer is told. The demo's
policy (agents/demo/policy.yaml): 150.00 per customer and per invoice, 300.00 per requester,
in 24 h; its refunds above 100.00 need approval each."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from ringmaster.runner import Runner
from tests.ringmaster.api.conftest import conversation
from tests.ringmaster.test_cli import InProcessCli

CUSTOMER = (
    "issue_refund: policy: apply_credit, issue_refund would reach {total} for customer "
    "CUS-1002 within 24 h ({before} before this), over the limit of 150.00; "
    "a person must approve it"
)
INVOICE = (
    "issue_refund: policy: issue_refund would reach 299.00 for invoice {invoice} within "
    "24 h (0.00 before this), over the limit of 150.00; a person must approve it"
)


def _approve(client: TestClient, h: dict, item: dict) -> Any:
    """The reviewer's approval of `item`, as the API answers it."""
    return client.post(
        f"/reviews/{item['id']}/decision", headers=h["rev"], json={"decision": "approve"}
    )


def test_a_review_names_every_limit_the_call_would_pass(
    demo: tuple[TestClient, Runner, dict],
    tmp_path: Path,
    db_url: str | None,
) -> None:
    client, runner, h = demo
    thread, say = conversation(client, h["ann"])
    [item] = say("Refund invoice INV-1002 in full")["pending"]

    # The stored review, its API view and its CLI view: the per-call threshold and both
    # running totals it passes (the requester's 300.00 it does not: 299.00 is within it).
    # Before, the blocker named the first alone.
    blocker = runner.queue.get(item["id"]).payload["context"]["blocker"]
    assert blocker.startswith("issue_refund: refund of 299.00 is above the 100.00 limit; ")
    assert CUSTOMER.format(total="299.00", before="0.00") in blocker
    assert INVOICE.format(invoice="INV-1002") in blocker
    assert "for requester" not in blocker
    shown = client.get(f"/reviews/{item['id']}", headers=h["rev"]).json()
    assert shown["payload"]["context"]["blocker"] == blocker
    cli = InProcessCli(tmp_path, db_url, None)
    printed = " ".join(cli("review", "show", item["id"], "--as", "rev").stdout.split())
    assert " ".join(CUSTOMER.format(total="299.00", before="0.00").split()) in printed
    assert " ".join(INVOICE.format(invoice="INV-1002").split()) in printed

    # Approval covers the limits the reviewer was shown: the call runs at once (no totals
    # moved since the review, so none is named), and it counts.
    decided = _approve(client, h, item)
    assert decided.status_code == 200 and decided.json()["status"] == "completed"
    assert (runner.queue.get(item["id"]).decision or {})["decisions"] == [{"type": "approve"}]
    with sqlite3.connect(runner.settings.demo_db_path) as conn:
        rows = conn.execute(
            "SELECT c.requester, c.approved_by, c.customer_id, c.invoice_id, s.args "
            "FROM effect_callers c JOIN side_effects s USING (idempotency_key)"
        ).fetchall()
    [(requester, approved_by, customer, invoice, args)] = rows
    assert (requester, approved_by, customer, invoice) == ("ann", "rev", "CUS-1002", "INV-1002")
    assert '"amount":"299.00"' in args

    # A second refund for the same customer (another invoice): its review names the
    # customer's total with the approved refund counted in it.
    [second] = say("Refund invoice INV-1049 in full")["pending"]
    blocker = runner.queue.get(second["id"]).payload["context"]["blocker"]
    assert CUSTOMER.format(total="598.00", before="299.00") in blocker
    assert INVOICE.format(invoice="INV-1049") in blocker
    assert "for requester ann within 24 h (299.00 before this), over the limit of 300.00" in (
        blocker
    )


def test_a_call_under_every_limit_raises_nothing(
    demo: tuple[TestClient, Runner, dict],
) -> None:
    client, runner, h = demo
    _, say = conversation(client, h["ann"])
    done = say("Refund 20.00 on invoice INV-1002")
    assert done["status"] == "completed" and done["pending"] == []
    assert runner.queue.list(status=None, limit=10) == []


# An edited call runs approved (`approved_by`), past its running totals unchecked, as an
# approved one does: the edit's decision names every limit the edited call passes, in the
# words of the review the validate node raises (CumulativeLimit.passed), so the reviewer who
# approves it and the audit trail both say it went over.
CREDIT_TOTAL = (
    "policy: apply_credit, issue_refund would reach {total} for customer CUS-1002 within "
    "24 h ({before} before this), over the limit of 150.00; a person must approve it"
)


def _edit_credit(client: TestClient, h: dict, item: dict, amount: str) -> dict:
    decided = client.post(
        f"/reviews/{item['id']}/decision",
        headers=h["rev"],
        json={"decision": "edit", "edits": [{"action": 0, "args": {"amount": amount}}]},
    )
    assert decided.status_code == 200, decided.text
    return dict(decided.json())


def test_an_edit_up_names_the_running_totals_the_edited_call_passes(
    demo: tuple[TestClient, Runner, dict],
) -> None:
    from ringmaster.cli_audit import _event_line
    from ringmaster.decision_text import decision_lines

    client, runner, h = demo
    thread, say = conversation(client, h["ann"])
    [item] = say("give CUS-1002 a 120.00 credit for the outage")["pending"]
    blocker = runner.queue.get(item["id"]).payload["context"]["blocker"]
    assert "for customer" not in blocker  # 120.00 is within every total

    assert _edit_credit(client, h, item, "200.00")["status"] == "completed"
    over = CREDIT_TOTAL.format(total="200.00", before="0.00")
    decided = runner.queue.get(item["id"]).decision or {}
    assert decided["decisions"][0]["edit_needs_approval"] == (
        f"credit of 200.00 is above the 100.00 limit; {over}"
    )
    [event] = [e for e in runner.audit.for_thread(thread) if e.kind == "human_decision"]
    assert over in event.data["decisions"][0]["edit_needs_approval"]
    assert over in _event_line(event)
    [line] = decision_lines(runner.queue.get(item["id"]))
    assert over in line


def test_an_edit_down_within_the_rule_still_names_a_total_it_passes(
    demo: tuple[TestClient, Runner, dict],
) -> None:
    """Lowered under the per-call threshold, the edited credit still takes the customer's
    total past 150.00 with the 90.00 credited before it: the decision says so, the call runs
    approved by the reviewer, and it counts."""
    client, runner, h = demo
    _, say = conversation(client, h["ann"])
    assert say("give CUS-1002 a 90.00 credit for the outage")["pending"] == []
    [item] = say("give CUS-1002 a 120.00 credit for the outage")["pending"]

    assert _edit_credit(client, h, item, "80.00")["status"] == "completed"
    decided = runner.queue.get(item["id"]).decision or {}
    assert decided["decisions"][0]["edit_needs_approval"] == CREDIT_TOTAL.format(
        total="170.00", before="90.00"
    )
    with sqlite3.connect(runner.settings.demo_db_path) as conn:
        rows = conn.execute(
            "SELECT c.approved_by, s.args FROM effect_callers c "
            "JOIN side_effects s USING (idempotency_key) ORDER BY s.created_at"
        ).fetchall()
    assert [(by, '"amount":"80.00"' in args) for by, args in rows][-1] == ("rev", True)


def test_a_total_counts_what_ran_not_what_waits_or_was_rejected(
    demo: tuple[TestClient, Runner, dict],
) -> None:
    """A call waiting for review is not in any total: neither one the validate node held
    (a refund over its threshold) nor one the act node held at its total (its effect rolled
    back with ApprovalRequired). Rejected, neither ever counts; only what ran does."""
    client, runner, h = demo

    def say(text: str) -> dict:  # each on a thread of its own: none waits behind another
        return conversation(client, h["ann"])[1](text)

    [refund] = say("Refund invoice INV-1002 in full")["pending"]
    # 90.00 + the waiting 299.00 would be over the customer's 150.00: the refund is not counted.
    assert say("give CUS-1002 a 90.00 credit for the outage")["pending"] == []
    [held] = say("give CUS-1002 a 90.00 credit for the outage")["pending"]
    blocker = runner.queue.get(held["id"]).payload["context"]["blocker"]
    assert CREDIT_TOTAL.format(total="180.00", before="90.00") in blocker

    for item in (refund, held):
        rejected = client.post(
            f"/reviews/{item['id']}/decision",
            headers=h["rev"],
            json={"decision": "reject", "reason": "not this one"},
        )
        assert rejected.status_code == 200, rejected.text
    # 90.00 + 60.00 is within 150.00 only if neither rejected call counts.
    assert say("give CUS-1002 a 60.00 credit for the outage")["pending"] == []
    with sqlite3.connect(runner.settings.demo_db_path) as conn:
        rows = conn.execute(
            "SELECT s.tool, s.args FROM effect_callers c "
            "JOIN side_effects s USING (idempotency_key) ORDER BY s.created_at"
        ).fetchall()
    assert [(tool, json.loads(args)["amount"]) for tool, args in rows] == [
        ("apply_credit", "90.00"),
        ("apply_credit", "60.00"),
    ]


def test_an_approval_is_refused_once_past_totals_its_review_did_not_show(
    demo: tuple[TestClient, Runner, dict],
) -> None:
    """Held for its per-call threshold, a credit of 120.00 is within the customer's total
    when its review is raised; a credit of 90.00 on another thread runs meanwhile. Approved
    as it stood, the call would run past 150.00 approved (`approved_by`) on numbers nobody
    was shown: the first approval is refused with the totals now, and the item stays
    pending; approved again, it runs, and the decision and its audit event name them."""
    from ringmaster.cli_audit import _event_line
    from ringmaster.decision_text import decision_lines

    client, runner, h = demo
    thread, say = conversation(client, h["ann"])
    [item] = say("give CUS-1002 a 120.00 credit for the outage")["pending"]
    assert "for customer" not in runner.queue.get(item["id"]).payload["context"]["blocker"]
    _, other = conversation(client, h["ann"])
    assert other("give CUS-1002 a 90.00 credit for the outage")["pending"] == []

    now = CREDIT_TOTAL.format(total="210.00", before="90.00")
    refused = _approve(client, h, item)
    assert refused.status_code == 422, refused.text
    assert now in refused.text and "approve again" in refused.text
    assert runner.queue.get(item["id"]).status == "pending"

    decided = _approve(client, h, item)
    assert decided.status_code == 200 and decided.json()["status"] == "completed"
    [approved] = (runner.queue.get(item["id"]).decision or {})["decisions"]
    assert approved == {"type": "approve", "passed_since_review": now}
    [event] = [e for e in runner.audit.for_thread(thread) if e.kind == "human_decision"]
    assert event.data["decisions"][0]["passed_since_review"] == now
    assert now in _event_line(event)
    [line] = decision_lines(runner.queue.get(item["id"]))
    assert now in line


REQUESTER = (
    "apply_credit: policy: apply_credit, issue_refund would reach {total} for requester ann "
    "within 24 h ({before} before this), over the limit of 300.00; a person must approve it"
)


def test_calls_held_in_one_answer_are_counted_together(
    demo: tuple[TestClient, Runner, dict],
) -> None:
    """Two credits in one answer, held together (each above 100.00): each was checked
    against the totals as they stood, not against the other, so the review said nothing of
    the requester's 300.00, which together they pass. The second is now checked with the
    first counted before it (a rolled-back run of both, in order, as the act node runs them)."""
    client, runner, h = demo
    _, say = conversation(client, h["ann"])
    [item] = say("give CUS-1002 and CUS-1003 a 160.00 credit each for the outage")["pending"]
    blocker = runner.queue.get(item["id"]).payload["context"]["blocker"]
    first, second = blocker.split("; apply_credit: credit of 160.00")
    assert "CUS-1002 within 24 h (0.00 before this)" in first and "for requester" not in first
    assert "CUS-1003 within 24 h (0.00 before this)" in second  # another customer's total
    assert REQUESTER.format(total="320.00", before="160.00") in second
    with sqlite3.connect(runner.settings.demo_db_path) as conn:  # the preview wrote nothing
        assert conn.execute("SELECT count(*) FROM side_effects").fetchone() == (0,)

    # The approval is of the totals the review showed: it goes through at once, both run.
    decided = _approve(client, h, item)
    assert decided.status_code == 200 and decided.json()["status"] == "completed"
    decisions = (runner.queue.get(item["id"]).decision or {})["decisions"]
    assert decisions == [{"type": "approve"}, {"type": "approve"}]
    with sqlite3.connect(runner.settings.demo_db_path) as conn:
        assert conn.execute("SELECT count(*) FROM side_effects").fetchone() == (2,)


def test_an_edit_counts_the_calls_before_it_in_the_item(
    demo: tuple[TestClient, Runner, dict],
) -> None:
    """The second of two held credits edited up: its decision names the requester's total
    with the first credit, which runs before it, counted."""
    client, runner, h = demo
    _, say = conversation(client, h["ann"])
    [item] = say("give CUS-1002 and CUS-1003 a 120.00 credit each for the outage")["pending"]
    assert "for requester" not in runner.queue.get(item["id"]).payload["context"]["blocker"]
    decided = client.post(
        f"/reviews/{item['id']}/decision",
        headers=h["rev"],
        json={"decision": "edit", "edits": [{"action": 1, "args": {"amount": "200.00"}}]},
    )
    assert decided.status_code == 200 and decided.json()["status"] == "completed"
    [_, edited] = (runner.queue.get(item["id"]).decision or {})["decisions"]
    total = REQUESTER.format(total="320.00", before="120.00").removeprefix("apply_credit: ")
    assert total in edited["edit_needs_approval"]
