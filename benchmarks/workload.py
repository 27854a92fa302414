"""The work both sides of the benchmarks do, the same on each side.

One three-part request; three specialists, each owning one read-only look-up tool; the scripted
answers (the plan, each specialist's tool call and final text, create_supervisor's handoffs);
the specialists as each system runs them (ringmaster's team, Python agents, the
`create_react_agent` agents `create_supervisor` gets); and the checks of a final state, so a
system that stopped doing the work cannot look fast.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool, StructuredTool

from benchmarks.scripted import Latency, Script, ScriptedChatModel
from ringmaster.agents.runtime import AgentOutput, AgentTask
from ringmaster.agents.spec import Team, parse_team
from ringmaster.graph.planner.base import Planner
from ringmaster.graph.planner.llm import PLAN_TOOL
from ringmaster.tools.base import Tool, ToolBox, ToolRegistry

REPO = Path(__file__).resolve().parents[1]
DEMO_TEAM = REPO / "agents" / "demo" / "team.yaml"

REQUEST = (
    "What is the status of ticket TCK-1001? Also, has invoice INV-1001 been paid? "
    "And is the api service healthy?"
)

# -- the three specialists and their look-up tools --------------------------------------------

TICKETS = {"TCK-1001": {"id": "TCK-1001", "status": "open", "priority": "high"}}
INVOICES = {"INV-1001": {"id": "INV-1001", "amount": "120.00", "status": "paid"}}
SERVICES = {"api": {"service": "api", "status": "degraded", "error_rate": 0.021}}


def get_ticket(ticket_id: str) -> dict[str, Any]:
    """A support ticket by id."""
    return dict(TICKETS[ticket_id])


def get_invoice(invoice_id: str) -> dict[str, Any]:
    """An invoice by id."""
    return dict(INVOICES[invoice_id])


def service_health(service: str) -> dict[str, Any]:
    """A service's current health."""
    return dict(SERVICES[service])


@dataclass(frozen=True)
class Specialist:
    """One agent: its single read-only tool, and how it finds the tool's argument in text."""

    name: str
    description: str
    tool: Callable[..., dict[str, Any]]
    arg: str
    pattern: str  # the argument, found in the task or the conversation
    part: str  # its part of REQUEST, as a planner would cut it

    @property
    def tool_name(self) -> str:
        return self.tool.__name__

    def find_arg(self, text: str) -> str:
        match = re.search(self.pattern, text)
        if match is None:
            raise LookupError(f"{self.name}: no {self.arg} in {text!r}")
        return match.group(1)

    def answer(self, record: Any) -> str:
        """The agent's final text, the same on both sides."""
        return f"{self.name}: {self.tool_name} -> {json.dumps(record, sort_keys=True)}"


SPECIALISTS = (
    Specialist(
        "support",
        "Customer support: tickets.",
        get_ticket,
        "ticket_id",
        r"\b(TCK-\d+)\b",
        "What is the status of ticket TCK-1001?",
    ),
    Specialist(
        "billing",
        "Billing: invoices and payments.",
        get_invoice,
        "invoice_id",
        r"\b(INV-\d+)\b",
        "has invoice INV-1001 been paid?",
    ),
    Specialist(
        "ops",
        "Operations: service health.",
        service_health,
        "service",
        r"\b(api|web|auth)\b service",
        "is the api service healthy?",
    ),
)


def bench_team() -> Team:
    """The three specialists as a ringmaster team (their runtimes are given as overrides)."""
    agents = [
        {
            "name": s.name,
            "description": s.description,
            "tools": [s.tool_name],
            "output_schema": {
                "type": "object",
                "required": ["summary"],
                "properties": {"summary": {"type": "string", "minLength": 1}},
            },
            # Never loaded: every runtime is given to the registry as an override.
            "runtime": {"kind": "python", "entry": "benchmarks.workload:python_agent"},
        }
        for s in SPECIALISTS
    ]
    return parse_team(json.dumps({"name": "bench", "agents": agents}), source="bench")


def bench_tools() -> ToolRegistry:
    registry = ToolRegistry()
    for s in SPECIALISTS:
        registry.register(Tool(s.tool_name, s.tool.__doc__ or s.tool_name, s.tool))
    return registry


def langchain_tool(s: Specialist) -> BaseTool:
    return StructuredTool.from_function(s.tool, name=s.tool_name, description=s.tool.__doc__)


# -- the scripts: the same answers on both sides -------------------------------------------


def _human_text(messages: Sequence[BaseMessage]) -> str:
    return "\n".join(
        m.content for m in messages if isinstance(m, HumanMessage) and isinstance(m.content, str)
    )


def specialist_script(s: Specialist) -> Script:
    """Call the one tool on the argument found in the conversation, then report its result."""

    def script(messages: list[BaseMessage]) -> AIMessage:
        last = messages[-1]
        if isinstance(last, ToolMessage) and last.name == s.tool_name:
            return AIMessage(s.answer(json.loads(str(last.content))))
        # The result given back as text (a call sent without tool schemas): the same answer.
        done = f"{s.tool_name} returned: "
        if isinstance(last, HumanMessage) and done in str(last.content):
            result = str(last.content).split(done, 1)[1].split("\n", 1)[0]
            return AIMessage(s.answer(json.loads(result)))
        call = {
            "name": s.tool_name,
            "args": {s.arg: s.find_arg(_human_text(messages))},
            "id": f"call-{s.tool_name}-{len(messages)}",
            "type": "tool_call",
        }
        return AIMessage("", tool_calls=[call])

    return script


def supervisor_script(names: Sequence[str]) -> Script:
    """Hand off to each agent not yet called, in order; then answer with what they said."""

    def script(messages: list[BaseMessage]) -> AIMessage:
        called = {tc["name"] for m in messages if isinstance(m, AIMessage) for tc in m.tool_calls}
        for name in names:
            tool = f"transfer_to_{name}"
            if tool not in called:
                call = {"name": tool, "args": {}, "id": f"call-{tool}", "type": "tool_call"}
                return AIMessage("", tool_calls=[call])
        answers = [
            m.content
            for m in messages
            if isinstance(m, AIMessage)
            and isinstance(m.content, str)
            and m.content.split(":", 1)[0] in names
        ]
        return AIMessage("\n".join(answers))

    return script


def plan_script() -> Script:
    """The planner's one answer, in its compact schema: the three parts, each to its specialist."""
    parts = [
        {"task": s.part, "agent": s.name, "conf": 0.95, "why": "its own records"}
        for s in SPECIALISTS
    ]
    call = {"name": PLAN_TOOL, "args": {"parts": parts}, "id": "plan", "type": "tool_call"}
    return lambda messages: AIMessage("", tool_calls=[call])


# -- agents -----------------------------------------------------------------------------------


def python_agent(s: Specialist) -> Callable[[AgentTask, ToolBox], AgentOutput]:
    def run(task: AgentTask, tools: ToolBox) -> AgentOutput:
        record = tools.call(s.tool_name, **{s.arg: s.find_arg(task.description)})
        return AgentOutput(output={"summary": s.answer(record), "record": record})

    return run


def react_agent(s: Specialist, latency: Latency) -> tuple[Any, ScriptedChatModel]:
    """The specialist as `create_react_agent`, the way langgraph-supervisor expects it."""
    from langgraph.prebuilt import create_react_agent

    model = ScriptedChatModel(script=specialist_script(s), latency=latency)
    with warnings.catch_warnings():  # deprecated in favour of langchain's create_agent
        warnings.simplefilter("ignore")
        agent = create_react_agent(
            model, [langchain_tool(s)], name=s.name, prompt=f"You are {s.description}"
        )
    return agent, model


def ringmaster_payload() -> dict[str, Any]:
    """The graph's input for REQUEST from a bench requester, on a new thread."""
    return {
        "request": REQUEST,
        "requester": {"id": "bench", "scopes": [], "priority": "normal"},
        "turn": 1,
        "plan": None,
        "results": None,
        "answer": None,
    }


def check_ringmaster(state: dict[str, Any]) -> None:
    results = state.get("results") or {}
    statuses = {k: r["status"] for k, r in results.items()}
    agents = sorted(r["agent"] for r in results.values())
    if set(statuses.values()) != {"done"} or agents != sorted(s.name for s in SPECIALISTS):
        raise AssertionError(f"ringmaster did not finish the three subtasks: {statuses} {agents}")
    for s in SPECIALISTS:
        if f"{s.name}: {s.tool_name} -> " not in (state.get("answer") or ""):
            raise AssertionError(f"ringmaster's answer lacks {s.name}'s: {state.get('answer')!r}")


def check_supervisor(state: dict[str, Any]) -> None:
    messages = state["messages"]
    for s in SPECIALISTS:
        said = [m for m in messages if isinstance(m, AIMessage) and m.name == s.name]
        if not any(str(m.content).startswith(f"{s.name}: {s.tool_name} -> ") for m in said):
            raise AssertionError(f"create_supervisor has no answer from {s.name}")
    final = messages[-1]
    if not (isinstance(final, AIMessage) and final.name == "supervisor" and final.content):
        raise AssertionError(f"create_supervisor did not end with its answer: {final!r}")


def supervisor_app(saver: Any, latency: Latency) -> tuple[Any, list[ScriptedChatModel]]:
    """`create_supervisor` over the three react specialists, compiled on `saver`; its models,
    the supervisor's first."""
    from langgraph_supervisor import create_supervisor

    pairs = [react_agent(s, latency) for s in SPECIALISTS]
    model = ScriptedChatModel(
        script=supervisor_script([s.name for s in SPECIALISTS]), latency=latency
    )
    with warnings.catch_warnings():  # it builds on the deprecated create_react_agent
        warnings.simplefilter("ignore")
        workflow = create_supervisor(
            [agent for agent, _ in pairs],
            model=model,
            prompt="You route each part of the request to the agent that owns it.",
        )
    return workflow.compile(checkpointer=saver), [model, *(m for _, m in pairs)]


def local_planner(cache_dir: Path | None) -> Planner | None:
    """The embedded default planner on the demo team, or None when it is not there."""
    try:
        from ringmaster.agents.spec import load_team
        from ringmaster.graph.planner.local import LocalPlanner
    except ImportError:
        return None
    if not DEMO_TEAM.exists():
        return None
    return LocalPlanner(load_team(DEMO_TEAM), cache_dir=cache_dir)
