""" "send her a reminder for it" after two women's invoices: "it" is hers, so which of them
"her" is gets asked first (a record's question would leave the reply naming her unread); a
person the request names settles which of the records "it" is, and a reply naming her runs
the request with her and her record."""

from __future__ import annotations

from ringmaster.graph.references import resolve
from tests.graph.references_kit import (
    ACTS,
    KINDS,
    asked_turn,
    catalogue,
    customer,
    entities,
    facts,
    invoice,
    turn,
)

FACTS = facts(
    customer(
        "CUS-1001", "Maria Lopez", "Lopez Design Studio pro active", ["INV-1001", "INV-1189"], "she"
    ),
    customer("CUS-1003", "Aisha Khan", "Khan Bakery starter active", ["INV-1191"], "she"),
    invoice("INV-1001", "CUS-1001", "paid", "2025-01"),
    invoice("INV-1189", "CUS-1001", "unpaid", "2025-06"),
    invoice("INV-1191", "CUS-1003", "unpaid", "2025-06"),
)
LOOKUP, RECORDS = catalogue(FACTS)

BOTH = [turn(1, "maria lopez and aisha khan - june invoices paid?", "INV-1189 INV-1191")]


def test_her_record_when_she_is_one_of_two_asks_which_person_first() -> None:
    out = resolve("send her a reminder for it", BOTH, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is not None
    assert "CUS-1001" in out.question and "CUS-1003" in out.question
    assert "INV-" not in out.question


def test_a_named_person_picks_her_record_among_two_peoples() -> None:
    out = resolve("send CUS-1003 a reminder for it", BOTH, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["INV-1191"]
    assert out.text == "send CUS-1003 a reminder for INV-1191"


def test_the_reply_naming_her_runs_the_request_with_her_and_her_record() -> None:
    options = [("customer", "CUS-1001"), ("customer", "CUS-1003")]
    history = [*BOTH, asked_turn(2, "send her a reminder for it", options)]
    out = resolve("aisha", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and out.answers == 2
    assert out.text == "send CUS-1003 a reminder for INV-1191"
    assert set(entities(out)) == {"CUS-1003", "INV-1191"}


def test_records_of_one_person_are_still_asked_among() -> None:
    history = [turn(1, "maria lopez - january and june invoices?", "INV-1001 INV-1189")]
    out = resolve("send her a reminder for it", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is not None and "INV-1001" in out.question


def test_the_reply_naming_her_finds_her_record_the_thread_never_listed() -> None:
    # The answer listed only Maria's invoices; Aisha's June one is read from the first turn's
    # words: "june" singles it out, "paid" fits most of hers and says nothing.
    aisha = ["INV-1003", "INV-1050", "INV-1191"]
    more = facts(
        invoice("INV-1003", "CUS-1003", "paid", "2025-01"),
        invoice("INV-1050", "CUS-1003", "paid", "2025-02"),
        customer("CUS-1003", "Aisha Khan", "Khan Bakery starter active", aisha, "she"),
    )
    lookup, records = catalogue({**FACTS, **more})
    first = turn(1, "maria lopez and aisha khan - june invoices paid?", "INV-1001 INV-1189")
    options = [("customer", "CUS-1001"), ("customer", "CUS-1003")]
    history = [first, asked_turn(2, "send her a reminder for it", options)]
    out = resolve("aisha", history, KINDS, lookup, ACTS, records)
    assert out.question is None and out.text == "send CUS-1003 a reminder for INV-1191"
