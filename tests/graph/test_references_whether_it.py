""" "check whether it is urgent" after a ticket asks about the ticket; "tell her it's urgent"
says something in a message, and "if it's ok to close it" has an "it" of nothing before the
one that is the record."""

from __future__ import annotations

from ringmaster.graph.references import resolve
from tests.graph.references_kit import ACTS, KINDS, entities, turn

ABOUT_A_TICKET = [turn(1, "look up TCK-1001")]


def test_whether_or_if_it_is_urgent_asks_about_the_record() -> None:
    for said, text in (
        ("check whether it is urgent", "check whether TCK-1001 is urgent"),
        ("can you see if it is important", "can you see if TCK-1001 is important"),
        ("check if it is done yet", "check if TCK-1001 is done yet"),
    ):
        out = resolve(said, ABOUT_A_TICKET, KINDS, None, ACTS)
        assert (out.text, out.question) == (text, None), said
        assert entities(out) == ["TCK-1001"]


def test_it_is_urgent_said_in_a_message_is_no_record() -> None:
    for said in (
        "tell the customer it's urgent",
        "email CUS-1001 that it is important",
        "let her know it's done",
    ):
        out = resolve(said, ABOUT_A_TICKET, KINDS, None, ACTS)
        assert (out.text, out.resolutions) == (said, []), said


def test_it_that_a_clause_after_it_stands_for_is_no_record() -> None:
    # "whether it's ok to close it": the first "it" is what "to close it" says; the second is
    # the ticket.
    out = resolve("check whether it's ok to close it", ABOUT_A_TICKET, KINDS, None, ACTS)
    assert out.text == "check whether it's ok to close TCK-1001"
    assert entities(out) == ["TCK-1001"]
