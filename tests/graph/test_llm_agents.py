"""LLM agents in the graph with a scripted chat model: approvals, limits, budgets, the judge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage, ToolMessage

from ringmaster.agents.judge import LLMJudge
from ringmaster.agents.llm_runtime import LLMRuntime
from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.runtime import AgentTask
from ringmaster.agents.spec import parse_team
from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.planner.llm import LLMPlanner
from ringmaster.graph.usage import Budget, UsageMeter
from ringmaster.tools.base import Tool, ToolBox, ToolRegistry
from ringmaster.tools.errors import ToolArgumentError
from tests.fakes import Ledger, ScriptedPlanner, plan_of
from tests.fakes_llm import ScriptedChatModel, plan_answer, tool_call

TEAM = """
name: llm
agents:
  - name: payer
    description: records payments
    tools: [price, record]
    runtime: {kind: llm}
    max_attempts: 2
  - name: pricer
    description: looks up prices
    tools: [price]
    runtime: {kind: llm}
  - name: judged
    description: answers carefully
    tools: []
    judge: the answer names a price
    runtime: {kind: llm}
"""


def price(item: str) -> dict[str, Any]:
    if not item.strip():
        raise ToolArgumentError("name the item")
    return {"item": item, "price": 50}


def setup(
    tmp: Path,
    answers: list[Any],
    planner: Any = None,
    judge: LLMJudge | None = None,
    answer_direct: bool = False,
) -> tuple[GraphDeps, Ledger, ScriptedChatModel]:
    ledger = Ledger(tmp / "ledger.db")  # record needs approval above 10
    tools = ToolRegistry()
    tools.register(ledger.tool())
    tools.register(Tool("price", "the price of an item", price, answer_direct=answer_direct))
    model = ScriptedChatModel(answers=answers)
    team = parse_team(TEAM)
    registry = AgentRegistry.build(team, tools, llm_runtime=lambda spec: LLMRuntime(spec, model))
    planner = planner or ScriptedPlanner(plan_of(("pay 50 for a widget", "payer")))
    return GraphDeps(registry=registry, planner=planner, judge=judge), ledger, model


PAY = [
    tool_call("price", {"item": "widget"}),
    tool_call("record", {"amount": 50, "note": "widget"}),
    "Recorded 50 for the widget.",
]


def test_side_effect_is_gated_by_hitl_middleware_and_runs_once(
    tmp_path: Path, make_run: Any
) -> None:
    deps, ledger, model = setup(tmp_path, PAY)
    run = make_run(deps)
    run.start()
    (intr,) = run.interrupts()
    # HumanInTheLoopMiddleware's own request, raised inside the agent before the call is made.
    assert intr.value["action_requests"][0]["name"] == "record"
    assert intr.value["action_requests"][0]["args"] == {"amount": 50, "note": "widget"}
    assert model.calls == 2 and ledger.rows() == []
    result = run.decide(intr, {"type": "approve"})
    r = result["results"]["t1"]
    assert r["status"] == "done" and r["actions"][0]["status"] == "executed"
    assert r["actions"][0]["idempotency_key"] == "t-1:1:t1:0:record"
    assert ledger.rows() == [("t-1:1:t1:0:record", 50, "widget")]
    assert model.calls == 3  # resumed where it stopped: no model call was repeated
    assert run.interrupts() == []  # approved in the agent: the graph does not ask again


def test_an_approval_in_an_agent_says_why_and_for_which_subtask(
    tmp_path: Path, make_run: Any
) -> None:
    deps, _, _ = setup(tmp_path, PAY)
    run = make_run(deps)
    run.start()
    (intr,) = run.interrupts()
    text = intr.value["action_requests"][0]["description"]
    # The tool's approval rule on these arguments, not LangChain's fixed text.
    assert "record needs approval: amount over 10" in text
    assert "Tool execution requires approval" not in text
    assert "Subtask t1: pay 50 for a widget" in text
    assert "Requested by tester" in text


def test_rejected_call_never_runs(tmp_path: Path, make_run: Any) -> None:
    answers = [*PAY[:2], "I did not record it: the reviewer said no."]
    deps, ledger, model = setup(tmp_path, answers)
    run = make_run(deps)
    run.start()
    (intr,) = run.interrupts()
    result = run.decide(intr, {"type": "reject", "message": "wrong amount"})
    r = result["results"]["t1"]
    assert r["status"] == "done" and r["actions"] == []
    assert "wrong amount" in str(model.prompts[-1][-1].content)  # the model was told why
    assert ledger.rows() == []


def test_small_side_effect_needs_no_approval(tmp_path: Path, make_run: Any) -> None:
    answers = [tool_call("record", {"amount": 5, "note": "tip"}), "Recorded 5."]
    deps, ledger, _ = setup(tmp_path, answers)
    result = make_run(deps).start()
    assert result["results"]["t1"]["status"] == "done"
    assert [r[1] for r in ledger.rows()] == [5]


def test_model_call_limit_is_a_failed_attempt_not_an_answer(tmp_path: Path, make_run: Any) -> None:
    looping = tool_call("price", {"item": "widget"})
    deps, ledger, model = setup(tmp_path, [looping], planner=None)
    model.repeat_last = True
    run = make_run(deps)
    run.start()
    (intr,) = run.interrupts()
    ctx = intr.value["context"]
    assert ctx["kind"] == "validation_failed"
    assert [a["agent"] for a in ctx["prior_attempts"]] == ["payer", "payer"]
    assert "limit" in ctx["prior_attempts"][0]["problems"][0].lower()
    assert model.calls == 2 * 6  # max_model_calls per attempt, max_attempts attempts


def test_answer_direct_tool_ends_the_agent_with_its_result(tmp_path: Path, make_run: Any) -> None:
    deps, _, model = setup(
        tmp_path,
        [tool_call("price", {"item": "widget"})],
        planner=ScriptedPlanner(plan_of(("price of a widget", "pricer"))),
        answer_direct=True,
    )
    result = make_run(deps).start()
    r = result["results"]["t1"]
    assert r["status"] == "done" and r["output"]["result"] == {"item": "widget", "price": 50}
    assert model.calls == 1


def test_budget_stops_the_run_and_escalates_without_spending(tmp_path: Path, make_run: Any) -> None:
    team_planner_model = ScriptedChatModel(
        answers=[plan_answer({"description": "pay 50 for a widget", "agent": "payer"})]
    )
    deps, ledger, agent_model = setup(tmp_path, PAY)
    planner = LLMPlanner(deps.registry.team, team_planner_model)
    deps = GraphDeps(registry=deps.registry, planner=planner)
    meter = UsageMeter(Budget(max_calls=2))
    run = make_run(deps)
    run.config["callbacks"] = [meter]
    run.start()
    assert team_planner_model.calls == 1 and agent_model.calls == 1  # the second agent call refused
    (intr,) = run.interrupts()
    ctx = intr.value["context"]
    assert ctx["kind"] == "validation_failed" and "budget" in ctx["blocker"]
    assert len(ctx["prior_attempts"]) == 1  # no retry, no fallback
    snap = meter.snapshot()
    assert snap["model_calls"] == 2 and snap["refused_calls"] == 1
    assert snap["per_node"]["plan"]["calls"] == 1 and snap["per_node"]["agent"]["calls"] == 1
    assert snap["tokens"] > 0 and ledger.rows() == []


def test_a_spent_budget_still_records_its_validation_event(tmp_path: Path, make_run: Any) -> None:
    deps, _, _ = setup(tmp_path, PAY)
    run = make_run(deps)
    run.config["callbacks"] = [UsageMeter(Budget(max_calls=1))]  # the agent's second call refused
    payload = {"request": "pay", "requester": {"id": "tester"}, "turn": 1, "results": None}
    chunks = run.app.stream(
        payload, run.config, stream_mode="custom", subgraphs=True, durability="sync"
    )
    (validation,) = [e for _, e in chunks if e["event"] == "validation"]  # what the audit keeps
    assert validation["ok"] is False and validation["agent"] == "payer"
    assert "budget" in validation["problems"][0]
    (intr,) = run.interrupts()
    assert intr.value["context"]["kind"] == "validation_failed"


def test_budget_before_planning_sends_the_request_to_a_human(tmp_path: Path, make_run: Any) -> None:
    model = ScriptedChatModel(answers=[])
    deps, _, _ = setup(tmp_path, [])
    deps = GraphDeps(registry=deps.registry, planner=LLMPlanner(deps.registry.team, model))
    run = make_run(deps)
    run.config["callbacks"] = [UsageMeter(Budget(max_tokens=0))]
    run.start()
    assert model.calls == 0
    (intr,) = run.interrupts()
    assert intr.value["context"]["kind"] == "routing"
    assert "budget" in intr.value["context"]["blocker"]


def test_judge_verdict_is_in_the_state_and_a_fail_is_retried(tmp_path: Path, make_run: Any) -> None:
    judge_model = ScriptedChatModel(
        answers=[
            tool_call("Verdict", {"verdict": "fail", "reason": "no price given"}),
            tool_call("Verdict", {"verdict": "pass", "reason": "names 50"}),
        ]
    )
    deps, _, model = setup(
        tmp_path,
        ["It costs something.", "It costs 50."],
        planner=ScriptedPlanner(plan_of(("what does a widget cost", "judged"))),
        judge=LLMJudge(judge_model),
    )
    run = make_run(deps)
    result = run.start()
    assert result["results"]["t1"]["status"] == "done"
    assert "Your previous answer was rejected: judge: no price given" in str(
        model.prompts[1][-1].content
    )
    assert judge_model.calls == 2


def _pricer(tmp: Path, answers: list[Any], **spec: Any) -> tuple[LLMRuntime, ToolBox]:
    deps, _, model = setup(tmp, answers)
    agent = next(a for a in deps.registry.team.agents if a.name == "pricer")
    agent = agent.model_copy(update=spec)
    box = ToolBox(deps.registry.tools, frozenset(agent.tools), frozenset())
    return LLMRuntime(agent, model), box


def _task() -> AgentTask:
    return AgentTask("th", "t1", "the price of a widget", "a price")


def test_after_its_tool_rounds_the_agent_answers_without_tool_schemas(tmp_path: Path) -> None:
    answers = [tool_call("price", {"item": "widget"}), "A widget costs 50."]
    runtime, box = _pricer(tmp_path, answers, tool_rounds=1)
    out = runtime.run(_task(), box)
    assert out.output == {"summary": "A widget costs 50."}
    model = runtime.model
    assert [len(t) for t in model.tools] == [1, 0]  # the schema only where it can be used
    # No tool call or result left in a request without tools: the round is written as text.
    (task,) = model.prompts[1][1:]
    assert isinstance(task, HumanMessage)
    assert task.content == 'the price of a widget\nprice returned: {"item": "widget", "price": 50}'


def test_by_default_an_agent_has_one_tool_round_per_tool(tmp_path: Path) -> None:
    runtime, box = _pricer(tmp_path, [tool_call("price", {"item": "widget"}), "It costs 50."])
    assert runtime.run(_task(), box).output == {"summary": "It costs 50."}
    assert [len(t) for t in runtime.model.tools] == [1, 0]  # one tool: one round
    deps, _, model = setup(
        tmp_path, [*PAY[:1], tool_call("record", {"amount": 5, "note": "tip"}), "Recorded 5."]
    )
    payer = deps.registry.team.agent("payer")
    box = ToolBox(deps.registry.tools, frozenset(payer.tools), frozenset())
    LLMRuntime(payer, model).run(_task(), box)
    assert [len(t) for t in model.tools] == [2, 2, 0]  # two tools: a chain of two rounds


def test_the_last_allowed_call_goes_without_tools(tmp_path: Path) -> None:
    answers = [tool_call("price", {"item": "a"}), tool_call("price", {"item": "b"}), "50 each."]
    runtime, box = _pricer(tmp_path, answers, max_model_calls=3, tool_rounds=5)
    assert runtime.run(_task(), box).output == {"summary": "50 each."}
    assert [len(t) for t in runtime.model.tools] == [1, 1, 0]
    assert "price returned" in str(runtime.model.prompts[2][-1].content)


def test_a_failed_tool_round_does_not_count(tmp_path: Path) -> None:
    answers = [
        tool_call("price", {"item": " "}, "c1"),  # the tool refuses it
        tool_call("price", {"thing": "widget"}, "c2"),  # bad arguments
        tool_call("price", {"item": "widget"}, "c3"),
        "It costs 50.",
    ]
    runtime, box = _pricer(tmp_path, answers)
    assert runtime.run(_task(), box).output == {"summary": "It costs 50."}
    model = runtime.model
    assert [len(t) for t in model.tools] == [1, 1, 1, 0]  # the model could correct its calls
    refused = model.prompts[1][-1]
    assert isinstance(refused, ToolMessage) and refused.status == "error"
    assert refused.content == "error: name the item"
    assert isinstance(model.prompts[2][-1], ToolMessage) and model.prompts[2][-1].status == "error"


def test_the_call_limit_adds_no_graph_steps(tmp_path: Path) -> None:
    # LangChain's ModelCallLimitMiddleware counts in before_model/after_model nodes: two graph
    # steps around every model call. Counted in wrap_model_call, the loop is model and tools.
    runtime, box = _pricer(tmp_path, [tool_call("price", {"item": "widget"}), "It costs 50."])
    agent = runtime.build(box)
    assert set(agent.nodes) == {"__start__", "model", "tools"}
    from ringmaster.agents.llm_runtime import AgentContext

    task = {"messages": [HumanMessage("a widget?")]}
    steps = list(agent.stream(task, context=AgentContext(box)))
    assert [next(iter(s)) for s in steps] == ["model", "tools", "model"]


def test_the_call_limit_counts_the_attempts_calls_from_its_task() -> None:
    from langchain_core.messages import AIMessage

    from ringmaster.agents.llm_runtime import model_calls_made

    earlier = [HumanMessage("an earlier task"), AIMessage("done")]
    call = AIMessage("", tool_calls=[{"name": "price", "args": {}, "id": "c1"}])
    result = ToolMessage("50", tool_call_id="c1")
    assert model_calls_made([*earlier, HumanMessage("the task")]) == 0
    assert model_calls_made([*earlier, HumanMessage("the task"), call, result]) == 1
    assert model_calls_made([HumanMessage("t"), call, result, call, result]) == 2
