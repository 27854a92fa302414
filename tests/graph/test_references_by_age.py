""" "the oldest" in reply to "Which invoice do you mean: …?", and "and the newest" after
"refund the oldest one": a record picked by when it was made (ids are issued in order)."""

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
    invoice,
    turn,
)

FACTS = {
    "CUS-1008": RecordFacts(
        "CUS-1008", None, "Noah Schmidt", owns=("INV-1102", "INV-1149", "INV-1196")
    ),
    "INV-1102": RecordFacts("INV-1102", "CUS-1008", "unpaid 2025-03 USD March Mar 2025"),
    "INV-1149": RecordFacts("INV-1149", "CUS-1008", "unpaid 2025-05 USD May 2025"),
    "INV-1196": RecordFacts("INV-1196", "CUS-1008", "unpaid 2025-06 USD June Jun 2025"),
}
LOOKUP, RECORDS = catalogue(FACTS)
OWED = turn(1, "wat does CUS-1008 owe us", "INV-1102 INV-1149 INV-1196")


def test_the_oldest_answers_which_one() -> None:
    options = [("invoice", "INV-1102"), ("invoice", "INV-1149"), ("invoice", "INV-1196")]
    history = [OWED, asked_turn(2, "send a reminder for it", options)]
    for reply, meant in (("the oldest", "INV-1102"), ("newest one", "INV-1196")):
        out = resolve(reply, history, KINDS, LOOKUP, ACTS, RECORDS)
        assert out.question is None and entities(out) == [meant], reply
        assert meant in out.text


def test_and_the_newest_after_the_oldest_one() -> None:
    history = [OWED, turn(2, "refund INV-1102")]
    out = resolve("and the newest", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["INV-1196"]
    assert out.text == "refund INV-1196"


def test_the_oldest_asked_about_is_no_pick() -> None:
    # "is the oldest?" asks which one that is: nothing is picked for it.
    history = [OWED]
    out = resolve(
        "Which of his unpaid invoices is the oldest?", history, KINDS, LOOKUP, ACTS, RECORDS
    )
    assert "INV-" not in out.text


def test_the_unpaid_one_of_her_last_two_is_of_those_two() -> None:
    """ "the unpaid one" after "what are her last two invoices?", whose answer listed all five
    of hers: of the two newest, where one is unpaid, not of every unpaid one listed."""
    owned = ("INV-1301", "INV-1302", "INV-1303", "INV-1304", "INV-1305")
    lookup, records = catalogue(
        facts(
            customer("CUS-1090", "Greta Lind", "Lind Co active", owned, "she"),
            invoice("INV-1301", "CUS-1090", "paid", "2025-02"),
            invoice("INV-1302", "CUS-1090", "unpaid", "2025-03"),
            invoice("INV-1303", "CUS-1090", "paid", "2025-04"),
            invoice("INV-1304", "CUS-1090", "paid", "2025-05"),
            invoice("INV-1305", "CUS-1090", "unpaid", "2025-06"),
        )
    )
    listed = "CUS-1090 INV-1305 INV-1304 INV-1303 INV-1302 INV-1301"
    for asked, picked in (("last two", "INV-1305"), ("first 3", "INV-1302")):
        history = [turn(1, f"What are Greta Lind's {asked} invoices?", listed)]
        out = resolve("what was the unpaid one for?", history, KINDS, lookup, ACTS, records)
        assert out.question is None, asked
        assert entities(out) == [picked], asked
