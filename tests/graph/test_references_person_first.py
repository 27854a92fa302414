""" "send her a reminder for it" after two women's invoices: "it" is hers, so which of them
"her" is gets asked first (a record's question would leave the reply naming her unread); a
person the request names settles which of the records "it" is, and a reply naming her runs
the request with her and her record."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, asked_turn, catalogue, entities, turn

FACTS = {
    "CUS-1001": RecordFacts(
        "CUS-1001", None, "Maria Lopez Lopez Design Studio pro active",
        owns=("INV-1001", "INV-1189"), title="Maria Lopez", pronouns="she",
    ),
    "CUS-1003": RecordFacts(
        "CUS-1003", None, "Aisha Khan Khan Bakery starter active",
        owns=("INV-1191",), title="Aisha Khan", pronouns="she",
    ),
    "INV-1001": RecordFacts("INV-1001", "CUS-1001", "paid 2025-01 usd January Jan 2025"),
    "INV-1189": RecordFacts("INV-1189", "CUS-1001", "unpaid 2025-06 usd June Jun 2025"),
    "INV-1191": RecordFacts("INV-1191", "CUS-1003", "unpaid 2025-06 usd June Jun 2025"),
}  # fmt: skip
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
    facts = {
        **FACTS,
        "INV-1003": RecordFacts("INV-1003", "CUS-1003", "paid 2025-01 usd January Jan 2025"),
        "INV-1050": RecordFacts("INV-1050", "CUS-1003", "paid 2025-02 usd February Feb 2025"),
        "CUS-1003": RecordFacts(
            "CUS-1003", None, "Aisha Khan Khan Bakery starter active",
            owns=("INV-1003", "INV-1050", "INV-1191"), title="Aisha Khan", pronouns="she",
        ),
    }  # fmt: skip
    lookup, records = catalogue(facts)
    first = turn(1, "maria lopez and aisha khan - june invoices paid?", "INV-1001 INV-1189")
    options = [("customer", "CUS-1001"), ("customer", "CUS-1003")]
    history = [first, asked_turn(2, "send her a reminder for it", options)]
    out = resolve("aisha", history, KINDS, lookup, ACTS, records)
    assert out.question is None and out.text == "send CUS-1003 a reminder for INV-1191"
