"""A question stays open until a reply answers it or a new request supersedes it: a
pleasantry in between ("thanks", a stray "yes") leaves it open, and the next reply that picks
one of its options answers it."""

from __future__ import annotations

from typing import Any

import pytest

from ringmaster.graph.references import resolve, still_waiting, turn_entities
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
