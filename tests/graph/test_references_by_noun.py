"""Ids typed as a kind's noun and the number (conversations-dev20, a user of an older tool):
"ticket #1005", "and ticket 1037?", "invoice 1149 and invoice 1196", "tickets 1022 and 1136"
are those records, from the first turn on; a number that makes no record is left as typed."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve

from .references_kit import ACTS, KINDS, entities, facts, invoice, turn

FACTS = facts(
    RecordFacts("TCK-1005", "CUS-1007", "API returns 502 errors open urgent"),
    RecordFacts("TCK-1037", "CUS-1007", "Need to add more seats pending normal"),
    RecordFacts("TCK-1022", "CUS-1035", "Change the billing email address open low"),
    RecordFacts("TCK-1136", "CUS-1035", "Cannot log in after password reset pending low"),
    invoice("INV-1149", "CUS-1008", "unpaid", "2025-05"),
    invoice("INV-1196", "CUS-1008", "unpaid", "2025-06"),
)


def test_a_noun_and_a_number_are_the_record_from_the_first_turn_on() -> None:
    out = resolve("status of ticket #1005?", [], KINDS, FACTS.get, ACTS)
    assert out.text == "status of ticket TCK-1005?" and entities(out) == ["TCK-1005"]
    out = resolve("invoice 1149 and invoice 1196, paid or not?", [], KINDS, FACTS.get, ACTS)
    assert out.text == "invoice INV-1149 and invoice INV-1196, paid or not?"
    out = resolve("tickets 1022 and 1136 belong to Greta Yilmaz, right?", [], KINDS, FACTS.get)
    assert sorted(entities(out)) == ["TCK-1022", "TCK-1136"]
    history = [turn(1, "status of ticket TCK-1005?")]
    out = resolve("and ticket no. 1037?", history, KINDS, FACTS.get, ACTS)
    assert "TCK-1037" in out.text and "TCK-1037" in entities(out)


def test_a_number_that_makes_no_record_is_left_as_typed() -> None:
    for typed in ("what did the 2025 bill cover?", "ticket 12 of the batch", "invoice 1999?"):
        out = resolve(typed, [], KINDS, FACTS.get, ACTS)
        assert out.text == typed and entities(out) == [], typed


def test_two_records_so_named_then_it_is_asked() -> None:
    first = resolve("invoice 1149 and invoice 1196, paid or not?", [], KINDS, FACTS.get, ACTS)
    history = [turn(1, first.text)]
    out = resolve("send a reminder for it", history, KINDS, FACTS.get, ACTS)
    assert out.question is not None and "INV-1149" in out.question
