"""Paragraphs of background in a long email (route38, benchmarks/envelope_mutations.py's
`context` kinds, half A): statements about the writer's situation that ask nothing are context
for the ask next to them, never scored with it nor a subtask of their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from ringmaster.agents.spec import load_team
from ringmaster.graph.planner.background import Background, _states_only, part_at
from ringmaster.graph.planner.cut_rules import Part
from ringmaster.graph.planner.local import LocalPlanner
from ringmaster.graph.planner.no_ask import asks_something, requests_something
from ringmaster.graph.planner.scoring import HUMAN, Scores
from ringmaster.graph.planner.segmenting import Segmenter
from ringmaster.graph.planner.settings import SplitPolicy
from tests.graph.planner_dev_report import DEMO_TEAM


@pytest.fixture(scope="module")
def demo_planner(tmp_path_factory: pytest.TempPathFactory) -> LocalPlanner:
    return LocalPlanner(load_team(DEMO_TEAM), cache_dir=Path(tmp_path_factory.mktemp("cache")))


def test_a_paragraph_that_only_states_is_told_from_an_ask() -> None:
    assert _states_only("For context, I'm new here. Most of it is fine, but not all of it.")
    assert _states_only("We are a small team and I am the only one in on Fridays.")
    # an imperative, a question or a request word is an ask, whatever its subject
    for ask in ("write a short farewell post", "We need a refund.", "The api is up?"):
        assert not _states_only(ask), ask
    # a turn brings in no ask in background, as it can in "no action needed, but …"
    assert asks_something("It moved, but not all.") and not requests_something(
        "It moved, but not all."
    )


def test_background_around_a_one_part_ask_does_not_route_it(demo_planner: LocalPlanner) -> None:
    for text, agent, background in (
        (
            "Hi,\n\nWhat is the notice period in our MSA with CUS-1003?\n\nI am new in this "
            "role and still learning who looks after what, so thank you for your patience."
            "\n\nBest,\nMei",
            "legal",
            "I am new in this role",
        ),
        # it says it is background, however its words route
        (
            "Hi,\n\nSome context: the office was closed over the holidays from 20 December to "
            "6 January.\n\nIs the web app up right now?\n\nCheers,\nLuis",
            "ops",
            "Some context:",
        ),
    ):
        (only,) = demo_planner.plan(text).subtasks
        assert only.agent == agent and background in only.description


SAME = "Could you please let me know, when you have a moment,"


@pytest.mark.parametrize(
    ("first_ask", "second_ask", "agents"),
    [
        ("how many tickets did we get last week?", "write a short farewell post for the blog",
         ("analytics", "content")),
        # Found by the first 40 characters of the paragraph it came before, the background went
        # above the first of two asks that open with the same words.
        (f"{SAME} how many tickets we got last week?",
         f"{SAME} what the notice period in our MSA with CUS-1003 is?", ("analytics", "legal")),
    ],
)  # fmt: skip
def test_background_between_two_asks_is_no_part(
    demo_planner: LocalPlanner, first_ask: str, second_ask: str, agents: tuple[str, str]
) -> None:
    between = "A colleague of mine is leaving at the end of the month and I am picking up her work."
    text = f"Hi,\n\n{first_ask}\n\n{between}\n\n{second_ask}\n\nThanks"
    first, second = demo_planner.plan(text).subtasks
    assert (first.agent, second.agent) == agents
    # context of the ask it came before
    assert between not in first.description and second.description.startswith(between)


def test_two_paragraphs_of_background_above_the_first_ask_keep_their_order(
    demo_planner: LocalPlanner,
) -> None:
    one = "Some context: the office was closed over the holidays from 20 December to 6 January."
    two = "I am new in this role and still learning who looks after what."
    text = f"Hi,\n\n{one}\n\n{two}\n\nIs the web app up right now?\n\nThanks"
    (only,) = demo_planner.plan(text).subtasks
    assert only.agent == "ops" and f"{one}\n\n{two}\n\nIs the web app" in only.description


def test_a_place_in_the_body_is_found_in_the_part_that_holds_it() -> None:
    same = "Please let me know as soon as you can"
    body = f"Hi,\n\n- {same} what we owe.\n- {same} who signed.\n\nthen close TCK-1 too"
    texts = ["Hi,\n- " + same + " what we owe.", same + " who signed.", "close TCK-1 too"]
    parts = [Part(t, None, False, _scored(t), first=i == 0) for i, t in enumerate(texts)]
    assert part_at(parts, body, body.index("Hi")) == 0
    # a list marker or a connector before the part's words: the part it opens
    assert part_at(parts, body, body.index("- Please", 10)) == 1
    assert part_at(parts, body, body.index("then")) == 2
    # within a part, or before the first
    assert part_at(parts, body, body.index("who")) == 1
    assert part_at(parts, body, -5) == 0


def test_a_statement_of_an_agents_matter_stays_an_ask(demo_planner: LocalPlanner) -> None:
    text = "Hi,\n\nThe api has been timing out since noon.\n\nCan you tell me how many tickets "
    text += "came in about it?\n\nThanks"
    assert [s.agent for s in demo_planner.plan(text).subtasks] == ["ops", "analytics"]


def _scored(text: str) -> Scores:
    """A request's words route to billing, anything else to a person."""
    label = "billing" if "?" in text else HUMAN
    return Scores({label: 0.9, "support" if label == HUMAN else HUMAN: 0.1}, label, "", 0.5, ())


def test_a_paragraph_the_ask_is_about_is_no_background() -> None:
    segmenter = Segmenter(SplitPolicy(), lambda texts: [_scored(t) for t in texts], None, None)
    ask = "Could you explain the fee and refund it?"
    # the writer's situation: taken off, the ask read alone
    said = "We moved offices in spring and I am new in this role."
    assert segmenter.background(f"{said}\n\n{ask}") == (ask, [Background(said, 0)])
    assert segmenter.background(f"{ask}\n\n{said}") == (ask, [Background(said, None)])
    # the matter the ask is about, by its words or an address it names, stays with it
    for matter in (
        "I noticed my March statement shows a fee I do not recognise.",
        "My colleague ana@example.com moved offices in spring.",
    ):
        assert segmenter.background(f"{matter}\n\n{ask}") == (f"{matter}\n\n{ask}", [])
    # quoted lines are no background of the writer's
    quoted = "> We moved offices in spring."
    assert segmenter.background(f"{quoted}\n\n{ask}")[1] == []
