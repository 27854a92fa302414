"""What "the other tickets" leaves: the one record left when only one is (acted on, the rationale
saying why), and a reply that names records to the question "there are no other …", joined
back to the request it answers; and "that release" read as a deployment."""

from __future__ import annotations

from typing import Any

from ringmaster.graph.references import resolve, turn_entities
from ringmaster.graph.references.entities import asking
from tests.graph.references_kit import ACTS, KINDS, entities, turn


def _asked(number: int, request: str, question: str) -> dict[str, Any]:
    """A history entry for a turn that asked `question` instead of running `request`, as the
    runner records it (its one subtask's description asks it)."""
    results = {"t1": {"description": asking(request, question), "status": "needs_input"}}
    return {"turn": number, "request": request, "entities": turn_entities(KINDS, request, results)}


def test_the_other_tickets_when_one_is_left_is_that_one_and_says_so() -> None:
    three = [
        turn(1, "pull up TCK-1031, TCK-1032 and TCK-1033"),
        turn(2, "close TCK-1031"),
        turn(3, "and TCK-1032 too"),
    ]
    two = [turn(1, "how are TCK-1040 and TCK-1041 doing?"), turn(2, "resolve TCK-1040")]
    for history, left in ((three, "TCK-1033"), (two, "TCK-1041")):
        for request in ("close the other tickets", "close the other ones as well"):
            out = resolve(request, history, KINDS, acts=ACTS)
            assert out.question is None, request
            assert entities(out) == [left] and left in out.text, request
            assert "the only other one left" in out.resolutions[0].describe(), request


def test_a_count_the_records_left_do_not_fit_is_still_asked() -> None:
    history = [turn(1, "pull up TCK-1031, TCK-1032 and TCK-1033"), turn(2, "close TCK-1031")]
    # Two are left: "the other tickets" is both, and no rationale says "the only one".
    out = resolve("close the other tickets", history, KINDS, acts=ACTS)
    assert entities(out) == ["TCK-1032", "TCK-1033"]
    assert all(r.tie == "" for r in out.resolutions)
    out = resolve("close the other three", history, KINDS, acts=ACTS)
    assert out.question is not None and out.resolutions == []


def test_a_reply_to_there_are_no_others_runs_the_request_it_answers() -> None:
    history: list[dict[str, Any]] = [turn(1, "what's the state of TCK-1050 and TCK-1051?")]
    request = "and resolve the other two"
    asked = resolve(request, history, KINDS, acts=ACTS)
    assert asked.question is not None and "no other" in asked.question
    history.append(_asked(2, request, asked.question))
    assert history[-1]["entities"]["question"]["noun"] == "tickets"
    for reply, picked in (
        ("TCK-1060 and TCK-1061", ["TCK-1060", "TCK-1061"]),
        ("sorry, I meant TCK-1060 and TCK-1061", ["TCK-1060", "TCK-1061"]),
        ("TCK-1060", ["TCK-1060"]),
    ):
        out = resolve(reply, history, KINDS, acts=ACTS)
        assert out.question is None and out.answers == 2, reply
        assert out.text == f"and resolve {' and '.join(picked)}", reply
        assert entities(out) == picked, reply
    # A new request of its own is no reply.
    out = resolve("what plan is CUS-1001 on?", history, KINDS, acts=ACTS)
    assert out.answers is None and out.text == "what plan is CUS-1001 on?"


def test_that_release_is_the_deployment_in_play() -> None:
    history = [turn(1, "who shipped DEP-1028?")]
    out = resolve("roll back that release", history, KINDS, acts=ACTS)
    assert (out.text, out.question) == ("roll back DEP-1028", None)
    two = [turn(1, "compare DEP-1028 and DEP-1030")]
    out = resolve("roll back that release", two, KINDS, acts=ACTS)
    assert out.question == "Which deployment do you mean: DEP-1028 or DEP-1030?"


def test_the_release_notes_are_a_document_not_a_deployment() -> None:
    history = [turn(1, "who shipped DEP-1028?")]
    for request in ("update the release notes", "draft the release note for customers"):
        out = resolve(request, history, KINDS, acts=ACTS)
        assert (out.text, out.question, out.resolutions) == (request, None, []), request
    # The release itself still is one.
    out = resolve("write the notes for that release", history, KINDS, acts=ACTS)
    assert out.text == "write the notes for DEP-1028"


def test_a_count_the_records_left_do_not_fit_says_how_many_there_are() -> None:
    history: list[dict[str, Any]] = [
        turn(1, "look at TCK-1071, TCK-1072 and TCK-1073 for me"),
        turn(2, "set TCK-1071 to low"),
        turn(3, "and TCK-1072 as well"),
    ]
    request = "escalate the other two"
    asked = resolve(request, history, KINDS, acts=ACTS)
    assert asked.question == (
        "Of TCK-1071, TCK-1072 and TCK-1073, only TCK-1073 is left. Which tickets do you mean?"
    )
    # Named in the reply, it runs the request it answers.
    history.append(_asked(4, request, asked.question))
    out = resolve("TCK-1073", history, KINDS, acts=ACTS)
    assert (out.question, out.text, entities(out)) == (None, "escalate TCK-1073", ["TCK-1073"])
    # Three left for "the other two": all three offered, and the count said.
    three = [
        turn(1, "pull up TCK-1081, TCK-1082, TCK-1083 and TCK-1084"),
        turn(2, "close TCK-1081"),
    ]
    out = resolve("close the other two", three, KINDS, acts=ACTS)
    assert out.question == (
        "Of TCK-1081, TCK-1082, TCK-1083 and TCK-1084, TCK-1082, TCK-1083 and TCK-1084 are "
        "left, not two. Which tickets do you mean?"
    )
