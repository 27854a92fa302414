"""A "who" question that names no record ("whose is that", "who is that billed to") after
a turn that put two records side by side asks which, as "whose is it" does; after one
record, or a follow-up whose newer record "that" points at ("pull up INV-1196", "and
INV-1102?"), it is that record's, as before."""

from __future__ import annotations

from ringmaster.graph.references import resolve

from .references_kit import ACTS, KINDS, entities, facts, invoice, turn

FACTS = facts(
    invoice("INV-1196", "CUS-1033", "unpaid", "2025-06"),
    invoice("INV-1102", "CUS-1017", "unpaid", "2025-06"),
    invoice("INV-1103", "CUS-1017", "paid", "2025-05"),
)


def test_whose_is_that_after_two_records_of_two_people_asks_which() -> None:
    two = [turn(1, "pull up INV-1196 and INV-1102")]
    for request in ("whose is that", "and whose account is that on", "who is that billed to"):
        out = resolve(request, two, KINDS, FACTS.get, ACTS)
        assert out.question is not None and out.resolutions == [], request
        assert "INV-1196" in out.question and "INV-1102" in out.question, request


def test_whose_is_that_is_the_one_record_the_thread_singles_out() -> None:
    one = [turn(1, "pull up INV-1196")]
    out = resolve("whose is that", one, KINDS, FACTS.get, ACTS)
    assert out.question is None and entities(out) == ["INV-1196"]
    # A follow-up's newer record is "that": the thread moved on to it.
    follow = [turn(1, "pull up INV-1196"), turn(2, "and INV-1102?")]
    out = resolve("whose is that", follow, KINDS, FACTS.get, ACTS)
    assert out.question is None and entities(out) == ["INV-1102"]
    # A "who" question about no record of the thread asks nothing.
    two = [turn(1, "pull up INV-1196 and INV-1102")]
    out = resolve("who is on call this week?", two, KINDS, FACTS.get, ACTS)
    assert out.question is None and out.resolutions == []
