"""Possessive pronouns standing alone (conversations-dev20): "close hers" after her ticket and
his is hers; "which invoice of hers" after two women is asked, as "her invoice" is."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve

from .references_kit import ACTS, KINDS, customer, entities, facts, invoice, turn

FACTS = facts(
    customer("CUS-1032", "Olivia Garcia", "Garcia Partners pro active", ("TCK-1102",), "she"),
    customer("CUS-1031", "Ben Garcia", "Garcia Group starter active", ("TCK-1126",), "he"),
    RecordFacts("TCK-1102", "CUS-1032", "Dashboard loads slowly open normal"),
    RecordFacts("TCK-1126", "CUS-1031", "API returns 502 errors open urgent"),
    customer("CUS-1037", "Greta Fischer", "Fischer Co pro active", ("INV-1223",), "she"),
    customer("CUS-1045", "Greta Rahman", "Rahman Systems business active", ("INV-1231",), "she"),
    invoice("INV-1223", "CUS-1037", "unpaid", "2025-06"),
    invoice("INV-1231", "CUS-1045", "paid", "2025-06"),
)  # fmt: skip

TWO_TICKETS = [
    turn(1, "is Olivia Garcia's dashboard ticket still open?", "TCK-1102 CUS-1032"),
    turn(2, "and Ben Garcia's 502 one?", "TCK-1126 CUS-1031"),
]


def test_hers_alone_is_her_record_of_those_in_play() -> None:
    out = resolve("close hers, the dashboard is fine", TWO_TICKETS, KINDS, FACTS.get, ACTS)
    assert out.question is None and entities(out) == ["TCK-1102"]
    assert out.text == "close TCK-1102, the dashboard is fine"
    # "his" before a noun is no possessive standing alone: his plan is his.
    out = resolve("what's his plan", TWO_TICKETS, KINDS, FACTS.get, ACTS)
    assert "TCK-1126" not in entities(out)


def test_hers_alone_with_two_of_hers_in_play_is_asked() -> None:
    history = [turn(1, "what's unpaid for CUS-1037 and CUS-1045?", "INV-1223 INV-1231")]
    out = resolve("refund hers", history, KINDS, FACTS.get, ACTS)
    assert out.question is not None and "INV-1223" in out.question and "INV-1231" in out.question


def test_a_record_of_hers_after_two_women_is_asked_as_her_record_is() -> None:
    history = [turn(1, "what plans are CUS-1037 and CUS-1045 on?")]
    for typed in ("which invoice of hers is unpaid?", "is her invoice unpaid?"):
        out = resolve(typed, history, KINDS, FACTS.get, ACTS)
        assert out.question is not None and "CUS-1037" in out.question, typed


NOVAKS = facts(
    customer("CUS-1034", "Lucas Novak", "Novak Health business active", ("TCK-1056",), "he"),
    customer("CUS-1012", "Olivia Novak", "Novak Co business active", ("INV-1200",), "she"),
    RecordFacts("TCK-1056", "CUS-1034", "Charged twice this month open high"),
    invoice("INV-1200", "CUS-1012", "unpaid", "2025-06"),
)  # fmt: skip


def test_hers_alone_after_a_question_about_his_is_the_same_question_about_her() -> None:
    """ "what's his plan?" then "and hers?" (conversations-dev21): no record of hers is in
    play, so "hers" is hers of what the last request asked, not left for the planner."""
    history = [
        turn(1, "look up Lucas Novak and Olivia Novak", "CUS-1034 CUS-1012"),
        turn(2, "what's CUS-1034's plan?"),
    ]
    out = resolve("and hers?", history, KINDS, NOVAKS.get, ACTS)
    assert out.question is None and entities(out) == ["CUS-1012"]
    assert out.text == "what's CUS-1012's plan?"
    # Two women in play: asked which.
    history[0] = turn(1, "look up CUS-1037 and CUS-1045", "CUS-1037 CUS-1045")
    out = resolve("and hers?", history, KINDS, FACTS.get, ACTS)
    assert out.question is not None and "CUS-1037" in out.question
