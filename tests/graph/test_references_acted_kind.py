"""A reference reads as a record of the kind the request's side effect takes: a question a
reference raises is asked of those records, and a reply to it picks one of them."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import (
    ACTS,
    KINDS,
    asked_turn,
    catalogue,
    customer,
    entities,
    facts,
    turn,
)

MARCH = facts(
    customer("CUS-1050", "Amara Obi", "Obi Foods annual active", ("INV-1250",), "she"),
    customer("CUS-1051", "Tomas Ruiz", "Ruiz Labs annual active", ("INV-1251",), "he"),
    # An invoice's words name its customer, as the demo store's do.
    RecordFacts("INV-1250", "CUS-1050", "Amara Obi unpaid 2025-03 usd March Mar 2025"),
    RecordFacts("INV-1251", "CUS-1051", "Tomas Ruiz unpaid 2025-03 usd March Mar 2025"),
)  # fmt: skip
LOOKUP, RECORDS = catalogue(MARCH)
LISTED = turn(
    1, "what do Amara Obi and Tomas Ruiz owe for March?", "CUS-1050 INV-1250 CUS-1051 INV-1251"
)


def test_a_described_one_a_credit_acts_on_is_asked_of_the_customers() -> None:
    """A credit takes a customer: "the annual plan one" no record's words fit, after two
    customers' invoices, is asked as which customer, never which invoice; the reply naming
    one is that customer."""
    request = "put a 30 dollar credit on the annual plan one"
    out = resolve(request, [LISTED], KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is not None
    assert "CUS-1050" in out.question and "CUS-1051" in out.question
    assert "INV-" not in out.question
    options = [("customer", "CUS-1050"), ("customer", "CUS-1051")]
    history = [LISTED, asked_turn(2, request, options)]
    out = resolve("Tomas please", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["CUS-1051"]
    # A refund takes an invoice: the same words ask which invoice.
    out = resolve("refund the annual plan one", [LISTED], KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is not None and "INV-1250" in out.question


def test_a_reply_picking_a_record_resolves_the_person_the_request_sends_to() -> None:
    """ "send him the march invoice", asked which of two customers' invoices: the reply
    naming one picks his invoice, and "him", to whom it goes, is that customer too."""
    request = "send him the march invoice"
    options = [("invoice", "INV-1250"), ("invoice", "INV-1251")]
    asked = asked_turn(2, request, options)
    asked["entities"]["named"] = [list(o) for o in options]  # as the runner records a question
    history = [LISTED, asked]
    out = resolve("Tomas", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None
    assert sorted(entities(out)) == ["CUS-1051", "INV-1251"]
    assert "CUS-1051" in out.text and "INV-1251" in out.text


def test_a_reply_among_one_persons_records_resolves_only_the_record() -> None:
    """Both invoices his: "him" was known before the question, so the reply picks the
    invoice only."""
    his = facts(
        customer("CUS-1051", "Tomas Ruiz", "Ruiz Labs annual active", ("INV-1251", "INV-1252")),
        RecordFacts("INV-1251", "CUS-1051", "Tomas Ruiz unpaid 2025-03 usd March Mar 2025"),
        RecordFacts("INV-1252", "CUS-1051", "Tomas Ruiz unpaid 2025-04 usd April Apr 2025"),
    )
    lookup, records = catalogue(his)
    options = [("invoice", "INV-1251"), ("invoice", "INV-1252")]
    asked = asked_turn(2, "send him the unpaid invoice", options)
    asked["entities"]["named"] = [list(o) for o in options]
    history = [turn(1, "what does CUS-1051 owe?", "INV-1251 INV-1252"), asked]
    out = resolve("the april one", history, KINDS, lookup, ACTS, records)
    assert out.question is None and entities(out) == ["INV-1252"]
