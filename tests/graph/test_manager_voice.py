"""A manager's plain, longer requests: context before the ask, weak or neutral verbs, and
parts joined by ", then", "; after that", "once that's done" (route10, demo-team-dev8)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ringmaster.agents.spec import load_team
from ringmaster.graph.planner.cutter import states
from ringmaster.graph.planner.local import LocalPlanner
from ringmaster.graph.planner.splitter import split_request
from ringmaster.graph.planner.synthesis import Synthetic, with_context
from tests.graph.planner_dev_report import DEMO_TEAM


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


@pytest.fixture(scope="module")
def demo_planner(tmp_path_factory: pytest.TempPathFactory) -> LocalPlanner:
    return LocalPlanner(load_team(DEMO_TEAM), cache_dir=Path(tmp_path_factory.mktemp("cache")))


@pytest.mark.parametrize(
    ("text", "agents"),
    [
        # deploying a fix is ops's, whatever the fix is about
        (
            "Ship the hotfix for the broken invoice PDFs to production, then update the changelog.",
            ["ops", "content"],
        ),
        (
            "Push the patch for the slow search page to staging; after that, reply to the "
            "customer on TCK-1090.",
            ["ops", "support"],
        ),
        # a weak verb ("handle", "look into") leaves the noun to decide
        (
            "Could you list the customers who joined in March, and then handle the erasure "
            "request from CUS-1041?",
            ["analytics", "legal"],
        ),
        (
            "Reset the 2FA for CUS-1029 and look into why so many alerts fired on auth last night.",
            ["support", "ops"],
        ),
    ],
)
def test_a_weak_or_plain_verb_leaves_the_noun_to_route(
    demo_planner: LocalPlanner, text: str, agents: list[str]
) -> None:
    plan = demo_planner.plan(text)
    assert [(s.agent, s.escalate) for s in plan.subtasks] == [(a, False) for a in agents]


def test_a_statement_is_told_from_an_ask() -> None:
    assert states("The auth deploy went out at noon and the login errors stopped.")
    assert states("Our biggest account, CUS-1002, is unhappy.")
    assert not states("Please draft a status page update about it.")
    assert not states("The invoice for March, can you resend it?")
    assert not states("roll back DEP-1012")


def test_context_in_the_synthesis_belongs_to_the_first_request() -> None:
    by_label = {
        "ops": ["roll back the api deployment in production"],
        "content": ["draft the status page update for INC-1003"],
        "billing": ["refund INV-1004 in full"],
    }
    row = Synthetic("refund INV-1004 in full", ((0, 23),), ("billing",))
    made = with_context(row, by_label, random.Random(3))
    assert made.labels == ("billing",)
    assert made.spans == ((0, len(made.text)),)
    assert made.text.endswith("refund INV-1004 in full")
    assert states(made.text[: -len("refund INV-1004 in full")].strip())


@pytest.mark.parametrize(
    ("text", "agents"),
    [
        # Not pinned here: "The auth deploy went out at noon and the login errors stopped. Write a
        # short note …" (context first, no request of its own). The learned cutter keeps it out
        # of the plan on average over seeds (demo-team-dev8), but one changed team example flips
        # this one sentence either way, so a single-sentence test of it only tests the noise.
        # a statement that is itself the ask stays one
        ("My account is locked. Also refund INV-1120.", ["support", "billing"]),
    ],
)
def test_context_before_the_ask_is_no_subtask(
    demo_planner: LocalPlanner, text: str, agents: list[str]
) -> None:
    plan = demo_planner.plan(text)
    assert [(s.agent, s.escalate) for s in plan.subtasks] == [(a, False) for a in agents]
