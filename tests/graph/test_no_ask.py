"""Messages that say they ask nothing go to a person, and FYI notes inside a request are context
(issue 14, demo-team-dev6): "FYI only, no action needed: DEP-1032 finished deploying" routed to
ops before, as if it asked for a deploy, and "FYI the customer below is furious." became a
content subtask of its own."""

from __future__ import annotations

import pytest

from ringmaster.agents.spec import AgentSpec, RuntimeSpec, Team
from ringmaster.graph.planner.cut_rules import Part
from ringmaster.graph.planner.local import LocalPlanner
from ringmaster.graph.planner.no_ask import REASON, asks_nothing, is_note, own_text
from ringmaster.graph.planner.note_cuts import note_cuts
from ringmaster.graph.planner.scoring import Scores
from ringmaster.graph.planner.splitter import split_request


@pytest.mark.parametrize(
    "text",
    [
        "FYI only, no action needed: the deploy finished at 14:10.",
        "Just so you know the invoice was paid this morning, nothing to do.",
        "Heads-up: I'm out tomorrow. No action required.",
        "Forwarding for visibility, no need to reply.",
        "Sharing for awareness; no further action is needed on your side.",
        "just keeping you in the loop, the customer is happy again",
    ],
)
def test_a_message_that_says_nothing_is_to_be_done_and_asks_nothing_asks_nothing(
    text: str,
) -> None:
    assert asks_nothing(text)


@pytest.mark.parametrize(
    "text",
    [
        # A marker with an ask: the ask is planned.
        "FYI, no action needed on the deploy, but can you refund INV-1001?",
        "No action needed from support. Please draft the release notes.",
        "nothing to do for now, unless it fires again: then roll back DEP-1001",
        "For visibility: is the api healthy?",
        "Just keeping you posted. Could someone close TCK-1001?",
        # No marker: information alone is not enough to call a message a note.
        "thanks all, the customer confirmed they can log in again",
        "FYI the api is down",
        # A cause, not a marker.
        "We're leaving, it has nothing to do with the service.",
    ],
)
def test_an_ask_or_no_marker_keeps_the_message_a_request(text: str) -> None:
    assert not asks_nothing(text)


def test_quoted_and_forwarded_text_is_not_the_writers_and_its_questions_do_not_count() -> None:
    forwarded = (
        "Forwarding for visibility, no need to reply.\n\n"
        "---------- Forwarded message ----------\n"
        "From: a customer\nCan you refund INV-1001? Please hurry."
    )
    quoted = "> Could you close TCK-1001?\n> Please!\n\nThat was done yesterday, no action needed."
    assert own_text(forwarded) == "Forwarding for visibility, no need to reply."
    assert own_text(quoted) == "That was done yesterday, no action needed."
    assert asks_nothing(forwarded)
    assert asks_nothing(quoted)
    # The writer's own ask under a forward still counts.
    assert not asks_nothing("No action needed on the thread below, but please close TCK-1001.")


def _team() -> Team:
    def agent(name: str, examples: list[str]) -> AgentSpec:
        return AgentSpec(
            name=name,
            description=f"Looks after the {name}.",
            examples=examples,
            runtime=RuntimeSpec(entry="tests.fakes:agent"),
        )

    return Team.model_validate(
        {
            "name": "house",
            "agents": [
                agent("pets", ["feed the cat", "walk the dog", "book a vet visit for the dog"]),
                agent("car", ["wash the car", "change the oil in the car", "fix the car tyres"]),
            ],
            "human_examples": ["tell me a joke", "what's the capital of peru"],
        }
    )


def test_the_planner_sends_a_note_that_asks_nothing_to_a_person_and_names_the_route() -> None:
    planner = LocalPlanner(_team())
    note = planner.plan("FYI only, no action needed: the car was washed this morning.")
    (subtask,) = note.subtasks
    assert (subtask.agent, subtask.escalate, subtask.escalation_reason) == (None, True, REASON)
    assert subtask.escalation_kind == "asks_nothing"  # its own reason: no turn before settles it
    # The agent it would have gone to leads the alternatives, for a reviewer and the evals.
    assert subtask.alternatives[0].agent == "car"
    asked = planner.plan("FYI, no action needed on the oil, but please wash the car.")
    assert [(s.agent, s.escalate) for s in asked.subtasks] == [("car", False)]


@pytest.mark.parametrize(
    "text",
    [
        "FYI the customer below is furious.",
        "cc @ops fyi it might be related to DEP-1049",
        "Heads up: the export job failed twice overnight.",
        "@ops fyi the status page still says investigating",
    ],
)
def test_an_fyi_part_that_asks_nothing_is_a_note(text: str) -> None:
    assert is_note(text)


@pytest.mark.parametrize(
    "text",
    [
        "FYI below.",  # passes nothing on of its own
        "FYI see below",
        "FYI can you refund INV-1001?",
        "FYI the api is down, please check it",
        "the customer below is furious",  # no FYI
        "refund INV-1001",
    ],
)
def test_an_ask_a_bare_fyi_or_no_fyi_is_no_note(text: str) -> None:
    assert not is_note(text)


def test_a_note_is_glued_to_the_part_after_it_or_before_it_when_last() -> None:
    def part(text: str) -> Part:
        scores = Scores({"car": 1.0}, "car", "wash the car", 1.0, ())
        return Part(text, "strong", False, scores, first=False, note=is_note(text))

    first = [part("FYI the car was washed twice."), part("change the oil"), part("fix tyres")]
    last = [part("change the oil"), part("cc @ops fyi the car was washed twice")]
    assert note_cuts(first) == {0}
    assert note_cuts(last) == {0}
    assert note_cuts([part("FYI the car was washed twice.")]) == set()


def test_the_planner_keeps_an_fyi_note_with_the_ask_it_introduces() -> None:
    planner = LocalPlanner(_team())
    plan = planner.plan("FYI the dog was at the vet yesterday. Please wash the car.")
    # Alone, the note reads as the pets agent's; it is context for the car ask.
    assert [s.agent for s in plan.subtasks] == ["car"]
    assert plan.subtasks[0].description.startswith("FYI the dog")


def test_a_lead_in_to_a_list_is_glued_to_its_first_item() -> None:
    segments = split_request(
        "Following our call, the open items:\n1. wash the car\n2. feed the cat"
    )
    parts = [
        Part(s.text, s.boundary, False, Scores({"car": 1.0}, "car", "x", 1.0, ()), first=i == 0)
        for i, s in enumerate(segments)
    ]
    joiners = [s.joiner for s in segments]
    assert [s.text for s in segments][-2:] == ["wash the car", "feed the cat"]
    lead = len(segments) - 3  # the part before the first item
    assert lead in note_cuts(parts, joiners)
    assert lead + 1 not in note_cuts(parts, joiners)


def test_the_planner_does_not_route_a_lead_in_on_its_own() -> None:
    planner = LocalPlanner(_team())
    plan = planner.plan("About the dog's vet visit, two things:\n- wash the car\n- change the oil")
    # The lead-in's words are the pets agent's; it only introduces the car items.
    assert "pets" not in [s.agent for s in plan.subtasks]
