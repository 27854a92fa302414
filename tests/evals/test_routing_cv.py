"""`evals/routing_cv.py`: the routing block's cross-validation scores the team's human examples
as out-of-scope requests, held out per fold like an agent's examples."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from ringmaster.agents.spec import load_team
from ringmaster.evals import routing_cv
from tests.evals.test_cli_eval import run

TOPICS = {
    "garden": ["water", "mow", "prune", "plant", "weed", "rake"],
    "car": ["wash", "service", "refuel", "repair", "park", "tyre"],
    "pets": ["feed", "walk", "groom", "vet", "bathe", "train"],
}
HUMANS = [
    f"tell me a {w} joke about {v}"
    for w in ("funny", "long", "short", "silly")
    for v in ("cats", "the moon", "lunch", "mondays", "rain")
]


def _by_agent() -> dict[str, list[str]]:
    rng = random.Random(0)
    return {
        agent: [
            f"please {rng.choice(words)} the {agent} {rng.choice(words)} today" for _ in range(12)
        ]
        for agent, words in TOPICS.items()
    }


def test_human_examples_are_held_out_per_fold_as_out_of_scope() -> None:
    by_agent = _by_agent()
    chosen = routing_cv.choose_routing(by_agent, HUMANS, max_escalated=0.1)
    alone = routing_cv.choose_routing(by_agent, max_escalated=0.1)
    assert chosen is not None and alone is not None
    # Each distinct human example is held out once (3 folds, at most 30 a fold), and scored.
    assert chosen.out_of_scope == len(HUMANS)
    assert chosen.held_out == alone.held_out == len({t for ts in by_agent.values() for t in ts})
    assert alone.out_of_scope == 0
    # Held out, they are not in the human label they are scored against: the check still
    # sends these (alike among themselves, unlike every agent) to a person.
    assert chosen.out_of_scope_caught == 1.0


def _held(**columns: list[float] | list[bool]) -> routing_cv.HeldOut:
    return routing_cv.HeldOut(
        top=np.asarray(columns["top"]),
        margin=np.asarray(columns["margin"]),
        right=np.asarray(columns["right"], dtype=bool),
        scoped=np.asarray(columns["scoped"], dtype=bool),
        human=np.asarray(columns["human"], dtype=bool),
    )


@pytest.fixture
def scores(monkeypatch: pytest.MonkeyPatch) -> None:
    """20 in-scope examples routed right (2 of them at 0.32), 4 in-scope ones the out-of-scope
    check sends to a person, and 5 out-of-scope ones that only a floor above 0.3 catches."""
    top = [0.9] * 18 + [0.32] * 2 + [0.9] * 4 + [0.3] * 5
    held = _held(
        top=top,
        margin=[t - 0.05 for t in top],
        right=[True] * 20 + [False] * 9,
        scoped=[False] * 20 + [True] * 4 + [False] * 5,
        human=[False] * 24 + [True] * 5,
    )
    monkeypatch.setattr(routing_cv, "held_out_scores", lambda *a, **k: held)


@pytest.mark.usefixtures("scores")
def test_out_of_scope_examples_caught_count_in_the_choice() -> None:
    """The old criterion (wrong routes stopped minus right ones lost) kept floor 0: the floor
    that catches 5 out-of-scope examples loses 2 right routes."""
    by_agent = {"a": ["x", "y"], "b": ["z", "w"]}
    chosen = routing_cv.choose_routing(by_agent, ["hi"], max_escalated=0.09)
    assert chosen is not None
    assert (chosen.confidence_floor, chosen.min_margin) == (0.35, 0.0)
    assert chosen.out_of_scope == 5 and chosen.out_of_scope_caught == 1.0
    # The floor's 2 of 24 fit 0.09; the check's own 4 are not the block's to spend but are
    # reported among the escalated.
    assert chosen.escalated == pytest.approx(6 / 24)
    assert chosen.by_check == pytest.approx(4 / 24)  # the check's share, told apart
    assert chosen.routed_accuracy == 1.0
    # A budget below the floor's 2 of 24 leaves the thresholds at nothing.
    tight = routing_cv.choose_routing(by_agent, ["hi"], max_escalated=0.08)
    assert tight is not None and (tight.confidence_floor, tight.min_margin) == (0.0, 0.0)


def test_build_team_says_what_share_of_human_examples_goes_to_a_person(tmp_path: Path) -> None:
    rows = [{"text": t, "kind": agent} for agent, ts in _by_agent().items() for t in ts]
    rows += [{"text": t, "kind": "oos"} for t in HUMANS]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    team = tmp_path / "team.yaml"
    args = ("build-team", "--dataset", path, "--label", "kind", "--out", team)
    code, output = run(*args, "--classifier", "tfidf", "--json")
    assert code == 0, output
    chosen = json.loads(output)["routing"]
    assert chosen["out_of_scope"] == len(load_team(team).human_examples) == len(HUMANS)
    assert "100.0% of 20 held-out human examples go to a person" in team.read_text()
    code, output = run(*args, "--classifier", "tfidf", "--force")
    assert code == 0 and "100.0% of 20 held-out human examples escalated)" in output
    by_check = f"{chosen['by_check']:.1%} by the out-of-scope check"
    assert by_check in output
    header = team.read_text()
    assert "and of the human label 'oos', seed 0" in header
    assert "at most --max-escalated 0.03" in header
    # --examples-per-agent samples the human examples too, and the header says so (it said
    # "3 examples per agent, human label 'oos'", and "20 examples" of 8: a new user's trial).
    code, output = run(*args, "--classifier", "tfidf", "--examples-per-agent", "3", "--force")
    assert code == 0 and len(load_team(team).human_examples) == 3, output
    assert "up to 3 examples per agent and of the human label 'oos'" in team.read_text()
