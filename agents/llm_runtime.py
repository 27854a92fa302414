"""The LLM runtime: a specialist as a tool-calling agent, as `langchain.agents.create_agent`
builds one (the model/tool loop runs as a plain loop in the agent node; see `LLMRuntime`).

The agent gets the same tools as the agent's offline skills, through the subtask's `ToolBox`,
so scopes are checked in code whatever the model asks for:

- a read-only tool runs at once and its result goes back to the model;
- a side-effecting tool never runs here: calling it *proposes* the call (its `ToolMessage`
  carries the proposal as artifact), and the graph's act node runs it later, once, with an
  idempotency key. Where the tool's approval rule asks for a person, the call is gated by
  `HumanInTheLoopMiddleware` first: the run stops with the middleware's interrupt, and the
  reviewer can approve, edit, reject or answer it before it is proposed. The rule runs once
  per call, when the model makes it, and the gate, the reviewer's description and the
  proposal ("a person approved it") read that one verdict (agents/approval_gate.py);
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
from the attempt's messages (in the compiled agent, in a `wrap_model_call` middleware:
LangChain's `ModelCallLimitMiddleware` keeps its count with `before_model`/`after_model` hooks,
two graph steps around every model call). Fallback models are tried in turn when a call fails
(`ModelFallbackMiddleware` in the compiled agent).
"""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, get_type_hints

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool, ToolException
from langgraph.errors import GraphBubbleUp
from langgraph.prebuilt import ToolRuntime
from pydantic import BaseModel, create_model

from ringmaster.agents.approval_gate import (
    SOMEONE,
    approvals_middleware,
    approved_by,
    gate,
    gate_reason,
    reviewed_gate,
    verdicts_of,
)
from ringmaster.agents.langgraph_internals import (
    answer_invalid_calls,
    graph_checkpoints,
    resuming,
)
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
    # Model answers already received by the plain loop, given back in turn instead of calling
    # the model again when the loop hands over to the compiled agent (see `LLMRuntime`).
    replay: list[AIMessage] = field(default_factory=list)
    # The approval rule's verdicts on those answers' calls (agents/approval_gate.py).
    verdicts: dict[str, str | None] = field(default_factory=dict)


def offered_tools(box: ToolBox, names: Sequence[str]) -> list[str]:
    """The agent's tools this subtask's requester can reach, in the spec's order."""
    out = []
    for name in names:
        if name in box.allowed and box.registry.get(name).reachable_by(box.requester_scopes):
            out.append(name)
    return out


def use_tool(
    box: ToolBox, tool: Tool, args: dict[str, Any], approved_by: str | None = None
) -> tuple[str, Any]:
    """One tool call through the subtask's tool box: (content, artifact) of its ToolMessage.

    A side-effecting tool is proposed, not run; `approved_by`: the person who approved the
    call (or their edit of it) at the agent's approval gate. A read-only one runs now. A
    `ToolError` is `ToolException` ("error: ..."): the call failed, and its round does not
    count against `tool_rounds`.
    """
    try:
        if tool.side_effect:
            action = box.propose(tool.name, description=tool.description, **args)
            artifact = {PROPOSAL: True, **action.to_dict(), "approved_by": approved_by}
            return (
                f"proposed {tool.name} {_dumps(args)}: it runs after checks"
                + (" (a person approved it)" if approved_by else ""),
                artifact,
            )
        result = box.call(tool.name, **args)
        return _dumps(result), result
    except ToolError as exc:
        raise ToolException(f"error: {exc}") from exc


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
            # A gated call runs only once a person approved or edited it (a rejection or an
            # answer stands in for its result).
            call = {"id": runtime.tool_call_id, "args": args}
            gated = _tool.side_effect and gate_reason(runtime.state, call, _tool) is not None
            by = approved_by(runtime.state, runtime.tool_call_id) if gated else None
            return use_tool(runtime.context.box, _tool, args, approved_by=by)

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


def _approval_description(tool: Tool) -> Any:
    """The middleware's `description` for a call: why it needs a person (the approval rule's
    kept verdict: `gate_reason`) and for which subtask (from the run's `AgentContext`),
    instead of LangChain's fixed text. It is what Agent Inbox shows, and the queue's blocker."""

    def describe(tool_call: Any, state: Any, runtime: Any) -> str:
        args = tool_call.get("args") or {}
        why = gate_reason(state, tool_call, tool) or "its approval rule asks for a person"
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
    from langchain.agents.middleware import InterruptOnConfig

    gated: dict[str, bool | InterruptOnConfig] = {}
    for name in names:
        tool = registry.get(name)
        if not tool.side_effect:
            continue
        gated[name] = InterruptOnConfig(
            allowed_decisions=["approve", "edit", "reject", "respond"],
            description=_approval_description(tool),
            when=gate(tool),
        )
    return reviewed_gate(gated) if gated else None


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


def check_call_limit(messages: Sequence[Any], limit: int) -> None:
    """`ModelCallLimitExceededError` when the attempt has made its `limit` model calls."""
    from langchain.agents.middleware.model_call_limit import ModelCallLimitExceededError

    made = model_calls_made(messages)
    if made >= limit:
        raise ModelCallLimitExceededError(
            thread_count=made, run_count=made, thread_limit=None, run_limit=limit
        )


def tools_done_with(messages: Sequence[Any], rounds: int, last: int) -> bool:
    """Whether the next call is made without the tools it no longer needs: after `rounds`
    rounds that succeeded, or `last` rounds in all (see `_tool_rounds_middleware`)."""
    done, total = tool_rounds_done(messages)
    return done >= rounds or total >= last


def _call_limit_middleware(limit: int) -> Any:
    """At most `limit` model calls per attempt; one more is `ModelCallLimitExceededError`.

    Counted from the messages the call is made with, in `wrap_model_call`, so the loop keeps
    the graph steps of a plain agent (see the module docstring)."""
    from langchain.agents.middleware import AgentMiddleware

    class CallLimit(AgentMiddleware):  # type: ignore[type-arg]
        def wrap_model_call(self, request: Any, handler: Callable[[Any], Any]) -> Any:
            check_call_limit(request.messages, limit)
            return handler(request)

    return CallLimit()


def _tool_rounds_middleware(rounds: int, last: int, keep: set[str]) -> Any:
    """After `rounds` rounds of tool calls that succeeded, or `last` rounds in all (the next call
    is the last the limit allows), the model answers without tool schemas it no longer needs;
    `keep` (answer_direct tools, which end the agent) stay offered."""
    from langchain.agents.middleware import AgentMiddleware

    class ToolRounds(AgentMiddleware):  # type: ignore[type-arg]
        def wrap_model_call(self, request: Any, handler: Callable[[Any], Any]) -> Any:
            if not request.tools or not tools_done_with(request.messages, rounds, last):
                return handler(request)
            tools = [t for t in request.tools if getattr(t, "name", None) in keep]
            messages = request.messages if tools else as_text(request.messages)
            return handler(request.override(tools=tools, messages=messages))

    return ToolRounds()


def _replay_middleware() -> Any:
    """Gives back the answers in the run's `AgentContext.replay`, in turn, before calling the
    model: a loop handed over to the compiled agent makes none of its calls twice."""
    from langchain.agents.middleware import AgentMiddleware

    class Replay(AgentMiddleware):  # type: ignore[type-arg]
        def wrap_model_call(self, request: Any, handler: Callable[[Any], Any]) -> Any:
            replay = getattr(request.runtime.context, "replay", None)
            if replay:
                return replay.pop(0)
            return handler(request)

    return Replay()


@dataclass(frozen=True)
class _Loop:
    """What the plain loop needs for one set of offered tools, built once (see `LLMRuntime`)."""

    system: SystemMessage
    tools: dict[str, Tool]
    args: dict[str, type[BaseModel]]
    keep: frozenset[str]  # answer_direct tools: offered after the tool rounds, they end the loop
    rounds: int
    # Per model, the primary first, then its fallbacks: bound with every tool, and as called
    # once the tool rounds are over (only `keep`, or no tool at all).
    models: tuple[tuple[Any, Any], ...]


@dataclass
class LLMRuntime:
    """An `AgentRuntime` that runs the spec's agent on a chat model over its tools.

    The model/tool loop runs as a plain loop inside the graph's agent node: call the model,
    run the read-only tools it asks for, record the side effects it proposes, until it
    answers. It stores nothing while it runs: its effects are only proposed, never run, so a
    crash mid-loop costs re-running it, and nothing runs twice. It behaves as LangChain's
    `create_agent` with this module's middleware (the call limit, the tool rounds, fallback
    models; tool errors as ToolNode reports them) and is traced as a run named after the agent,
    its model calls and tool calls inside.

    Three cases go to the compiled `create_agent` graph instead, which is built once per set of
    tools offered (the requester's scopes decide which) and shared by the subtasks that offer
    it, each with its own tool box in the `AgentContext`:

    - a tool call that needs a person's approval: the loop hands its messages so far to the
      compiled agent, which gets the model's last answer back without calling the model again
      (`AgentContext.replay`) and stops at `HumanInTheLoopMiddleware`'s interrupt; its message
      loop is checkpointed there, once (`durability="exit"`);
    - a resumed run (`langgraph_internals.resuming`: after an approval, a crash or a retry): the
      compiled agent resumes from what it stored, or runs from its task if nothing was stored;
    - an agent with an output schema of its own (`ToolStrategy` parses and retries it).
    """

    spec: AgentSpec
    model: Any  # a BaseChatModel
    fallbacks: list[Any] = field(default_factory=list)
    checkpointer: Any = None  # None: the graph's, when run inside it
    # (id of the tool registry, the tools offered) -> (that registry, kept so its id is not
    # reused, and the compiled agent / the plain loop)
    _agents: dict[tuple[int, tuple[str, ...]], tuple[ToolRegistry, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _loops: dict[tuple[int, tuple[str, ...]], tuple[ToolRegistry, _Loop]] = field(
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

    def _system_prompt(self, registry: ToolRegistry, names: Sequence[str]) -> str:
        proposes = any(registry.get(n).side_effect for n in names)
        return render(
            "agent_system",
            description=" ".join(self.spec.description.split()),
            side_effects=" Tools with side effects are proposed, then run after checks."
            if proposes
            else "",
            instructions=self.spec.runtime.instructions,
        )

    def _rounds(self, tools: Sequence[Any]) -> int:
        rounds = self.spec.tool_rounds
        return len(tools) if rounds is None else rounds  # one round per tool: see the docstring

    def _compile(self, registry: ToolRegistry, names: Sequence[str]) -> Any:
        from langchain.agents import create_agent
        from langchain.agents.middleware import ModelFallbackMiddleware
        from langchain.agents.structured_output import ToolStrategy

        middleware: list[Any] = [
            _replay_middleware(),
            _call_limit_middleware(self.spec.max_model_calls),
        ]
        if (approval := _approval_middleware(registry, names)) is not None:
            # After it in the list, so its verdicts are kept before the gate reads them.
            tools_by_name = {n: registry.get(n) for n in names}
            middleware += [approval, approvals_middleware(tools_by_name)]
        if self.fallbacks:
            middleware.append(ModelFallbackMiddleware(*self.fallbacks))
        tools = langchain_tools(registry, names)
        keep = {t.name for t in tools if t.return_direct}
        last = self.spec.max_model_calls - 1
        middleware.append(_tool_rounds_middleware(self._rounds(tools), last, keep))
        response_format: Any = None
        if self._structured:
            schema = {
                "title": f"{self.spec.name}_answer",
                "description": "your final answer",
                **self.spec.output_schema,
            }
            response_format = ToolStrategy(schema)
        return create_agent(
            self.model,
            tools,
            system_prompt=self._system_prompt(registry, names),
            middleware=middleware,
            response_format=response_format,
            context_schema=AgentContext,
            checkpointer=self.checkpointer,
            name=self.spec.name,
        )

    @property
    def _structured(self) -> bool:
        return self.spec.output_schema != DEFAULT_OUTPUT_SCHEMA

    def _loop(self, box: ToolBox) -> _Loop:
        """The plain loop for the tools one subtask's tool box offers (built once)."""
        names = tuple(offered_tools(box, self.spec.tools))
        key = (id(box.registry), names)
        with self._lock:
            if key not in self._loops:
                self._loops[key] = (box.registry, self._make_loop(box.registry, names))
            return self._loops[key][1]

    def _make_loop(self, registry: ToolRegistry, names: Sequence[str]) -> _Loop:
        lc_tools = langchain_tools(registry, names)  # the schemas the model is sent
        keep = [t for t in lc_tools if t.return_direct]

        def bound(model: Any, tools: list[BaseTool]) -> Any:
            # As create_agent binds a model for a call, with these tools or none.
            return model.bind_tools(tools, tool_choice=None) if tools else model.bind()

        return _Loop(
            system=SystemMessage(self._system_prompt(registry, names)),
            tools={n: registry.get(n) for n in names},
            args={n: args_model(registry.get(n)) for n in names},
            keep=frozenset(t.name for t in keep),
            rounds=self._rounds(lc_tools),
            models=tuple(
                (bound(m, lc_tools), bound(m, keep)) for m in [self.model, *self.fallbacks]
            ),
        )

    def run(self, task: AgentTask, tools: ToolBox) -> AgentOutput:
        if self._structured or resuming():
            return self._run_compiled(task, tools, [HumanMessage(task_prompt(task))])
        from langchain_core.runnables.config import (
            ensure_config,
            get_callback_manager_for_config,
            patch_config,
            set_config_context,
        )

        loop = self._loop(tools)
        # A run named after the agent, its model and tool calls inside it, for tracers.
        config = ensure_config()  # the graph node's, when run inside it
        run = get_callback_manager_for_config(config).on_chain_start(
            None, {"input": task.description}, name=self.spec.name
        )
        child = patch_config(config, callbacks=run.get_child())
        try:
            # In the run's context, as LangChain runs a runnable: a model called inside (bound
            # to its tools, so its config is merged with the context's) is the run's child.
            with set_config_context(child) as context:
                out = context.run(self._run_loop, loop, task, tools, child)
        except BaseException as exc:
            run.on_chain_error(exc)
            raise
        run.on_chain_end({"output": out.output})
        return out

    def _run_compiled(
        self,
        task: AgentTask,
        tools: ToolBox,
        messages: list[Any],
        replay: Sequence[Any] = (),
        verdicts: dict[str, str | None] | None = None,
    ) -> AgentOutput:
        agent = self.build(tools)
        # Checkpoints at exit only: see the class docstring.
        durability: Any = "exit" if _has_checkpointer(agent) else None
        result = agent.invoke(
            {"messages": messages},
            context=AgentContext(tools, task, list(replay), dict(verdicts or {})),
            durability=durability,
        )
        return output_of(result)

    def _run_loop(
        self, loop: _Loop, task: AgentTask, box: ToolBox, config: RunnableConfig
    ) -> AgentOutput:
        limit = self.spec.max_model_calls
        messages: list[Any] = [HumanMessage(task_prompt(task))]
        while True:
            check_call_limit(messages, limit)  # as the compiled agent's middleware does
            late = bool(loop.tools) and tools_done_with(messages, loop.rounds, limit - 1)
            sent = as_text(messages) if late and not loop.keep else messages
            answer = self._ask(loop, late, [loop.system, *answer_invalid_calls(sent)])
            answer.name = self.spec.name
            messages.append(answer)
            if not answer.tool_calls:
                break
            verdicts = verdicts_of(loop.tools, answer.tool_calls)
            if any(why is not None for why in verdicts.values()):
                # A person decides: the compiled agent stops at its approval, stored there.
                return self._run_compiled(task, box, messages[:-1], [answer], verdicts)
            results = _call_tools(loop, box, answer.tool_calls, config)  # none is gated
            messages += results
            ran = [m.name for m in results if m.name in loop.tools]
            if ran and all(name in loop.keep for name in ran):
                break  # an answer_direct tool's result is the answer
        return output_of({"messages": messages})

    def _ask(self, loop: _Loop, late: bool, messages: list[Any]) -> Any:
        """One model call, on the fallback models in turn if it fails (as
        `ModelFallbackMiddleware`)."""
        error: Exception | None = None
        for full, after in loop.models:
            try:
                return (after if late else full).invoke(messages)  # config: the context's
            except GraphBubbleUp:
                raise
            except Exception as exc:
                error = exc
        assert error is not None
        raise error


def _call_tools(
    loop: _Loop, box: ToolBox, calls: Sequence[Any], config: RunnableConfig
) -> list[ToolMessage]:
    """The round's tool calls, in parallel when there are several (as ToolNode runs them)."""
    if len(calls) == 1:
        return [_call_tool(loop, box, calls[0], config)]
    from langchain_core.runnables.config import get_executor_for_config

    with get_executor_for_config(config) as executor:
        return list(executor.map(lambda c: _call_tool(loop, box, c, config), calls))


def _call_tool(loop: _Loop, box: ToolBox, call: Any, config: RunnableConfig) -> ToolMessage:
    """One tool call as ToolNode makes it: its ToolMessage, "error" status when it failed."""
    from langchain_core.runnables.config import get_callback_manager_for_config
    from langgraph.prebuilt.tool_node import INVALID_TOOL_NAME_ERROR_TEMPLATE, ToolInvocationError
    from pydantic import ValidationError

    name, args, call_id = call["name"], call.get("args") or {}, call["id"]
    tool = loop.tools.get(name)
    if tool is None:
        text = INVALID_TOOL_NAME_ERROR_TEMPLATE.format(
            requested_tool=name, available_tools=", ".join(loop.tools)
        )
        return ToolMessage(text, name=name, tool_call_id=call_id, status="error")
    run = get_callback_manager_for_config(config).on_tool_start(
        {"name": name, "description": tool.description},
        _dumps(args),
        name=name,
        inputs=args,
        tool_call_id=call_id,
    )
    try:
        try:
            valid = loop.args[name].model_validate(args)
        except ValidationError as exc:
            # As ToolNode words it: each wrong argument and why, for the model to fix.
            errors = [e for e in exc.errors() if e["loc"]]
            text = ToolInvocationError(name, exc, args, filtered_errors=errors).message
            message = ToolMessage(text, name=name, tool_call_id=call_id, status="error")
        else:
            kwargs = {k: getattr(valid, k) for k in args if k in type(valid).model_fields}
            try:
                content, artifact = use_tool(box, tool, kwargs)
                message = ToolMessage(content, artifact=artifact, name=name, tool_call_id=call_id)
            except ToolException as exc:
                message = ToolMessage(str(exc), name=name, tool_call_id=call_id, status="error")
    except Exception as exc:
        run.on_tool_error(exc)
        raise
    run.on_tool_end(message)
    return message


def _has_checkpointer(agent: Any) -> bool:
    """Whether the agent's run stores checkpoints: its own saver, or the graph's it runs in.

    (LangGraph warns when a durability is given to a run without one.)
    """
    if agent.checkpointer is not None:
        return agent.checkpointer is not False
    return graph_checkpoints()


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
                    # An artifact written before it named the reviewer says only "approved".
                    approved_by=art.get("approved_by")
                    or (SOMEONE if art.get("approved") else None),
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
