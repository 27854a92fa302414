"""A part that leans on its neighbour is routed as read with its pronoun resolved."""

from __future__ import annotations

import pytest

from ringmaster.graph.planner.antecedents import noun_phrases, resolved
from ringmaster.graph.planner.local import LocalPlanner
from tests.graph.test_local_planner import _kitchen_team

# One worker trains the module's planner once (a module fixture) under `-n`.
pytestmark = pytest.mark.xdist_group("antecedents")


def test_noun_phrases_stop_at_the_first_stop_word() -> None:
    assert noun_phrases("what's the credit limit on my discover card") == [
        "the credit limit",
        "my discover card",
    ]
    assert noun_phrases("what time is it") == []


def test_a_noun_phrase_right_after_a_short_one_is_found_too() -> None:
    # "the update on my" took "my" with it, and "my vacation request" was never a candidate.
    assert noun_phrases("what is the update on my vacation request") == [
        "the update",
        "my vacation request",
    ]


def test_a_noun_phrase_may_end_in_a_word_that_names_a_thing() -> None:
    # "bill" is one of scikit-learn's stop words: "my water bill" was cut to "my water".
    assert noun_phrases("pay my water bill") == ["my water bill"]
    assert noun_phrases("what is your name") == ["your name"]


def test_that_before_a_preposition_is_a_pronoun() -> None:
    left = "i ran out of cherrios so add them to the list"
    assert resolved("read that to me", left, before=True) == "read the list to me"
    assert (
        resolved("book that in green bay", "fix my car", before=True) == "book my car in green bay"
    )


def test_that_before_a_modal_verb_is_a_pronoun() -> None:
    left = "i need to report fraudulent activity on my mastercard"
    assert (
        resolved("please tell me when that will expire", left, before=True)
        == "please tell me when my mastercard will expire"
    )
    assert (
        resolved("how soon that can arrive", "order the new sofa", before=True)
        == "how soon the new sofa can arrive"
    )


def test_a_later_part_takes_the_last_noun_phrase_before_it() -> None:
    left = "what's the credit limit on my discover card"
    assert (
        resolved("list the steps for applying for it", left, before=True)
        == "list the steps for applying for my discover card"
    )


def test_the_first_part_takes_the_first_noun_phrase_after_it() -> None:
    right = "before that can i get the routing number for sunflower bank"
    assert resolved("can i change it", right, before=False) == "can i change the routing number"


def test_an_indefinite_noun_phrase_is_a_candidate() -> None:
    # A thing is most often brought in with "a" / "an" before "it" picks it up.
    assert noun_phrases("please order a standing desk") == ["a standing desk"]
    assert (
        resolved("how soon will it arrive", "please order a standing desk", before=True)
        == "how soon will a standing desk arrive"
    )
    assert (
        resolved("can you cancel it", "but first book an oil change for friday", before=False)
        == "can you cancel an oil change"
    )


@pytest.mark.parametrize(
    ("text", "neighbour"),
    [
        ("check the balance", "my discover card"),  # no pronoun
        ("make sure that works", "my discover card"),  # "that" as a conjunction
        ("is that my card", "my discover card"),  # "that" before a determiner
        ("cancel it", "what time is it"),  # nothing for "it" to stand for
        ("if it isn't", "check the auth service"),  # a condition goes with what it introduces
    ],
)
def test_nothing_to_resolve(text: str, neighbour: str) -> None:
    assert resolved(text, neighbour, before=True) is None


@pytest.fixture(scope="module")
def planner(tmp_path_factory: pytest.TempPathFactory) -> LocalPlanner:
    return LocalPlanner(_kitchen_team(), cache_dir=tmp_path_factory.mktemp("antecedents"))


@pytest.mark.parametrize(
    ("request_text", "agent"),
    [
        # "check it" alone routes to the car (its examples check the brakes); it is the roses.
        ("the roses need fertiliser and then check it", "garden"),
        # Cataphora: "wash it" alone is the car's; it is the cat that comes after.
        ("wash it and before that feed the cat", "pets"),
        # "check it" is the tree, brought in with "a".
        ("plant a young apple tree and then check it", "garden"),
    ],
)
def test_a_part_about_its_neighbours_subject_stays_with_it(
    planner: LocalPlanner, request_text: str, agent: str
) -> None:
    plan = planner.plan(request_text)
    assert [s.agent for s in plan.subtasks] == [agent]


def test_a_pronoun_with_a_clearer_reading_of_its_own_keeps_it(planner: LocalPlanner) -> None:
    # "water it" is the garden's as written; "water the garage" is no clearer, so the second
    # request stays a request of its own.
    plan = planner.plan("book the car in at the garage, then water it")
    assert [s.agent for s in plan.subtasks] == ["car", "garden"]


def test_a_resolved_part_keeps_the_requesters_words(planner: LocalPlanner) -> None:
    # The reading only scores the part; the subtask carries what the requester wrote.
    (subtask,) = planner.plan("the roses need fertiliser and then check it").subtasks
    assert subtask.description == "the roses need fertiliser and then check it"
