"""Agent runtimes: what the graph's agent node calls to get a specialist's output.

Every runtime takes an `AgentTask` (the subtask and its handoff, never the whole conversation)
and a `ToolBox`, and returns an `AgentOutput`: a structured result and the side-effecting
tool calls it proposes. Two runtimes ship here: a Python callable and any compiled LangGraph
graph a user brings.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from ringmaster.agents.errors import AgentRuntimeError
from ringmaster.agents.spec import AgentSpec
from ringmaster.tools.base import ProposedAction, ToolBox


@dataclass(frozen=True)
class Handoff:
    """What a finished subtask passes to one that depends on it."""

    subtask_id: str
    agent: str
    description: str
    summary: str
    output: dict[str, Any]


@dataclass(frozen=True)
class AgentTask:
    """One subtask as an agent sees it: what to do, what was done before, what is expected."""

    thread_id: str
    subtask_id: str
    description: str
    expected: str
    requester: str = "anonymous"
    scopes: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()
    handoffs: tuple[Handoff, ...] = ()
    feedback: str | None = None  # the validator's complaint about the previous attempt
    attempt: int = 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_prompt(self) -> str:
        """The task as text, for runtimes that speak in messages."""
        lines = [f"Task: {self.description}", f"Expected: {self.expected}"]
        for h in self.handoffs:
            lines.append(f"Done before by {h.agent} ({h.description}): {h.summary}")
        lines += [f"Constraint: {c}" for c in self.constraints]
        if self.feedback:
            lines.append(f"Your previous answer was rejected: {self.feedback}")
        return "\n".join(lines)


@dataclass
class AgentOutput:
    """An agent's answer: a structured output (with a `summary`), proposals, and a category."""

    output: dict[str, Any]
    proposed_actions: list[ProposedAction] = field(default_factory=list)
    category: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "proposed_actions": [a.to_dict() for a in self.proposed_actions],
            "category": self.category,
        }


class AgentRuntime(Protocol):
    """Anything that turns a task into an output."""

    def run(self, task: AgentTask, tools: ToolBox) -> AgentOutput: ...


AgentCallable = Callable[[AgentTask, ToolBox], AgentOutput | dict[str, Any]]


def _coerce(result: AgentOutput | dict[str, Any] | str, tools: ToolBox) -> AgentOutput:
    if isinstance(result, AgentOutput):
        for action in tools.proposals:
            if action not in result.proposed_actions:
                result.proposed_actions.append(action)
        return result
    if isinstance(result, str):
        return AgentOutput(output={"summary": result}, proposed_actions=list(tools.proposals))
    if isinstance(result, dict):
        return AgentOutput(output=result, proposed_actions=list(tools.proposals))
    raise AgentRuntimeError(f"agent returned {type(result).__name__}, expected AgentOutput or dict")


@dataclass
class PythonRuntime:
    """A plain function `(task, tools) -> AgentOutput | dict`."""

    fn: AgentCallable

    def run(self, task: AgentTask, tools: ToolBox) -> AgentOutput:
        return _coerce(self.fn(task, tools), tools)


@dataclass
class GraphRuntime:
    """A compiled LangGraph graph a user brings.

    A graph whose state has `messages` gets the task as one human message and its last
    message becomes the summary; any other graph gets `{"task": task_dict}` and must return
    `output` (and may return `proposed_actions` as `[{tool, args, description}]`).
    """

    graph: Any

    def run(self, task: AgentTask, tools: ToolBox) -> AgentOutput:
        channels = getattr(self.graph, "channels", {}) or {}
        if "messages" in channels:
            from langchain_core.messages import HumanMessage

            result = self.graph.invoke({"messages": [HumanMessage(task.as_prompt())]})
            last = result["messages"][-1]
            content = last.content if isinstance(last.content, str) else str(last.content)
            return AgentOutput(output={"summary": content})
        result = self.graph.invoke({"task": task.to_dict()})
        if not isinstance(result, dict) or not isinstance(result.get("output"), dict):
            raise AgentRuntimeError("a bring-your-own graph must return a dict with 'output'")
        proposals = [
            ProposedAction(a["tool"], dict(a.get("args", {})), a.get("description", ""))
            for a in result.get("proposed_actions", [])
        ]
        return AgentOutput(
            output=result["output"], proposed_actions=proposals, category=result.get("category")
        )


def load_entry(entry: str) -> Any:
    """Import `module:attr` (attr may be dotted), with `pkgutil.resolve_name`."""
    if ":" not in entry:
        raise AgentRuntimeError(f"{entry!r}: name it as module:attribute")
    try:
        return pkgutil.resolve_name(entry)
    except ImportError as exc:
        raise AgentRuntimeError(
            f"cannot import {entry.partition(':')[0]!r} for {entry!r}: {exc}"
        ) from None
    except (AttributeError, ValueError) as exc:
        raise AgentRuntimeError(f"{entry!r}: {exc}") from None


def build_runtime(spec: AgentSpec) -> AgentRuntime:
    """The runtime an agent spec names (`llm` ones come from `ringmaster.agents.llm_runtime`)."""
    if spec.runtime.kind == "llm" or spec.runtime.entry is None:
        raise AgentRuntimeError(
            f"agent {spec.name!r} runs on a chat model: set the agents' model "
            "(RINGMASTER_AGENT_MODEL) or give the agent a model in the team file"
        )
    target = load_entry(spec.runtime.entry)
    if spec.runtime.kind == "python":
        if not callable(target):
            raise AgentRuntimeError(f"agent {spec.name!r}: {spec.runtime.entry} is not callable")
        return PythonRuntime(target)
    if callable(target) and not hasattr(target, "invoke"):
        target = target()  # a factory returning the compiled graph
    if not hasattr(target, "invoke"):
        raise AgentRuntimeError(f"agent {spec.name!r}: {spec.runtime.entry} is not a graph")
    return GraphRuntime(target)
