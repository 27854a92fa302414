"""Orchestration overhead against `langgraph-supervisor`, with and without model latency.

Both systems answer the same three-part request ("ticket? invoice? service health?") with the
same three specialists, each owning one read-only look-up tool, and the same scripted chat
model (`benchmarks/scripted.py`): the same plan, the same tool calls, the same final texts.
Both checkpoint to a fresh SQLite file (`ringmaster.graph.checkpoint`, WAL) with
`durability="sync"`, as the runner does.

Equal-work rows (the same agents' work, the same scripted answers, the same durability):
    ringmaster · llm planner · llm agents      the headline: one planning call, then each
                                               specialist as ringmaster's own LLM agent
                                               (`create_agent`: tool call, tool, answer)
    ringmaster · llm planner · react agents    the supervisor's very `create_react_agent`
                                               specialists, run as GraphRuntime
    create_supervisor · react agents           the baseline: the supervisor model hands off
                                               with `transfer_to_<agent>`, one at a time
Rows that are not equal work (labelled so, never the headline):
    ringmaster · cascade · llm agents          the local planner plans when it is sure, so
                                               there is no planning call
    ringmaster · llm planner · python agents   Python runtimes call the tool: no agent calls
    ringmaster · local planner · python agents the embedded default: no model call at all

Part 1, zero latency: what the orchestration itself costs per request (time from `invoke` to
the final state, checkpoint bytes, model calls, tokens). Part 2, latency: every model call takes
`--latency-ms` plus `--latency-prompt-ms` per prompt token and `--latency-output-ms` per output
token; wall time per request, the floor (the calls a system must make one after another: for
create_supervisor every call; for ringmaster the plan, then the longest agent's calls, as the
agents run in parallel), and the overhead above the floor.

Requests run interleaved (request i of every system before request i+1 of any), each on its own
thread id, after one warm-up request per system. Every final state is checked, so a system that
stopped doing the work cannot look fast. The run ends with one verdict line per target.

    .venv/bin/python -m benchmarks.overhead [--requests 40] [--latency-requests 5] [--json]
        [--latency-ms 300] [--latency-prompt-ms 0.05] [--latency-output-ms 0]
        [--no-local-planner] [--planner-cache DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool, StructuredTool

from benchmarks.scripted import Latency, Script, ScriptedChatModel, machine, percentile
from ringmaster.agents.llm_runtime import LLMRuntime
from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.runtime import (
    AgentOutput,
    AgentRuntime,
    AgentTask,
    GraphRuntime,
    PythonRuntime,
)
from ringmaster.agents.spec import AgentSpec, Team, parse_team
from ringmaster.graph.build import build_graph
from ringmaster.graph.checkpoint import open_checkpointer
from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.planner.base import Planner
from ringmaster.graph.planner.cascade import CascadePlanner
from ringmaster.graph.planner.llm import PLAN_TOOL, LLMPlanner
from ringmaster.tools.base import Tool, ToolBox, ToolRegistry

REPO = Path(__file__).resolve().parents[1]
DEMO_TEAM = REPO / "agents" / "demo" / "team.yaml"

REQUEST = (
    "What is the status of ticket TCK-1001? Also, has invoice INV-1001 been paid? "
    "And is the api service healthy?"
)

HEADLINE = "ringmaster · llm planner · llm agents"
REACT_INSIDE = "ringmaster · llm planner · react agents"
CASCADE = "ringmaster · cascade · llm agents"
PYTHON_AGENTS = "ringmaster · llm planner · python agents"
LOCAL_PYTHON = "ringmaster · local planner · python agents"
SUPERVISOR = "create_supervisor · react agents"

# Equal work, zero latency: ringmaster's own LLM agents against create_supervisor's.
TIME_TARGET = 0.5  # median time at most half of create_supervisor's
BYTES_TARGET = 0.2  # checkpoint bytes at most a fifth
# Latency: wall time against create_supervisor's, and above the system's own floor.
LATENCY_LLM_TARGET = 0.35
LATENCY_CASCADE_TARGET = 0.25
FLOOR_TARGET = 0.10  # ringmaster's wall time at most 10% above its floor

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
            "runtime": {"kind": "python", "entry": "benchmarks.overhead:python_agent"},
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


def stored_bytes(db: Path, warmup_thread: str) -> tuple[int, int, int]:
    """Blob bytes, checkpoint rows and write rows of every thread but the warm-up's."""
    with sqlite3.connect(db) as conn:
        cp_bytes, cp_rows = conn.execute(
            "SELECT COALESCE(SUM(LENGTH(checkpoint) + LENGTH(metadata)), 0), COUNT(*) "
            "FROM checkpoints WHERE thread_id != ?",
            (warmup_thread,),
        ).fetchone()
        w_bytes, w_rows = conn.execute(
            "SELECT COALESCE(SUM(LENGTH(value)), 0), COUNT(*) FROM writes WHERE thread_id != ?",
            (warmup_thread,),
        ).fetchone()
    return cp_bytes + w_bytes, cp_rows, w_rows


# -- the systems under test -------------------------------------------------------------------

Shape = Literal["sequential", "plan_then_parallel"]


def floor_seconds(shape: Shape, calls: Sequence[Sequence[float]]) -> float:
    """The time of the model calls a system must make one after another, for one request.

    `calls` holds each model's call latencies in the request, the planner's (or the
    supervisor's) first. create_supervisor makes every call in turn; ringmaster plans, then
    runs the three independent subtasks in parallel, each agent's calls in turn.
    """
    if shape == "sequential":
        return sum(sum(c) for c in calls)
    first, *agents = calls
    return sum(first) + max((sum(c) for c in agents), default=0.0)


@dataclass
class System:
    """A compiled graph on its own checkpoint file, with what to send and how to check it."""

    name: str
    equal_work: bool
    note: str
    app: Any
    db: Path
    conn: sqlite3.Connection
    payload: Callable[[], Any]
    check: Callable[[dict[str, Any]], None]
    models: list[ScriptedChatModel]  # the planner's (or supervisor's) first, if it has one
    shape: Shape
    has_planner_model: bool = True
    cascade: CascadePlanner | None = None
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    floors: list[float] = field(default_factory=list)
    last_state: dict[str, Any] | None = None

    def counts(self) -> tuple[int, int, int]:
        """Model calls, prompt tokens and output tokens so far."""
        return (
            sum(m.calls for m in self.models),
            sum(m.prompt_tokens for m in self.models),
            sum(m.output_tokens for m in self.models),
        )

    def invoke(self, thread: str) -> tuple[float, float, float]:
        """One request: its wall time, the process's CPU time and the floor, in seconds.

        Systems run one at a time, so the process's CPU time is this request's, on every
        thread; it moves less with the machine's load than wall time does.
        """
        config = {"configurable": {"thread_id": thread}}
        payload = self.payload()
        before = [len(m.latencies) for m in self.models]
        start, cpu = time.perf_counter(), time.process_time()
        state = self.app.invoke(payload, config, durability="sync")
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        self.check(state)
        self.last_state = state
        calls = [m.latencies[n:] for m, n in zip(self.models, before, strict=True)]
        if not self.has_planner_model:
            calls = [[], *calls]
        return elapsed, cpu, floor_seconds(self.shape, calls)

    def file_bytes(self) -> int:
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(p.stat().st_size for p in self.db.parent.glob(self.db.name + "*"))


def llm_agent_registry(latency: Latency) -> tuple[AgentRegistry, list[ScriptedChatModel]]:
    """The three specialists as ringmaster's own LLM agents, each on its scripted model."""
    models: dict[str, ScriptedChatModel] = {}

    def runtime(spec: AgentSpec) -> LLMRuntime:
        s = next(x for x in SPECIALISTS if x.name == spec.name)
        models[s.name] = ScriptedChatModel(script=specialist_script(s), latency=latency)
        return LLMRuntime(spec, models[s.name])

    team = bench_team()
    for spec in team.agents:  # the same team, its agents on the llm runtime
        spec.runtime = spec.runtime.model_copy(update={"kind": "llm", "entry": None})
    registry = AgentRegistry.build(team, bench_tools(), llm_runtime=runtime)
    return registry, [models[s.name] for s in SPECIALISTS]


def ringmaster_system(
    name: str,
    saver: Any,
    db: Path,
    *,
    planner: Literal["llm", "cascade", "local"],
    agents: Literal["llm", "react", "python"],
    latency: Latency,
    local: Planner | None = None,
    equal_work: bool,
    note: str,
) -> System:
    models: list[ScriptedChatModel] = []
    plan_model = ScriptedChatModel(script=plan_script(), latency=latency)
    chosen: Planner
    cascade = None
    if planner == "llm":
        chosen = LLMPlanner(bench_team(), plan_model)
    elif planner == "cascade":
        assert local is not None
        chosen = cascade = CascadePlanner(local, LLMPlanner(bench_team(), plan_model))
    else:
        assert local is not None
        chosen = local
    has_planner_model = planner != "local"
    if has_planner_model:
        models.append(plan_model)
    if agents == "llm":
        registry, agent_models = llm_agent_registry(latency)
        models += agent_models
    else:
        runtimes: dict[str, AgentRuntime] = {}
        for s in SPECIALISTS:
            if agents == "react":
                graph, model = react_agent(s, latency)
                runtimes[s.name] = GraphRuntime(graph)
                models.append(model)
            else:
                runtimes[s.name] = PythonRuntime(python_agent(s))
        registry = AgentRegistry.build(bench_team(), bench_tools(), overrides=runtimes)
    app = build_graph(GraphDeps(registry=registry, planner=chosen), saver)
    return System(
        name,
        equal_work,
        note,
        app,
        db,
        saver.conn,
        ringmaster_payload,
        check_ringmaster,
        models,
        "plan_then_parallel",
        has_planner_model=has_planner_model,
        cascade=cascade,
    )


def supervisor_system(saver: Any, db: Path, latency: Latency) -> System:
    app, models = supervisor_app(saver, latency)
    return System(
        SUPERVISOR,
        True,
        "the baseline",
        app,
        db,
        saver.conn,
        lambda: {"messages": [HumanMessage(REQUEST)]},
        check_supervisor,
        list(models),
        "sequential",
    )


@dataclass(frozen=True)
class Options:
    requests: int = 40
    latency_requests: int = 5
    latency: Latency = Latency(300.0, 0.05, 0.0)
    with_local: bool = True
    planner_cache: Path | None = None


@contextmanager
def systems_under_test(
    workdir: Path, latency: Latency, local: Planner | None, *, full: bool
) -> Iterator[list[System]]:
    """The equal-work systems, the cascade (with a local planner) and, when `full`, the rows
    that are not equal work; create_supervisor last."""
    with ExitStack() as stack:

        def saver(tag: str) -> tuple[Any, Path]:
            db = workdir / tag / "checkpoints.db"
            return stack.enter_context(open_checkpointer(f"sqlite:///{db}")), db

        def rm(name: str, tag: str, **kw: Any) -> System:
            cp, db = saver(tag)
            return ringmaster_system(name, cp, db, latency=latency, local=local, **kw)

        systems = [
            rm(HEADLINE, "rm-llm", planner="llm", agents="llm", equal_work=True, note="headline"),
            rm(
                REACT_INSIDE,
                "rm-react",
                planner="llm",
                agents="react",
                equal_work=True,
                note="the supervisor's own agents",
            ),
        ]
        if local is not None:
            systems.append(
                rm(
                    CASCADE,
                    "rm-cascade",
                    planner="cascade",
                    agents="llm",
                    equal_work=False,
                    note="no planning call when the local planner is sure",
                )
            )
        if full:
            systems.append(
                rm(
                    PYTHON_AGENTS,
                    "rm-python",
                    planner="llm",
                    agents="python",
                    equal_work=False,
                    note="no agent model calls",
                )
            )
            if local is not None:
                systems.append(
                    rm(
                        LOCAL_PYTHON,
                        "rm-local",
                        planner="local",
                        agents="python",
                        equal_work=False,
                        note="no model calls at all",
                    )
                )
        cp, db = saver("supervisor")
        systems.append(supervisor_system(cp, db, latency))
        yield systems


# -- measuring ---------------------------------------------------------------------------------


@dataclass
class Figures:
    """What one system costs per request with a zero-latency model."""

    system: str
    equal_work: bool
    note: str
    requests: int
    median_ms: float
    p95_ms: float
    cpu_median_ms: float  # the process's CPU time per request, every thread
    checkpoint_bytes_per_request: float  # checkpoints.checkpoint + .metadata + writes.value
    file_bytes_per_request: float  # growth of the SQLite file (WAL folded in)
    checkpoints_per_request: float
    writes_per_request: float
    model_calls_per_request: float
    prompt_tokens_per_request: float
    output_tokens_per_request: float
    planned_locally: float | None  # the cascade: share of requests planned with no model call


@dataclass
class LatencyFigures:
    """Wall time per request when every model call takes time, against the system's floor."""

    system: str
    equal_work: bool
    requests: int
    wall_median_ms: float
    wall_p95_ms: float
    floor_median_ms: float
    overhead_median_ms: float  # wall minus floor, per request
    overhead_share: float  # median of (wall - floor) / floor


def warm_up(systems: list[System]) -> None:
    for system in systems:
        system.invoke("warm-up")


def run_rounds(systems: list[System], requests: int) -> None:
    for i in range(requests):  # interleaved, so drift and load fall on every system alike
        for system in systems:
            elapsed, cpu, floor = system.invoke(f"request-{i:04d}")
            system.times.append(elapsed)
            system.cpu.append(cpu)
            system.floors.append(floor)


def measure(systems: list[System], requests: int) -> list[Figures]:
    warmup = "warm-up"
    warm_up(systems)
    counts = {s.name: s.counts() for s in systems}
    local0 = {s.name: s.cascade.local_only for s in systems if s.cascade}
    size_before = {s.name: s.file_bytes() for s in systems}
    run_rounds(systems, requests)
    figures = []
    for system in systems:
        blob, checkpoints, writes = stored_bytes(system.db, warmup)
        grown = system.file_bytes() - size_before[system.name]
        calls, prompt, output = (
            b - a for a, b in zip(counts[system.name], system.counts(), strict=True)
        )
        ms = [t * 1000 for t in system.times]
        local = None
        if system.cascade is not None:
            local = (system.cascade.local_only - local0[system.name]) / requests
        figures.append(
            Figures(
                system=system.name,
                equal_work=system.equal_work,
                note=system.note,
                requests=requests,
                median_ms=round(statistics.median(ms), 3),
                p95_ms=round(percentile(ms, 95), 3),
                cpu_median_ms=round(statistics.median(system.cpu) * 1000, 3),
                checkpoint_bytes_per_request=round(blob / requests, 1),
                file_bytes_per_request=round(grown / requests, 1),
                checkpoints_per_request=round(checkpoints / requests, 2),
                writes_per_request=round(writes / requests, 2),
                model_calls_per_request=round(calls / requests, 2),
                prompt_tokens_per_request=round(prompt / requests, 1),
                output_tokens_per_request=round(output / requests, 1),
                planned_locally=local,
            )
        )
    return figures


def measure_latency(systems: list[System], requests: int) -> list[LatencyFigures]:
    warm_up(systems)
    run_rounds(systems, requests)
    out = []
    for s in systems:
        over = [t - f for t, f in zip(s.times, s.floors, strict=True)]
        share = [(t - f) / f for t, f in zip(s.times, s.floors, strict=True) if f > 0]
        out.append(
            LatencyFigures(
                system=s.name,
                equal_work=s.equal_work,
                requests=requests,
                wall_median_ms=round(statistics.median(s.times) * 1000, 1),
                wall_p95_ms=round(percentile(s.times, 95) * 1000, 1),
                floor_median_ms=round(statistics.median(s.floors) * 1000, 1),
                overhead_median_ms=round(statistics.median(over) * 1000, 1),
                overhead_share=round(statistics.median(share), 3) if share else 0.0,
            )
        )
    return out


@dataclass
class Report:
    options: Options
    figures: list[Figures]
    latency: list[LatencyFigures]
    times_ms: dict[str, list[float]]  # zero latency, per request, in the order they ran
    final_states: dict[str, dict[str, Any]]
    machine_before: dict[str, Any]
    machine_after: dict[str, Any]

    def paired_time_ratio(self, system: str, against: str) -> float:
        """The median of per-round ratios: each pair ran close together, so load swings cancel."""
        pairs = zip(self.times_ms[system], self.times_ms[against], strict=True)
        return statistics.median(a / b for a, b in pairs)

    def verdicts(self) -> list[dict[str, Any]]:
        """One per target: what was measured, the limit, and whether it was met."""
        by = {f.system: f for f in self.figures}
        base, head = by[SUPERVISOR], by[HEADLINE]
        out = [
            verdict(
                f"equal work, zero latency: {HEADLINE} checkpoint bytes / {SUPERVISOR}'s",
                head.checkpoint_bytes_per_request / base.checkpoint_bytes_per_request,
                BYTES_TARGET,
            ),
            verdict(
                f"equal work, zero latency: {HEADLINE} median time / {SUPERVISOR}'s",
                head.median_ms / base.median_ms,
                TIME_TARGET,
                also=f"paired per round {self.paired_time_ratio(HEADLINE, SUPERVISOR):.2f}, "
                f"CPU time {head.cpu_median_ms / base.cpu_median_ms:.2f}",
            ),
        ]
        lat = {f.system: f for f in self.latency}
        if SUPERVISOR in lat:
            sup = lat[SUPERVISOR]
            for name, target in ((HEADLINE, LATENCY_LLM_TARGET), (CASCADE, LATENCY_CASCADE_TARGET)):
                if name not in lat:
                    continue
                row = lat[name]
                out.append(
                    verdict(
                        f"latency: {name} wall time / {SUPERVISOR}'s",
                        row.wall_median_ms / sup.wall_median_ms,
                        target,
                    )
                )
                out.append(
                    verdict(
                        f"latency: {name} wall time above its floor",
                        row.overhead_share,
                        FLOOR_TARGET,
                        also=f"{row.overhead_median_ms:.0f} ms over {row.floor_median_ms:.0f} ms",
                    )
                )
        return out


def verdict(what: str, value: float, limit: float, also: str = "") -> dict[str, Any]:
    met = value <= limit
    text = f"{what}: {value:.2f} (target <= {limit}): {'met' if met else 'NOT met'}"
    return {
        "target": what,
        "value": round(value, 3),
        "limit": limit,
        "met": met,
        "text": text + (f" [{also}]" if also else ""),
    }


def run(options: Options) -> Report:
    before = machine()
    local = local_planner(options.planner_cache) if options.with_local else None
    with tempfile.TemporaryDirectory(prefix="ringmaster-bench-") as tmp:
        with systems_under_test(Path(tmp) / "zero", Latency(), local, full=True) as systems:
            figures = measure(systems, options.requests)
            finals = {s.name: s.last_state or {} for s in systems}
            times = {s.name: [t * 1000 for t in s.times] for s in systems}
        latency: list[LatencyFigures] = []
        if options.latency_requests > 0:
            with systems_under_test(
                Path(tmp) / "latency", options.latency, local, full=False
            ) as systems:
                latency = measure_latency(systems, options.latency_requests)
    return Report(options, figures, latency, times, finals, before, machine())


# -- output ------------------------------------------------------------------------------------

COLUMNS = (
    ("median ms", "median_ms", "{:.2f}"),
    ("p95 ms", "p95_ms", "{:.2f}"),
    ("cpu ms", "cpu_median_ms", "{:.2f}"),
    ("ckpt bytes/req", "checkpoint_bytes_per_request", "{:,.0f}"),
    ("file bytes/req", "file_bytes_per_request", "{:,.0f}"),
    ("checkpoints/req", "checkpoints_per_request", "{:.1f}"),
    ("writes/req", "writes_per_request", "{:.1f}"),
    ("calls/req", "model_calls_per_request", "{:.1f}"),
    ("prompt tok/req", "prompt_tokens_per_request", "{:,.0f}"),
    ("output tok/req", "output_tokens_per_request", "{:,.0f}"),
)
LATENCY_COLUMNS = (
    ("wall ms", "wall_median_ms", "{:,.0f}"),
    ("p95 ms", "wall_p95_ms", "{:,.0f}"),
    ("floor ms", "floor_median_ms", "{:,.0f}"),
    ("over floor ms", "overhead_median_ms", "{:,.0f}"),
    ("over floor", "overhead_share", "{:.1%}"),
)


def label(system: str, equal_work: bool) -> str:
    return system if equal_work else f"{system} (not equal work)"


def table(rows: Sequence[Any], columns: Sequence[tuple[str, str, str]]) -> str:
    names = [label(r.system, r.equal_work) for r in rows]
    width = max(len(n) for n in names)
    head = f"{'system':<{width}}  " + "  ".join(f"{c:>15}" for c, _, _ in columns)
    lines = [head, "-" * len(head)]
    for name, r in zip(names, rows, strict=True):
        row = asdict(r)
        cells = "  ".join(f"{fmt.format(row[key]):>15}" for _, key, fmt in columns)
        lines.append(f"{name:<{width}}  {cells}")
    return "\n".join(lines)


def command(argv: Sequence[str]) -> str:
    return " ".join([".venv/bin/python -m benchmarks.overhead", *argv])


def document(report: Report, argv: Sequence[str]) -> dict[str, Any]:
    """The --json output; `benchmarks/readme.py` renders README tables from it."""
    o = report.options
    return {
        "benchmark": "overhead",
        "command": command(argv),
        "machine": {"before": report.machine_before, "after": report.machine_after},
        "request": REQUEST,
        "requests": o.requests,
        "latency_requests": o.latency_requests,
        "latency_model": asdict(o.latency),
        "targets": {
            "bytes": BYTES_TARGET,
            "time": TIME_TARGET,
            "latency_llm": LATENCY_LLM_TARGET,
            "latency_cascade": LATENCY_CASCADE_TARGET,
            "floor": FLOOR_TARGET,
        },
        "systems": [asdict(f) for f in report.figures],
        "latency": [asdict(f) for f in report.latency],
        "verdicts": report.verdicts(),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=40, help="zero-latency requests each")
    parser.add_argument(
        "--latency-requests", type=int, default=5, help="requests each with latency (0: none)"
    )
    parser.add_argument("--latency-ms", type=float, default=300.0, help="per model call")
    parser.add_argument("--latency-prompt-ms", type=float, default=0.05, help="per prompt token")
    parser.add_argument("--latency-output-ms", type=float, default=0.0, help="per output token")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--no-local-planner",
        action="store_true",
        help="skip the rows with the local planner (training it takes ~12 s without a cache)",
    )
    parser.add_argument(
        "--planner-cache", type=Path, default=None, help="directory for the local planner model"
    )
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    if args.latency_requests < 0:
        parser.error("--latency-requests must be 0 or more")
    if min(args.latency_ms, args.latency_prompt_ms, args.latency_output_ms) < 0:
        parser.error("latencies must not be negative")
    return args


def main(argv: Sequence[str] | None = None) -> Report:
    """Run the benchmark, print the tables and verdicts (or JSON), and return the report."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    options = Options(
        requests=args.requests,
        latency_requests=args.latency_requests,
        latency=Latency(args.latency_ms, args.latency_prompt_ms, args.latency_output_ms),
        with_local=not args.no_local_planner,
        planner_cache=args.planner_cache,
    )
    report = run(options)
    if args.json:
        print(json.dumps(document(report, argv), indent=2))
        return report
    load = report.machine_before["load"]
    print(f"{command(argv)}  (load average before: {load[0]} {load[1]} {load[2]})")
    print(f"Zero latency, {options.requests} requests each: {REQUEST!r}")
    print(table(report.figures, COLUMNS))
    if report.latency:
        lat = options.latency
        print()
        print(
            f"Latency: {lat.per_call_ms:g} ms a call + {lat.per_prompt_token_ms:g} ms a prompt "
            f"token + {lat.per_output_token_ms:g} ms an output token, "
            f"{options.latency_requests} requests each"
        )
        print(table(report.latency, LATENCY_COLUMNS))
    print()
    load = report.machine_after["load"]
    print(f"(load average after: {load[0]} {load[1]} {load[2]})")
    for v in report.verdicts():
        print(v["text"])
    return report


if __name__ == "__main__":
    main()
