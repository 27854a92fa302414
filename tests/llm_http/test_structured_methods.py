"""The LLM planner's structured-output method is a setting, each method sends what it says to
a real OpenAI-compatible server, and the repair turn alternates roles."""

from __future__ import annotations

import json

import pytest

from ringmaster.agents.demo import load_demo_team
from ringmaster.agents.models import load_model
from ringmaster.agents.spec import Team
from ringmaster.graph.planner.llm import LLMPlanner
from ringmaster.models import make_planner
from ringmaster.settings import Settings
from tests.llm_http.server import ScriptedServer, completion
from tests.llm_http.test_chat_openai import TWO_PARTS, config, local


@pytest.fixture(scope="module")
def team() -> Team:
    return load_demo_team()


def test_json_mode_asks_for_a_json_object_and_spells_out_the_schema(
    server: ScriptedServer, team: Team
) -> None:
    server.script = [completion(TWO_PARTS)]
    p = LLMPlanner(team, load_model(config(server)), structured_method="json_mode")
    plan = p.plan("Refund INV-1004, then write a status update about it.")
    assert plan.planner == "llm" and [s.agent for s in plan.subtasks] == ["billing", "content"]
    (sent,) = server.requests
    assert sent["response_format"] == {"type": "json_object"}
    assert "tools" not in sent
    assert '"parts"' in sent["messages"][0]["content"]  # the schema, in the system message


def test_function_calling_asks_for_a_tool_call(server: ScriptedServer, team: Team) -> None:
    call = {"name": "plan", "args": json.loads(TWO_PARTS)}
    server.script = [completion(tool_calls=[call])]
    p = LLMPlanner(team, load_model(config(server)), structured_method="function_calling")
    plan = p.plan("Refund INV-1004, then write a status update about it.")
    assert plan.planner == "llm" and len(plan.subtasks) == 2
    (sent,) = server.requests
    assert "response_format" not in sent
    assert [t["function"]["name"] for t in sent["tools"]] == ["plan"]


def test_the_repair_turn_alternates_roles(server: ScriptedServer, team: Team) -> None:
    server.script = [completion(TWO_PARTS[:60]), completion(TWO_PARTS)]
    p = LLMPlanner(team, load_model(config(server)), fallback=local())
    assert p.plan("refund and write").planner == "llm" and p.repairs == 1
    roles = [m["role"] for m in server.requests[1]["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    assert server.requests[1]["messages"][2]["content"] == TWO_PARTS[:60]


def test_the_method_is_a_setting(tmp_path: object, team: Team) -> None:
    settings = Settings(
        home=tmp_path,
        planner="llm",
        planner_model="openai:gpt-4o-mini",
        model_api_key="k",
        planner_structured_output="json_mode",
    )
    planner = make_planner(settings, team, local=local())
    assert isinstance(planner, LLMPlanner) and planner.structured_method == "json_mode"
    with pytest.raises(ValueError, match="json_mode"):
        LLMPlanner(team, object(), structured_method="xml")  # type: ignore[arg-type]
