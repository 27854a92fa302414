"""The learned cutter: synthetic joins from a team's examples, and the split it learns."""

from __future__ import annotations

import random

from ringmaster.graph.planner.local import LocalPlanner, LocalPlannerSettings
from ringmaster.graph.planner.synthesis import join, synthesise
from tests.graph.test_local_planner import _kitchen_team


def test_joins_keep_every_piece_and_its_label() -> None:
    rng = random.Random(3)
    pieces = [("Water the tomato plants.", "garden"), ("Wash the car", "car"), ("feed it", "pets")]
    for _ in range(50):
        row = join(pieces, rng)
        assert row.labels == ("garden", "car", "pets")
        texts = [row.text[s:e] for s, e in row.spans]
        assert texts[1].lower().startswith("wash")
        assert all(t.strip() and t in row.text for t in texts)
        assert row.real_cut(0, 1) and row.real_cut(1, 2)


def test_synthesis_mixes_one_part_and_multi_part_requests() -> None:
    by_label = {"a": ["reset my password", "unlock my account"], "b": ["refund the invoice"]}
    rows = synthesise(by_label, singles=3, pairs=5, triples=2, rng=random.Random(0))
    sizes = {len(r.labels) for r in rows}
    assert sizes == {1, 2}  # two labels: no three-label joins
    assert all(len(set(r.labels)) == len(r.labels) for r in rows)


def test_learned_split_separates_requests_and_keeps_one_request_whole() -> None:
    settings = LocalPlannerSettings(learned_split=True)
    team = _kitchen_team()
    for agent in team.agents:  # enough examples to hold some out
        agent.examples.extend(f"{e} again" for e in list(agent.examples))
    planner = LocalPlanner(team, settings=settings)
    assert planner.cutter is not None and planner.cutter.trained_on["real"] > 0
    two = planner.plan("wash the car and then water the tomato plants")
    assert [s.agent for s in two.subtasks] == ["car", "garden"]
    one = planner.plan("The car tyres are flat. Can you book the car in at the garage?")
    assert [s.agent for s in one.subtasks] == ["car"]
