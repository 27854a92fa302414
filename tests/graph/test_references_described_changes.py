""" "bump the starter one to pro" after a turn that named two people by full name, whose answer
looked up only one of them (and her invoices): the person of the two whose record the words
fit, not a question among the invoices the answer listed; words a listed record fits are
still that record."""

from __future__ import annotations

from ringmaster.graph.references import resolve
from tests.graph.references_kit import (
    ACTS,
    KINDS,
    catalogue,
    customer,
    entities,
    facts,
    invoice,
    turn,
)

FACTS = facts(
    customer(
        "CUS-1030", "Olivia Garcia", "Garcia Events pro active", ["INV-1030", "INV-1077"], "she"
    ),
    customer("CUS-1031", "Ben Garcia", "Garcia Bikes starter active", ["INV-1031"], "he"),
    invoice("INV-1030", "CUS-1030", "paid", "2025-01"),
    invoice("INV-1077", "CUS-1030", "paid", "2025-02"),
    invoice("INV-1031", "CUS-1031", "paid", "2025-01"),
)
LOOKUP, RECORDS = catalogue(FACTS)
PLANS = [turn(1, "olivia garcia and ben garcia - which plans", "CUS-1030 INV-1030 INV-1077")]


def test_the_starter_one_is_the_named_person_on_that_plan() -> None:
    out = resolve("bump the starter one to pro", PLANS, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["CUS-1031"]
    assert out.text == "bump CUS-1031 to pro"


def test_every_verb_of_a_change_by_its_value_reads_the_one_alike() -> None:
    # The change verbs are one list (`patterns._CHANGES`): "upgrade" and "switch" asked which
    # invoice where "bump" read the person, from a shorter copy of the list.
    for verb, one, person in (
        ("upgrade", "starter", "CUS-1031"),
        ("switch", "starter", "CUS-1031"),
        ("downgrade", "pro", "CUS-1030"),
    ):
        out = resolve(f"{verb} the {one} one to pro", PLANS, KINDS, LOOKUP, ACTS, RECORDS)
        assert out.question is None and entities(out) == [person], verb


def test_words_a_listed_record_fits_are_left_to_the_records() -> None:
    out = resolve("refund the february one", PLANS, KINDS, LOOKUP, ACTS, RECORDS)
    assert entities(out) == ["INV-1077"]
