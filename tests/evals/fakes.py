"""A scripted planner for eval tests: fixed answers per request, counting the calls it gets.

It exposes the optional counters (`model_calls`, `tokens`) a model-backed planner would, so the
runner's cache and cost accounting are tested without a model.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from ringmaster.evals.dataset import EvalRow
from ringmaster.evals.records import RowPrediction
from ringmaster.graph.planner.base import Alternative, Plan, Subtask

# (agent or None, confidence, escalate, runner-up score)
Part = tuple[str | None, float, bool, float]


def make_plan(parts: Sequence[Part], planner: str = "scripted") -> Plan:
    subtasks = []
    for i, (agent, conf, escalate, runner_up) in enumerate(parts, 1):
        alts = [Alternative(agent="zz_other", score=runner_up)] if runner_up else []
        subtasks.append(
            Subtask(
                id=f"t{i}",
                description=f"part {i}",
                agent=agent,
                confidence=conf,
                escalate=escalate,
                alternatives=alts,
            )
        )
    return Plan(subtasks=subtasks, planner=planner)


class ScriptedPlanner:
    """Answers each request from a script; unknown requests go to a human."""

    name = "scripted"

    def __init__(self, script: Mapping[str, Sequence[Part]], model: str = "scripted-1") -> None:
        self.script = dict(script)
        self.model = model
        self.calls = 0
        self.model_calls = 0
        self.tokens = 0
        self._lock = threading.Lock()

    def plan(
        self, request: str, *, allowed_agents: Sequence[str] | None = None, context: str = ""
    ) -> Plan:
        with self._lock:
            self.calls += 1
            self.model_calls += 1
            self.tokens += len(request.split())
        if request == "boom":
            raise RuntimeError("the scripted model fell over")
        if request == "timeout":  # a failed call's stand-in plan: to a person, not cached
            return make_plan([(None, 0.0, True, 0.0)]).model_copy(update={"stand_in": True})
        return make_plan(self.script.get(request, [(None, 0.0, True, 0.0)]))


def row(
    agents: Sequence[str],
    *,
    subtasks: int | None = None,
    text: str = "req",
    tags: Sequence[str] = (),
) -> EvalRow:
    return EvalRow(
        text=text,
        agents=tuple(agents),
        escalate=not agents,
        subtasks=len(agents) if subtasks is None else subtasks,
        tags=tuple(tags),
    )


def pred(
    agents: Sequence[str],
    parts: Sequence[Part],
    *,
    score: float | None = None,
    latency_ms: float = 1.0,
    tags: Sequence[str] = (),
) -> RowPrediction:
    """A row prediction: expected `agents` ([] = escalate), planned as `parts`."""
    return RowPrediction.from_plan(
        row(agents, tags=tags), make_plan(parts), latency_ms=latency_ms, escalation_score=score
    )


TEAM_YAML = """\
# a tiny team for eval tests
name: tiny
routing:
  confidence_floor: 0.5
  min_margin: 0.1
agents:
  - name: alpha
    description: account access and passwords
    examples: [reset my password, unlock my account, i cannot log in]
    runtime: {kind: python, entry: "ringmaster.evals.echo_agent:echo"}
  - name: beta
    description: invoices and payments
    examples: [pay my invoice, refund the charge, what do i owe]
    runtime: {kind: python, entry: "ringmaster.evals.echo_agent:echo"}
  - name: gamma
    description: deployments and outages
    examples: [deploy the api, roll back the release, is the site down]
    runtime: {kind: python, entry: "ringmaster.evals.echo_agent:echo"}
human_examples: [what is the weather, tell me a joke]
"""

ROWS = [
    {"text": "reset password please", "agents": ["alpha"], "escalate": False, "tags": ["one"]},
    {"text": "pay the invoice", "agents": ["beta"], "escalate": False, "tags": ["one"]},
    {"text": "weather tomorrow", "agents": [], "escalate": True, "tags": ["oos"]},
    {"text": "deploy then pay", "agents": ["gamma", "beta"], "escalate": False, "subtasks": 2},
]

# v1 gets "pay the invoice" wrong; v2 gets "reset password please" wrong instead.
SCRIPT_V1: dict[str, list[Part]] = {
    "reset password please": [("alpha", 0.9, False, 0.05)],
    "pay the invoice": [("alpha", 0.6, False, 0.3)],
    "weather tomorrow": [(None, 0.0, True, 0.1)],
    "deploy then pay": [("gamma", 0.8, False, 0.1), ("beta", 0.85, False, 0.05)],
}
SCRIPT_V2: dict[str, list[Part]] = {
    **SCRIPT_V1,
    "reset password please": [("gamma", 0.55, False, 0.4)],
    "pay the invoice": [("beta", 0.95, False, 0.01)],
}


def scripted_v1(team: object, cache_dir: object = None) -> ScriptedPlanner:
    return ScriptedPlanner(SCRIPT_V1)


def scripted_v2(team: object, cache_dir: object = None) -> ScriptedPlanner:
    return ScriptedPlanner(SCRIPT_V2)
