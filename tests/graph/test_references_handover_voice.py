"""References in an end-of-shift handover's voice (conversations-dev17): terse, full of ids,
picking records the last answer listed."""

from __future__ import annotations

from ringmaster.graph.references import resolve

from .references_kit import KINDS, entities, turn


def test_a_note_on_the_ticket_that_says_something_names_the_ticket() -> None:
    # "that" after "a note on the ticket" opens the note's words, not a relative clause that
    # would describe which ticket.
    history = [
        turn(1, "TCK-1134 - where are we on it?"),
        turn(2, "what does our DPA template say about deletion requests?"),
        turn(3, "export CUS-1033's data first"),
    ]
    out = resolve("then put a note on the ticket that the export is done", history, KINDS)
    assert out.text == "then put a note on TCK-1134 that the export is done"
    assert entities(out) == ["TCK-1134"]
    out = resolve("and note on the ticket that billing is chasing", history, KINDS)
    assert entities(out) == ["TCK-1134"]


def test_the_customer_that_opens_a_relative_clause_is_still_no_reference() -> None:
    history = [turn(1, "close TCK-1001")]
    out = resolve("how many tickets has the customer that bought pro opened", history, KINDS)
    assert entities(out) == []
