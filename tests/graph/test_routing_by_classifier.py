"""Routing thresholds per classifier (`routing.by_classifier`): a planner that runs another
classifier than the one the block's thresholds were tuned for uses that classifier's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from ringmaster.agents.spec import RoutingConfig, load_team
from ringmaster.cli_eval import _with_classifier
from ringmaster.evals.threshold import write_routing
from ringmaster.graph.planner import local
from ringmaster.graph.planner.local import LocalPlanner, LocalPlannerSettings
from tests.graph.test_local_planner import _kitchen_team

# Thresholds tuned for a hybrid classifier that would send every TF-IDF route to a person.
STRICT = {"confidence_floor": 1.0, "min_margin": 0.0, "classifier": "hybrid"}


def _escalated(planner: LocalPlanner, text: str) -> bool:
    return any(s.agent is None or s.escalate for s in planner.plan(text).subtasks)


def test_the_running_classifiers_own_thresholds_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "embeddings_available", lambda: False)  # hybrid falls back
    plain = RoutingConfig.model_validate(STRICT)
    tuned = RoutingConfig.model_validate(
        {**STRICT, "by_classifier": {"tfidf": {"confidence_floor": 0.0, "human_floor": None}}}
    )
    without = LocalPlanner(_kitchen_team(routing=plain))
    assert without.kind == "tfidf" and _escalated(without, "feed the cat")
    with_entry = LocalPlanner(_kitchen_team(routing=tuned))
    assert with_entry.routing.confidence_floor == 0.0 and with_entry.routing.min_margin == 0.0
    plan = with_entry.plan("feed the cat")
    assert [s.agent for s in plan.subtasks] == ["pets"] and not plan.subtasks[0].escalate
    # Chosen on the command line too, not only by the fallback.
    chosen = LocalPlanner(_kitchen_team(routing=tuned), settings=LocalPlannerSettings(kind="tfidf"))
    assert not _escalated(chosen, "feed the cat")


def test_an_entry_for_the_blocks_own_classifier_changes_nothing() -> None:
    routing = RoutingConfig.model_validate(
        {"confidence_floor": 0.99, "by_classifier": {"hybrid": {"confidence_floor": 0.0}}}
    )
    assert routing.for_classifier("tfidf") is routing
    # A null floor in an entry keeps the block's; only the out-of-scope floor can be unset.
    odd = RoutingConfig.model_validate(
        {"human_floor": 0.3, "by_classifier": {"hybrid": {"confidence_floor": None}}}
    )
    assert odd.for_classifier("hybrid").confidence_floor == 0.5


def test_tune_threshold_write_keeps_the_per_classifier_entries(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    text = (
        "name: t\nrouting:\n  confidence_floor: 0.7\n  min_margin: 0.1\n  classifier: hybrid\n"
        "  by_classifier:\n    tfidf:\n      confidence_floor: 0.2\n      min_margin: 0.02\n"
        "agents:\n- name: a\n  description: does a\n  runtime: {entry: 'tests.fakes:agent'}\n"
    )
    path.write_text(text, encoding="utf-8")
    write_routing(path, 0.4, 0.05)
    team = load_team(path)
    assert (team.routing.confidence_floor, team.routing.min_margin) == (0.4, 0.05)
    tfidf = team.routing.for_classifier("tfidf")
    assert (tfidf.confidence_floor, tfidf.min_margin, tfidf.classifier) == (0.2, 0.02, "tfidf")
    assert _with_classifier(team, "tfidf").routing == tfidf
