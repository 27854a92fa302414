"""Who a record's person is, asked in a clause of its own after the record (issue 16): "and
the last one, who's the customer?" refers to the ticket picked, and asks for its customer."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve

from .references_kit import ACTS, KINDS, customer, entities, facts, turn

FACTS = facts(
    customer("CUS-2002", "Omar Velez", "Velez Foods starter", ("TCK-2002", "TCK-2003"), "he"),
    RecordFacts("TCK-2002", "CUS-2002", "Webhook retries fail open normal"),
    RecordFacts("TCK-2003", "CUS-2002", "Invoice PDF is blank open low"),
)
LISTED = [turn(1, "any open tickets for CUS-2002?", "TCK-2002 TCK-2003")]


def test_who_the_customer_is_in_a_clause_of_its_own_asks_for_the_owner() -> None:
    out = resolve("and the last one, who's the customer?", LISTED, KINDS, FACTS.get, ACTS)
    assert out.question is None
    assert entities(out) == ["TCK-2003"]
    assert out.text == "and TCK-2003, who's the customer?"


def test_who_opening_the_request_still_asks_for_the_owner() -> None:
    out = resolve("who's the customer on the last one?", LISTED, KINDS, FACTS.get, ACTS)
    assert entities(out) == ["TCK-2003"]
    assert "CUS-2002" not in out.text
    assert out.question is None and out.text == "who's the customer on TCK-2003?"
