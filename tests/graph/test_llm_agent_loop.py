"""An LLM agent's plain loop sends the model what the compiled `create_agent` graph sends.

`LLMRuntime.run` runs the model/tool loop inside the agent node; the compiled agent takes over
at an approval, on a resumed run and for an output schema of the agent's own. Both must be the
same agent: the same prompts, tool schemas, tool results and answer for the same model answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.runnables import RunnableLambda

from ringmaster.agents.llm_runtime import LLMRuntime, task_prompt
from ringmaster.agents.runtime import AgentTask
from ringmaster.agents.spec import parse_team
from ringmaster.tools.base import Tool, ToolBox, ToolRegistry
from ringmaster.tools.errors import ToolArgumentError
from tests.fakes import Ledger
from tests.fakes_llm import ScriptedChatModel, tool_call

TEAM = """
name: loop
agents:
  - name: payer
    description: records payments
    tools: [price, record, quote]
    runtime: {kind: llm}
"""


def price(item: str) -> dict[str, Any]:
    if not item.strip():
        raise ToolArgumentError("name the item")
    return {"item": item, "price": 50}


def quote(item: str) -> dict[str, Any]:
    return {"item": item, "quote": 45}


def runtime_and_box(
    tmp: Path, answers: list[Any], **spec: Any
) -> tuple[LLMRuntime, ToolBox, ScriptedChatModel]:
    tmp.mkdir(parents=True, exist_ok=True)
    tools = ToolRegistry()
    tools.register(Ledger(tmp / "ledger.db").tool())  # record: a side effect, approval above 10
    tools.register(Tool("price", "the price of an item", price))
    tools.register(Tool("quote", "a quote for an item", quote, answer_direct=True))
    agent = parse_team(TEAM).agent("payer").model_copy(update=spec)
    model = ScriptedChatModel(answers=answers)
    box = ToolBox(tools, frozenset(agent.tools), frozenset())
    return LLMRuntime(agent, model), box, model


TASK = AgentTask("th", "t1", "pay for a widget", "a payment")


def seen(message: BaseMessage) -> tuple[Any, ...]:
    """What a model is sent of a message (ids LangChain makes up aside)."""
    return (
        type(message).__name__,
        message.content,
        getattr(message, "name", None),
        [(c["name"], c["args"], c["id"]) for c in getattr(message, "tool_calls", [])],
        getattr(message, "tool_call_id", None),
        getattr(message, "status", None),
    )


SCRIPTS = {
    "a tool round, then the answer": [tool_call("price", {"item": "widget"}), "It is 50."],
    "failed rounds do not count": [
        tool_call("price", {"item": " "}, "c1"),  # the tool refuses it
        tool_call("price", {"thing": "widget"}, "c2"),  # bad arguments
        tool_call("nothing", {}, "c3"),  # no such tool
        tool_call("price", {"item": "widget"}, "c4"),
        tool_call("record", {"amount": 5, "note": "widget"}, "c5"),  # proposed, no approval
        "Recorded 5.",
    ],
    "two calls in one round": [
        AIMessage(
            "",
            tool_calls=[
                {"name": "price", "args": {"item": "a"}, "id": "p1", "type": "tool_call"},
                {"name": "record", "args": {"amount": 3, "note": "a"}, "id": "r1"},
            ],
        ),
        "Done.",
    ],
    "a malformed call is answered with an error": [
        AIMessage(
            "",
            tool_calls=[{"name": "price", "args": {"item": "a"}, "id": "ok", "type": "tool_call"}],
            invalid_tool_calls=[
                {"name": "price", "args": "{item", "id": "bad", "error": "bad JSON"}
            ],
        ),
        "It is 50.",
    ],
    "an answer_direct tool ends it": [tool_call("quote", {"item": "widget"})],
    "the last allowed call goes without tools": [
        tool_call("price", {"item": "a"}, "a1"),
        tool_call("price", {"item": "b"}, "b1"),
        "50 each.",
    ],
}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_the_plain_loop_sends_what_the_compiled_agent_sends(tmp_path: Path, name: str) -> None:
    spec = {"max_model_calls": 3, "tool_rounds": 5} if "last" in name else {}
    loop, loop_box, loop_model = runtime_and_box(tmp_path / "loop", SCRIPTS[name], **spec)
    graph, graph_box, graph_model = runtime_and_box(tmp_path / "graph", SCRIPTS[name], **spec)
    out = loop.run(TASK, loop_box)
    assert loop._agents == {}  # the plain loop ran: no compiled agent was built for it
    expected = graph._run_compiled(TASK, graph_box, [HumanMessage(task_prompt(TASK))])
    assert out == expected
    assert loop_model.calls == graph_model.calls
    assert [[seen(m) for m in p] for p in loop_model.prompts] == [
        [seen(m) for m in p] for p in graph_model.prompts
    ]
    assert loop_model.tools == graph_model.tools
    assert loop_box.proposals == graph_box.proposals


def test_the_call_limit_is_the_same_error(tmp_path: Path) -> None:
    from langchain.agents.middleware.model_call_limit import ModelCallLimitExceededError

    runtime, box, model = runtime_and_box(
        tmp_path, [tool_call("price", {"item": "a"})], max_model_calls=2
    )
    model.repeat_last = True
    with pytest.raises(ModelCallLimitExceededError):
        runtime.run(TASK, box)
    assert model.calls == 2 and runtime._agents == {}


def test_a_failing_model_falls_back(tmp_path: Path) -> None:
    runtime, box, primary = runtime_and_box(tmp_path, [RuntimeError("down"), RuntimeError("x")])
    fallback = ScriptedChatModel(answers=[tool_call("price", {"item": "a"}), "It is 50."])
    runtime.fallbacks = [fallback]
    assert runtime.run(TASK, box).output == {"summary": "It is 50."}
    assert primary.calls == 2 and fallback.calls == 2 and runtime._agents == {}
    assert len(fallback.tools[0]) == 3  # the fallback is sent the same tools


class Runs(BaseCallbackHandler):
    """Every run a tracer would see: its kind, name and parent."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, str, UUID, UUID | None]] = []

    def on_chain_start(self, serialized: Any, inputs: Any, **kw: Any) -> None:
        self.runs.append(("chain", kw.get("name") or "", kw["run_id"], kw.get("parent_run_id")))

    def on_chat_model_start(self, serialized: Any, messages: Any, **kw: Any) -> None:
        self.runs.append(("model", "", kw["run_id"], kw.get("parent_run_id")))

    def on_tool_start(self, serialized: Any, input_str: str, **kw: Any) -> None:
        self.runs.append(("tool", kw.get("name") or "", kw["run_id"], kw.get("parent_run_id")))


def test_the_loop_is_traced_as_a_run_named_after_the_agent(tmp_path: Path) -> None:
    runtime, box, _ = runtime_and_box(tmp_path, SCRIPTS["a tool round, then the answer"])
    runs = Runs()
    RunnableLambda(lambda _: runtime.run(TASK, box), name="node").invoke(
        None, {"callbacks": [runs]}
    )
    (agent,) = [r for r in runs.runs if r[:2] == ("chain", "payer")]
    inside = [(kind, name) for kind, name, _, parent in runs.runs if parent == agent[2]]
    assert inside == [("model", ""), ("tool", "price"), ("model", "")]


def test_an_agent_with_its_own_output_schema_answers_in_it(tmp_path: Path) -> None:
    schema = {"type": "object", "required": ["summary", "price"]}
    answer = tool_call("payer_answer", {"summary": "It is 50.", "price": 50})
    runtime, box, model = runtime_and_box(
        tmp_path, [tool_call("price", {"item": "a"}), answer], output_schema=schema
    )
    assert runtime.run(TASK, box).output == {"summary": "It is 50.", "price": 50}
    assert "payer_answer" in {t["function"]["name"] for t in model.tools[0]}
