"""An LLM agent's message loop is checkpointed only where it stops, and shared safely.

The loop proposes side effects and never runs them, so it is stored only at an interrupt (to
resume there) or an error; a crash mid-loop re-runs the loop and still runs nothing twice.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from ringmaster.agents.llm_runtime import LLMRuntime
from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.spec import parse_team
from ringmaster.graph.deps import GraphDeps
from ringmaster.tools.base import Tool, ToolRegistry
from tests.fakes import Ledger, ScriptedPlanner, plan_of
from tests.fakes_llm import ScriptedChatModel, tool_call

REPO = Path(__file__).resolve().parents[2]

TEAM = """
name: llm
agents:
  - name: payer
    description: records payments
    tools: [price, record]
    runtime: {kind: llm}
"""


def price(item: str) -> dict[str, Any]:
    return {"item": item, "price": 50}


def setup(tmp: Path, answers: list[Any], *parts: str) -> tuple[GraphDeps, Ledger, Any]:
    ledger = Ledger(tmp / "ledger.db")  # record needs approval above 10
    tools = ToolRegistry()
    tools.register(ledger.tool())
    price_tool = Tool("price", "the price of an item", price, scopes=frozenset({"prices"}))
    tools.register(price_tool)
    model = ScriptedChatModel(answers=answers)
    registry = AgentRegistry.build(
        parse_team(TEAM), tools, llm_runtime=lambda spec: LLMRuntime(spec, model)
    )
    plan = plan_of(*((p, "payer") for p in parts or ("pay 50 for a widget",)))
    return GraphDeps(registry=registry, planner=ScriptedPlanner(plan)), ledger, model


def loop_checkpoints(saver: Any, thread: str = "t-1") -> int:
    """Checkpoints of agents' message loops: the namespace inside a work graph's agent node."""
    (count,) = saver.conn.execute(
        "SELECT COUNT(*) FROM checkpoints WHERE thread_id = ? AND checkpoint_ns LIKE '%|%'",
        (thread,),
    ).fetchone()
    return int(count)


def test_a_finished_loop_leaves_no_checkpoints(
    tmp_path: Path, make_run: Any, checkpointer: Any
) -> None:
    answers = [tool_call("record", {"amount": 5, "note": "tip"}), "Recorded 5."]
    deps, ledger, model = setup(tmp_path, answers)
    result = make_run(deps).start()
    assert result["results"]["t1"]["status"] == "done"
    assert [r[1] for r in ledger.rows()] == [5] and model.calls == 2
    assert loop_checkpoints(checkpointer) == 0


def test_a_loop_stopped_for_approval_is_stored_once_and_resumes_there(
    tmp_path: Path, make_run: Any, checkpointer: Any
) -> None:
    answers = [tool_call("record", {"amount": 50, "note": "widget"}), "Recorded 50."]
    deps, ledger, model = setup(tmp_path, answers)
    run = make_run(deps)
    run.start()
    (intr,) = run.interrupts()
    assert intr.value["action_requests"][0]["name"] == "record"
    assert loop_checkpoints(checkpointer) == 1  # where it stopped, not each step before
    result = run.decide(intr, {"type": "approve"})
    assert result["results"]["t1"]["actions"][0]["status"] == "executed"
    assert [r[1] for r in ledger.rows()] == [50]
    assert model.calls == 2  # resumed at the approval: no model call repeated
    assert loop_checkpoints(checkpointer) == 1


def start_and_die(tmp: str) -> None:
    """In a child process: run until the agent has proposed its call, then die at once."""
    from ringmaster.graph.build import build_graph
    from ringmaster.graph.checkpoint import open_checkpointer

    def die(messages: list[BaseMessage]) -> AIMessage:
        os._exit(DIED)  # no exit handler runs, as when the worker is killed

    deps, _, _ = setup(Path(tmp), [tool_call("record", {"amount": 5, "note": "tip"}), die])
    with open_checkpointer(f"sqlite:///{Path(tmp) / 'cp.db'}") as saver:
        app = build_graph(deps, saver)
        app.invoke(start_payload(), {"configurable": {"thread_id": "t-1"}}, durability="sync")


DIED = 17


def start_payload() -> dict[str, Any]:
    return {"request": "pay", "requester": {"id": "tester", "scopes": []}, "turn": 1}


def test_a_crash_mid_loop_reruns_the_loop_and_runs_nothing_twice(tmp_path: Path) -> None:
    from ringmaster.graph.build import build_graph
    from ringmaster.graph.checkpoint import open_checkpointer

    code = f"from {__name__} import start_and_die; start_and_die({str(tmp_path)!r})"
    child = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, timeout=120)
    assert child.returncode == DIED, child.stderr.decode()[-2000:]

    # A new process: the same tools and a model that answers from the start again.
    record = tool_call("record", {"amount": 5, "note": "tip"})
    deps, ledger, model = setup(tmp_path, [record, "Recorded 5."])
    assert ledger.rows() == []  # proposed, never run
    with open_checkpointer(f"sqlite:///{tmp_path / 'cp.db'}") as saver:
        assert loop_checkpoints(saver) == 0  # the half-done loop was not stored
        app = build_graph(deps, saver)
        result = app.invoke(None, {"configurable": {"thread_id": "t-1"}}, durability="sync")
    r = result["results"]["t1"]
    # The summary says what ran (issue 12); the model's own words are kept as its proposal.
    assert r["status"] == "done" and r["summary"].startswith("ran record(amount=5.00, note=tip)")
    assert r["output"]["proposal"].startswith("Recorded 5.")
    assert [a["status"] for a in r["actions"]] == ["executed"]
    assert [row[1] for row in ledger.rows()] == [5]  # once
    assert model.calls == 2  # the loop ran again from its start: the task, then the answer
    assert [type(m) for m in model.prompts[0]] == [SystemMessage, HumanMessage]


def pay_what_the_task_says(messages: list[BaseMessage]) -> AIMessage:
    task = next(m for m in messages if isinstance(m, HumanMessage))
    if isinstance(messages[-1], ToolMessage) or "record returned:" in str(task.content):
        return AIMessage("Done.")  # its tool round given back (as text, once rounds are over)
    amount = int(re.findall(r"\d+", str(task.content))[0])
    return tool_call("record", {"amount": amount, "note": str(task.content)})


def test_parallel_subtasks_share_the_agent_but_not_their_tool_boxes(
    tmp_path: Path, make_run: Any
) -> None:
    parts = ("pay 3 for tea", "pay 7 for cake", "pay 9 for jam")
    deps, ledger, model = setup(tmp_path, [pay_what_the_task_says], *parts)
    model.repeat_last = True
    result = make_run(deps).start()
    for i, part in enumerate(parts, start=1):
        (action,) = result["results"][f"t{i}"]["actions"]
        assert action["args"]["note"] == part and action["status"] == "executed"
    assert sorted(r[1] for r in ledger.rows()) == [3, 7, 9]
    runtime = deps.registry.runtime("payer")
    assert isinstance(runtime, LLMRuntime)
    # One compiled agent for the three subtasks; a requester who may not see prices gets
    # another, without the price tool.
    no_prices = deps.registry.toolbox("payer", ())
    with_prices = deps.registry.toolbox("payer", ("prices",))
    assert runtime.build(no_prices) is runtime.build(deps.registry.toolbox("payer", ()))
    assert runtime.build(with_prices) is not runtime.build(no_prices)
    assert set(runtime.build(with_prices).nodes["tools"].bound.tools_by_name) == {
        "price",
        "record",
    }
    assert set(runtime.build(no_prices).nodes["tools"].bound.tools_by_name) == {"record"}
