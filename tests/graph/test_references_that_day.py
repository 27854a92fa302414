""" "That day" is the day an earlier request wrote: the request is planned with it written out."""

from __future__ import annotations

import pytest

from ringmaster.graph.references import resolve
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


@pytest.mark.parametrize(
    ("earlier", "text"),
    [
        # Two days written: either may be meant, so the words stay as typed.
        ("compare the api deploys of June 2 and June 9", "who shipped that day?"),
        # No day written before.
        ("what's on api staging", "anything else that day?"),
        # "the same day" is often the day of something the sentence says.
        ("who deployed web on May 9", "can refunds go out the same day?"),
    ],
)
def test_that_day_stays_as_typed_without_one_day_before(earlier: str, text: str) -> None:
    out = resolve(text, [turn(1, earlier)], KINDS, acts=ACTS)
    assert out.text == text
