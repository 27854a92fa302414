"""The demo skills do what the words say, and a request to act that did nothing is not `done`.

Each case drives the demo team through the runner and asserts on the thread's status, the
answer and the demo database (nothing changed where nothing was proposed).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ringmaster.graph.state import Requester
from ringmaster.runner import Runner, RunOutcome
from ringmaster.settings import Settings
from ringmaster.tools.demo import ensure_demo_db


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[Runner]:
    with Runner(Settings(home=tmp_path)) as r:
        yield r


def submit(runner: Runner, text: str, thread: str | None = None) -> RunOutcome:
    ann = Requester(id="ann", scopes=runner.default_scopes())
    return runner.submit(text, thread_id=thread, requester=ann)


def query(runner: Runner, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(ensure_demo_db(runner.settings.demo_db_path)) as conn:
        return conn.execute(sql, args).fetchall()


def side_effects(runner: Runner) -> int:
    return int(query(runner, "SELECT count(*) FROM side_effects")[0][0])


def only_result(out: RunOutcome) -> dict[str, Any]:
    (result,) = out.results.values()
    return result


def test_an_escalation_to_the_level_a_ticket_has_changes_nothing(runner: Runner) -> None:
    """ "escalate TCK-1001 to high priority" of a high ticket had proposed urgent."""
    [(level,)] = query(runner, "SELECT priority FROM tickets WHERE id = 'TCK-1001'")
    assert level == "high"
    out = submit(runner, "escalate TCK-1001 to high priority")
    assert out.status == "completed" and not out.pending
    assert "TCK-1001 already has high priority; no change proposed" in (out.answer or "")
    assert query(runner, "SELECT priority FROM tickets WHERE id = 'TCK-1001'") == [("high",)]
    assert side_effects(runner) == 0


def test_an_escalation_of_a_closed_ticket_is_asked_not_made(runner: Runner) -> None:
    [(tid, level)] = query(
        runner, "SELECT id, priority FROM tickets WHERE status = 'closed' ORDER BY id LIMIT 1"
    )
    out = submit(runner, f"escalate {tid} to urgent priority")
    assert out.status == "needs_input" and not out.pending
    assert f"{tid} (" in (out.answer or "") and "is closed" in (out.answer or "")
    assert query(runner, "SELECT priority, status FROM tickets WHERE id = ?", tid) == [
        (level, "closed")
    ]
    assert side_effects(runner) == 0


@pytest.mark.parametrize(
    ("request_text", "reason"),
    [
        ("refund INV-10004 in full", "no invoice with id INV-10004; no refund proposed"),
        ("close ticket TCK-9999", "no ticket with id TCK-9999, so nothing was changed"),
        ("refund INV-1006 for 30 dollars", "30.00 is more than can be refunded on INV-1006"),
    ],
)
def test_an_action_that_could_not_be_proposed_waits_with_its_reason(
    runner: Runner, request_text: str, reason: str
) -> None:
    """These had ended `done` and the thread `completed`, as if work had been done."""
    out = submit(runner, request_text)
    assert out.status == "needs_input", out.answer
    assert only_result(out)["status"] == "needs_input"
    assert reason in (out.answer or "")
    assert side_effects(runner) == 0


def test_a_look_up_that_finds_nothing_is_still_an_answer(runner: Runner) -> None:
    """Asking about an invoice that is not there is answered (it is not there): done."""
    out = submit(runner, "show INV-10004")
    assert out.status == "completed"
    assert "no invoice with id INV-10004" in (out.answer or "")


def test_the_latest_invoice_is_named_and_refund_it_acts_on_it(runner: Runner) -> None:
    """ "what's the latest invoice for CUS-1001?" had said only how many invoices she has."""
    [(latest, period, amount, status)] = query(
        runner,
        "SELECT id, period, printf('%.2f', amount_cents / 100.0), status FROM invoices "
        "WHERE customer_id = 'CUS-1001' ORDER BY issued_at DESC LIMIT 1",
    )
    out = submit(runner, "what's the latest invoice for CUS-1001?")
    assert out.status == "completed"
    assert f"{latest} ({period}) {amount} USD, {status}" in (out.answer or "")
    follow = submit(runner, "refund it", thread=out.thread_id)
    assert latest in (follow.answer or "")
    assert only_result(follow)["output"]["invoice_ids"] == [latest]


def test_the_invoices_of_a_customer_are_listed_with_their_ids(runner: Runner) -> None:
    ids = [i for (i,) in query(runner, "SELECT id FROM invoices WHERE customer_id = 'CUS-1001'")]
    out = submit(runner, "show me the invoices for CUS-1001")
    assert out.status == "completed"
    assert all(i in (out.answer or "") for i in ids)
