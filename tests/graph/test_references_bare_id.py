""" "CUS-1041?" typed alone right after "plan for CUS-1040?": the same question for that
record, not a new request with no words, and no slip for the record one digit off."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, catalogue, entities, turn

FACTS = {
    "CUS-1040": RecordFacts("CUS-1040", None, "Felix Rahman Rahman Co starter active"),
    "CUS-1041": RecordFacts("CUS-1041", None, "Lena Novak Novak Labs pro active"),
    "CUS-1042": RecordFacts("CUS-1042", None, "Omar Weber Weber AG business active"),
}
LOOKUP, RECORDS = catalogue(FACTS)


def test_a_bare_id_after_a_question_asks_it_again() -> None:
    history = [turn(1, "plan for CUS-1040?")]
    out = resolve("CUS-1041?", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and out.text == "plan for CUS-1041?"
    assert entities(out) == ["CUS-1041"]


def test_a_bare_id_after_an_act_is_left_as_typed() -> None:
    # After a side effect a bare id may ask anything of its record: nothing is repeated.
    history = [turn(1, "move CUS-1040 to pro")]
    out = resolve("CUS-1042?", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and out.text == "CUS-1042?"
