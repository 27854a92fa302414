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
    left = resolve("roll back the blue one", history, KINDS, lookup)
    assert (left.question, left.text, left.resolutions) == (None, "roll back the blue one", [])
    # "the … one" reads the newest turn with a record; "the … deployment" the newest with one.
    history = [turn(1, "show DEP-1027 and DEP-1030"), turn(2, "status of ALT-1041")]
    left = resolve("roll back the blue one", history, KINDS, lookup)
    assert (left.question, left.text, left.resolutions) == (None, "roll back the blue one", [])
    out = resolve("roll back the blue deployment", history, KINDS, lookup)
    assert out.question is not None and "DEP-1030" in out.question


MINE = {
    "CUS-1001": RecordFacts("CUS-1001", None, "Maria Lopez", owns=("TCK-1001", "TCK-1058")),
    "TCK-1001": RecordFacts("TCK-1001", "CUS-1001", "Cannot log in after password reset open"),
    "TCK-1058": RecordFacts("TCK-1058", "CUS-1001", "Two-factor code not arriving open 2fa"),
    "CUS-1027": RecordFacts(
        "CUS-1027", None, "Priya Nakamura", owns=("TCK-1010", "TCK-1042", "INV-1166", "INV-1213")
    ),
    "TCK-1010": RecordFacts("TCK-1010", "CUS-1027", "Rate limit reached unexpectedly pending"),
    "TCK-1042": RecordFacts("TCK-1042", "CUS-1027", "Feature request: dark mode", done=True),
    "INV-1166": RecordFacts("INV-1166", "CUS-1027", "paid 2025-05 May"),
    "INV-1213": RecordFacts("INV-1213", "CUS-1027", "unpaid 2025-06 June"),
}


def test_my_ticket_is_the_speaking_customers_own_or_a_question() -> None:
    history = [turn(1, "hey it's Priya from Nakamura Systems (CUS-1027), we keep hitting limits")]
    out = resolve("any update on my ticket?", history, KINDS, MINE.get)
    assert out.text == "any update on TCK-1010?"
    assert resolve("how much is my bill for june", history, KINDS, MINE.get).text == (
        "how much is INV-1213"
    )
    assert resolve("is my account active?", history, KINDS, MINE.get).text == (
        "is CUS-1027 active?"
    )
    history = [turn(1, "hi, I'm Maria Lopez (CUS-1001), can you check my account?")]
    out = resolve("what's happening with my ticket", history, KINDS, MINE.get)
    assert out.question is not None and "TCK-1058" in out.question
    # Someone who only names a customer is not that customer: "my ticket" stays theirs.
    history = [turn(1, "I'm looking at CUS-1027's account. Any news?")]
    assert resolve("what's happening with my ticket", history, KINDS, MINE.get).resolutions == []


def test_it_after_an_unnamed_turn_is_a_record_of_the_kind_it_asked_about() -> None:
    history = [turn(1, "any update on the ticket?", "DOC-1006")]  # the answer cited an article
    assert resolve("bump it to urgent", history, KINDS, lookup).resolutions == []


def test_a_notes_words_and_we_are_on_it_are_left_as_written() -> None:
    history = [turn(1, "look up TCK-1058")]
    out = resolve(
        "add a note to it saying we've asked her to try the app", history, KINDS, MINE.get
    )
    assert out.text == "add a note to TCK-1058 saying we've asked her to try the app"
    assert {r.entity for r in out.resolutions} == {"TCK-1058"}
    history = [turn(1, "look up CUS-1001"), turn(2, "open a ticket for them", "TCK-1151")]
    out = resolve("email her that we're on it", history, KINDS, MINE.get)
    assert out.question is None and out.text == "email CUS-1001 that we're on it"


def test_and_whos_the_customer_asks_for_the_record_like_whos_the_customer() -> None:
    history = [turn(1, "raise TCK-1058 to high priority")]
    for request in ("who's the customer on that one?", "and who's the customer on that one?"):
        out = resolve(request, history, KINDS, MINE.get)
        assert [r.entity for r in out.resolutions] == ["TCK-1058"], request


def test_a_bare_why_asks_about_what_the_last_turn_asked() -> None:
    history = [turn(1, "Is CUS-1027 suspended?")]
    out = resolve("Why?", history, KINDS, MINE.get)
    assert out.text == "Is CUS-1027 suspended? Why?"
    assert [(r.entity, r.turn) for r in out.resolutions] == [("CUS-1027", 1)]
    # Only a bare question word: "why is the invoice unpaid?" is a request of its own.
    own = resolve("why is it so slow?", history, KINDS, MINE.get)
    assert "suspended" not in own.text and own.text.endswith("is it so slow?")


def test_an_ellipsis_by_description_repeats_the_last_request_for_that_record() -> None:
    history = [
        turn(1, "what's firing on api", "ALT-1041 ALT-1042"),
        turn(2, "open an incident for ALT-1041"),
    ]
    out = resolve("and the latency alert?", history, KINDS, lookup)
    assert out.text == "open an incident for ALT-1042"
    assert [r.entity for r in out.resolutions] == ["ALT-1042"]


def test_their_other_invoice_is_one_the_thread_has_not_named() -> None:
    facts = {
        **MINE,
        "CUS-1043": RecordFacts("CUS-1043", None, "Oscar Larsen", owns=("INV-1041", "INV-1229")),
        "INV-1041": RecordFacts("INV-1041", "CUS-1043", "unpaid 2025-02 February"),
        "INV-1229": RecordFacts("INV-1229", "CUS-1043", "unpaid 2025-06 June"),
    }
    history = [turn(1, "is INV-1229 paid?"), turn(2, "look up CUS-1043")]
    out = resolve("and their other unpaid invoice?", history, KINDS, facts.get)
    assert [r.entity for r in out.resolutions] == ["INV-1041"]
    assert out.text == "is INV-1041 paid?"  # the ellipsis repeats the question for it


def test_i_meant_the_other_one_repeats_the_last_request_for_it() -> None:
    history = [turn(1, "show DEP-1027 and DEP-1030"), turn(2, "roll back DEP-1027")]
    out = resolve("no, I meant the other one", history, KINDS, lookup)
    assert out.text == "roll back DEP-1030"
    assert [r.entity for r in out.resolutions] == ["DEP-1030"]
    # A request of its own about the other one is left as asked.
    assert resolve("also pause the other one", history, KINDS, lookup).text == (
        "also pause DEP-1030"
    )


def test_a_requests_verbs_are_no_shortened_description() -> None:
    facts = {
        "DEP-1032": RecordFacts("DEP-1032", None, "api production 2.14.0 succeeded release"),
        "DEP-1040": RecordFacts("DEP-1040", None, "api production 2.13.2 succeeded rollback"),
    }
    history = [turn(1, "list the api deployments", touched="DEP-1032 DEP-1040")]
    out = resolve("roll back the api one", history, KINDS, facts.get)
    assert out.question is not None and out.resolutions == []
