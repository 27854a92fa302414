"""send_email's approval rule reads the email's words against the demo records at the call:
a refund, credit, closed ticket or paid invoice the records do not bear out needs a person."""

from __future__ import annotations

from typing import Any

import pytest

from ringmaster.tools.base import ToolRegistry

MARIA = "maria.lopez@example.com"  # CUS-1001: INV-1001 paid, INV-1189 unpaid, TCK-1001 open


def rule(registry: ToolRegistry, to: Any, body: str, subject: str = "Update") -> str | None:
    return registry.get("send_email").needs_approval({"to": to, "subject": subject, "body": body})


def do(registry: ToolRegistry, tool: str, **args: Any) -> Any:
    return registry.get(tool).fn(idempotency_key=f"k-{tool}", **args)


@pytest.mark.parametrize("to", ["CUS-1001", MARIA])
def test_a_refund_never_issued_needs_a_person_and_says_both_sides(
    registry: ToolRegistry, to: str
) -> None:
    why = rule(registry, to, "Hello. We refunded 500 USD on INV-1001. Best, the team")
    assert why is not None
    assert "'We refunded 500 USD on INV-1001.'" in why  # what the email says
    assert "no refund or credit of 500 is recorded on INV-1001 (recorded: none)" in why


def test_a_refund_that_was_issued_goes_without_a_person(registry: ToolRegistry) -> None:
    body = "We refunded 50.00 USD on INV-1001."
    assert rule(registry, "CUS-1001", body) is not None
    do(registry, "issue_refund", invoice_id="INV-1001", amount="50.00")
    assert rule(registry, "CUS-1001", body) is None
    # The same words of another amount, or to a customer the refund was not for, are not true.
    assert "of 60.00 is recorded on INV-1001 (recorded: 50.00)" in (
        rule(registry, "CUS-1001", "We refunded $60.00 on INV-1001.") or ""
    )
    assert rule(registry, "CUS-1002", "We refunded 50.00 USD on INV-1001.") is not None


def test_an_amount_is_read_as_an_email_writes_it(registry: ToolRegistry) -> None:
    for body in ("We refunded you 500.", "You get a refund of 500 today.", "Refund: €500"):
        why = rule(registry, "CUS-1001", body)
        assert why is not None and "no refund or credit of 500 is recorded" in why, body
    # A span of time after a refund is no amount; with nothing else to check, it passes.
    assert rule(registry, "CUS-1001", "Refunds take 5-7 business days to arrive.") is None


def test_a_credit_is_checked_by_amount(registry: ToolRegistry) -> None:
    body = "We have credited your account with 20.00 EUR."
    assert "no refund or credit of 20.00 is recorded for CUS-1001" in (
        rule(registry, MARIA, body) or ""
    )
    do(registry, "apply_credit", customer_id="CUS-1001", amount="20.00")
    assert rule(registry, MARIA, body) is None
    # A card is not a credit, and words with no amount or invoice state nothing to check.
    assert rule(registry, MARIA, "Your credit card on file will be used.") is None


def test_a_ticket_said_closed_that_is_open_needs_a_person(registry: ToolRegistry) -> None:
    why = rule(registry, "CUS-1001", "Good news: your ticket TCK-1001 is closed.")
    assert why == (
        "the email says 'Good news: your ticket TCK-1001 is closed.', "
        "but TCK-1001 is open, not closed as the email would say"
    )
    do(registry, "close_ticket", ticket_id="TCK-1001", resolution="reset the password")
    assert rule(registry, "CUS-1001", "Good news: your ticket TCK-1001 is closed.") is None
    # Words about another sentence's matter do not make a claim about the ticket.
    body = "TCK-1001 is resolved. Feel free to open a new ticket any time."
    assert rule(registry, "CUS-1001", body) is None


def test_a_ticket_of_another_customer_or_none_needs_a_person(registry: ToolRegistry) -> None:
    # TCK-1065 is CUS-1001's and closed: true to them, not theirs to anyone else.
    assert rule(registry, "CUS-1001", "TCK-1065 was resolved.") is None
    why = rule(registry, "CUS-1002", "TCK-1065 was resolved.")
    assert why is not None and "TCK-1065 is CUS-1001's ticket, not CUS-1002's" in why
    why = rule(registry, "CUS-1001", "TCK-9999 is closed")
    assert why is not None and "no ticket TCK-9999 is recorded" in why


def test_an_invoice_said_paid_that_is_not_needs_a_person(registry: ToolRegistry) -> None:
    why = rule(registry, "CUS-1001", "Thanks, INV-1189 has been paid in full.")
    assert why is not None and "INV-1189 is unpaid, not paid as the email would say" in why
    assert "'Thanks, INV-1189 has been paid in full.'" in why
    assert rule(registry, "CUS-1001", "Thanks, INV-1001 has been paid in full.") is None
    # Saying it is not paid yet, or what happens once it is, states no payment.
    assert rule(registry, "CUS-1001", "INV-1189 has not been paid yet.") is None
    assert rule(registry, "CUS-1001", "Once INV-1189 is paid, your plan renews.") is None


def test_the_subject_is_read_too(registry: ToolRegistry) -> None:
    why = rule(registry, "CUS-1001", "Details inside.", subject="Refund of $500 on INV-1001")
    assert why is not None and "'Refund of $500 on INV-1001'" in why
    # A subject that repeats the body's claim: one line for one thing the records deny.
    why = rule(registry, "CUS-1001", "We refunded 500 USD.", subject="We refunded 500 USD")
    assert why == (
        "the email says 'We refunded 500 USD', "
        "but no refund or credit of 500 is recorded for CUS-1001 (recorded: none)"
    )


def test_an_email_with_no_claims_still_goes(registry: ToolRegistry) -> None:
    assert rule(registry, MARIA, "Thank you for your business! We value you.") is None
    assert rule(registry, "CUS-1001", "We are looking into TCK-1001 and it stays open.") is None
