"""A manager's plain, longer requests: context before the ask, weak or neutral verbs, and
parts joined by ", then", "; after that", "once that's done" (route10, demo-team-dev8)."""

from __future__ import annotations

from ringmaster.graph.planner.splitter import split_request


def _texts(text: str) -> list[str]:
    return [s.text for s in split_request(text)]


def test_a_comma_before_a_clause_s_verb_is_no_candidate_cut() -> None:
    # "X, ID, is unhappy": the words after the comma are the clause's predicate, whose subject
    # is on the other side; they are no request of their own.
    for text in (
        "Our newest customer, CUS-1017, was billed twice for March.",
        "The web app, since the morning deploy, has been returning 502s.",
        "Yesterday's outage, INC-1009, isn't closed yet.",
    ):
        assert _texts(text) == [text]
    assert _texts("Our newest customer, CUS-1017, was billed twice. Refund INV-1101.") == [
        "Our newest customer, CUS-1017, was billed twice.",
        "Refund INV-1101.",
    ]


def test_a_question_after_a_comma_is_still_a_candidate_cut() -> None:
    assert _texts("roll back DEP-1012, is web healthy again?") == [
        "roll back DEP-1012",
        "is web healthy again?",
    ]
