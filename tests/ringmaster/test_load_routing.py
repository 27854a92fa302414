"""Load- and health-aware routing through a real graph run, with agent status read from the
stores (SQLite and Postgres) and an injected clock: a spike on one agent sends new work to a
qualified idle stand-in, never to an unqualified or out-of-scope one; an unhealthy agent
receives nothing new."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.runtime import PythonRuntime
from ringmaster.availability import StatusAvailability
from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.state import Requester
from ringmaster.review_queue import ReviewQueue
from ringmaster.run_queue import SqlRunQueue
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from ringmaster.tools.base import ToolRegistry
from tests.fakes import ScriptedAgent, ScriptedPlanner, ok, plan_of
from tests.ringmaster.ops_traffic import AUDIT_KEY, LEGAL_UP, START, TEAM, Clock, Traffic, engine

__all__ = ["engine"]


def run_one(
    tmp_path: Path, engine: Engine, clock: Clock, agent: str, scopes: list[str]
) -> tuple[dict[str, Any], dict[str, ScriptedAgent], list[Any]]:
    agents = {name: ScriptedAgent(ok()) for name in TEAM.names()}
    registry = AgentRegistry.build(
        TEAM, ToolRegistry(), overrides={n: PythonRuntime(a) for n, a in agents.items()}
    )
    deps = GraphDeps(
        registry=registry,
        planner=ScriptedPlanner(plan_of(("do the thing", agent))),
        availability=StatusAvailability(engine, TEAM, clock=clock, ttl_seconds=0),
    )
    settings = Settings(
        home=tmp_path, db_url=engine.url.render_as_string(False), audit_key=AUDIT_KEY
    )
    with Runner(settings, deps=deps, clock=clock, recover_on_start=False) as runner:
        out = runner.submit("do the thing", requester=Requester(id="ann", scopes=scopes))
        events = runner.audit.for_thread(out.thread_id)
    (sub,) = out.plan["subtasks"]  # type: ignore[index]
    return sub, agents, events


def spike(traffic: Traffic, agent: str, n: int) -> None:
    """`n` subtasks waiting in `agent`'s queue, as the run queue holds them (slot rows)."""
    queue = SqlRunQueue(traffic.engine, traffic.clock)
    for _ in range(n):
        tid = traffic.start([("s1", agent, [])], ["billing"])
        key = f"slot:{tid}:1:s1:1"
        assert queue.enqueue(key=key, kind="slot", thread_id=tid, turn=1, agent=agent)


def test_a_spike_moves_new_work_to_a_qualified_idle_agent(tmp_path: Path, engine: Engine) -> None:
    clock = Clock(START)
    traffic = Traffic(engine, clock)
    spike(traffic, "billing", 2)  # billing's capacity is 2: full
    sub, agents, events = run_one(tmp_path, engine, clock, "billing", ["billing", "support"])
    assert sub["agent"] == "billing2"
    assert agents["billing2"].tasks and not agents["billing"].tasks
    (standin,) = [e for e in events if e.kind == "standin"]
    assert standin.data["planned"] == "billing" and standin.data["agent"] == "billing2"
    assert "billing is full" in standin.data["reason"]
    assert standin.data["loads"]["billing"].endswith("2 queued + 0 running of 2")
    assert "router: billing is full" in sub["rationale"]


def test_never_to_an_out_of_scope_agent(tmp_path: Path, engine: Engine) -> None:
    clock = Clock(START)
    traffic = Traffic(engine, clock)
    spike(traffic, "billing", 2)
    spike(traffic, "billing2", 2)  # the qualified in-scope stand-in is full too
    # support is also billing's stand-in and idle, but this requester cannot reach it.
    sub, agents, events = run_one(tmp_path, engine, clock, "billing", ["billing"])
    assert sub["agent"] == "billing" and agents["billing"].tasks
    assert not agents["support"].tasks and not agents["billing2"].tasks
    assert not [e for e in events if e.kind == "standin"]


def test_an_unhealthy_agent_receives_nothing_new(tmp_path: Path, engine: Engine) -> None:
    clock = Clock(START)
    traffic = Traffic(engine, clock)
    for _ in range(3):  # billing fails 3 of 3: unhealthy
        tid = traffic.start([("s1", "billing", [])], ["billing"])
        traffic.output(tid, "s1", "billing", error="boom")
        traffic.finish(tid)
    sub, agents, events = run_one(tmp_path, engine, clock, "billing", ["billing"])
    assert sub["agent"] == "billing2" and not agents["billing"].tasks
    # legal has no stand-in: with its health check failing, its work goes to a person.
    LEGAL_UP["ok"] = False
    try:
        sub, agents, events = run_one(tmp_path, engine, clock, "legal", ["legal"])
    finally:
        LEGAL_UP["ok"] = True
    assert sub["agent"] is None and sub["escalate"] and not agents["legal"].tasks
    assert "legal is unhealthy (health check failed" in sub["escalation_reason"]
    assert sub["escalation_kind"] == "unavailable"
    assert [e.kind for e in events].count("interrupt") == 1
    # The reviewer was advised 'no agent fits; answer or reject it': legal fits, and is down.
    (item,) = ReviewQueue(engine).list(status="pending", thread_id=events[0].thread_id)
    recommended = item.payload["context"]["recommended"]
    assert recommended["decision"] == "respond"
    assert recommended["reason"].startswith(f"no agent took it: {sub['escalation_reason']}; ")
    assert "no agent fits" not in recommended["reason"]
    # Recovered: the planner's choice stands again.
    sub, agents, _ = run_one(tmp_path, engine, clock, "legal", ["legal"])
    assert sub["agent"] == "legal" and agents["legal"].tasks
