""" "it" after a "which …?" question about a named record (conversations-dev20): "which deploy
is behind INC-1012?" answered with one deployment, then "who shipped it?" is that deployment,
not the incident the question named."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve

from .references_kit import ACTS, KINDS, entities, facts, turn

FACTS = facts(
    RecordFacts("INC-1012", None, "api Elevated 5xx error rate on api after 2.14.0 sev2 open"),
    RecordFacts("DEP-1032", None, "api 2.14.0 production succeeded sam.ortiz"),
    RecordFacts("DEP-1024", None, "api 2.13.2 production succeeded sam.ortiz"),
)


def test_it_after_a_which_question_answered_with_one_record_is_that_record() -> None:
    history = [turn(1, "which deploy is behind INC-1012?", "DEP-1032")]
    out = resolve("who shipped it?", history, KINDS, FACTS.get, ACTS)
    assert out.question is None and entities(out) == ["DEP-1032"]


def test_it_after_a_which_question_answered_with_several_is_the_named_record() -> None:
    # Two deployments in the answer: it did not single one out, so "it" is the incident named.
    history = [turn(1, "which deploys went out before INC-1012?", "DEP-1032 DEP-1024")]
    out = resolve("who is looking at it?", history, KINDS, FACTS.get, ACTS)
    assert entities(out) == ["INC-1012"]
