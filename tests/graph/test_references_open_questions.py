"""A question stays open until a reply answers it or a new request supersedes it: a
pleasantry in between ("thanks", a stray "yes") leaves it open, and the next reply that picks
one of its options answers it."""

from __future__ import annotations

from typing import Any

import pytest

from ringmaster.graph.references import RecordFacts, resolve, still_waiting, turn_entities
from ringmaster.graph.references.entities import asking
from tests.graph.references_kit import ACTS, KINDS, turn

QUESTION = "Which ticket do you mean: TCK-1001 or TCK-1003?"


def asked_turn(number: int, request: str, question: str) -> dict[str, Any]:
    """The history entry a question turn leaves, as the graph writes it."""
    results = {"t1": {"description": asking(request, question)}}
    return {"turn": number, "request": request, "entities": turn_entities(KINDS, request, results)}


ASKED = [turn(1, "status of TCK-1001 and TCK-1003"), asked_turn(2, "close it", QUESTION)]


@pytest.mark.parametrize("between", ["thanks", "yes", "ok great", "hi", "no"])
def test_a_pleasantry_leaves_the_question_open_for_the_next_reply(between: str) -> None:
    history = [*ASKED, turn(3, between)]
    out = resolve("TCK-1003", history, KINDS, acts=ACTS)
    assert out.question is None and out.text == "close TCK-1003"
    assert out.answers == 2  # the question's review is the one the reply closes
    assert resolve("the second one", history, KINDS, acts=ACTS).text == "close TCK-1003"
    assert still_waiting(history) == QUESTION


@pytest.mark.parametrize("between", ["what's the status of TCK-1099?", "never mind", "no thanks"])
def test_a_new_request_or_a_decline_closes_the_question(between: str) -> None:
    history = [*ASKED, turn(3, between)]
    out = resolve("TCK-1003", history, KINDS, acts=ACTS)
    assert out.answers is None and out.text == "TCK-1003"
    assert still_waiting(history) is None


# As tools/demo/lookup.py describes these deployments of the demo database.
DEPLOYMENTS = {
    "DEP-1027": RecordFacts("DEP-1027", None, "auth staging 4.3.0 succeeded release June"),
    "DEP-1028": RecordFacts("DEP-1028", None, "web production 3.8.1 succeeded release June"),
    "DEP-1030": RecordFacts("DEP-1030", None, "auth production 4.3.0 succeeded release June"),
    "DEP-1031": RecordFacts("DEP-1031", None, "api staging 2.14.0 succeeded release June"),
}


def records(prefix: str) -> list[str]:
    return [e for e in DEPLOYMENTS if e.startswith(f"{prefix}-")]


def test_a_question_without_options_is_answered_by_describing_a_record_of_its_kind() -> None:
    # "Which deployment do you mean?" could not be answered: "the web one" was a new request.
    history = [
        turn(1, "hi there"),
        asked_turn(2, "roll back that one", "Which deployment do you mean?"),
    ]
    for said, meant in [("the web one", "DEP-1028"), ("auth staging", "DEP-1027")]:
        out = resolve(said, history, KINDS, DEPLOYMENTS.get, ACTS, records)
        assert out.question is None and out.answers == 2, said
        assert [r.entity for r in out.resolutions] == [meant] and meant in out.text, said
    # Still more than one: asked again, among those the reply leaves.
    out = resolve("staging", history, KINDS, DEPLOYMENTS.get, ACTS, records)
    assert out.question == "Which deployment do you mean: DEP-1027 or DEP-1031?"
    assert out.answers == 2 and out.text == "roll back that one"
    # Words that describe none of them are no answer.
    assert resolve("the mobile one", history, KINDS, DEPLOYMENTS.get, ACTS, records).answers is None


def test_a_reply_that_narrows_the_options_to_several_is_asked_among_those() -> None:
    question = "Which deployment do you mean: DEP-1027, DEP-1028, DEP-1030 or DEP-1031?"
    history = [turn(1, "hi there"), asked_turn(2, "roll back that one", question)]
    out = resolve("the auth one", history, KINDS, DEPLOYMENTS.get, ACTS, records)
    assert out.question == "Which deployment do you mean: DEP-1027 or DEP-1030?"
    assert out.answers == 2
    later = [*history, asked_turn(3, "roll back that one", out.question)]
    out = resolve("production", later, KINDS, DEPLOYMENTS.get, ACTS, records)
    assert out.text == "roll back DEP-1030" and out.answers == 3


def test_of_the_records_a_reply_describes_the_threads_words_and_the_live_one_tip_a_guess() -> None:
    # dev11 s07: "staging" after "whats on web prod and staging rn" and "roll back that one"
    # is likeliest the web staging deployment that runs now, not one of every staging
    # deployment; the reply's word fits the others too, so it is confirmed before the rollback.
    facts = {
        "DEP-1021": RecordFacts("DEP-1021", None, "web staging 3.8.0 succeeded", done=True),
        "DEP-1025": RecordFacts("DEP-1025", None, "web staging 3.8.1 succeeded"),
        "DEP-1027": RecordFacts("DEP-1027", None, "auth staging 4.3.0 succeeded"),
    }
    history = [
        turn(1, "whats on web prod and staging rn"),
        asked_turn(2, "roll back that one", "Which deployment do you mean?"),
    ]
    out = resolve("staging", history, KINDS, facts.get, ACTS, lambda _: list(facts))
    assert [(r.entity, r.guessed) for r in out.resolutions] == [("DEP-1025", "description")]
    assert out.question == "Did you mean DEP-1025? Reply yes or name the deployment."
    assert out.text == "roll back that one"  # the request "yes" runs with the record


def test_a_reply_to_listed_options_is_read_with_the_threads_words_too() -> None:
    # dev11 s15: "the prod one" to a question listing every recent deployment, after "and whats
    # on api staging", is likeliest the api production one that runs now: a guess, confirmed.
    facts = {
        "DEP-1024": RecordFacts("DEP-1024", None, "api production 2.13.2", done=True),
        "DEP-1030": RecordFacts("DEP-1030", None, "auth production 4.3.0"),
        "DEP-1031": RecordFacts("DEP-1031", None, "api staging 2.14.0"),
        "DEP-1032": RecordFacts("DEP-1032", None, "api production 2.14.0"),
    }
    question = "Which deployment do you mean: DEP-1024, DEP-1030, DEP-1031 or DEP-1032?"
    history = [
        turn(1, "and whats on api staging"),
        asked_turn(2, "roll it back", question),
    ]
    out = resolve("the prod one", history, KINDS, facts.get, ACTS)
    assert out.question == "Did you mean DEP-1032? Reply yes or name the deployment.", out
    # Asked of a look-up, the same reply is read as it fits best.
    history[-1]["entities"]["question"]["request"] = "what version is it?"
    out = resolve("the prod one", history, KINDS, facts.get, ACTS)
    assert out.question is None and out.text == "what version is DEP-1032?", out


def test_a_verb_of_the_thread_never_picks_a_finished_record_a_reply_describes() -> None:
    # dev10 r08: "the charged twice one" to "close it" closed TCK-1055, the closed ticket of
    # that subject, because "close" fit its status "closed"; the open one is meant.
    facts = {
        "TCK-1002": RecordFacts("TCK-1002", "CUS-1003", "Charged twice this month open"),
        "TCK-1055": RecordFacts(
            "TCK-1055", "CUS-1003", "Charged twice this month closed", done=True
        ),
        "TCK-1091": RecordFacts("TCK-1091", "CUS-1003", "Question about my latest invoice pending"),
    }
    question = "Which ticket do you mean: TCK-1002, TCK-1055 or TCK-1091?"
    history = [
        turn(1, "Aisha Khan (CUS-1003) - which of her tickets are still unresolved?"),
        asked_turn(2, "close it, the double charge got refunded", question),
    ]
    out = resolve("the charged twice one", history, KINDS, facts.get, ACTS)
    assert out.text == "close TCK-1002, the double charge got refunded"


def test_a_reply_the_threads_own_records_answer_reads_no_catalog() -> None:
    # Every record of a kind is read (a query per record's facts) only when the thread's own
    # records fit none of the reply's words: it was read for every short reply.
    read: list[str] = []

    def catalog(prefix: str) -> list[str]:
        read.append(prefix)
        return records(prefix)

    history = [
        turn(1, "whats on DEP-1027 and DEP-1028"),
        asked_turn(2, "roll back that one", "Which deployment do you mean?"),
    ]
    out = resolve("the web one", history, KINDS, DEPLOYMENTS.get, ACTS, catalog)
    assert [r.entity for r in out.resolutions] == ["DEP-1028"] and read == []
    out = resolve("the api one", history, KINDS, DEPLOYMENTS.get, ACTS, catalog)
    assert [r.entity for r in out.resolutions] == ["DEP-1031"] and read == ["DEP"]


def test_a_question_an_agent_asked_back_is_answered_by_the_next_reply() -> None:
    """An agent that could not choose among records asks back (`needs_input`); the reply ran
    as a look-up of the record it picked ("TCK-1133"), and the close it answered was lost."""
    request = "please close Tariq Castillo's ticket, it's fixed"
    asked = (
        "Tariq Castillo has 2 unfinished tickets: TCK-1001 ('Login fails'), TCK-1003 "
        "('Export is slow'). Which one is it?"
    )
    result = {"description": request, "status": "needs_input", "output": {"question": asked}}
    history = [
        {"turn": 1, "request": request, "entities": turn_entities(KINDS, request, {"t1": result})}
    ]
    out = resolve("TCK-1003", history, KINDS, acts=ACTS)
    assert out.answers == 1 and "close" in out.text and "TCK-1003" in out.text, out
    assert [r.entity for r in out.resolutions] == ["TCK-1003"]
    assert still_waiting(history) == asked
    # A question that offers no records to pick among leaves nothing open.
    other = {**result, "output": {"question": "Which ticket (TCK-…) is it?"}}
    history[0]["entities"] = turn_entities(KINDS, request, {"t1": other})
    assert resolve("TCK-1003", history, KINDS, acts=ACTS).answers is None
