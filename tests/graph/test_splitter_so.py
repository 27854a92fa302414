"""A "so" before a question or a plea is a candidate cut, as "and" is; before anything else it
goes on with the same request (issue 14: multi-intent CLINC150 joins two asks with a bare "so")."""

from __future__ import annotations

import pytest

from ringmaster.graph.planner.splitter import split_request


def _parts(text: str) -> list[str]:
    return [s.text for s in split_request(text)]


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "what do i owe on the car this month so what steps do i take to change the oil",
            ["what do i owe on the car this month", "what steps do i take to change the oil"],
        ),
        (
            "when was the car in the shop so will you help me rent one in dallas",
            ["when was the car in the shop", "will you help me rent one in dallas"],
        ),
        ("We have 25 users, so please correct it.", ["We have 25 users", "please correct it."]),
    ],
)
def test_so_before_a_question_or_a_plea_is_a_candidate_cut(text: str, parts: list[str]) -> None:
    assert _parts(text) == parts
    assert split_request(text)[1].boundary == "weak"  # a candidate the planner may glue back


@pytest.mark.parametrize(
    "text",
    [
        "i need the form so that i can pay my bill",
        "i was at walmart so i was declined",
        "what have i spent so far this month",
        "is the api down, and if so what is the cause?",
        "ok so can billing fix the invoice",
    ],
)
def test_so_that_opens_no_question_is_no_cut(text: str) -> None:
    assert all("so" not in s.joiner.split() for s in split_request(text))
