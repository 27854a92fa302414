"""An ask said with a subject is an ask, not a statement of context (issue 14, demo41 and
voice41): a need the writer states ("I also need …", "we'd like …", "my manager asked me to …",
"I'd appreciate it if …") or an ask passed on for someone else ("They also asked me to check
whether the api outage has been resolved") opens with a subject and has no "please" or question
mark, so `cutter.states` read it as background and an email of two such asks for different
agents was glued into one. What happened, the past ("I needed", "you asked me to"), a courtesy
("we'd like to thank …") and a need of what the neighbouring ask names ("I need this for the
board meeting") still state."""

from __future__ import annotations

import pytest

from ringmaster.agents.demo import load_demo_team
from ringmaster.graph.planner.cutter import states
from ringmaster.graph.planner.local import LocalPlanner
from ringmaster.graph.planner.no_ask import asks_nothing, asks_something, requests_something


@pytest.mark.parametrize(
    "text",
    [
        # the writer's own need
        "I also need the March statement resent to their accounts address.",
        "We'd like the nightly sync rerun for the last two weeks.",
        "we\u2019d really like a breakdown of churn by region",
        "We still want a list of the customers on the old plan.",
        "We need the renewal date of the Globex contract.",
        "My team lead asked me to collect the uptime numbers for May.",
        "The auditor has asked us to send the retention policy.",
        "I've been asked to find out who approved the discount.",
        "I'd appreciate it if someone looked at the stuck payout.",
        "We would be grateful for the minutes of Tuesday's review.",
        "I need this fixed before the board meeting.",
        # an ask passed on for someone else
        "They also asked me to find out whether the export job finished.",
        "He has asked, through his manager, for the signed order form.",
        "she'd like to know when the next invoice goes out",
        "They would also like a summary of last month's tickets.",
        "They renewed last week and want to know what changed.",
        "He needs the login for the reporting tool by Friday.",
    ],
)
def test_an_ask_with_a_subject_asks_and_is_no_statement(text: str) -> None:
    assert asks_something(text)
    assert requests_something(text)
    assert not states(text)


@pytest.mark.parametrize(
    "text",
    [
        # what happened
        "They were charged twice for the same seat.",
        "The queue workers restarted at noon.",
        "She left the company in October.",
        # the past
        "I needed the logs on Monday and got them from Priya.",
        "The customer needed a second seat last spring.",
        "Nobody asked me to touch the firewall rules.",
        # a courtesy
        "We'd like to thank the support team for a calm weekend.",
        "I'd like to share that the migration finished early.",
        "I appreciate the quick turnaround on the fix.",
        # a need of what the ask beside it names
        "I need this for the board meeting.",
        "We need it by Thursday at the latest.",
    ],
)
def test_what_happened_the_past_a_courtesy_and_a_need_of_the_ask_beside_it_state(
    text: str,
) -> None:
    assert states(text)
    assert not asks_something(text)


def test_what_the_reader_asked_the_writer_is_no_ask_of_the_reader() -> None:
    assert not asks_something("You asked me to look at the cache settings, so I did.")
    assert not asks_something("As you'd asked us to, the old keys were rotated.")


def test_a_note_with_an_ask_said_with_a_subject_asks_something() -> None:
    assert asks_nothing("FYI only, no action needed: the customer is happy again.")
    assert asks_nothing("FYI, no action needed: we'd like to thank everyone for the launch.")
    assert not asks_nothing("Just keeping you posted; they want to know when it's fixed.")
    assert not asks_nothing("No action needed today, we'd like the report on Monday though.")


@pytest.mark.parametrize(
    ("email", "planned"),
    [
        (
            "Hi team,\n\nWe are closing the quarter this week. I also need invoice INV-1042 "
            "refunded in full. We'd like the api deployment in staging rolled back as well.\n\n"
            "Thanks,\nMaria",
            [("billing", "INV-1042"), ("ops", "rolled back")],
        ),
        (
            "Good afternoon,\n\nOur auditors are with us this week. They need a copy of the data "
            "processing agreement and the list of subprocessors. They also asked whether the api "
            "outage on Monday is resolved or still an open incident.\n\nRegards,\nNina",
            [("legal", "data processing agreement"), ("ops", "api outage")],
        ),
    ],
)
def test_an_email_of_two_asks_with_a_subject_is_planned_as_two(
    email: str, planned: list[tuple[str, str]]
) -> None:
    plan = LocalPlanner(load_demo_team()).plan(email)
    assert [(s.agent, s.escalate) for s in plan.subtasks] == [(a, False) for a, _ in planned]
    assert all(said in s.description for s, (_, said) in zip(plan.subtasks, planned, strict=True))


def test_a_need_of_the_ask_beside_it_stays_with_that_ask() -> None:
    planner = LocalPlanner(load_demo_team())
    plan = planner.plan(
        "Good morning,\n\nPlease refund invoice INV-1007, the customer was charged twice. "
        "I need this for the board meeting.\n\nThanks"
    )
    assert [(s.agent, s.escalate) for s in plan.subtasks] == [("billing", False)]
    assert "board meeting" in plan.subtasks[0].description
