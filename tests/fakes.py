"""Fakes for graph tests: a scripted planner, a tiny team of scripted agents and a ledger tool.

The agents here are deterministic and count their calls, so tests assert on state, rows and
counts, never on printed text.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.runtime import AgentOutput, AgentTask, PythonRuntime
from ringmaster.agents.spec import parse_team
from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.planner.base import Plan, Subtask
from ringmaster.tools.base import Tool, ToolBox, ToolRegistry
from ringmaster.tools.errors import ToolArgumentError

TEAM_YAML = """
name: fake
agents:
  - name: alpha
    description: does alpha things
    tools: [record]
    fallback: beta
    max_attempts: 2
    output_schema: {type: object, required: [summary, value], properties: {summary: {type: string}}}
    checks: {forbidden_patterns: ['\\d{4}-\\d{4}-\\d{4}-\\d{4}']}
    runtime: {kind: python, entry: tests.fakes:unused}
  - name: beta
    description: does beta things
    tools: [record]
    max_attempts: 1
    output_schema: {type: object, required: [summary, value]}
    runtime: {kind: python, entry: tests.fakes:unused}
  - name: gamma
    description: does gamma things
    tools: [record]
    output_schema: {type: object, required: [summary, value]}
    runtime: {kind: python, entry: tests.fakes:unused}
  - name: secret
    description: privileged
    scopes: [admin]
    human_categories: ["*"]
    tools: [record]
    runtime: {kind: python, entry: tests.fakes:unused}
"""


def unused(task: AgentTask, tools: ToolBox) -> AgentOutput:  # the registry is built with overrides
    raise AssertionError("not used")


class Ledger:
    """A side-effecting tool over SQLite whose idempotency key is a primary key."""

    def __init__(self, path: Path, approval_over: int = 10) -> None:
        self.path = path
        self.approval_over = approval_over
        with sqlite3.connect(path) as c:
            c.execute(
                "CREATE TABLE IF NOT EXISTS ledger (key TEXT PRIMARY KEY, amount INT, note TEXT)"
            )

    def record(self, *, idempotency_key: str, amount: int, note: str = "") -> dict[str, Any]:
        if amount < 0:
            raise ToolArgumentError("amount must not be negative")
        with sqlite3.connect(self.path, timeout=30) as c:
            c.execute(
                "INSERT OR IGNORE INTO ledger VALUES (?, ?, ?)", (idempotency_key, amount, note)
            )
            row = c.execute(
                "SELECT amount, note FROM ledger WHERE key = ?", (idempotency_key,)
            ).fetchone()
        return {"amount": row[0], "note": row[1]}

    def rows(self) -> list[tuple[str, int, str]]:
        with sqlite3.connect(self.path) as c:
            return c.execute("SELECT key, amount, note FROM ledger ORDER BY key").fetchall()

    def tool(self) -> Tool:
        def rule(args: Any) -> str | None:
            over = int(args.get("amount", 0)) > self.approval_over
            return f"amount over {self.approval_over}" if over else None

        return Tool(
            "record", "record an amount", self.record, side_effect=True, needs_approval=rule
        )


class ScriptedPlanner:
    """Returns the plan a test gives it (or builds one from `routes`) and counts calls."""

    name = "scripted"

    def __init__(self, plan: Plan | Callable[[str], Plan]) -> None:
        self._plan = plan
        self.calls = 0

    def plan(
        self, request: str, *, allowed_agents: Sequence[str] | None = None, context: str = ""
    ) -> Plan:
        self.calls += 1
        return self._plan(request) if callable(self._plan) else self._plan


def plan_of(*parts: tuple[str, str | None], deps: dict[str, list[str]] | None = None) -> Plan:
    """A plan from (description, agent) pairs; `deps` maps an id to the ids it waits for."""
    deps = deps or {}
    return Plan(
        planner="scripted",
        subtasks=[
            Subtask(
                id=f"t{i}",
                description=text,
                agent=agent,
                confidence=0.9 if agent else 0.1,
                rationale="scripted",
                depends_on=deps.get(f"t{i}", []),
                escalate=agent is None,
            )
            for i, (text, agent) in enumerate(parts, start=1)
        ],
    )


class ScriptedAgent:
    """An agent whose answers come from a function of the task; records every call."""

    def __init__(
        self,
        answer: Callable[[AgentTask, ToolBox], AgentOutput | dict[str, Any]],
        delay: float = 0.0,
    ) -> None:
        self.answer = answer
        self.delay = delay
        self.tasks: list[AgentTask] = []
        self.spans: list[tuple[float, float]] = []
        self._lock = threading.Lock()

    def __call__(self, task: AgentTask, tools: ToolBox) -> AgentOutput | dict[str, Any]:
        start = time.monotonic()
        if self.delay:
            time.sleep(self.delay)  # simulated work, so overlap is observable
        result = self.answer(task, tools)
        with self._lock:
            self.tasks.append(task)
            self.spans.append((start, time.monotonic()))
        return result


def ok(value: str = "v") -> Callable[[AgentTask, ToolBox], dict[str, Any]]:
    return lambda task, tools: {"summary": f"did {task.description}", "value": value}


def proposing(amount: int) -> Callable[[AgentTask, ToolBox], dict[str, Any]]:
    def answer(task: AgentTask, tools: ToolBox) -> dict[str, Any]:
        tools.propose("record", description=f"record {amount}", amount=amount, note=task.subtask_id)
        return {"summary": f"will record {amount}", "value": str(amount)}

    return answer


def make_deps(
    tmp: Path,
    planner: ScriptedPlanner,
    agents: dict[str, ScriptedAgent],
    approval_over: int = 10,
    capacity: dict[str, int] | None = None,
) -> tuple[GraphDeps, Ledger]:
    ledger = Ledger(tmp / "ledger.db", approval_over)
    tools = ToolRegistry()
    tools.register(ledger.tool())
    team = parse_team(TEAM_YAML)
    if capacity:  # the team file's `capacity:` per agent
        specs = [
            a.model_copy(update={"capacity": capacity.get(a.name, a.capacity)}) for a in team.agents
        ]
        team = team.model_copy(update={"agents": specs})
    overrides = {name: PythonRuntime(agent) for name, agent in agents.items()}
    for name in team.names():
        overrides.setdefault(name, PythonRuntime(ScriptedAgent(ok())))
    registry = AgentRegistry.build(team, tools, overrides=overrides)
    return GraphDeps(registry=registry, planner=planner), ledger


def counts(agent: ScriptedAgent) -> Counter[str]:
    return Counter(t.subtask_id for t in agent.tasks)


def dump_sqlite(path: Path) -> list[str]:
    """The statements that rebuild a SQLite file: equal dumps mean nothing changed."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
