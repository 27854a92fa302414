"""The validation node: schema and policy checks, then retry, fallback, review or act."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import jsonschema

from ringmaster.agents.spec import AgentSpec
from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.errors import BudgetExceeded
from ringmaster.graph.events import emit
from ringmaster.graph.nodes.act import call_context, finished
from ringmaster.graph.nodes.plan import allowed_agents
from ringmaster.graph.state import Requester, WorkState
from ringmaster.tools.base import check_arguments, limits_passed
from ringmaster.tools.errors import ToolError, ToolNotFound


def check_output(deps: GraphDeps, spec: AgentSpec, candidate: dict[str, Any]) -> list[str]:
    """Everything wrong with an agent's answer, as feedback the agent can act on."""
    if candidate.get("error"):
        if refused(candidate):
            return [f"a tool refused the request's input: {candidate['error']}"]
        return [f"the agent failed: {candidate['error']}"]
    output = candidate.get("output")
    if not isinstance(output, dict):
        return ["the output is not a JSON object"]
    problems = [
        f"schema: {e.message}" + (f" at {'/'.join(map(str, e.path))}" if e.path else "")
        for e in jsonschema.Draft202012Validator(spec.output_schema).iter_errors(output)
    ]
    for field in spec.checks.required_fields:
        if output.get(field) in (None, "", [], {}):
            problems.append(f"required field {field!r} is missing or empty")
    text = _flatten(output)
    for pattern in spec.checks.forbidden_patterns:
        if re.search(pattern, text):
            problems.append(f"the output contains forbidden content (pattern {pattern!r})")
    for action in candidate.get("proposed_actions", []):
        name = action.get("tool")
        if name not in spec.tools:
            problems.append(f"proposed tool {name!r} is not one of {spec.name}'s tools")
            continue
        try:
            tool = deps.registry.tools.get(name)
        except ToolNotFound as exc:
            problems.append(str(exc))
            continue
        if not tool.side_effect:
            problems.append(f"proposed tool {name!r} has no side effect; call it instead")
    return problems


def refused(candidate: dict[str, Any]) -> bool:
    """A tool refused what the request gave it (graph/nodes/agent.py: fault_of): only the
    requester can change that."""
    return candidate.get("fault") == "input"


def _flatten(value: Any) -> str:
    if isinstance(value, dict):
        return "\n".join(_flatten(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(_flatten(v) for v in value)
    return str(value)


def concerns(candidate: dict[str, Any]) -> list[str]:
    """The agent's own reasons not to run its proposals as they stand (`evidence.concerns`)."""
    evidence = (candidate.get("output") or {}).get("evidence")
    found = evidence.get("concerns") if isinstance(evidence, dict) else None
    return [str(c) for c in found or [] if str(c).strip()] if isinstance(found, list) else []


def review_blocker(
    deps: GraphDeps,
    spec: AgentSpec,
    candidate: dict[str, Any],
    state: WorkState,
) -> dict | None:
    """Why a valid output must wait for a human, or None when it may go ahead.

    An output whose agent doubts it (`evidence.concerns`) waits for a person whatever its
    tools' limits say: the agent asks instead of acting on a guess, and the doubt is the
    first thing the reviewer and the requester read. So does a call on a record the request
    never named (`inferred`: the record and why it was taken, from the plan's subtask): the
    reason says which record was taken and that it was not named.

    A call held here also names every running-total limit it would pass for the requester
    (`tools.base.limits_passed`, read-only, in the context the act node runs it in): once
    approved it runs without that check, so the reviewer is told now, with the answer's calls
    before it counted (they run first). A call held for nothing else is not held here for a
    total: the act node checks totals when the call runs and raises its own review then.

    Each reason is also tagged by kind under `rules` (`concern`, `unnamed`, `approval`,
    `category`, `total`), so a listing can say the call and count its rules in a line
    (ringmaster/review_summary.py) while the review keeps the reasons in full.
    """
    proposals = candidate.get("proposed_actions", [])
    category = candidate.get("category")
    doubts = concerns(candidate)
    doubt = f"the agent has a concern: {'; '.join(doubts)}" if doubts else ""
    inferred: Mapping[str, str] = state["subtask"].get("inferred") or {}
    rules = [{"kind": "concern", "text": d} for d in doubts]

    def totals(i: int) -> list[str]:
        action = proposals[i]
        tool = deps.registry.tools.get(action["tool"])
        ctx = call_context(state, tool)
        # The act node runs the answer's calls in order: those before this one count in its
        # totals, so calls held together are not each said to be within what they pass together.
        earlier = [(deps.registry.tools.get(a["tool"]), a.get("args") or {}) for a in proposals[:i]]
        passed = limits_passed(tool, action.get("args") or {}, ctx, deps.ledger, earlier)
        rules.extend({"kind": "total", "tool": action["tool"], "text": why} for why in passed)
        return [f"{action['tool']}: {why}" for why in passed]

    if spec.needs_human(category):
        always = f"{spec.name} work in category {category or 'any'} always needs a human"
        rules.append({"kind": "category", "text": always})
        said = [doubt, always] if doubt else [always]
        said += [
            why for i, a in enumerate(proposals) if not a.get("approved_by") for why in totals(i)
        ]
        return {
            "kind": "human_category",
            "reason": "; ".join(said),
            "actions": list(range(len(proposals))),
            "rules": rules,
        }
    gated = []
    reasons = [doubt] if doubt else []
    for i, action in enumerate(proposals):
        if action.get("approved_by"):  # a person approved this call inside the agent
            continue
        tool = action["tool"]
        reason = deps.registry.tools.get(tool).needs_approval(action["args"])
        unnamed = [why for e, why in inferred.items() if _names(action.get("args"), e)]
        if not (reason or doubt or unnamed):
            continue
        gated.append(i)
        for why in unnamed:
            if (r := f"{tool}: {why}") not in reasons:
                reasons.append(r)
                rules.append({"kind": "unnamed", "tool": tool, "text": why})
        if reason:
            reasons.append(f"{tool}: {reason}")
            rules.append({"kind": "approval", "tool": tool, "text": reason})
        reasons += totals(i)
    if gated:
        return {"kind": "approval", "reason": "; ".join(reasons), "actions": gated, "rules": rules}
    return None


def _names(args: Any, entity: str) -> bool:
    """True when a call's arguments name the record `entity` (any field, any case)."""
    return re.search(rf"\b{re.escape(entity)}\b", _flatten(args or {}), re.I) is not None


def judge_output(
    deps: GraphDeps, spec: AgentSpec, state: WorkState, candidate: dict[str, Any]
) -> dict[str, str] | None:
    """The LLM judge's verdict and reason, when the agent asks for one; fails closed."""
    if not spec.judge or deps.judge is None:
        return None
    try:
        verdict: dict[str, str] = deps.judge.review(
            spec.name, spec.judge, state["subtask"]["description"], candidate.get("output")
        )
        return verdict
    except BudgetExceeded as exc:
        candidate["budget_exceeded"], candidate["error"] = True, str(exc)
        return {"verdict": "fail", "reason": str(exc)}
    except Exception as exc:
        return {"verdict": "fail", "reason": f"the judge could not decide: {exc}"}


def make_validate(deps: GraphDeps) -> Any:
    def validate(state: WorkState) -> dict[str, Any]:
        name = state["agent"]
        assert name is not None
        spec = deps.registry.spec(name)
        # A copy: judge_output marks a spent budget on it, and the state's own dict stays as stored.
        candidate = dict(state["candidate"] or {})
        problems = check_output(deps, spec, candidate)
        verdict = judge_output(deps, spec, state, candidate) if not problems else None
        if verdict is not None and verdict["verdict"] != "pass":
            problems = [f"judge: {verdict['reason']}"]
        record = {
            "agent": name,
            "attempt": state["attempt"],
            "summary": (candidate.get("output") or {}).get("summary"),
            "error": candidate.get("error"),
            "problems": problems,
        }
        if verdict is not None:
            record["judge"] = verdict
        emit(
            "validation",
            "validator",
            subtask_id=state["subtask"]["id"],
            agent=name,
            attempt=state["attempt"],
            ok=not problems,
            problems=problems,
        )
        if candidate.get("budget_exceeded"):  # straight to a person: retrying would spend more
            reason = candidate["error"]
            spent = {"kind": "validation_failed", "reason": reason, "actions": []}
            return {"attempts": [record], "blocker": spent, "next": "review"}
        if refused(candidate):
            # Another attempt, or a fallback agent, would be refused the same: the requester is
            # asked to change the request (the turn ends as needs_input), and the agent's
            # health is untouched (ringmaster/agent_status.py).
            question = (
                f"{name} could not do this as asked: {candidate['error']}. "
                "What should it be instead?"
            )
            output = {"summary": question, "question": question}
            done = finished(state, output, [], extra=1)
            return {"attempts": [record], "next": "end", **done}
        if not problems:
            blocker = review_blocker(deps, spec, candidate, state)
            proposals = candidate.get("proposed_actions", [])
            if not blocker and not proposals:  # nothing to approve or run: finish here
                done = finished(state, dict(candidate.get("output") or {}), [], extra=1)
                return {"attempts": [record], "next": "end", **done}
            return {
                "attempts": [record],
                "blocker": blocker,
                "next": "review" if blocker else "act",
                "approved_actions": [] if blocker else proposals,
            }
        feedback = "; ".join(problems)
        if state["attempt"] < spec.max_attempts:
            return {"attempts": [record], "feedback": feedback, "next": "agent"}
        # A fallback is a re-route: it stays inside the requester's scopes like any other.
        reachable = spec.fallback in allowed_agents(
            deps, Requester.model_validate(state["requester"])
        )
        if spec.fallback and reachable and not state.get("fallback_used"):
            return {
                "attempts": [record],
                "feedback": None,
                "agent": spec.fallback,
                "attempt": 0,
                "fallback_used": True,
                "next": "agent",
            }
        return {
            "attempts": [record],
            "blocker": {
                "kind": "validation_failed",
                "reason": f"no valid output after {len(state.get('attempts', [])) + 1} "
                f"attempts: {feedback}",
                "actions": [],
            },
            "next": "review",
        }

    return validate


def recommend(deps: GraphDeps, candidate: dict[str, Any], gated: list[int]) -> dict[str, Any]:
    """The decision the evidence supports for the gated actions, and why.

    Evidence is what the agent recorded under its output's `evidence` (`concerns`: reasons
    not to run as proposed; `suggested_args`: arguments that would answer them, by action
    index; `questions`: what only the requester can settle; `checks`: what it verified) and
    what can be checked here: the arguments against each tool's own rules.
    """
    output = candidate.get("output") or {}
    found = output.get("evidence")
    evidence: dict[str, Any] = found if isinstance(found, dict) else {}
    concerns = [str(c) for c in evidence.get("concerns") or []]
    questions = [str(q) for q in evidence.get("questions") or []]
    checks = [str(c) for c in evidence.get("checks") or []]
    suggested = evidence.get("suggested_args") or {}
    proposals = candidate.get("proposed_actions", [])
    for i in gated:
        action = proposals[i]
        try:
            check_arguments(deps.registry.tools.get(action["tool"]), action.get("args") or {})
        except ToolError as exc:
            concerns.append(f"{action['tool']}: {exc}")
    edit = {str(k): v for k, v in suggested.items() if isinstance(v, dict)}
    if concerns and edit:
        return {
            "decision": "edit",
            "reason": "; ".join(concerns),
            "suggested_args": edit,
        }
    if concerns:
        return {"decision": "reject", "reason": "; ".join(concerns)}
    if questions:
        return {"decision": "respond", "reason": "ask the requester: " + " ".join(questions)}
    if checks:
        return {"decision": "approve", "reason": "checked: " + "; ".join(checks)}
    return {
        "decision": "approve",
        "reason": "the arguments are valid for each tool; the agent recorded no other "
        "evidence, so compare them with the request",
    }
