"""The agent node: runs the routed specialist on its subtask with a scoped tool box, once it
holds a slot of that agent (graph/slots.py) when the deps limit agents."""

from __future__ import annotations

import json
import logging
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.errors import GraphBubbleUp

from ringmaster.agents.runtime import AgentTask, Handoff
from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.errors import BudgetExceeded
from ringmaster.graph.events import emit
from ringmaster.graph.slots import SlotRequest
from ringmaster.graph.state import WorkState
from ringmaster.tools.errors import ToolArgumentError, ToolScopeError
from ringmaster.tools.redaction import redact_secrets, said_redacted

log = logging.getLogger(__name__)


# Set in `configurable` by a caller that runs each turn of its thread on a checkpoint thread of
# its own (ringmaster's runner): the conversation's id, which idempotency keys, capacity slots
# and reviews are keyed on, rather than the turn's checkpoint thread.
CONVERSATION = "ringmaster_thread"


def thread_id(config: RunnableConfig) -> str:
    """The conversation's thread: the caller's, else the checkpoint thread."""
    configurable = config.get("configurable") or {}
    return str(configurable.get(CONVERSATION) or configurable.get("thread_id", "no-thread"))


def expected_from_schema(schema: dict[str, Any]) -> str:
    required = schema.get("required") or []
    return "a JSON object with " + (", ".join(required) if required else "a summary")


def fault_of(exc: Exception) -> str:
    """Why an attempt failed, for the agent's health (ringmaster/agent_status.py) and for
    what validate does next (graph/nodes/validate.py).

    Not the agent's doing: "input", a tool refused what the request gave it (an unknown id, an
    amount out of range; the requester has to change it, and another attempt would be refused
    the same); "scope", the requester's scopes do not reach a tool the work needs; "budget",
    the request spent its model budget. "agent": anything else (the agent's own exception, a
    timeout, a tool's store failing), which counts against the agent's health.
    """
    if isinstance(exc, ToolArgumentError):
        return "input"
    if isinstance(exc, ToolScopeError):
        return "scope"
    if isinstance(exc, BudgetExceeded):
        return "budget"
    return "agent"


def _no_output(exc: Exception, **flags: bool) -> dict[str, Any]:
    """The candidate of an attempt that produced nothing; validate reads `error` and `fault`."""
    return {
        "output": None,
        "proposed_actions": [],
        "category": None,
        "error": str(exc),
        "fault": fault_of(exc),
        **flags,
    }


def _scrubbed(value: Any, kinds: list[str]) -> Any:
    if isinstance(value, str):
        text, found = redact_secrets(value)
        kinds.extend(k for k in found if k not in kinds)
        return text
    if isinstance(value, dict):
        return {k: _scrubbed(v, kinds) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, kinds) for v in value]
    return value


def scrub_secrets(candidate: dict[str, Any], description: str) -> None:
    """Take every secret out of an agent's proposed arguments, whichever runtime made them,
    before they are audited, reviewed, stored or sent; when the subtask carried one (or a
    proposal did), the output lists the kinds under `redacted` and its summary says so (the
    answer's summary of what ran says it again: synthesize.py). The output's own text is the
    validation node's to check (forbidden_patterns), so an agent that writes a secret into it
    is retried with that feedback rather than passed."""
    in_request = list(redact_secrets(description)[1])
    kinds = list(in_request)
    candidate["proposed_actions"] = _scrubbed(candidate.get("proposed_actions") or [], kinds)
    output = candidate.get("output")
    if isinstance(output, dict) and kinds:
        # Said of where it was: the agent may have put a secret the request never held.
        where = "the request" if in_request else "an action's arguments"
        if in_request and len(kinds) > len(in_request):
            where = "the request and an action's arguments"
        summary = str(output.get("summary") or "").strip()
        said = said_redacted(kinds, where)
        output = {
            **output,
            "redacted": kinds,
            "redacted_from": where,
            "summary": f"{summary} {said}".strip(),
        }
        candidate["output"] = output


def make_agent(deps: GraphDeps) -> Any:
    def agent(state: WorkState, config: RunnableConfig) -> dict[str, Any]:
        sub = state["subtask"]
        name = state.get("agent") or sub["agent"]
        attempt = state.get("attempt", 0) + 1
        if deps.slots is None:  # no limits: run at once
            return run_agent(deps, state, config, name, attempt)
        requester = state["requester"]
        scopes = tuple(requester.get("scopes", []))
        request = SlotRequest(
            thread_id=thread_id(config),
            turn=int(state.get("turn") or 0),
            subtask_id=sub["id"],
            attempt=attempt,
            agent=name,
            requester=str(requester.get("id", "anonymous")),
            priority=str(requester.get("priority", "normal")),
            scopes=scopes,
        )
        # Waits up to a bound (CapacityWait past it: the run is queued again); the slot is
        # freed when the agent is done, whether it succeeded or not.
        with deps.slots.hold(request) as grant:
            if grant.agent == name:
                return run_agent(deps, state, config, name, attempt)
            # The slot was moved to a stand-in while it waited: run the agent it names.
            reason = grant.moved  # set whenever the agent differs (graph/slots.py: Grant)
            emit(
                "standin",
                "system:queue",
                subtask_id=sub["id"],
                planned=name,
                agent=grant.agent,
                reason=reason,
            )
            moved = {**sub, "rationale": f"{sub.get('rationale') or ''} (queue: {reason})".strip()}
            problem = _unfit(deps, grant.agent, scopes)
            if problem is not None:
                out = _no_output(RuntimeError(problem))
                return {"agent": name, "attempt": attempt, "candidate": out, "subtask": moved}
            return {**run_agent(deps, state, config, grant.agent, attempt), "subtask": moved}

    return agent


def _unfit(deps: GraphDeps, agent: str, scopes: tuple[str, ...]) -> str | None:
    """Why a moved slot's agent may not take the subtask (None: it may)."""
    try:
        spec = deps.registry.team.agent(agent)
    except KeyError:
        return f"the run queue moved this subtask to {agent}, which is not in the team"
    if not spec.reachable_by(frozenset(scopes)):
        return f"the run queue moved this subtask to {agent}, outside the requester's scopes"
    return None


def run_agent(
    deps: GraphDeps, state: WorkState, config: RunnableConfig, name: str, attempt: int
) -> dict[str, Any]:
    """Run `name` on the subtask (its attempt number `attempt`); the node's update."""
    sub = state["subtask"]
    spec = deps.registry.spec(name)
    requester = state["requester"]
    task = AgentTask(
        thread_id=thread_id(config),
        subtask_id=sub["id"],
        description=sub["description"],
        expected=expected_from_schema(spec.output_schema),
        requester=requester.get("id", "anonymous"),
        scopes=tuple(requester.get("scopes", [])),
        constraints=(
            "side-effecting tools are proposed, never run directly",
            f"only the requester's scopes apply: {sorted(requester.get('scopes', []))}",
        ),
        handoffs=tuple(Handoff(**h) for h in state.get("handoffs", [])),
        feedback=state.get("feedback"),
        attempt=attempt,
    )
    if task.handoffs:
        emit(
            "handoff",
            "system",
            subtask_id=sub["id"],
            agent=name,
            received=[{"from": h.subtask_id, "agent": h.agent} for h in task.handoffs],
        )
    tools = deps.registry.toolbox(name, task.scopes)
    try:
        out = deps.registry.runtime(name).run(task, tools).to_dict()
        # Outputs live in checkpoints: they must survive a JSON round trip.
        out = json.loads(json.dumps(out, default=str))
        out["error"] = out["fault"] = None
        scrub_secrets(out, sub["description"])
    except GraphBubbleUp:  # an interrupt inside the agent (tool approval): let it stop the run
        raise
    except BudgetExceeded as exc:  # no retry or fallback: they would spend more
        out = _no_output(exc, budget_exceeded=True)
    except Exception as exc:  # an agent's crash is a failed attempt, not a crashed run
        out = _no_output(exc)
        if out["fault"] == "agent":
            log.warning("agent %s failed on %s: %s", name, sub["id"], exc)
    emit(
        "agent_output",
        f"agent:{name}",
        subtask_id=sub["id"],
        attempt=attempt,
        summary=(out.get("output") or {}).get("summary"),
        proposed_actions=out["proposed_actions"],
        error=out["error"],
        fault=out["fault"],
    )
    return {"agent": name, "attempt": attempt, "candidate": out}
