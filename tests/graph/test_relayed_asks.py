"""An ask passed on for someone else is an ask, not a statement of context (issue 14, demo41):
"They also asked me to check whether the api outage has been resolved" opens with a subject and
has no request word of the writer's own, so it read as background (`cutter.states`) and the
email's second request was glued into the first."""

from __future__ import annotations

import pytest

from ringmaster.agents.demo import load_demo_team
from ringmaster.graph.planner.cutter import states
from ringmaster.graph.planner.local import LocalPlanner
from ringmaster.graph.planner.no_ask import asks_nothing, asks_something


@pytest.mark.parametrize(
    "text",
    [
        "They also asked me to find out whether the export job finished.",
        "He has asked, through his manager, for the signed order form.",
        "she'd like to know when the next invoice goes out",
        "They would also like a summary of last month's tickets.",
        "They renewed last week and want to know what changed.",
        "He needs the login for the reporting tool by Friday.",
    ],
)
def test_an_ask_passed_on_asks_and_is_no_statement(text: str) -> None:
    assert asks_something(text)
    assert not states(text)


@pytest.mark.parametrize(
    "text",
    [
        "They were charged twice for the same seat.",
        "The queue workers restarted at noon.",
        "She left the company in October.",
    ],
)
def test_what_happened_still_states(text: str) -> None:
    assert states(text)
    assert not asks_something(text)


def test_a_note_that_passes_an_ask_on_is_no_note_that_asks_nothing() -> None:
    assert asks_nothing("FYI only, no action needed: the customer is happy again.")
    assert not asks_nothing("Just keeping you posted; they want to know when it's fixed.")


def test_an_email_that_passes_on_two_asks_is_planned_as_two() -> None:
    planner = LocalPlanner(load_demo_team())
    email = (
        "Good afternoon,\n\n"
        "Our auditors are with us this week. They need a copy of the data processing agreement "
        "and the list of subprocessors. They also asked whether the api outage on Monday is "
        "resolved or still an open incident.\n\nRegards,\nNina"
    )
    plan = planner.plan(email)
    assert [(s.agent, s.escalate) for s in plan.subtasks] == [("legal", False), ("ops", False)]
    assert "data processing agreement" in plan.subtasks[0].description
    assert "api outage" in plan.subtasks[1].description
