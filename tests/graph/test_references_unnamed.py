"""References the resolver let through unresolved, for a skill to guess: "it" after a turn
that named no record but listed some, "the prod one", a customer's own "my ticket"."""

from __future__ import annotations

from typing import Any

from ringmaster.agents.demo import TEAM_FILE
from ringmaster.agents.spec import load_team
from ringmaster.graph.references import RecordFacts, kinds_from_team, resolve, turn_entities

KINDS = kinds_from_team(load_team(TEAM_FILE).entities)

# As tools/demo/lookup.py answers for these records of the demo database.
FACTS = {
    "ALT-1041": RecordFacts("ALT-1041", None, "api http 5xx rate critical firing"),
    "ALT-1042": RecordFacts("ALT-1042", None, "api latency p99 warning firing"),
    "DEP-1028": RecordFacts("DEP-1028", None, "web production 3.8.1 succeeded release"),
    "DEP-1027": RecordFacts("DEP-1027", None, "auth staging 4.3.0 succeeded release"),
    "DEP-1030": RecordFacts("DEP-1030", None, "auth production 4.3.0 succeeded release"),
}


def lookup(entity: str) -> RecordFacts | None:
    return FACTS.get(entity)


def turn(number: int, request: str, touched: str = "") -> dict[str, Any]:
    """A history entry as the synthesize node writes it; `touched` stands in a result."""
    results = {"t1": {"output": {"listed": touched}}} if touched else {}
    return {"turn": number, "request": request, "entities": turn_entities(KINDS, request, results)}


def test_it_after_a_turn_that_only_listed_records_is_asked_or_resolved() -> None:
    history = [turn(1, "any alerts firing on api?", "ALT-1041 ALT-1042")]
    out = resolve("open an incident for it", history, KINDS, lookup)
    assert out.question is not None and "ALT-1041" in out.question and "ALT-1042" in out.question
    history = [turn(1, "check the latest web deployment in production", "DEP-1028")]
    out = resolve("please roll it back", history, KINDS, lookup)
    assert out.question is None and out.text == "please roll DEP-1028 back"


def test_a_shortened_word_describes_the_record_it_shortens() -> None:
    history = [turn(1, "DEP-1027 vs DEP-1030 - what's different?")]
    out = resolve("roll back the prod one", history, KINDS, lookup)
    assert out.text == "roll back DEP-1030"
    # Short words are no shortening: "in" is not "invoice", and fits neither deployment.
    out = resolve("roll back the one in staging", history, KINDS, lookup)
    assert "DEP-1030" not in out.text


def test_a_description_no_record_fits_is_asked_when_several_could_be_meant() -> None:
    history = [turn(1, "show DEP-1027 and DEP-1030")]
    out = resolve("roll back the blue one", history, KINDS, lookup)
    assert out.question is not None and "DEP-1027" in out.question and "DEP-1030" in out.question
    # One record in play: nothing to choose between, the words are left to the agent.
    history = [turn(1, "show DEP-1030")]
    assert resolve("roll back the blue one", history, KINDS, lookup).question is None
    # "the … one" reads the newest turn with a record; "the … deployment" the newest with one.
    history = [turn(1, "show DEP-1027 and DEP-1030"), turn(2, "status of ALT-1041")]
    assert resolve("roll back the blue one", history, KINDS, lookup).question is None
    out = resolve("roll back the blue deployment", history, KINDS, lookup)
    assert out.question is not None and "DEP-1030" in out.question
