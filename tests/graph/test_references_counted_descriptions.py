"""A counted plural with a description ("the two about an invoice question") among more
records than it counts (conversations-dev24, half A): the records its words fit, when exactly
that many fit; asked otherwise, as before."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve

from .references_kit import ACTS, KINDS, catalogue, entities, turn

FACTS = {
    "TCK-1200": RecordFacts("TCK-1200", "CUS-1050", "Login fails after reset open normal"),
    "TCK-1201": RecordFacts("TCK-1201", "CUS-1050", "Export to CSV times out open high"),
    "TCK-1202": RecordFacts("TCK-1202", "CUS-1051", "Login link expired open normal"),
    "TCK-1203": RecordFacts("TCK-1203", "CUS-1051", "Dashboard shows wrong totals pending"),
}
LOOKUP, RECORDS = catalogue(FACTS)
LISTED = [turn(1, "open tickets for CUS-1050 and CUS-1051?", "TCK-1200 TCK-1201 TCK-1202 TCK-1203")]


def test_the_two_its_words_fit_are_picked_among_four() -> None:
    # "the two" of four records was asked among all four, whatever its words said.
    out = resolve("bump the two about login to high", LISTED, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and sorted(entities(out)) == ["TCK-1200", "TCK-1202"]


def test_words_that_fit_another_number_of_records_are_asked() -> None:
    # "csv" fits one ticket here, not two; "billing" none: asked which two.
    out = resolve("close the two about csv exports", LISTED, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is not None
    out = resolve("close the two about billing", LISTED, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is not None
