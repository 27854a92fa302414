""" "bump the starter one to pro" after a turn that named two people by full name, whose answer
looked up only one of them (and her invoices): the person of the two whose record the words
fit, not a question among the invoices the answer listed; words a listed record fits are
still that record."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, catalogue, entities, turn

FACTS = {
    "CUS-1030": RecordFacts(
        "CUS-1030", None, "Olivia Garcia Garcia Events pro active",
        owns=("INV-1030", "INV-1077"), title="Olivia Garcia", pronouns="she",
    ),
    "CUS-1031": RecordFacts(
        "CUS-1031", None, "Ben Garcia Garcia Bikes starter active",
        owns=("INV-1031",), title="Ben Garcia", pronouns="he",
    ),
    "INV-1030": RecordFacts("INV-1030", "CUS-1030", "paid 2025-01 usd January Jan 2025"),
    "INV-1077": RecordFacts("INV-1077", "CUS-1030", "paid 2025-02 usd February Feb 2025"),
    "INV-1031": RecordFacts("INV-1031", "CUS-1031", "paid 2025-01 usd January Jan 2025"),
}  # fmt: skip
LOOKUP, RECORDS = catalogue(FACTS)
PLANS = [turn(1, "olivia garcia and ben garcia - which plans", "CUS-1030 INV-1030 INV-1077")]


def test_the_starter_one_is_the_named_person_on_that_plan() -> None:
    out = resolve("bump the starter one to pro", PLANS, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["CUS-1031"]
    assert out.text == "bump CUS-1031 to pro"


def test_words_a_listed_record_fits_are_left_to_the_records() -> None:
    out = resolve("refund the february one", PLANS, KINDS, LOOKUP, ACTS, RECORDS)
    assert entities(out) == ["INV-1077"]
