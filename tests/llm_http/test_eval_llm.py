"""`ringmaster eval run --planner llm|cascade` end to end against the loopback server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ringmaster.cli_eval import eval_app
from tests.evals.fakes import ROWS, TEAM_YAML
from tests.fakes import ScriptedPlanner, plan_of
from tests.llm_http.server import Reply, ScriptedServer, completion, plan_json

ANSWERS = {
    "reset password please": [{"description": "reset password please", "agent": "alpha"}],
    "pay the invoice": [{"description": "pay the invoice", "agent": "beta"}],
    "weather tomorrow": [{"description": "weather tomorrow", "agent": None}],
    "deploy then pay": [
        {"description": "deploy", "agent": "gamma"},
        {"description": "pay", "agent": "beta"},
    ],
}


def responder(body: dict[str, Any]) -> Reply:
    request = body["messages"][-1]["content"]
    return completion(plan_json(*ANSWERS[request]), prompt_tokens=300, completion_tokens=40)


SURE = {"reset password please": "alpha", "pay the invoice": "beta"}


def sure_of_two(name: str, team: Any, cache_dir: Any = None) -> ScriptedPlanner:
    local = ScriptedPlanner(lambda text: plan_of((text, SURE.get(text))))
    local.name = "local"  # type: ignore[misc]
    return local


@pytest.mark.parametrize("planner", ["llm", "cascade"])
def test_eval_run_with_a_model_planner(
    planner: str, server: ScriptedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = tmp_path / "team.yaml"
    team.write_text(TEAM_YAML, encoding="utf-8")
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    server.responder = responder
    if planner == "cascade":  # a local stage sure of two rows; the model plans the others
        monkeypatch.setattr("ringmaster.evals.planners.make_planner", sure_of_two)
    monkeypatch.setenv("RINGMASTER_PLANNER_MODEL", "openai:gpt-4o-mini")
    monkeypatch.setenv("RINGMASTER_MODEL_BASE_URL", server.url)
    monkeypatch.setenv("RINGMASTER_MODEL_API_KEY", "test-key")
    monkeypatch.setenv("RINGMASTER_MODEL_MAX_RETRIES", "0")
    args = ["run", "--dataset", rows, "--team", team, "--planner", planner]
    args += ["--runs-dir", tmp_path / "runs", "--cache-dir", tmp_path / "cache", "--json"]
    result = CliRunner().invoke(eval_app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    metrics = doc["metrics"]
    saved = json.loads(Path(doc["run"]).read_text(encoding="utf-8"))
    flags = [r["planned_locally"] for r in saved["rows"]]
    if planner == "llm":
        assert len(server.requests) == len(ROWS)
        assert metrics["accuracy"] == 1.0
        assert metrics["model_calls_per_request"] == 1.0
        assert metrics["tokens_per_request"] == 340.0
        assert metrics["local_share"] is None and flags == [None] * len(ROWS)
    else:
        assert len(server.requests) <= len(ROWS)  # the local planner took what it was sure of
        # Each model request planned one row; the rest were planned locally, and say so.
        assert len(server.requests) == flags.count(False) == len(ROWS) - 2
        assert [r["text"] for r in saved["rows"] if r["planned_locally"]] == list(SURE)
        assert metrics["local_share"] == pytest.approx(2 / len(ROWS))
        assert metrics["accuracy"] == 1.0
        # Again from the response cache: no model call, the same share.
        sent = len(server.requests)
        again = CliRunner().invoke(eval_app, [str(a) for a in args])
        assert again.exit_code == 0, again.output
        assert len(server.requests) == sent
        assert json.loads(again.output)["metrics"]["local_share"] == metrics["local_share"]
    assert all(r["model"] == "gpt-4o-mini" for r in server.requests)


def test_eval_run_without_a_model_is_a_clear_error(tmp_path: Path) -> None:
    team = tmp_path / "team.yaml"
    team.write_text(TEAM_YAML, encoding="utf-8")
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps(ROWS[0]) + "\n", encoding="utf-8")
    args = ["run", "--dataset", rows, "--team", team, "--planner", "llm"]
    args += ["--runs-dir", tmp_path / "runs", "--cache-dir", tmp_path / "cache"]
    result = CliRunner(env={"RINGMASTER_PLANNER_MODEL": None}).invoke(
        eval_app, [str(a) for a in args]
    )
    assert result.exit_code == 2
    assert "RINGMASTER_PLANNER_MODEL" in result.output
