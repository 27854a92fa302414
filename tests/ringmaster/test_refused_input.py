"""A requester's bad input is not an agent failure: it is asked back, and the agent's health,
which routing and the run queue read, is untouched. The agent's own failures still count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ringmaster.agent_status import agent_statuses
from ringmaster.agents.runtime import AgentTask
from ringmaster.graph.state import Requester
from ringmaster.runner import Runner, RunOutcome
from ringmaster.settings import Settings
from ringmaster.tools.base import ToolBox
from ringmaster.tools.errors import ToolArgumentError
from ringmaster.wiring import load_team_and_tools
from tests.fakes import ScriptedAgent, ScriptedPlanner, make_deps, ok, plan_of

BAD = "show revenue for the last 99999 days"  # the tool takes 1 to 3650 days


def by_name(runner: Runner, team: Any) -> dict[str, Any]:
    return {s.name: s for s in agent_statuses(runner.engine, team, runner.clock())}


def test_mistyped_input_on_the_demo_leaves_the_agent_healthy(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    team, _ = load_team_and_tools(settings)
    with Runner(settings) as runner:
        ann = Requester(id="ann", scopes=runner.default_scopes())
        for _ in range(3):  # past the 3 outputs an error rate needs
            out: RunOutcome = runner.submit(BAD, requester=ann)
            assert out.status == "needs_input" and out.pending == []
            (result,) = out.results.values()
            assert result["agent"] == "analytics" and result["status"] == "needs_input"
            assert "days must be an integer from 1 to 3650; got 99999" in result["summary"]
            assert result["attempts"] == 1  # not retried, no fallback agent asked
        analytics = by_name(runner, team)["analytics"]
        assert analytics.healthy, analytics.reasons
        assert (analytics.refused, analytics.errors, analytics.outputs) == (3, 0, 0)
        assert analytics.last_error is None
        # Routing still sends analytics its work: no review asking for a stand-in.
        out = runner.submit("how many tickets were opened last week", requester=ann)
        assert out.status == "completed" and out.pending == []
        assert [r["agent"] for r in out.results.values()] == ["analytics"]


class Raising:
    """An agent that raises `exc` on every call, and counts its calls."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc
        self.calls = 0

    def __call__(self, task: AgentTask, tools: ToolBox) -> dict[str, Any]:
        self.calls += 1
        raise self.exc


def test_the_agents_own_failures_still_make_it_unhealthy_and_say_why(tmp_path: Path) -> None:
    refusing = Raising(ToolArgumentError("no invoice INV-9"))
    crashing = Raising(RuntimeError("database is locked"))
    fallback = ScriptedAgent(ok())
    plan = plan_of(("look it up", "alpha"))
    deps, _ = make_deps(tmp_path, ScriptedPlanner(plan), {"alpha": refusing, "beta": fallback})
    with Runner(Settings(home=tmp_path), deps=deps) as runner:
        for _ in range(3):
            out = runner.submit("look it up")
            assert out.status == "needs_input"
        assert refusing.calls == 3 and fallback.tasks == []  # once each, no fallback
        alpha = by_name(runner, deps.registry.team)["alpha"]
        assert alpha.healthy and alpha.refused == 3
    deps, _ = make_deps(tmp_path, ScriptedPlanner(plan), {"alpha": crashing, "beta": fallback})
    with Runner(Settings(home=tmp_path), deps=deps) as runner:
        runner.submit("look it up")  # 2 attempts fail, then beta (the fallback) answers
        runner.submit("look it up")
        assert crashing.calls == 4 and len(fallback.tasks) == 2
        alpha = by_name(runner, deps.registry.team)["alpha"]
        assert not alpha.healthy
        assert alpha.reasons == [
            "4 of 4 outputs failed in the last 1:00:00 (latest: database is locked)"
        ]
        assert alpha.refused == 3 and alpha.last_error_message == "database is locked"
