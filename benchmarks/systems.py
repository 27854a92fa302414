"""The systems the overhead benchmark compares: each a compiled graph on its own checkpoint file.

A `System` runs one request at a time and reports its wall time, its CPU time and its floor:
the time of the model calls it must make one after another, from the latencies of the calls it
made (`floor_seconds`).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from langchain_core.messages import HumanMessage

from benchmarks.scripted import Latency, ScriptedChatModel
from benchmarks.workload import (
    REQUEST,
    SPECIALISTS,
    bench_team,
    bench_tools,
    check_ringmaster,
    check_supervisor,
    plan_script,
    python_agent,
    react_agent,
    ringmaster_payload,
    specialist_script,
    supervisor_app,
)
from ringmaster.agents.llm_runtime import LLMRuntime
from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.runtime import AgentRuntime, GraphRuntime, PythonRuntime
from ringmaster.agents.spec import AgentSpec
from ringmaster.graph.build import build_graph
from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.planner.base import Planner
from ringmaster.graph.planner.cascade import CascadePlanner
from ringmaster.graph.planner.llm import LLMPlanner

HEADLINE = "ringmaster · llm planner · llm agents"
REACT_INSIDE = "ringmaster · llm planner · react agents"
CASCADE = "ringmaster · cascade · llm agents"
PYTHON_AGENTS = "ringmaster · llm planner · python agents"
LOCAL_PYTHON = "ringmaster · local planner · python agents"
SUPERVISOR = "create_supervisor · react agents"


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
