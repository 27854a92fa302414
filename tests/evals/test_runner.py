"""The runner: plans in dataset order, fails closed on planner errors, and caches responses so
a second run of a model-backed planner issues no model calls at all."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ringmaster.agents.spec import RoutingConfig, load_team
from ringmaster.evals.cache import ResponseCache
from ringmaster.evals.dataset import load_dataset
from ringmaster.evals.runner import commit_label, evaluate, load_run, run_planner, run_rows
from tests.evals.fakes import SCRIPT_V1, ScriptedPlanner


def test_second_run_issues_no_model_calls(team_file: Path, rows_file: Path, tmp_path: Path) -> None:
    planner = ScriptedPlanner(SCRIPT_V1)
    run = partial(
        evaluate,
        planner_factory=lambda name, team, cache_dir: planner,
        runs_dir=tmp_path / "runs",
        cache_dir=tmp_path / "cache",
        progress=False,
    )
    first = run(rows_file, team_file)
    assert planner.calls == 4
    assert first.record["calls"] == {"model_calls_issued": 4, "tokens_issued": 11, "cache_hits": 0}
    second = run(rows_file, team_file)
    assert planner.calls == 4  # nothing reached the planner
    assert second.record["calls"] == {"model_calls_issued": 0, "tokens_issued": 0, "cache_hits": 4}
    # The cached run reports the same figures, costs included.
    assert second.record["metrics"] == first.record["metrics"]
    assert second.record["metrics"]["model_calls_per_request"] == 1.0
    assert all(r.cached for r in run_rows(second.record))


def test_cache_key_includes_team_thresholds(
    team_file: Path, rows_file: Path, tmp_path: Path
) -> None:
    planner = ScriptedPlanner(SCRIPT_V1)
    team = load_team(team_file)
    run = partial(
        evaluate,
        planner_factory=lambda name, team, cache_dir: planner,
        runs_dir=None,
        cache_dir=tmp_path / "cache",
        progress=False,
    )
    run(rows_file, team_file, team=team)
    tuned = team.model_copy(update={"routing": RoutingConfig(confidence_floor=0.7)})
    run(rows_file, team_file, team=tuned)
    assert planner.calls == 8  # a different threshold can change plans: no stale answers


def test_no_cache_for_planners_without_a_model(
    team_file: Path, rows_file: Path, tmp_path: Path
) -> None:
    planner = ScriptedPlanner(SCRIPT_V1, model="")
    for _ in range(2):
        evaluate(
            rows_file,
            team_file,
            planner_factory=lambda name, team, cache_dir: planner,
            runs_dir=None,
            cache_dir=tmp_path / "cache",
            progress=False,
        )
    assert planner.calls == 8
    assert not (tmp_path / "cache" / "responses.sqlite").exists()


def test_concurrent_run_keeps_order_and_exact_totals(team_file: Path, rows_file: Path) -> None:
    dataset = load_dataset(rows_file)
    rows = dataset.rows * 25
    planner = ScriptedPlanner(SCRIPT_V1)
    outcome = run_planner(planner, rows, team=load_team(team_file), workers=8, progress=False)
    assert [p.text for p in outcome.rows] == [r.text for r in rows]
    assert outcome.model_calls_issued == 100
    assert sum(p.model_calls for p in outcome.rows) == 100  # spread, so the mean stays exact
    assert sum(p.tokens for p in outcome.rows) == outcome.tokens_issued == 275


def test_planner_error_is_recorded_and_fails_closed(team_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "boom.jsonl"
    path.write_text('{"text": "boom", "agents": ["alpha"], "escalate": false}\n')
    dataset = load_dataset(path)
    cache = ResponseCache(tmp_path / "c.sqlite")
    outcome = run_planner(
        ScriptedPlanner({}), dataset.rows, team=load_team(team_file), cache=cache, progress=False
    )
    (pred,) = outcome.rows
    assert pred.error == "RuntimeError: the scripted model fell over"
    assert pred.predicted_escalate and not pred.correct


def test_failures_are_asked_again_not_replayed_from_the_cache(
    team_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "flaky.jsonl"
    rows = ["boom", "timeout", "unknown request"]
    path.write_text(
        "".join(f'{{"text": "{t}", "agents": ["alpha"], "escalate": false}}\n' for t in rows)
    )
    dataset, team = load_dataset(path), load_team(team_file)
    cache = ResponseCache(tmp_path / "c.sqlite")
    planner = ScriptedPlanner({})
    for _ in range(2):
        run_planner(planner, dataset.rows, team=team, cache=cache, progress=False)
    # The error and the stand-in plan reach the planner both times; the real answer once.
    assert planner.calls == 5
    again = run_planner(planner, dataset.rows, team=team, cache=cache, progress=False)
    assert [r.cached for r in again.rows] == [False, False, True]


def test_saved_run_has_config_hash_commit_and_rows(
    team_file: Path, rows_file: Path, tmp_path: Path
) -> None:
    done = evaluate(
        rows_file,
        team_file,
        planner_factory=lambda name, team, cache_dir: ScriptedPlanner(SCRIPT_V1),
        runs_dir=tmp_path / "runs",
        cache_dir=tmp_path / "cache",
        progress=False,
    )
    assert done.path is not None and done.path.parent == tmp_path / "runs"
    record = load_run(done.path)
    assert record["dataset"]["sha256"] == load_dataset(rows_file).sha256
    assert record["config"]["planner"] == "scripted" and record["config"]["model"] == "scripted-1"
    routing = record["config"]["team"]["routing"]
    assert routing == {
        "confidence_floor": 0.5,
        "min_margin": 0.1,
        "human_floor": None,
        "classifier": "tfidf",
        "by_classifier": {},
    }
    assert "commit" in record["git"]
    first = record["rows"][0]
    assert first["subtasks"][0]["agent"] == "alpha"
    assert first["subtasks"][0]["confidence"] == 0.9
    assert first["latency_ms"] >= 0 and first["model_calls"] == 1


def test_commit_label_names_the_commit_and_says_when_the_tree_was_dirty() -> None:
    sha = "0123456789abcdef"
    assert commit_label({"commit": sha, "dirty": False}) == "commit 0123456789"
    assert commit_label({"commit": sha, "dirty": True}) == "commit 0123456789 (dirty)"
    assert commit_label({"commit": None, "dirty": None}) == "commit ?"
