"""A follow-up that only names another place for the last question ("And on staging?", "same
for web", "what about billing-service?"): the last question asked again there, the word it
swaps being the one of the last request that describes records of the same kind as the new
one but never the same record (an environment for an environment, a service for a service)."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, catalogue, facts, turn

# As tools/demo/lookup.py describes deployments and alerts of the demo database.
LOOKUP, RECORDS = catalogue(
    facts(
        RecordFacts("DEP-1028", None, "web production 3.8.1 succeeded release"),
        RecordFacts("DEP-1026", None, "web staging 3.8.1 succeeded release"),
        RecordFacts("DEP-1032", None, "api production 2.14.0 succeeded release"),
        RecordFacts("DEP-1033", None, "api staging 2.15.0-rc1 succeeded release rc"),
        RecordFacts("DEP-1030", None, "auth production 4.3.0 succeeded release"),
        RecordFacts("DEP-1027", None, "auth staging 4.3.0 succeeded release"),
        RecordFacts("DEP-1031", None, "billing-service production 1.9.2 succeeded release"),
        RecordFacts("ALT-1041", None, "api http 5xx rate critical firing 502"),
        RecordFacts("ALT-1044", None, "web error rate warning firing"),
    )
)


def ask(request: str, earlier: str) -> str:
    out = resolve(request, [turn(1, earlier)], KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and out.resolutions == []
    # Planned, and kept for the next turn, as the request it repeats: changed from as typed.
    assert out.changed == (out.text != request)
    return out.text


def test_another_environment_asks_the_last_question_there() -> None:
    assert ask("And on staging?", "What version of api is on production?") == (
        "What version of api is on staging?"
    )
    # A shortening of a record's word ("prod") is a rival too.
    assert ask("what about staging", "which version of web is live in prod?") == (
        "which version of web is live in staging?"
    )


def test_another_service_asks_the_last_question_of_it() -> None:
    earlier = "latest api deploy in production - what version?"
    assert ask("same for web", earlier) == "latest web deploy in production - what version?"
    assert ask("what about billing-service?", earlier) == (
        "latest billing-service deploy in production - what version?"
    )
    assert ask("and auth too?", "is web healthy on staging?") == "is auth healthy on staging?"


def test_nothing_to_swap_leaves_the_follow_up_as_it_reads() -> None:
    # The last request said no service or environment: nothing to swap.
    assert ask("And on staging?", "any incidents this week?") == "And on staging?"
    # The new word is of no field the last request said ("production" goes with "web").
    assert ask("and production?", "what version of web is out?") == "and production?"
    # Two rivals ("api" and "web"): which one the new service replaces is not said.
    assert ask("and auth?", "compare api and web in production?") == "and auth?"
    # Already said: "and staging?" after a question about staging is no new place.
    assert ask("and staging?", "what's on api staging?") == "and staging?"
    # A side effect is not repeated from a place alone.
    assert ask("and on staging?", "roll back api in production") == "and on staging?"


def test_a_follow_up_with_a_verb_of_its_own_is_not_a_new_place() -> None:
    assert ask("and close?", "what version of api is on production?") == "and close?"
    assert ask("and redeploy staging?", "What version of api is on production?") == (
        "and redeploy staging?"
    )


def test_a_last_request_that_named_a_record_is_not_asked_elsewhere() -> None:
    # DEP-1032 is api's production deployment: "and on staging?" is not DEP-1032 again.
    out = resolve(
        "and on staging?",
        [turn(1, "what version is DEP-1032 (api production)?")],
        KINDS,
        LOOKUP,
        ACTS,
        RECORDS,
    )
    assert "DEP-1032" not in out.text
    assert out.question is None and out.text == "and on staging?"  # left as it reads
