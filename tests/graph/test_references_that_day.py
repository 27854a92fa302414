""" "That day" is the day an earlier request wrote: the request is planned with it written out."""

from __future__ import annotations

from typing import Any

import pytest

from ringmaster.graph.references import asking, resolve, turn_entities
from tests.graph.references_kit import ACTS, KINDS, turn


@pytest.mark.parametrize(
    ("earlier", "text", "expected"),
    [
        (
            "which alerts fired on api on March 3?",
            "did anything go out to staging that day?",
            "did anything go out to staging on March 3?",
        ),
        (
            "list the incidents opened on the 4th",
            "and the deploys from that same day",
            "and the deploys from the 4th",
        ),
        (
            "what shipped to production on 2025-05-02",
            "were any tickets opened that day?",
            "were any tickets opened on 2025-05-02?",
        ),
    ],
)
def test_that_day_is_the_day_the_earlier_request_wrote(
    earlier: str, text: str, expected: str
) -> None:
    out = resolve(text, [turn(1, earlier)], KINDS, acts=ACTS)
    assert out.question is None
    assert out.text == expected


def test_that_day_is_the_newest_request_that_wrote_one() -> None:
    history = [
        turn(1, "what went out on web on April 6?"),
        turn(2, "who deployed auth on 9 May"),
        turn(3, "and to staging?"),
    ]
    out = resolve("any incidents that day?", history, KINDS, acts=ACTS)
    assert out.text == "any incidents on 9 May?"


def test_the_same_day_stays_as_typed() -> None:
    # "the same day" is often the day of something the sentence says.
    text = "can refunds go out the same day?"
    out = resolve(text, [turn(1, "who deployed web on May 9")], KINDS, acts=ACTS)
    assert out.question is None
    assert out.text == text


@pytest.mark.parametrize(
    ("history", "text", "expected"),
    [
        # The newest request's day is "yesterday": never the older request's June 11.
        (
            ["who deployed auth on June 11?", "who deployed api yesterday?"],
            "was anything else pushed to prod that day?",
            "was anything else pushed to prod yesterday?",
        ),
        (
            ["list the alerts on web for the 3rd", "Today api is flaky, what changed?"],
            "any tickets from that day?",
            "any tickets from today?",
        ),
        # "the day before yesterday" is one day, and "on" does not go before it.
        (
            ["what went to staging on 2025-04-02", "what went out the day before yesterday"],
            "and incidents on that same day",
            "and incidents the day before yesterday",
        ),
    ],
)
def test_a_relative_day_is_the_newest_requests_day(
    history: list[str], text: str, expected: str
) -> None:
    earlier = [turn(n, r) for n, r in enumerate(history, 1)]
    out = resolve(text, earlier, KINDS, acts=ACTS)
    assert out.question is None
    assert out.text == expected


@pytest.mark.parametrize(
    ("history", "days"),
    [
        (["deployments on June 10 and June 11"], ["June 10", "June 11"]),
        # Read from the request as typed, whatever its turn did (one sent to a person too).
        (["who rolled out auth on the 2nd or was it the 4th"], ["the 2nd", "the 4th"]),
        (["incidents opened on 8 May", "deploys yesterday and on Friday"], ["yesterday", "Friday"]),
    ],
)
def test_that_day_after_two_days_asks_which(history: list[str], days: list[str]) -> None:
    earlier = [turn(n, r) for n, r in enumerate(history, 1)]
    out = resolve("any incidents that day?", earlier, KINDS, acts=ACTS)
    assert out.question == f"Which day do you mean: {days[0]} or {days[1]}?"
    assert out.resolutions == []


def test_that_day_with_no_day_written_before_says_so_and_asks() -> None:
    history = [turn(1, "what's on api staging"), turn(2, "and who deployed it")]
    out = resolve("anything else pushed that day?", history, KINDS, acts=ACTS)
    assert out.question is not None
    assert "could not tell which day" in out.question
    assert out.question.endswith("Which day do you mean?")


def test_that_day_in_a_first_turn_stays_as_typed() -> None:
    # Nothing before it to refer to: the words are the requester's own story.
    text = "I was double charged that day, refund INV-1002"
    out = resolve(text, [], KINDS, acts=ACTS)
    assert out.question is None
    assert out.text == text


def _asked(number: int, request: str, question: str) -> dict[str, Any]:
    """A history entry for a turn that asked `question` about `request`, as the runner
    records it."""
    results = {"t1": {"description": asking(request, question)}}
    return {"turn": number, "request": request, "entities": turn_entities(KINDS, request, results)}


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("June 11", "any incidents on June 11?"),
        ("I meant the 10th please", "any incidents on the 10th?"),
    ],
)
def test_a_reply_naming_the_day_answers_the_question(reply: str, expected: str) -> None:
    history = [turn(1, "deployments on June 10 and June 11")]
    question = resolve("any incidents that day?", history, KINDS, acts=ACTS).question
    assert question is not None
    history.append(_asked(2, "any incidents that day?", question))
    out = resolve(reply, history, KINDS, acts=ACTS)
    assert (out.text, out.question, out.answers) == (expected, None, 2)


def test_a_new_request_with_a_day_is_no_reply_to_the_question() -> None:
    history = [
        turn(1, "what's on api staging"),
        _asked(2, "anything else that day?", "Which day do you mean?"),
    ]
    text = "who deployed web to production on June 3 and why did it fail"
    out = resolve(text, history, KINDS, acts=ACTS)
    assert (out.text, out.answers) == (text, None)


@pytest.mark.parametrize("earlier", ["refund the 2nd one", "close the 3rd ticket please"])
def test_an_ordinal_that_counts_records_is_no_day(earlier: str) -> None:
    # "the 2nd one" counts records: "that day" after it was read as "on the 2nd".
    out = resolve("any incidents that day?", [turn(1, earlier)], KINDS, acts=ACTS)
    assert out.text == "any incidents that day?"
    assert out.question is not None and "could not tell which day" in out.question
    # an ordinal on its own is a day
    out = resolve("any incidents that day?", [turn(1, "refund the 2nd")], KINDS, acts=ACTS)
    assert (out.text, out.question) == ("any incidents on the 2nd?", None)
