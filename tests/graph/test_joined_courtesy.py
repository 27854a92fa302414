"""A courtesy that closes one ask before the next ("… data? thx. And finally, …"), found by
benchmarks/join_mutations.py (half A, three-sentences, oh-and): it was glued forward with the
next ask's connector, and then the cutter read the cut before it as a plain sentence break and
glued both asks into one subtask."""

from __future__ import annotations

from pathlib import Path

import pytest

from ringmaster.agents.spec import load_team
from ringmaster.graph.planner.cut_rules import Part
from ringmaster.graph.planner.cutter import CutterConfig
from ringmaster.graph.planner.local import LocalPlanner, LocalPlannerSettings
from ringmaster.graph.planner.note_cuts import note_cuts
from ringmaster.graph.planner.scoring import Scores

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def planner(tmp_path_factory: pytest.TempPathFactory) -> LocalPlanner:
    team = load_team(ROOT / "agents" / "demo" / "team.yaml")
    team = team.model_copy(update={"routing": team.routing.for_classifier("tfidf")})
    settings = LocalPlannerSettings(kind="tfidf", cutter=CutterConfig(seed=0))
    return LocalPlanner(team, cache_dir=tmp_path_factory.mktemp("cache"), settings=settings)


def _part(text: str, note: bool = False) -> Part:
    scores = Scores({"support": 1.0}, "support", "", 0.0, ())
    return Part(text, None, False, scores, first=False, note=note)


def test_a_courtesy_before_a_connector_to_another_ask_closes_the_ask_before_it() -> None:
    parts = [_part("send CUS-1037 the link?"), _part("thx.", note=True), _part("check our terms")]
    # glued back (cut 0), not forward with "And finally," (cut 1)
    assert note_cuts(parts, ["", " ", " And finally, "]) == {0}
    assert note_cuts(parts, ["", " ", " oh and "]) == {0}
    # before a plain sentence break it goes on introducing what follows, as a note does
    assert note_cuts(parts, ["", " ", " "]) == {1}
    # an FYI note is no courtesy: it introduces what follows
    fyi = [parts[0], _part("FYI the customer is upset.", note=True), parts[2]]
    assert note_cuts(fyi, ["", " ", " Also, "]) == {1}


def test_two_asks_around_a_thanks_stay_two(planner: LocalPlanner) -> None:
    ask = "can someone send CUS-1037 the link to the article on exporting data?"
    second = (
        "would you mind checking whether our terms allow a customer to transfer their "
        "subscription to another company?"
    )
    # without the thanks it was two subtasks; with it, one (legal)
    for text in (f"{ask} And finally, {second}", f"{ask} thx. And finally, {second}"):
        plan = planner.plan(text)
        assert [s.agent for s in plan.subtasks] == ["support", "legal"], text
        assert "thx" not in plan.subtasks[1].description
    # a thanks that ends a one-part request stays with it
    plan = planner.plan("Can you refund INV-1107? Thanks!")
    assert [s.agent for s in plan.subtasks] == ["billing"]
