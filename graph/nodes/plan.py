"""The supervisor: asks the planner for a plan, and never lets it route outside the allowlist."""

from __future__ import annotations

import logging
from typing import Any

from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.events import emit
from ringmaster.graph.intake import validate_request
from ringmaster.graph.planner.base import Plan, human_plan
from ringmaster.graph.references import Resolved, kinds_from_team, resolve
from ringmaster.graph.state import Requester, RunState

log = logging.getLogger(__name__)


def allowed_agents(deps: GraphDeps, requester: Requester) -> list[str]:
    """The agents this requester's scopes reach."""
    scopes = frozenset(requester.scopes)
    return [a.name for a in deps.registry.team.agents if a.reachable_by(scopes)]


def enforce_allowlist(plan: Plan, allowed: list[str]) -> Plan:
    """Escalate any subtask routed outside the allowlist (whatever the planner said)."""
    fixed = []
    for s in plan.subtasks:
        if s.agent is not None and s.agent not in allowed:
            s = s.model_copy(
                update={
                    "agent": None,
                    "escalate": True,
                    "escalation_reason": f"the requester may not reach agent {s.agent!r}",
                }
            )
        fixed.append(s)
    return plan.model_copy(update={"subtasks": fixed})


def with_references(plan: Plan, resolved: Resolved) -> Plan:
    """Each subtask's rationale says which follow-up references were resolved, and from where."""
    if not resolved.resolutions:
        return plan
    note = "resolved " + "; ".join(r.describe() for r in resolved.resolutions)
    return plan.model_copy(
        update={
            "subtasks": [
                s.model_copy(update={"rationale": f"{s.rationale} ({note})".strip()})
                for s in plan.subtasks
            ]
        }
    )


def make_plan(deps: GraphDeps) -> Any:
    kinds = kinds_from_team(deps.registry.team.entities)

    def plan(state: RunState) -> dict[str, Any]:
        # Intake: the runner checks before storing anything; this re-check guards other callers.
        request = validate_request(state.get("request"), max_chars=deps.max_request_chars)
        requester = Requester.model_validate(state.get("requester") or {})
        allowed = allowed_agents(deps, requester)
        # Follow-ups ("close it") are routed as what they refer to; an ambiguous one is asked.
        resolved = resolve(request, state.get("history") or [], kinds)
        if resolved.resolutions or resolved.question:
            emit("references", "planner:references", request=request, **resolved.to_dict())
        try:
            if resolved.question:
                result = human_plan(request, resolved.question, "references")
            else:
                result = deps.planner.plan(resolved.text, allowed_agents=allowed)
        except Exception as exc:  # fail closed: a planner failure goes to a human
            log.exception("planner %s failed", deps.planner.name)
            result = human_plan(request, f"the planner failed: {exc}", deps.planner.name)
        result = enforce_allowlist(with_references(result, resolved), allowed)
        actor = f"planner:{result.planner}"
        emit(
            "plan",
            actor,
            planner=result.planner,
            subtasks=[s.model_dump() for s in result.subtasks],
        )
        for s in result.subtasks:
            emit(
                "routing",
                actor,
                subtask_id=s.id,
                agent=s.agent,
                confidence=s.confidence,
                rationale=s.rationale,
                alternatives=[a.model_dump() for a in s.alternatives],
                escalate=s.escalate,
                reason=s.escalation_reason,
            )
        return {
            "request": request,
            "requester": requester.model_dump(),
            "plan": result.model_dump(),
        }

    return plan
