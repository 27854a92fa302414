"""A request handed to an agent by name (issue 14, route33, demo-team-dev17 half A): "And I'd
like legal to confirm …" after another agent's question is a second ask, though it has no
"please" and no question mark."""

from __future__ import annotations

from pathlib import Path

import pytest

from ringmaster.agents.spec import RoutingConfig, load_team
from ringmaster.graph.planner.cut_rules import Part
from ringmaster.graph.planner.local import LocalPlanner, LocalPlannerSettings
from ringmaster.graph.planner.routing import Routed, route
from ringmaster.graph.planner.scoring import HUMAN, Scores
from ringmaster.graph.planner.segmenting import _names_its_agent, _read_addressed

DEMO_TEAM = Path(__file__).resolve().parents[2] / "agents" / "demo" / "team.yaml"


def _part(text: str, label: str) -> Part:
    scores = Scores({label: 0.9, "other": 0.1}, label, "", 0.5, ())
    return Part(text, "strong", False, scores, first=False)


def test_a_part_that_hands_its_ask_to_its_agent_by_name() -> None:
    for text in (
        "And I'd like legal to confirm the notice period is enough.",
        "could you ask legal whether we must keep the invoices?",
        "Legal: handle the erasure once that is done.",
        "then have content write her an apology email",
        "@legal can you check the DPA",
    ):
        label = "legal" if "legal" in text.lower() else "content"
        assert _names_its_agent(_part(text, label)), text
    # the name as a word of something else, or another agent's name
    for text, label in (
        ("including my support history.", "support"),
        ("restart the billing-service queue", "billing"),
        ("And I'd like legal to confirm it.", "content"),
        # the agent spoken of, not to: a comma or a "to" after its name mid-sentence
        ("I already contacted support, nothing yet.", "support"),
        ("please switch billing to annual from next month", "billing"),
        ("the analytics will show it once the export runs", "analytics"),
    ):
        assert not _names_its_agent(_part(text, label)), text
    # spoken to at a sentence's start, told what it should do, or asked whether it can (as the
    # segmenter reads a quoted ask asked again: one definition for both)
    for text, label in (
        ("Thanks. Legal, can you check the DPA?", "legal"),
        ("legal should review the new clause", "legal"),
        ("can legal advise on the DPA?", "legal"),
        ("and could the legal team check clause 4", "legal"),
    ):
        assert _names_its_agent(_part(text, label)), text


@pytest.fixture(scope="module")
def demo_planner(tmp_path_factory: pytest.TempPathFactory) -> LocalPlanner:
    return LocalPlanner(load_team(DEMO_TEAM), cache_dir=Path(tmp_path_factory.mktemp("cache")))


def test_an_ask_handed_to_legal_by_name_is_cut_from_the_question_before_it(
    demo_planner: LocalPlanner,
) -> None:
    # dev17 half A line 10, another name and notice period
    text = (
        "Hi Sam,\n\nThanks for the draft of the new terms, it reads well. Two follow-ups. Could "
        "you write the customer announcement email for the terms change? And I'd like legal to "
        "confirm that the 60-day notice we give is enough under the current contracts before "
        "that goes out.\n\nBest,\nMia"
    )
    assert [s.agent for s in demo_planner.plan(text).subtasks] == ["content", "legal"]


def _routed(text: str) -> Routed:
    scores = Scores({"legal": 0.47, "billing": 0.3, HUMAN: 0.23}, "legal", "", 0.4, ())
    part = Part(text, None, False, scores, first=True)
    return route(part, {"legal", "billing"}, RoutingConfig(), LocalPlannerSettings())


def test_a_part_handed_by_name_to_its_best_agent_is_routed_not_escalated() -> None:
    # "Legal, please run that export for CUS-1029." under a ticket's title scored legal 0.47
    routed = _routed("Legal, please run that export for CUS-1029.")
    assert (routed.agent, routed.escalation) == ("legal", None)
    # the plan says a name, not the scores, chose the agent
    assert "addressed to legal by name" in routed.rationale
    # unsure and not addressed, or addressed to another agent: a person confirms it
    for text in ("Please run that export for CUS-1029.", "Billing, please run that export."):
        routed = _routed(text)
        assert routed.escalation is not None and routed.kind == "low_confidence", text


def _scored(text: str, probs: dict[str, float]) -> Part:
    label = max(probs, key=probs.__getitem__)
    return Part(text, "strong", False, Scores(probs, label, "", 0.5, ()), first=False)


def test_a_part_handed_to_another_agent_by_name_is_read_as_that_agents() -> None:
    # the classifier reads the records' words (payment records: billing); the writer named legal
    part = _scored(
        "And can legal confirm how long we must keep payment records?",
        {"billing": 0.7, "legal": 0.2, HUMAN: 0.1},
    )
    read = _read_addressed(part, 0.45)
    assert read.scores.ranked()[:2] == [("legal", 0.7), ("billing", 0.2)]
    # an unsure person's part is read so too ("Could ops check …" scored a person 0.21)
    unsure = _scored("Could ops check the queue?", {HUMAN: 0.3, "analytics": 0.25, "ops": 0.1})
    assert _read_addressed(unsure, 0.45).scores.ranked()[0] == ("ops", 0.3)
    # left as scored: a person's part the classifier is sure of (a personal legal question),
    # two agents named, a name only in a quoted line, or the named agent already first
    for text, probs in (
        ("Could legal look at my tenancy agreement?", {HUMAN: 0.8, "legal": 0.15, "ops": 0.05}),
        ("Legal: check it. Billing: refund it.", {"billing": 0.6, "legal": 0.3, "ops": 0.1}),
        ("> Could ops restart it?\nThanks, now a note.", {"content": 0.6, "ops": 0.3, HUMAN: 0.1}),
        ("Legal, please check the DPA.", {"legal": 0.6, "billing": 0.3, "ops": 0.1}),
    ):
        part = _scored(text, probs)
        assert _read_addressed(part, 0.45) is part, text


def test_an_ask_handed_by_name_stays_cut_from_another_agents_ask(
    demo_planner: LocalPlanner,
) -> None:
    # Glued before into the other ask: the named side was unsure as written ("Could ops check
    # whether the login errors have stopped" a person's, "Could ops look into why the export
    # jobs are slow" support's under the floor), so it could not stand alone.
    for text, agents in (
        (
            "Could ops check whether the login errors have stopped, and could someone write the "
            "customer a short apology email?",
            ["ops", "content"],
        ),
        (
            "Could ops look into why the export jobs are slow and can billing credit CUS-1019 "
            "for the lost day?",
            ["ops", "billing"],
        ),
    ):
        subtasks = demo_planner.plan(text).subtasks
        assert [(s.agent, s.escalate) for s in subtasks] == [(a, False) for a in agents], text
    # a personal legal question handed to legal by name is still a person's
    for text in (
        "Could legal look at my tenancy agreement? My landlord wants to keep the deposit.",
        "Can legal review my divorce papers please",
    ):
        assert [s.agent for s in demo_planner.plan(text).subtasks] == [None], text
