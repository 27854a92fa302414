"""Issue 12: what a person is told is what ran, and the demo agents ask instead of guess.

Each case drives the demo team through the runner and the decision service (the path the CLI,
the API and the web page share) and asserts on the results, the answer and the demo
database's side effects.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ringmaster.decisions import Decision, DecisionService, Edit
from ringmaster.errors import InvalidDecision
from ringmaster.graph.state import Requester
from ringmaster.runner import Runner, RunOutcome
from ringmaster.settings import Settings


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[Runner]:
    """On SQLite: what these cases check is what the demo agents and the answer say, the same
    on either store (the runner and the decisions run on both in test_runner, test_decisions)."""
    with Runner(Settings(home=tmp_path)) as r:
        yield r


@pytest.fixture
def runner_each_backend(tmp_path: Path, db_url: str | None) -> Iterator[Runner]:
    """On SQLite and Postgres: for an edited action, stored and executed through the store."""
    with Runner(Settings(home=tmp_path, db_url=db_url)) as r:
        yield r


def submit(runner: Runner, text: str) -> RunOutcome:
    return runner.submit(text, requester=Requester(id="ann", scopes=runner.default_scopes()))


def effects(runner: Runner) -> list[tuple[str, dict[str, Any]]]:
    with sqlite3.connect(runner.settings.demo_db_path) as conn:
        rows = conn.execute("SELECT tool, args FROM side_effects ORDER BY created_at").fetchall()
    return [(tool, json.loads(args)) for tool, args in rows]


def only_result(out: RunOutcome) -> dict[str, Any]:
    (result,) = out.results.values()
    return result


def test_an_edited_refund_reads_as_the_amount_that_ran(runner_each_backend: Runner) -> None:
    runner = runner_each_backend
    out = submit(runner, "Refund invoice INV-1010 in full, the customer is unhappy")
    (item,) = out.pending
    assert item.payload["action_requests"][0]["args"]["amount"] == "999.00"
    done = DecisionService(runner).decide(
        item, Decision("edit", (Edit(0, {"amount": "40.00"}),)), "rev"
    )
    result = only_result(done)
    assert effects(runner) == [("issue_refund", {**result["actions"][0]["args"]})]
    assert result["actions"][0]["args"]["amount"] == "40.00"
    for text in (result["summary"], done.answer or "", result["output"]["summary"]):
        assert "refunded 40.00 USD on INV-1010" in text
        assert "999.00" not in text.replace("amount 999.00 → 40.00", "")
        assert "proposed" not in text
    assert "as edited by the reviewer: amount 999.00 → 40.00" in result["summary"]


def test_an_edited_refunds_output_tells_the_executed_arguments(runner: Runner) -> None:
    """The result's `output` (what `run --json`, `thread show`, the API and the chat show)
    tells the amount that ran, not the proposed one, and says what was proposed and by whom
    it was changed; a later read of the thread (a restart, another process) says the same."""
    out = submit(runner, "Refund invoice INV-1010 in full, the customer is unhappy")
    (item,) = out.pending
    done = DecisionService(runner).decide(
        item, Decision("edit", (Edit(0, {"amount": "40.00"}),)), "rev"
    )
    for seen in (done, runner.outcome(done.thread_id), runner.outcome(done.thread_id, 1)):
        output = only_result(seen)["output"]
        assert output["amount"] == "40.00", output
        assert output["invoice_ids"] == ["INV-1010"]
        assert output["edited"] == [
            {
                "tool": "issue_refund",
                "proposed": {"amount": "999.00"},
                "executed": {"amount": "40.00"},
                "by": "rev",
            }
        ]
        assert output["effects"][0]["args"]["amount"] == "40.00"
        assert "proposed refunding 999.00" in output["proposal"]  # the proposal, named so


def test_an_approved_refunds_output_lists_no_edit(runner: Runner) -> None:
    out = submit(runner, "Refund invoice INV-1010 in full, the customer is unhappy")
    (item,) = out.pending
    done = DecisionService(runner).decide(item, Decision("approve"), "rev")
    output = only_result(done)["output"]
    assert output["amount"] == "999.00" and "edited" not in output


def test_an_edited_amount_reads_as_money_on_both_sides(runner: Runner) -> None:
    """A reviewer's `40` for a proposed "999.00" reads "999.00 → 40.00" wherever the edit is
    echoed: the subtask's summary, the answer (CLI, chat and API show these) and the audit."""
    from ringmaster.cli_audit import _event_line

    out = submit(runner, "Refund invoice INV-1010 in full, the customer is unhappy")
    (item,) = out.pending
    done = DecisionService(runner).decide(item, Decision("edit", (Edit(0, {"amount": 40}),)), "rev")
    result = only_result(done)
    for text in (result["summary"], done.answer or ""):
        assert "refunded 40.00 USD on INV-1010" in text
        assert "as edited by the reviewer: amount 999.00 → 40.00)" in text
    events = runner.audit.for_thread(done.thread_id)
    answer = next(e for e in events if e.kind == "final_answer" and e.data.get("turn") == 1)
    assert "amount 999.00 → 40.00" in answer.data["answer"]
    decision = next(e for e in events if e.kind == "human_decision")
    assert "edit issue_refund(invoice_id=INV-1010, amount=40.00" in _event_line(decision)


def test_an_edited_amount_runs_and_is_kept_in_the_tools_own_form(runner: Runner) -> None:
    """A reviewer's 5000 is the tool's "5000.00" in every record of the call: the decision,
    the executed action, the output and its `edited` entry, the audit's side effect."""
    out = submit(runner, "give CUS-1002 a 150.00 credit for the outage")
    (item,) = out.pending
    done = DecisionService(runner).decide(
        item, Decision("edit", (Edit(0, {"amount": 5000}),)), "rev"
    )
    result = only_result(done)
    (ran,) = effects(runner)
    assert ran[1]["amount"] == "5000.00"  # what the tool recorded
    (action,) = result["actions"]
    assert action["args"]["amount"] == action["result"]["amount"] == "5000.00"
    assert result["output"]["amount"] == "5000.00"
    assert result["output"]["edited"][0]["executed"] == {"amount": "5000.00"}
    events = runner.audit.for_thread(done.thread_id)
    for kind in ("human_decision", "review_applied"):
        event = next(e for e in events if e.kind == kind)
        assert event.data["decisions"][0]["edited_action"]["args"]["amount"] == "5000.00"
    effect = next(e for e in events if e.kind == "side_effect")
    assert effect.data["args"]["amount"] == "5000.00"
    assert runner.queue.find(item.id).decision["decisions"][0]["edited_action"]["args"] == {
        "customer_id": "CUS-1002",
        "amount": "5000.00",
        "reason": "outage",
    }


def test_a_finished_rollback_says_where_the_service_now_is(runner: Runner) -> None:
    out = submit(runner, "Roll back api in production")
    (item,) = out.pending
    done = DecisionService(runner).decide(item, Decision("approve"), "rev")
    summary = only_result(done)["summary"]
    assert "waits for approval" not in summary and "proposed" not in summary
    assert "rolled api back in production from 2.14.0 to 2.13.2" in summary
    assert "api now runs 2.13.2 there" in summary


def test_a_reject_reason_is_shown(runner: Runner) -> None:
    out = submit(runner, "Refund invoice INV-1010 in full, the customer is unhappy")
    (item,) = out.pending
    done = DecisionService(runner).decide(item, Decision("reject", reason="wrong invoice"), "rev")
    result = only_result(done)
    assert result["status"] == "rejected" and effects(runner) == []
    assert "wrong invoice" in result["summary"] and "wrong invoice" in (done.answer or "")
    assert "proposed" not in result["summary"]


def test_a_reject_without_a_reason_is_refused(runner: Runner) -> None:
    """The requester is shown the reason: none would tell them nothing (it said 'no reason
    given'), so the rejection is refused and the item stays pending."""
    out = submit(runner, "Refund invoice INV-1010 in full, the customer is unhappy")
    (item,) = out.pending
    with pytest.raises(InvalidDecision, match="a rejection needs a reason"):
        DecisionService(runner).decide(item, Decision("reject"), "rev")
    assert runner.queue.get(item.id).status == "pending" and effects(runner) == []


def test_a_drafted_text_is_printed_in_the_answer(runner: Runner) -> None:
    out = submit(runner, "Draft a status update for customers about the api errors")
    result = only_result(out)
    body = result["output"]["body"]
    assert body and body in (out.answer or "").replace("\n    ", " ")
    # The api incident is open: the draft does not call it resolved.
    assert "operating normally" not in body


def test_a_status_update_is_not_resolved_while_its_incident_is_open(runner: Runner) -> None:
    out = submit(runner, "Write a status update: the api incident is resolved, all systems normal")
    result = only_result(out)
    body, title = result["output"]["body"], result["output"]["title"]
    assert "resolved" not in (body + title).lower() and "operating normally" not in body
    assert "INC-1012" in body and title.startswith("Investigating")
    assert "the request calls it resolved, but INC-1012 is still open" in result["summary"]
    # Once the incident and its alerts are over in the data, the same request reads resolved.
    with sqlite3.connect(runner.settings.demo_db_path) as conn:
        conn.execute("UPDATE incidents SET status = 'resolved' WHERE service = 'api'")
        conn.execute("UPDATE alerts SET status = 'resolved' WHERE service = 'api'")
    again = only_result(
        submit(runner, "Write a status update: the api incident is resolved, all systems normal")
    )
    assert again["output"]["title"].startswith("Resolved")


def test_the_recommendation_follows_the_evidence(runner: Runner) -> None:
    fine = submit(runner, "Refund invoice INV-1010 in full, the customer is unhappy")
    (item,) = fine.pending
    rec = item.payload["context"]["recommended"]
    assert rec["decision"] == "approve" and "999.00 is still refundable" in rec["reason"]
    # The request claims a double charge the data does not show: not "approve".
    doubtful = submit(runner, "Refund invoice INV-1010 in full, the customer was double charged")
    (item,) = doubtful.pending
    rec = item.payload["context"]["recommended"]
    assert rec["decision"] == "reject" and "charged twice" in rec["reason"]
    # No environment named: production is an assumption only the requester can confirm.
    assumed = submit(runner, "Roll back the api deployment")
    (item,) = assumed.pending
    assert item.payload["context"]["recommended"]["decision"] == "respond"


def test_a_duplicate_charge_refund_finds_the_invoice_charged_twice(runner: Runner) -> None:
    out = submit(runner, "Customer CUS-1003 says they were charged twice, refund the duplicate")
    result = only_result(out)
    refunds = [args for tool, args in effects(runner) if tool == "issue_refund"]
    # INV-1003 has two payments three minutes apart; the latest invoice (INV-1144) has one.
    assert [r["invoice_id"] for r in refunds] == ["INV-1003"]
    assert refunds[0]["amount"] == "29.00" and refunds[0]["reason"] == "duplicate charge"
    assert "refunded 29.00 USD on INV-1003" in result["summary"]


def test_a_refund_without_an_invoice_asks_which_one(runner: Runner) -> None:
    out = submit(runner, "Customer CUS-1005 wants a refund")
    result = only_result(out)
    assert effects(runner) == [] and out.pending == []
    assert "Which invoice should be refunded?" in result["summary"]


def test_a_rollback_never_targets_the_version_of_an_open_incident(runner: Runner) -> None:
    service = DecisionService(runner)
    first = submit(runner, "Roll back api in production")
    service.decide(first.pending[0], Decision("approve"), "rev")
    second = submit(runner, "Roll back api in production")
    (item,) = second.pending
    args = item.payload["action_requests"][0]["args"]
    assert args["from_version"] == "2.13.2" and args["to_version"] not in ("2.14.0", "2.13.2")
    asked = submit(runner, "Roll back api in production to 2.14.0")
    assert asked.pending == [] and "INC-1012" in only_result(asked)["summary"]


def test_parallel_rollbacks_do_not_flip_a_service(runner: Runner) -> None:
    # Two rollbacks decided against the same running version: the second changes nothing.
    outs = [submit(runner, "Roll back api in production") for _ in range(2)]
    service = DecisionService(runner)
    done = [service.decide(o.pending[0], Decision("approve"), "rev") for o in outs]
    first, second = (only_result(d) for d in done)
    assert first["status"] == "done" and second["status"] == "failed"
    assert "runs 2.13.2 in production, not 2.14.0" in second["summary"]
    with sqlite3.connect(runner.settings.demo_db_path) as conn:
        rows = conn.execute("SELECT from_version, to_version FROM rollbacks").fetchall()
    assert rows == [("2.14.0", "2.13.2")]


def test_a_refund_and_a_credit_in_one_request_run_both(runner: Runner) -> None:
    # Two asks of one agent, each naming its record: a subtask (and a review) each.
    out = submit(
        runner, "Refund INV-1010 in full and apply a credit of $150 to CUS-1010 for the outage"
    )
    items = {i.payload["action_requests"][0]["name"]: i for i in out.pending}
    assert sorted(items) == ["apply_credit", "issue_refund"]
    service = DecisionService(runner)
    service.decide(items["issue_refund"], Decision("approve"), "rev")
    # Two subtasks, two reviews each raised on the totals before either ran: the refund that
    # ran since moved the credit's customer and requester totals, so its first approval is
    # refused naming them and the second goes through.
    credit = Decision("approve")
    with pytest.raises(InvalidDecision, match=r"would reach 1149\.00 for customer CUS-1010"):
        service.decide(items["apply_credit"], credit, "rev")
    done = service.decide(items["apply_credit"], credit, "rev")
    ran = {tool: args for tool, args in effects(runner)}
    assert ran["issue_refund"]["amount"] == "999.00"
    assert ran["apply_credit"] == {
        "customer_id": "CUS-1010",
        "amount": "150.00",
        "reason": "outage",
    }
    summaries = " ".join(r["summary"] for r in done.results.values())
    assert "refunded 999.00 USD on INV-1010" in summaries and "credited 150.00 USD" in summaries


def test_a_closed_ticket_reads_as_what_ran_not_a_raw_record(runner: Runner) -> None:
    out = submit(runner, "add a note to TCK-1001 saying we sent a reset link, and close the ticket")
    result = only_result(out)
    [(tool, args)] = effects(runner)
    assert tool == "close_ticket"
    assert result["summary"].startswith("closed TCK-1001 (")
    assert f"with the note 'Resolution: {args['resolution']}'" in result["summary"]
    assert "; it is closed, " in result["summary"]
    assert "{" not in result["summary"]  # no Python dict of the ticket's row


def test_an_edit_over_the_approval_limit_is_said_so_in_the_audit(runner: Runner) -> None:
    """A reviewer who raises a 150.00 credit to 5000.00 approves the edited call: the policy
    has no cap a person cannot lift. The decision's audit event says the edited call was over
    the policy and names its reason on the edited amount, and the answer tells the requester
    what ran and that it was edited."""
    from ringmaster.cli_audit import _event_line
    from ringmaster.decision_text import decision_lines

    out = submit(runner, "give CUS-1002 a 150.00 credit for the outage")
    (item,) = out.pending
    assert item.payload["action_requests"][0]["args"]["amount"] == "150.00"
    done = DecisionService(runner).decide(
        item, Decision("edit", (Edit(0, {"amount": "5000.00"}),)), "rev"
    )
    assert effects(runner) == [
        ("apply_credit", {"customer_id": "CUS-1002", "amount": "5000.00", "reason": "outage"})
    ]
    (event,) = [e for e in runner.audit.for_thread(out.thread_id) if e.kind == "human_decision"]
    (decided,) = event.data["decisions"]
    assert "5000.00" in decided["edit_needs_approval"]
    assert "approved as edited over the policy" in _event_line(event)
    (line,) = decision_lines(runner.queue.find(item.id))
    assert "itself over the policy (credit of 5000.00" in line
    assert "as edited by the reviewer: amount 150.00 → 5000.00" in (done.answer or "")


def test_an_edit_within_the_policy_needs_no_approval_of_its_own(runner: Runner) -> None:
    out = submit(runner, "give CUS-1002 a 150.00 credit for the outage")
    (item,) = out.pending
    DecisionService(runner).decide(item, Decision("edit", (Edit(0, {"amount": "50.00"}),)), "rev")
    (event,) = [e for e in runner.audit.for_thread(out.thread_id) if e.kind == "human_decision"]
    assert "edit_needs_approval" not in event.data["decisions"][0]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ({"customer_id": "CUS-9999"}, "action 0 (apply_credit): no customer with id CUS-9999"),
        ({"amount": "0"}, "action 0 (apply_credit): argument 'amount': amount must be positive"),
    ],
)
def test_a_credit_edit_the_records_refuse_leaves_the_review_pending(
    runner: Runner, args: dict[str, Any], said: str
) -> None:
    """The credit path is checked as the refund's is (the tool's `check`, a rolled-back run):
    a reviewer's typo is refused in one line before anything is written, and nothing ran."""
    out = submit(runner, "give CUS-1002 a 150.00 credit for the outage")
    (item,) = out.pending
    with pytest.raises(InvalidDecision) as refused:
        DecisionService(runner).decide(item, Decision("edit", (Edit(0, args),)), "rev")
    assert str(refused.value).startswith(said) and "\n" not in str(refused.value)
    assert runner.queue.get(item.id).status == "pending" and effects(runner) == []


def test_every_demo_write_is_checked_before_an_edit_commits(runner: Runner) -> None:
    tools = runner.deps.registry.tools
    writes = [t for name in tools.names() if (t := tools.get(name)).side_effect]
    assert "apply_credit" in [t.name for t in writes]
    assert [t.name for t in writes if t.check is None] == []


def test_a_refund_with_no_reason_given_stores_none_as_its_proposal_and_decision_say(
    runner: Runner,
) -> None:
    """The proposal said "(no reason given)" and the decision showed `reason=`, while the tool
    stored the refund with the reason 'refund' that nobody gave: the three now agree."""
    from ringmaster.decision_text import decision_lines

    out = submit(runner, "Refund invoice INV-1010 in full")
    (item,) = out.pending
    [action] = item.payload["action_requests"]
    assert action["args"]["reason"] == "" and "no reason given" in action["description"]
    DecisionService(runner).decide(item, Decision("approve"), "rita")
    [line] = decision_lines(runner.queue.get(item.id))
    assert line.endswith("reason=)")
    with sqlite3.connect(runner.settings.demo_db_path) as conn:
        [(stored,)] = conn.execute("SELECT reason FROM refunds WHERE invoice_id = 'INV-1010'")
    assert stored == ""
    assert effects(runner) == [("issue_refund", action["args"])]
