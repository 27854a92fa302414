""" "and close Chloe's": a person's possessive with its noun left out is that person's record
of the kind the side effect acts on (her ticket), as "close Chloe's ticket" reads."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, catalogue, customer, entities, facts, turn

FACTS = facts(
    customer("CUS-1021", "Zoe Jansen", "Jansen Media pro active", ["TCK-1140"], "she"),
    customer("CUS-1049", "Chloe Petrov", "Petrov Foods starter active", ["TCK-1142"], "she"),
    RecordFacts("TCK-1140", "CUS-1021", "open webhook retries failing"),
    RecordFacts("TCK-1142", "CUS-1049", "open webhook signature mismatch"),
)
LOOKUP, RECORDS = catalogue(FACTS)
HANDOVER = [
    turn(1, "Zoe Jansen and Chloe Petrov both have webhook tickets", "TCK-1140 TCK-1142"),
    turn(2, "email CUS-1021 a link to the status page"),
]


def test_close_her_possessive_alone_closes_her_ticket() -> None:
    out = resolve("and close CUS-1049's", HANDOVER, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["TCK-1142"]
    assert out.text == "and close TCK-1142"


def test_a_possessive_before_its_noun_or_in_a_question_is_left_alone() -> None:
    out = resolve("what plan is CUS-1049's on?", HANDOVER, KINDS, LOOKUP, ACTS, RECORDS)
    assert "TCK-1142" not in entities(out)
