"""Records picked by what the assistant did to them (conversations-dev20): "the one you just
closed", "the ticket you opened", "the ones you closed"; asked when a singular one stands for
several."""

from __future__ import annotations

from typing import Any

from ringmaster.graph.references import RecordFacts, resolve

from .references_kit import ACTS, KINDS, customer, entities, facts, invoice, turn

FACTS = facts(
    customer("CUS-1004", "Tom Becker", "Becker Logistics GmbH enterprise active",
             ("TCK-1008",), "he"),
    customer("CUS-1006", "Liam Murphy", "Murphy Outdoor starter active", ("TCK-1140",), "he"),
    customer("CUS-1011", "Elif Yilmaz", "Yilmaz Labs pro active", ("TCK-1151",), "she"),
    RecordFacts("TCK-1008", "CUS-1004", "Cannot upload CSV larger than 10MB closed normal"),
    RecordFacts("TCK-1140", "CUS-1006", "Dashboard loads slowly closed normal"),
    RecordFacts("TCK-1151", "CUS-1011", "cannot export invoices as PDF open normal"),
    invoice("INV-1191", "CUS-1003", "refunded", "2025-06"),
)  # fmt: skip


def acting(number: int, request: str, acted: list[str], made: list[str] = ()) -> dict[str, Any]:
    """A history entry whose side effect ran on `acted` and whose result stands `made` in."""
    entry = turn(number, request)
    kinds = {"TCK": "ticket", "CUS": "customer", "INV": "invoice"}
    entry["entities"]["acted"] = [[kinds[e[:3]], e] for e in acted]
    entry["entities"]["touched"] += [[kinds[e[:3]], e] for e in made]
    return entry


def test_the_one_the_assistant_acted_on_is_that_record() -> None:
    closed = [acting(1, "close TCK-1140, the dashboard is fast again", ["TCK-1140"])]
    out = resolve("who's the customer on the one you just closed?", closed, KINDS, FACTS.get, ACTS)
    assert out.question is None and entities(out) == ["TCK-1140"]
    assert out.text == "who's the customer on TCK-1140?"
    # A ticket opened for a person: the side effect ran on her, the ticket stands in its result.
    opened = [acting(1, "open a ticket for Elif Yilmaz: cannot export", ["CUS-1011"], ["TCK-1151"])]
    for typed in ("set the one you just opened to high", "bump the ticket you opened to high"):
        out = resolve(typed, opened, KINDS, FACTS.get, ACTS)
        assert out.question is None and entities(out) == ["TCK-1151"], typed


def test_the_one_the_assistant_acted_on_among_several_is_asked() -> None:
    both = [acting(1, "close TCK-1008 and TCK-1140, both fixed", ["TCK-1008", "TCK-1140"])]
    # "them" is the customer of the one closed, not both owners: the turn is asked.
    out = resolve("email the customer on the one you closed, let them know", both, KINDS,
                  FACTS.get, ACTS)  # fmt: skip
    assert out.question is not None and "TCK-1008" in out.question and "TCK-1140" in out.question
    # Plural: all of them.
    out = resolve("add a note to the ones you closed: verified", both, KINDS, FACTS.get, ACTS)
    assert out.question is None and entities(out) == ["TCK-1008", "TCK-1140"]


def test_the_turn_whose_request_says_the_verb_is_the_one_meant() -> None:
    # A ticket closed, then an invoice refunded: "the one you closed" is the ticket.
    history = [
        acting(1, "close TCK-1140, the dashboard is fast again", ["TCK-1140"]),
        acting(2, "refund INV-1191 in full", ["INV-1191"]),
    ]
    out = resolve("who's the customer on the one you closed?", history, KINDS, FACTS.get, ACTS)
    assert out.question is None and entities(out) == ["TCK-1140"]
    out = resolve("why was the one you refunded charged twice?", history, KINDS, FACTS.get, ACTS)
    assert out.question is None and entities(out) == ["INV-1191"]
