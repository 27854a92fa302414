"""Order words that put a later part first ("but first", "before that"), shorthand arrows, and a
top-posted message's quote kept as context rather than planned as asks (issue 14)."""

from __future__ import annotations

import pytest

from ringmaster.agents.demo import load_demo_team
from ringmaster.graph.planner.local import LocalPlanner
from ringmaster.graph.planner.splitter import split_request


@pytest.fixture(scope="module")
def demo() -> LocalPlanner:
    return LocalPlanner(load_demo_team())  # the shipped model


def _cuts(text: str) -> list[tuple[str, bool, bool]]:
    return [(s.text, s.sequential, s.precedes) for s in split_request(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Cancel the order, but first email the supplier",
            [("Cancel the order", False, False), ("email the supplier", False, True)],
        ),
        (
            "Publish the page; before that, fix the typo in the title.",
            [("Publish the page", False, False), ("fix the typo in the title.", False, True)],
        ),
        (
            "Ship it. Before that, run the checks.",
            [("Ship it.", False, False), ("run the checks.", False, True)],
        ),
        (
            "scale down -> drain queue -> restart",
            [("scale down", False, False), ("drain queue", True, False), ("restart", True, False)],
        ),
    ],
)
def test_order_words_and_arrows_are_cut_points(
    text: str, expected: list[tuple[str, bool, bool]]
) -> None:
    assert _cuts(text) == expected


def test_before_that_as_a_time_or_an_opening_but_first_is_no_order_word() -> None:
    time = "What did we sell in the month before that big launch?"
    assert _cuts(time) == [(time, False, False)]
    # The first part follows nothing: an opening "But first," orders nothing either.
    assert [p for _, _, p in _cuts("But first, thanks! Now: where is my parcel?")] == [False] * 2


def test_a_part_that_goes_first_is_waited_for_by_the_part_before_it(demo: LocalPlanner) -> None:
    plan = demo.plan(
        "Erase all personal data of CUS-1090 under GDPR, but first tell me their balance"
    )
    assert [(s.agent, s.depends_on) for s in plan.subtasks] == [
        ("legal", ["t2"]),
        ("billing", []),
    ]


def test_a_top_posted_ask_is_planned_with_its_quote_as_context_only(demo: LocalPlanner) -> None:
    quote = (
        "> On Mon, Kim wrote:\n"
        "> Your login page keeps rejecting my password and the reset link is broken.\n"
        "> Also I think your terms of service are unfair."
    )
    text = "FYI see below. Could you count how many refunds we issued last month?\n\n" + quote
    plan = demo.plan(text)
    assert [s.agent for s in plan.subtasks] == ["analytics"]
    assert plan.subtasks[0].description.endswith(quote)  # the agent still sees what was quoted
