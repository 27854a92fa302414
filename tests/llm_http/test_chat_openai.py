"""The real `ChatOpenAI` against a scripted OpenAI-compatible server on 127.0.0.1.

Every path ends in a correct plan, a bounded retry, a fallback or a human: never a silent
success.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from ringmaster.agents.demo import load_demo_team
from ringmaster.agents.llm_runtime import LLMRuntime
from ringmaster.agents.models import ModelConfig, build_chat_model, load_model
from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.spec import Team, parse_team
from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.planner.cascade import CascadePlanner
from ringmaster.graph.planner.llm import PLAN_SCHEMA, LLMPlanner
from ringmaster.tools.base import Tool, ToolRegistry
from tests.fakes import Ledger, ScriptedPlanner, plan_of
from tests.llm_http.server import Reply, ScriptedServer, completion, plan_json, rate_limited


@pytest.fixture(scope="module")
def team() -> Team:
    return load_demo_team()


def config(server: ScriptedServer, **kw: Any) -> ModelConfig:
    values: dict[str, Any] = {
        "name": "openai:gpt-4o-mini",
        "base_url": server.url,
        "api_key": "test-key",
        "timeout": 2.0,
        "max_retries": 1,
    }
    values.update(kw)
    return ModelConfig(**values)


def local() -> ScriptedPlanner:
    p = ScriptedPlanner(plan_of(("the whole request", "support")))
    p.name = "local"  # type: ignore[misc]
    return p


TWO_PARTS = plan_json(
    {"description": "refund INV-1004", "agent": "billing"},
    {"description": "write a status update about it", "agent": "content", "depends_on": ["t1"]},
)


PLAN_SCHEMA_SENT = {k: v for k, v in PLAN_SCHEMA.items() if k != "title"}


def test_structured_output_plan(server: ScriptedServer, team: Team) -> None:
    server.script = [completion(TWO_PARTS, prompt_tokens=900, completion_tokens=80)]
    p = LLMPlanner(team, load_model(config(server)), fallback=local())
    plan = p.plan("Refund INV-1004, then write a status update about it.")
    assert plan.planner == "llm"
    assert [(s.agent, s.depends_on) for s in plan.subtasks] == [
        ("billing", []),
        ("content", ["t1"]),
    ]
    assert (p.model_calls, p.tokens) == (1, 980)
    (sent,) = server.requests
    assert sent["response_format"]["type"] == "json_schema"  # structured output, one call
    assert sent["response_format"]["json_schema"]["name"] == "plan"
    assert sent["response_format"]["json_schema"]["schema"] == PLAN_SCHEMA_SENT
    assert "billing:" in sent["messages"][0]["content"]


def test_429_is_retried_after_retry_after(server: ScriptedServer, team: Team) -> None:
    server.script = [rate_limited("0.3"), completion(TWO_PARTS)]
    p = LLMPlanner(team, load_model(config(server)), fallback=local())
    assert p.plan("refund and write").planner == "llm"
    assert len(server.requests) == 2
    assert server.times[1] - server.times[0] >= 0.3  # the SDK waited as the server asked
    assert p.model_calls == 1  # one logical call; the retry is the SDK's


def test_429_past_the_retries_falls_back(server: ScriptedServer, team: Team) -> None:
    server.script = [rate_limited("0.05"), rate_limited("0.05")]
    p = LLMPlanner(team, load_model(config(server, max_retries=1)), fallback=local())
    plan = p.plan("refund and write")
    assert len(server.requests) == 2  # bounded: 1 + max_retries
    assert plan.planner == "llm→local" and "model call failed" in plan.subtasks[0].rationale


def test_5xx_then_success(server: ScriptedServer, team: Team) -> None:
    server.script = [Reply({"error": {"message": "boom"}}, status=503), completion(TWO_PARTS)]
    p = LLMPlanner(team, load_model(config(server)), fallback=local())
    assert p.plan("refund and write").planner == "llm"
    assert len(server.requests) == 2


def test_timeout_is_retried_then_falls_back(server: ScriptedServer, team: Team) -> None:
    slow = completion(TWO_PARTS)
    slow.delay = 1.0
    server.script = [slow, Reply(slow.body, delay=1.0)]
    p = LLMPlanner(team, load_model(config(server, timeout=0.3, max_retries=1)), fallback=None)
    plan = p.plan("refund and write")
    assert len(server.requests) == 2
    assert plan.planner == "llm→human" and plan.subtasks[0].escalate


def test_timeout_then_answer(server: ScriptedServer, team: Team) -> None:
    # The first answer is held until the plan is made, so it times out however loaded the
    # machine; the retry's answer has the usual 2 s. (A 1 s delay against a 0.3 s timeout
    # left the retry 0.3 s to answer: a race with the machine's load.)
    held = threading.Event()
    server.script = [Reply(completion(TWO_PARTS).body, hold=held), completion(TWO_PARTS)]
    p = LLMPlanner(team, load_model(config(server, max_retries=1)))
    try:
        assert p.plan("refund and write").planner == "llm"
    finally:
        held.set()
    assert len(server.requests) == 2


def test_truncated_json_is_repaired_once(server: ScriptedServer, team: Team) -> None:
    server.script = [completion(TWO_PARTS[:60]), completion(TWO_PARTS)]
    p = LLMPlanner(team, load_model(config(server)), fallback=local())
    plan = p.plan("refund and write")
    assert plan.planner == "llm" and p.repairs == 1
    repair = server.requests[1]["messages"][-1]["content"]
    assert "not a valid plan" in repair


def test_unknown_agent_twice_falls_back_marked(server: ScriptedServer, team: Team) -> None:
    wizard = plan_json({"description": "refund INV-1004", "agent": "wizard"})
    server.script = [completion(wizard), completion(wizard)]
    p = LLMPlanner(team, load_model(config(server)), fallback=local())
    plan = p.plan("refund INV-1004")
    assert len(server.requests) == 2
    assert plan.planner == "llm→local"
    assert "unknown agent(s) wizard" in server.requests[1]["messages"][-1]["content"]


def test_fallback_model_answers_when_the_first_fails(server: ScriptedServer, team: Team) -> None:
    server.script = [Reply({"error": {"message": "bad"}}, status=500), completion(TWO_PARTS)]
    model = load_model(config(server, max_retries=0, fallbacks=["openai:gpt-4o"]))
    p = LLMPlanner(team, model, fallback=local())
    assert p.plan("refund and write").planner == "llm"
    assert [r["model"] for r in server.requests] == ["gpt-4o-mini", "gpt-4o"]


def test_cascade_skips_the_server_when_local_is_sure(server: ScriptedServer, team: Team) -> None:
    sure = local()
    cascade = CascadePlanner(sure, LLMPlanner(team, load_model(config(server))), min_margin=0.0)
    plan = cascade.plan("Where is my ticket TCK-1001")
    assert plan.planner == "cascade:local" and server.requests == []
    server.script = [completion(TWO_PARTS)]
    plan = cascade.plan("Refund INV-1004. Then write a status update about it.")
    assert plan.planner == "cascade:llm" and len(server.requests) == 1
    assert cascade.local_share == 0.5


def test_llm_agent_tool_calls_through_chat_openai(
    server: ScriptedServer, tmp_path: Path, make_run: Any
) -> None:
    ledger = Ledger(tmp_path / "ledger.db")
    tools = ToolRegistry()
    tools.register(ledger.tool())
    tools.register(Tool("price", "the price of an item", lambda item: {"item": item, "price": 50}))
    team = parse_team(
        "agents:\n  - name: payer\n    description: pays\n    tools: [price, record]\n"
        "    runtime: {kind: llm}\n"
    )
    model = build_chat_model(config(server))
    registry = AgentRegistry.build(team, tools, llm_runtime=lambda s: LLMRuntime(s, model))
    deps = GraphDeps(registry=registry, planner=ScriptedPlanner(plan_of(("pay", "payer"))))
    server.script = [
        completion(tool_calls=[{"name": "price", "args": {"item": "widget"}}]),
        completion(tool_calls=[{"name": "record", "args": {"amount": 50, "note": "widget"}}]),
        completion("Recorded 50."),
    ]
    run = make_run(deps)
    run.start()
    (intr,) = run.interrupts()
    assert intr.value["action_requests"][0]["name"] == "record"
    assert ledger.rows() == []
    result = run.decide(intr, {"type": "approve"})
    assert result["results"]["t1"]["status"] == "done"
    assert [r[1] for r in ledger.rows()] == [50]
    assert len(server.requests) == 3
    assert {t["function"]["name"] for t in server.requests[0]["tools"]} == {"price", "record"}
    tool_reply = server.requests[1]["messages"][-1]
    assert tool_reply["role"] == "tool" and '"price": 50' in tool_reply["content"]
