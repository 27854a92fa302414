"""The LLM runtime: a specialist as a tool-calling agent (`langchain.agents.create_agent`).

The agent gets the same tools as the agent's offline skills, through the subtask's `ToolBox`,
so scopes are checked in code whatever the model asks for:

- a read-only tool runs at once and its result goes back to the model;
- a side-effecting tool never runs here: calling it *proposes* the call (its `ToolMessage`
  carries the proposal as artifact), and the graph's act node runs it later, once, with an
  idempotency key. Where the tool's approval rule asks for a person, the call is gated by
  `HumanInTheLoopMiddleware` first (`when=` the rule): the run stops with the middleware's
  interrupt, and the reviewer can approve, edit, reject or answer it before it is proposed;
- a tool with `answer_direct` ends the agent with its structured result as the answer
  (`return_direct`), saving the model call that would only restate it.

Tool schemas an agent no longer needs are not sent: after `tool_rounds` rounds of tool calls
the model is asked for its answer without them, its tool rounds written into the task as text.
Unset, `tool_rounds` is one round per tool the agent may use in the subtask: a chain of
dependent calls moves from tool to tool (find the customer, list their invoices, open one), and
calls that need nothing from each other go in one round, so an agent with one look-up tool
answers from its first round's results. A round in which a call failed (the tool's error, bad
arguments, a reviewer's rejection) does not count, so the model can correct its arguments; and
whatever `tool_rounds` says, the last call `max_model_calls` allows goes without tools, as it
could not use a tool's result. An agent that calls one tool several times in turn (a search it
refines, a list it pages through) sets `tool_rounds` in the team file.

`max_model_calls` bounds the model calls per attempt (exceeding it is LangChain's
`ModelCallLimitExceededError`, so a run-away agent is a failed attempt, not an answer), counted
from the attempt's messages in a `wrap_model_call` middleware: LangChain's
`ModelCallLimitMiddleware` keeps its count with `before_model`/`after_model` hooks, two graph
steps around every model call. Fallback models are `ModelFallbackMiddleware`.
"""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, get_type_hints

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool, StructuredTool, ToolException
from langgraph.prebuilt import ToolRuntime
from pydantic import BaseModel, create_model

from ringmaster.agents.runtime import AgentOutput, AgentTask
from ringmaster.agents.spec import DEFAULT_OUTPUT_SCHEMA, AgentSpec
from ringmaster.prompts.loader import render
from ringmaster.tools.base import ProposedAction, Tool, ToolBox, ToolRegistry
from ringmaster.tools.errors import ToolError

PROPOSAL = "ringmaster_proposal"  # marks a ToolMessage artifact as a proposed side effect


def args_model(tool: Tool) -> type[BaseModel]:
    """The tool's arguments as a pydantic model, read from its function's signature."""
    fn = tool.fn
    base = fn.func if isinstance(fn, partial) else fn
    try:
        hints = get_type_hints(base)
    except Exception:  # unresolvable annotations: the model still gets names and defaults
        hints = {}
    fields: dict[str, Any] = {}
    for name, p in inspect.signature(fn).parameters.items():
        if name == "idempotency_key" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        default = ... if p.default is p.empty else p.default
        fields[name] = (hints.get(name, Any), default)
    return create_model(f"{tool.name}_args", **fields)


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)


@dataclass(frozen=True)
class AgentContext:
    """An agent's runtime context (`create_agent(context_schema=...)`): the subtask's tool box.

    The compiled agent is shared by every subtask that offers it the same tools; what belongs to
    one subtask (the requester's scopes, the proposals it collects) reaches the tools here.
    """

    box: ToolBox
    task: AgentTask | None = None  # the subtask, for the reasons an approval shows reviewers


def offered_tools(box: ToolBox, names: Sequence[str]) -> list[str]:
    """The agent's tools this subtask's requester can reach, in the spec's order."""
    out = []
    for name in names:
        if name in box.allowed and box.registry.get(name).reachable_by(box.requester_scopes):
            out.append(name)
    return out


def langchain_tools(registry: ToolRegistry, names: Sequence[str]) -> list[BaseTool]:
    """The named tools as LangChain tools over the tool box in the run's `AgentContext`.

    `names` are the tools offered (`offered_tools`): the box checks scopes again in code.
    """
    out: list[BaseTool] = []
    for name in names:
        tool = registry.get(name)

        def run(runtime: ToolRuntime[AgentContext], _tool: Tool = tool, **args: Any) -> Any:
            if not isinstance(runtime.context, AgentContext):
                raise RuntimeError("an LLM agent runs with its AgentContext: use LLMRuntime.run")
            box = runtime.context.box
            try:
                if _tool.side_effect:
                    action = box.propose(_tool.name, description=_tool.description, **args)
                    gated = _tool.needs_approval(args) is not None
                    artifact = {PROPOSAL: True, **action.to_dict(), "approved": gated}
                    return (
                        f"proposed {_tool.name} {_dumps(args)}: it runs after checks"
                        + (" (a person approved it)" if gated else ""),
                        artifact,
                    )
                result = box.call(_tool.name, **args)
                return _dumps(result), result
            except ToolError as exc:
                # A failed call (status "error" on its ToolMessage): the provider is told so,
                # and the round does not count against tool_rounds.
                raise ToolException(f"error: {exc}") from exc

        out.append(
            StructuredTool.from_function(
                func=run,
                name=tool.name,
                description=tool.description,
                args_schema=args_model(tool),
                response_format="content_and_artifact",
                handle_tool_error=True,
                return_direct=tool.answer_direct and not tool.side_effect,
            )
        )
    return out


def _needs_approval(tool: Tool) -> Callable[[Any], bool]:
    """The middleware's `when`: the tool's own approval rule on the call's arguments."""

    def when(request: Any) -> bool:
        return tool.needs_approval(request.tool_call.get("args") or {}) is not None

    return when


def _approval_description(tool: Tool) -> Any:
    """The middleware's `description` for a call: why it needs a person (the tool's approval
    rule on the call's arguments) and for which subtask (from the run's `AgentContext`),
    instead of LangChain's fixed text. It is what Agent Inbox shows, and the queue's blocker."""

    def describe(tool_call: Any, state: Any, runtime: Any) -> str:
        args = tool_call.get("args") or {}
        why = tool.needs_approval(args) or "its approval rule asks for a person"
        lines = [
            f"{tool.name} needs approval: {why}.",
            f"It would: {tool.description}, with {_dumps(args)}.",
        ]
        task = getattr(getattr(runtime, "context", None), "task", None)
        if task is not None:
            lines.append(f"Subtask {task.subtask_id}: {task.description}")
            lines.append(f"Requested by {task.requester}")
        return "\n".join(lines)

    return describe


def _approval_middleware(registry: ToolRegistry, names: Sequence[str]) -> Any | None:
    from langchain.agents.middleware import HumanInTheLoopMiddleware, InterruptOnConfig

    gated: dict[str, bool | InterruptOnConfig] = {}
    for name in names:
        tool = registry.get(name)
        if not tool.side_effect:
            continue
        gated[name] = InterruptOnConfig(
            allowed_decisions=["approve", "edit", "reject", "respond"],
            description=_approval_description(tool),
            when=_needs_approval(tool),
        )
    return HumanInTheLoopMiddleware(interrupt_on=gated) if gated else None


def tool_rounds_done(messages: Sequence[Any]) -> tuple[int, int]:
    """Rounds of tool calls since the task (the last human message): those whose calls all
    succeeded, and all of them.

    A round with a failed call (a ToolMessage with status "error": the tool's error, bad
    arguments, a reviewer's rejection) got the model nothing it can use; it is not counted
    against `tool_rounds`, so the model may correct its arguments.
    """
    start = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    failed = {
        m.tool_call_id
        for m in messages[start + 1 :]
        if isinstance(m, ToolMessage) and m.status == "error"
    }
    done = total = 0
    for m in messages[start + 1 :]:
        if isinstance(m, AIMessage) and m.tool_calls:
            total += 1
            done += not any(call.get("id") in failed for call in m.tool_calls)
    return done, total


def as_text(messages: Sequence[Any]) -> list[Any]:
    """The conversation with its tool rounds written into the task as text.

    For a model call sent without tool schemas: some providers (Anthropic) refuse tool calls
    and results in a request that defines no tools.
    """
    last = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    if last < 0:
        return list(messages)
    lines = [str(messages[last].content)]
    for m in messages[last + 1 :]:
        if isinstance(m, AIMessage):
            if isinstance(m.content, str) and m.content.strip():
                lines.append(f"You said: {m.content.strip()}")
        elif isinstance(m, ToolMessage):
            lines.append(f"{m.name} returned: {m.content}")
        else:
            lines.append(str(m.content))
    return [*messages[:last], HumanMessage("\n".join(lines))]


def model_calls_made(messages: Sequence[Any]) -> int:
    """Model calls of this attempt so far: the model's messages since the task (the last human
    message), those of a run resumed after an approval included."""
    start = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    return sum(isinstance(m, AIMessage) for m in messages[start + 1 :])


def _call_limit_middleware(limit: int) -> Any:
    """At most `limit` model calls per attempt; one more is `ModelCallLimitExceededError`.

    Counted from the messages the call is made with, in `wrap_model_call`, so the loop keeps
    the graph steps of a plain agent (see the module docstring)."""
    from langchain.agents.middleware import AgentMiddleware
    from langchain.agents.middleware.model_call_limit import ModelCallLimitExceededError

    class CallLimit(AgentMiddleware):  # type: ignore[type-arg]
        def wrap_model_call(self, request: Any, handler: Callable[[Any], Any]) -> Any:
            made = model_calls_made(request.messages)
            if made >= limit:
                raise ModelCallLimitExceededError(
                    thread_count=made, run_count=made, thread_limit=None, run_limit=limit
                )
            return handler(request)

    return CallLimit()


def _tool_rounds_middleware(rounds: int, last: int, keep: set[str]) -> Any:
    """After `rounds` rounds of tool calls that succeeded, or `last` rounds in all (the next call
    is the last the limit allows), the model answers without tool schemas it no longer needs;
    `keep` (answer_direct tools, which end the agent) stay offered."""
    from langchain.agents.middleware import AgentMiddleware

    class ToolRounds(AgentMiddleware):  # type: ignore[type-arg]
        def wrap_model_call(self, request: Any, handler: Callable[[Any], Any]) -> Any:
            done, total = tool_rounds_done(request.messages)
            if not request.tools or (done < rounds and total < last):
                return handler(request)
            tools = [t for t in request.tools if getattr(t, "name", None) in keep]
            messages = request.messages if tools else as_text(request.messages)
            return handler(request.override(tools=tools, messages=messages))

    return ToolRounds()


@dataclass
class LLMRuntime:
    """An `AgentRuntime` that runs the spec's agent on a chat model over its tools.

    The compiled agent is built once per set of tools offered (the requester's scopes decide
    which) and shared by the subtasks that offer it, each with its own tool box in the
    `AgentContext`. Its message loop is checkpointed only when it stops (`durability="exit"`):
    at an interrupt (a tool call waiting for approval) or an error. The loop's effects are only
    proposed, never run, so a crash mid-loop costs re-running it, and nothing runs twice; a
    loop that stopped for approval resumes from what it stored.
    """

    spec: AgentSpec
    model: Any  # a BaseChatModel
    fallbacks: list[Any] = field(default_factory=list)
    checkpointer: Any = None  # None: the graph's, when run inside it
    # (id of the tool registry, the tools offered) -> (that registry, kept so its id is not
    # reused, and the compiled agent)
    _agents: dict[tuple[int, tuple[str, ...]], tuple[ToolRegistry, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    def build(self, box: ToolBox) -> Any:
        """The compiled agent for the tools one subtask's tool box offers (built once)."""
        names = tuple(offered_tools(box, self.spec.tools))
        key = (id(box.registry), names)
        with self._lock:
            if key not in self._agents:
                self._agents[key] = (box.registry, self._compile(box.registry, names))
            return self._agents[key][1]

    def _compile(self, registry: ToolRegistry, names: Sequence[str]) -> Any:
        from langchain.agents import create_agent
        from langchain.agents.middleware import ModelFallbackMiddleware
        from langchain.agents.structured_output import ToolStrategy

        middleware: list[Any] = [_call_limit_middleware(self.spec.max_model_calls)]
        if (approval := _approval_middleware(registry, names)) is not None:
            middleware.append(approval)
        if self.fallbacks:
            middleware.append(ModelFallbackMiddleware(*self.fallbacks))
        tools = langchain_tools(registry, names)
        rounds = self.spec.tool_rounds
        if rounds is None:  # one round per tool: see the module docstring
            rounds = len(tools)
        keep = {t.name for t in tools if t.return_direct}
        middleware.append(_tool_rounds_middleware(rounds, self.spec.max_model_calls - 1, keep))
        response_format: Any = None
        if self.spec.output_schema != DEFAULT_OUTPUT_SCHEMA:
            schema = {
                "title": f"{self.spec.name}_answer",
                "description": "your final answer",
                **self.spec.output_schema,
            }
            response_format = ToolStrategy(schema)
        proposes = any(registry.get(n).side_effect for n in names)
        system = render(
            "agent_system",
            description=" ".join(self.spec.description.split()),
            side_effects=" Tools with side effects are proposed, then run after checks."
            if proposes
            else "",
            instructions=self.spec.runtime.instructions,
        )
        return create_agent(
            self.model,
            tools,
            system_prompt=system,
            middleware=middleware,
            response_format=response_format,
            context_schema=AgentContext,
            checkpointer=self.checkpointer,
            name=self.spec.name,
        )

    def run(self, task: AgentTask, tools: ToolBox) -> AgentOutput:
        agent = self.build(tools)
        # Checkpoints at exit only: see the class docstring.
        durability: Any = "exit" if _has_checkpointer(agent) else None
        result = agent.invoke(
            {"messages": [HumanMessage(task_prompt(task))]},
            context=AgentContext(tools, task),
            durability=durability,
        )
        return output_of(result)


def _has_checkpointer(agent: Any) -> bool:
    """Whether the agent's run stores checkpoints: its own saver, or the graph's it runs in.

    (LangGraph warns when a durability is given to a run without one.)
    """
    if agent.checkpointer is not None:
        return agent.checkpointer is not False
    from langgraph._internal._constants import CONFIG_KEY_CHECKPOINTER
    from langgraph.config import get_config

    try:
        config = get_config()
    except RuntimeError:  # not inside a graph's run
        return False
    return (config.get("configurable") or {}).get(CONFIG_KEY_CHECKPOINTER) is not None


def task_prompt(task: AgentTask) -> str:
    """The task as the model reads it: what to do, what came before, what was wrong last time.

    Shorter than `AgentTask.as_prompt`: scopes and side effects are enforced by the tool box,
    not asked of the model, so they cost no prompt tokens here.
    """
    lines = [task.description]
    for h in task.handoffs:
        lines.append(f"Done before by {h.agent} ({h.description}): {h.summary}")
    if task.feedback:
        lines.append(f"Your previous answer was rejected: {task.feedback}")
    return "\n".join(lines)


def output_of(result: dict[str, Any]) -> AgentOutput:
    """The agent's answer and proposals, read from its final state (checkpoint-safe)."""
    messages = result.get("messages") or []
    proposals = []
    for m in messages:
        art = getattr(m, "artifact", None)
        if isinstance(m, ToolMessage) and isinstance(art, dict) and art.get(PROPOSAL):
            proposals.append(
                ProposedAction(
                    art["tool"],
                    dict(art["args"]),
                    art.get("description", ""),
                    approved_by="hitl" if art.get("approved") else None,
                )
            )
    structured = result.get("structured_response")
    last = messages[-1] if messages else None
    if isinstance(structured, BaseModel):
        structured = structured.model_dump()
    if isinstance(structured, dict):
        output = dict(structured)
    elif isinstance(last, ToolMessage):  # an answer_direct tool ended the agent
        output = {"summary": f"{last.name}: {last.content}"}
        if last.artifact is not None:
            output["result"] = last.artifact
    elif isinstance(last, AIMessage):
        text = last.content if isinstance(last.content, str) else _dumps(last.content)
        output = {"summary": text.strip()}
    else:
        output = {"summary": ""}
    return AgentOutput(output=output, proposed_actions=proposals)
