"""A kind's noun that describes a record of another kind ("the invoice one": the ticket about an
invoice, beside "the SSO one") is no reference to that kind; and a description ruled out in the
same breath ("I meant …, not the SSO one") is no reference at all."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import KINDS, customer, entities, facts, invoice, turn

FACTS = facts(
    customer("CUS-1050", "Ines Moreau", "Moreau Labs pro", ["TCK-1201", "TCK-1202", "INV-1301"]),
    RecordFacts("TCK-1201", "CUS-1050", "Charged twice on my invoice open normal Ines Moreau"),
    RecordFacts("TCK-1202", "CUS-1050", "SSO login fails open normal Ines Moreau"),
    RecordFacts("TCK-1203", "CUS-1050", "Invoice shows the wrong address open normal"),
    invoice("INV-1301", "CUS-1050", "paid", "2025-05"),
)


def test_the_noun_one_is_the_record_the_noun_describes() -> None:
    history = [
        turn(1, "any open tickets for CUS-1050?", listed="CUS-1050 TCK-1201 TCK-1202"),
        turn(2, "set TCK-1202 to high"),
    ]
    out = resolve("sorry, I meant the invoice one, not the SSO one", history, KINDS, FACTS.get)
    assert out.question is None and entities(out) == ["TCK-1201"]
    # As an ellipsis of the turn before: that change, on the ticket about an invoice.
    out = resolve("and the invoice one?", history, KINDS, FACTS.get)
    assert out.question is None and out.text == "set TCK-1201 to high"


def test_the_noun_one_that_fits_two_records_is_still_asked() -> None:
    history = [turn(1, "any open tickets for CUS-1050?", listed="CUS-1050 TCK-1201 TCK-1203")]
    out = resolve("close the invoice one", history, KINDS, FACTS.get)
    assert out.question is not None and not entities(out)


def test_the_noun_one_with_a_record_of_that_kind_in_play_is_that_record() -> None:
    history = [turn(1, "pull up TCK-1202 and INV-1301")]
    out = resolve("refund the invoice one", history, KINDS, FACTS.get)
    assert entities(out) == ["INV-1301"]
    out = resolve("close the ticket one", history, KINDS, FACTS.get)
    assert entities(out) == ["TCK-1202"]
