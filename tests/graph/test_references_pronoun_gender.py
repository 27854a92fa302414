""" "she" and "he" after a man and a woman were named: the one whose record says they are
referred to so. A record that keeps no pronouns may be anyone, and a request that says both
"her" and "him" picks no one by them."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
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
    customer("CUS-1002", "James Chen", "Chen Analytics Ltd business active", ["INV-1143"], "he"),
    customer("CUS-1003", "Aisha Khan", "Khan Bakery starter active", ["INV-1191"], "she"),
    customer("CUS-1020", "Rafael Ito", "Ito Labs pro active", ["INV-1207"], "he"),
    customer(
        "CUS-1027", "Priya Nakamura", "Nakamura Systems pro active", ["INV-1025", "INV-1213"], "she"
    ),
    invoice("INV-1143", "CUS-1002", "unpaid", "2025-06"),
    invoice("INV-1191", "CUS-1003", "unpaid", "2025-06"),
    invoice("INV-1207", "CUS-1020", "unpaid", "2025-06"),
    invoice("INV-1025", "CUS-1027", "refunded", "2025-02"),
    invoice("INV-1213", "CUS-1027", "unpaid", "2025-06"),
)
LOOKUP, RECORDS = catalogue(FACTS)

BOTH = [turn(1, "Compare what James Chen and Aisha Khan paid in May.")]


def test_her_after_a_man_and_a_woman_is_the_woman() -> None:
    out = resolve("what plan is she on?", BOTH, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["CUS-1003"]
    out = resolve("and what plan is he on?", BOTH, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["CUS-1002"]


def test_her_record_after_a_man_and_a_woman_is_hers() -> None:
    out = resolve("Her June invoice - still unpaid?", BOTH, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and "INV-1191" in entities(out)


def test_he_passes_over_a_newer_turn_about_her_record() -> None:
    history = [
        turn(1, "Priya Nakamura and Rafael Ito both pinged about june invoices. status?"),
        turn(2, "the refund on INV-1025 went through already, right?"),
    ]
    out = resolve("send him a reminder for his june one", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None
    assert set(entities(out)) == {"CUS-1020", "INV-1207"}


def test_a_request_saying_her_and_him_or_records_without_pronouns_still_ask() -> None:
    out = resolve("email him about her invoice", BOTH, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is not None
    unknown = {
        e: RecordFacts(f.id, f.owner, f.words, f.owns, title=f.title) for e, f in FACTS.items()
    }
    lookup, records = catalogue(unknown)
    out = resolve("what plan is she on?", BOTH, KINDS, lookup, ACTS, records)
    assert out.question is not None and "CUS-1002" in out.question and "CUS-1003" in out.question


def test_and_her_one_too_repeats_the_last_request_with_her_record_and_her() -> None:
    history = [
        turn(1, "Priya Nakamura and Rafael Ito both pinged about june invoices. status?"),
        turn(2, "the refund on INV-1025 went through already, right?"),
        turn(3, "send CUS-1020 a reminder for INV-1207"),
    ]
    out = resolve("and her june one too", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and out.text == "send CUS-1027 a reminder for INV-1213"
    assert set(entities(out)) == {"CUS-1027", "INV-1213"}


def test_the_only_person_in_play_is_her_whatever_their_record_says() -> None:
    # Known only by id, CUS-1002 is "her" to someone who never saw the name.
    history = [turn(1, "look up CUS-1002")]
    out = resolve("what plan is she on?", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["CUS-1002"]
