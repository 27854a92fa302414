"""An email to a customer is sent only when what it says is what the records say.

An email that states a fact about money, a record or a commitment that nothing handed over or
looked up supports waits for a person, with the reason shown; one whose body the request does
not give (only a subject) is asked about; pricing waits for a person as the policy says. Each
case runs `ringmaster run` as a user does and checks the demo company's outbox.
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.ringmaster.test_cli import Cli


def outbox(cli: Cli) -> list[tuple[str, str]]:
    with sqlite3.connect(cli.home / "demo-company.db") as conn:
        return conn.execute("SELECT recipients, body FROM outbox").fetchall()


@pytest.mark.parametrize(
    ("request_text", "claim"),
    [
        ("email CUS-1001 saying we refunded them 500 dollars", "500"),
        ("send CUS-1001 an email saying we refunded them 500 dollars", "500"),
        ("let CUS-1003 know by email that INV-1007 has been corrected", "INV-1007"),
        ("send CUS-1004 an email that we will give them a free month", "will"),
        # Live health shows an incident open: a look-up can show a claim false, never true.
        ("write to CUS-1021 and let them know the outage is over", "still open"),
        # Only a subject, but one that states a fact: a reminder says there is something unpaid.
        ("send CUS-1043 a reminder email about their unpaid invoices", "unpaid"),
        # "and tell them …" gives the words: the reason quotes them, and no "(1003)" taken from
        # the customer's id for an amount.
        ("email CUS-1003 and tell them we've waived all their fees", "we've waived all"),
    ],
)
def test_an_email_stating_what_no_record_supports_waits_for_a_person(
    cli_in_process: Cli, request_text: str, claim: str
) -> None:
    cli = cli_in_process
    out = cli.json("run", request_text)
    assert outbox(cli) == []  # nothing went out
    assert out["status"] == "waiting", out["results"]
    (item,) = out["pending"]
    assert item["agent"] == "content"
    shown = cli.json("review", "show", item["id"])
    assert shown["payload"]["action_requests"][0]["name"] == "send_email"
    reason = shown["payload"]["context"]["blocker"]  # every reason, as `review show` prints
    assert "support" in reason and claim in reason and "(1003)" not in reason
    assert "(1003)" not in shown["summary"]  # the listing's line: the first concern, counted rest
    # The requester reads why it waits, in the answer itself.
    text = cli("run", request_text).stdout
    assert "waiting for a person" in text and "no record" in " ".join(text.split())


def test_an_email_whose_words_held_a_secret_waits_for_a_person(cli_in_process: Cli) -> None:
    # The password is taken out at intake; the email must not go out saying "[redacted]".
    cli = cli_in_process
    out = cli.json("run", "email CUS-1001 saying their password is hunter2")
    assert outbox(cli) == []
    assert out["status"] == "waiting", out["results"]
    (item,) = out["pending"]
    reason = cli.json("review", "show", item["id"])["summary"]
    assert "[redacted]" in reason and "secret" in reason and "hunter2" not in reason


@pytest.mark.parametrize(
    "request_text", ["email CUS-1003 about their account", "send CUS-1012 a reminder"]
)
def test_an_email_the_request_gives_no_words_for_is_asked_about_not_sent(
    cli_in_process: Cli, request_text: str
) -> None:
    cli = cli_in_process
    out = cli.json("run", request_text)
    assert outbox(cli) == []
    (result,) = out["results"].values()
    assert result["status"] == "needs_input" and not result["actions"]
    assert "what should" in result["summary"].lower()


def test_an_email_about_pricing_waits_for_a_person(cli_in_process: Cli) -> None:
    cli = cli_in_process
    out = cli.json("run", "email CUS-1002 about the new pricing")
    assert outbox(cli) == []
    assert out["status"] == "waiting"
    (item,) = out["pending"]
    reason = cli.json("review", "show", item["id"])["summary"]
    assert "pricing" in reason


def test_an_email_that_claims_nothing_is_sent_and_the_answer_is_what_was_sent(
    cli_in_process: Cli,
) -> None:
    cli = cli_in_process
    out = cli.json("run", "send CUS-1001 an email saying thank you for your patience")
    assert out["status"] == "completed"
    ((recipients, body),) = outbox(cli)
    assert recipients == '["maria.lopez@example.com"]'
    (result,) = out["results"].values()
    assert result["status"] == "done" and body in result["summary"]
    assert "thank you for your patience" in body.lower()


def test_a_held_email_a_reviewer_rewrites_is_told_as_it_was_sent(cli_in_process: Cli) -> None:
    cli = cli_in_process
    out = cli.json("run", "email CUS-1001 saying we refunded them 500 dollars")
    (item,) = out["pending"]
    body = "Hello Maria, we are looking into your refund and will write again."
    done = cli.json("review", "edit", item["id"], "--as", "rita", "--args", f'{{"body": "{body}"}}')
    ((_, sent),) = outbox(cli)
    assert sent == body
    (result,) = done["results"].values()
    assert body in result["summary"] and result["output"]["body"] == body
    shown = cli.json("thread", "show", out["thread_id"])
    assert f"(MSG-1001): {body} (as edited by the reviewer: body" in shown["answer"]
    assert shown["answer"].endswith(body)  # the draft printed with it is the body sent


def test_an_email_to_thank_a_customer_is_sent_and_says_thank_you(cli_in_process: Cli) -> None:
    # It was asked about ("What should the email say?"), its draft titled "Email CUS-1001 to
    # thank you for your business".
    cli = cli_in_process
    out = cli.json("run", "email CUS-1001 to thank them for their business")
    assert out["status"] == "completed", out["results"]
    ((recipients, body),) = outbox(cli)
    assert recipients == '["maria.lopez@example.com"]'
    assert "thank you for your business" in body.lower() and "CUS-1001" not in body.upper()
    (result,) = out["results"].values()
    assert result["output"]["title"] == "Thank you for your business"


def test_an_email_about_a_ticket_says_what_was_and_was_not_done(cli_in_process: Cli) -> None:
    """'email CUS-1002 saying their ticket TCK-1001 is closed' was planned for support alone,
    which closed TCK-1001 (the email's words read as an instruction) and answered 'closed
    TCK-1001'; no email went out and the answer did not say so."""
    cli = cli_in_process
    out = cli.json("run", "email CUS-1002 saying their ticket TCK-1001 is closed")
    with sqlite3.connect(cli.home / "demo-company.db") as conn:
        (status,) = conn.execute("SELECT status FROM tickets WHERE id = 'TCK-1001'").fetchone()
    assert status == "open" and cli.side_effects() == []
    answer = " ".join((out["answer"] or "").split())
    assert "closed TCK-1001" not in answer
    # Support asks what to do, and says it sent nothing and changed nothing.
    assert out["status"] == "needs_input", answer
    assert "support sends no email: nothing was sent and no ticket was changed" in answer
    assert outbox(cli) == []


def test_a_records_id_is_never_quoted_as_an_amount_of_money(cli_in_process: Cli) -> None:
    # "INV-1007 was refunded" gave the reviewer "states an amount of money or a payment
    # (1007)": the id's digits were read as money.
    cli = cli_in_process
    out = cli.json("run", "send CUS-1003 an email saying INV-1007 was refunded")
    assert outbox(cli) == [] and out["status"] == "waiting", out["results"]
    (item,) = out["pending"]
    reason = cli.json("review", "show", item["id"])["summary"]
    assert "no record handed over supports" in reason and "(1007" not in reason, reason
