"""The review node: stops the run with `interrupt()` and a packaged context for a human.

The interrupt value follows LangChain's HITL shapes (`HITLRequest`: `action_requests` and
`review_configs`) and adds `context`: the request, the plan, the blocker, prior attempts and
a recommended decision. The same context, as text, is the first action request's
`description`, which is what Agent Inbox shows a reviewer. The resume value is
`{"decisions": [...], "reviewer": str}` with one LangChain `Decision` (approve, edit, reject,
respond) per action request, or another shape `review_answer` accepts; the interrupt's
response schema (`answer_schema`) refuses anything else before the node sees it.
"""

from __future__ import annotations

from typing import Any

from langchain.agents.middleware.human_in_the_loop import ActionRequest, HITLRequest, ReviewConfig
from langchain_core.runnables import RunnableConfig
from langgraph.errors import is_invalid_resume
from langgraph.types import interrupt
from pydantic import ValidationError

from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.escalation_words import reviewer_advice
from ringmaster.graph.events import decider_actor, emit
from ringmaster.graph.nodes.agent import thread_id
from ringmaster.graph.nodes.plan import TeamReferences, allowed_agents
from ringmaster.graph.nodes.review_answer import answer_schema, as_response, check_response
from ringmaster.graph.nodes.validate import recommend
from ringmaster.graph.references import asks, turn_entities
from ringmaster.graph.review_actions import ACCEPT_ACTION, RELEASE_ACTION, ROUTE_ACTION
from ringmaster.graph.state import Requester, SubtaskStatus, WorkState, subtask_result

ALL_DECISIONS: list[Any] = ["approve", "edit", "reject", "respond"]

__all__ = [
    "apply_decisions",
    "asks_requester",
    "build_packet",
    "check_response",
    "make_review",
    "own_description",
]


def asks_requester(context: dict[str, Any]) -> bool:
    """Whether a review item is the supervisor's question to the requester ("Which ticket do
    you mean: TCK-1001 or TCK-1003?"): it is answered or rejected, never routed."""
    return asks(str((context.get("subtask") or {}).get("description") or ""))


def _routing_request(state: WorkState) -> tuple[list[ActionRequest], list[Any]]:
    sub = state["subtask"]
    guess = sub.get("agent")
    action: ActionRequest = {
        "name": ROUTE_ACTION,
        "args": {"agent": guess},
        "description": f"Route subtask {sub['id']!r} to an agent: {sub['description']}",
    }
    if asks_requester({"subtask": sub}):
        # Routed, the request would reach an agent with both candidates in its words and act
        # on each (or on a guess); the requester's next turn answers the question instead.
        allowed = ["respond", "reject"]
    else:
        allowed = ["edit", "respond", "reject"] if guess is None else ALL_DECISIONS
    return [action], allowed


def _output_action(name: str, candidate: dict[str, Any], description: str) -> ActionRequest:
    """An action on the agent's output as a whole (accept it, release it), not on a tool call."""
    summary = (candidate.get("output") or {}).get("summary")
    return {"name": name, "args": {"summary": summary}, "description": description}


def build_packet(deps: GraphDeps, state: WorkState, thread: str) -> HITLRequest:
    """The interrupt value: what a reviewer needs to decide without opening anything else."""
    sub = state["subtask"]
    blocker = state.get("blocker") or {
        "kind": "routing",
        "reason": sub.get("escalation_reason") or "no agent is confident enough",
    }
    kind = blocker["kind"]
    candidate = state.get("candidate") or {}
    proposals = candidate.get("proposed_actions", [])
    actions: list[ActionRequest]
    if kind == "routing":
        actions, allowed = _routing_request(state)
        # With no agent, why none took it (out of scope, a question to ask, an agent down
        # with no stand-in): "no agent fits" was said of an agent that fits but is unhealthy.
        why = sub.get("escalation_reason")
        recommended = (
            {"decision": "approve", "reason": f"the best guess is {sub['agent']}"}
            if sub.get("agent") and "approve" in allowed
            else {
                "decision": "respond",
                "reason": "the requester is asked which record they meant; answer with it "
                "(a pick of one of its options goes on with that record, to the agent that "
                "takes it; otherwise your answer stands as the turn's answer) or reject it",
            }
            if asks_requester({"subtask": sub})
            else {
                "decision": "respond",
                "reason": reviewer_advice(sub.get("escalation_kind"), why),
            }
        )
    elif kind == "validation_failed":
        actions = [
            _output_action(
                ACCEPT_ACTION,
                candidate,
                "Accept the last output as it is (its proposed actions do not run)",
            )
        ]
        allowed = ALL_DECISIONS
        recommended = {"decision": "respond", "reason": "no agent produced a valid output"}
    else:
        indexes = blocker.get("actions", [])
        actions = [
            {
                "name": proposals[i]["tool"],
                "args": proposals[i]["args"],
                "description": proposals[i].get("description") or proposals[i]["tool"],
            }
            for i in indexes
        ]
        if not actions:
            actions = [
                _output_action(RELEASE_ACTION, candidate, "Release this answer to the requester")
            ]
        allowed = ALL_DECISIONS
        recommended = recommend(deps, candidate, blocker.get("actions", []))
    configs: list[ReviewConfig] = [
        {"action_name": a["name"], "allowed_decisions": allowed} for a in actions
    ]
    context = {
        "kind": kind,
        "thread_id": thread,
        "turn": state.get("turn", 1),
        "subtask_id": sub["id"],
        "agent": state.get("agent") or sub.get("agent"),
        "category": candidate.get("category"),
        "request": state["request"],
        "requester": state["requester"],
        "plan": state["plan"],
        "subtask": {
            **{k: sub[k] for k in ("description", "confidence", "rationale", "alternatives")},
            "escalation_kind": sub.get("escalation_kind"),  # how the requester is told
        },
        "blocker": blocker.get("reason", ""),
        "prior_attempts": state.get("attempts", []),
        "output": candidate.get("output"),
        "recommended": recommended,
        "gated": blocker.get("actions", []),  # which proposed actions the decisions are for
    }
    if blocker.get("rules"):  # each reason by kind: a listing's one line (review_summary.py)
        context["rules"] = blocker["rules"]
    first = actions[0]
    actions[0] = {**first, "description": f"{first['description']}\n\n{context_text(context)}"}
    packet: Any = {"action_requests": actions, "review_configs": configs, "context": context}
    return packet  # type: ignore[no-any-return]


def refused(packet: dict[str, Any], why: str) -> dict[str, Any]:
    """The packet again, telling the reviewer why their last answer was not taken."""
    first = packet["action_requests"][0]
    note = _refused_note(why)
    actions = [{**first, "description": f"{note}\n\n{first['description']}"}]
    return {**packet, "action_requests": actions + packet["action_requests"][1:], "refused": why}


def _refused_note(why: str) -> str:
    return f"**Your last answer was refused** ({why}). Nothing was decided; answer again."


# Where the packaged context begins in the first action's description (`context_text`).
_CONTEXT_START = "\n\n**Why you are asked:** "


def own_description(description: str, packet: dict[str, Any]) -> str:
    """An action's description as its tool or agent gave it ("Refund 999.00 USD on …"):
    without the refusal note and the context in Markdown that `build_packet` adds to the
    first action for an inbox that shows nothing else, which a page showing that context
    itself (the web item page) would repeat."""
    why = packet.get("refused")
    if isinstance(why, str):
        description = description.removeprefix(_refused_note(why) + "\n\n")
    context = packet.get("context")
    if isinstance(context, dict):
        whole = "\n\n" + context_text(context)
        if description.endswith(whole):
            return description.removesuffix(whole)
    # A context changed since it was packaged: the packaged text still starts with its line.
    return description.split(_CONTEXT_START, 1)[0]


def context_text(context: dict[str, Any]) -> str:
    """The packaged context as Markdown: why a person is asked, and what they need to decide."""
    sub = context.get("subtask") or {}
    recommended = context.get("recommended") or {}
    lines = [
        f"**Why you are asked:** {context.get('blocker') or context.get('kind')}",
        f"**Recommended:** {recommended.get('decision')} ({recommended.get('reason')})",
        f"**Request:** {context.get('request')}",
        f"**Subtask {context.get('subtask_id')}:** {sub.get('description')}"
        f" (agent {context.get('agent') or 'none'}, confidence {sub.get('confidence')})",
    ]
    if sub.get("rationale"):
        lines.append(f"**Routing rationale:** {sub['rationale']}")
    output = context.get("output") or {}
    if output.get("summary"):
        lines.append(f"**Agent output:** {output['summary']}")
    attempts = context.get("prior_attempts") or []
    if attempts:
        lines.append(f"**Prior attempts:** {len(attempts)}")
    plan = context.get("plan") or []
    if plan:
        lines.append("**Plan:**")
        lines += [f"- {s['id']} ({s.get('agent') or 'human'}): {s['description']}" for s in plan]
    return "\n".join(lines)


def _final(
    state: WorkState, status: SubtaskStatus, summary: str, review: dict[str, Any]
) -> dict[str, Any]:
    sub = state["subtask"]
    result = subtask_result(
        sub,
        state.get("agent") or sub.get("agent"),
        status,
        summary,
        output={"summary": summary},
        attempts=len(state.get("attempts", [])),
        review=review,
    )
    return {"results": {sub["id"]: result}, "next": "end"}


def _reviewer(response: Any) -> str:
    """Who answered the interrupt, as the result's review and the audit event both name them."""
    return str(response.get("reviewer", "unknown")) if isinstance(response, dict) else "?"


def apply_decisions(
    state: WorkState, packet: dict[str, Any], response: Any, deps: GraphDeps
) -> dict[str, Any]:
    """Turn the reviewer's decisions into the next step. Anything malformed fails closed."""
    reviewer = _reviewer(response)
    kind = packet["context"]["kind"]
    try:
        decisions = check_response(packet, response)
    except ValueError as exc:
        review = {"kind": kind, "reviewer": reviewer, "error": str(exc)}
        return _final(state, "rejected", f"not run: invalid review answer ({exc})", review)
    review = {"kind": kind, "reviewer": reviewer, "decisions": decisions}
    first = decisions[0]
    release = packet["action_requests"][0]["name"] == RELEASE_ACTION
    if kind in ("routing", "validation_failed") or release:
        if first["type"] == "reject":
            reason = first.get("message") or "rejected by a reviewer"
            status: SubtaskStatus = "rejected" if kind != "validation_failed" else "failed"
            return _final(state, status, reason, review)
        if first["type"] == "respond":
            picked = _picked(deps, state, str(first["message"])) if kind == "routing" else None
            if picked is not None:
                # "INV-1052" to "Which invoice do you mean: …?": the turn goes on with the
                # record picked, to the agent that takes it (its actions reviewed as usual).
                sub, agent = picked
                emit("routing", f"reviewer:{reviewer}", subtask_id=sub["id"], agent=agent,
                     answered=str(first["message"]))  # fmt: skip
                return {"subtask": sub, "agent": agent, "attempt": 0, "feedback": None,
                        "blocker": None, "review": review, "next": "agent"}  # fmt: skip
            return _final(state, "answered", str(first["message"]), review)
    if kind == "routing":
        target = first["edited_action"]["args"].get("agent") if first["type"] == "edit" else None
        target = target or state["subtask"].get("agent")
        if target not in allowed_agents(deps, Requester.model_validate(state["requester"])):
            return _final(state, "rejected", f"cannot route to {target!r}", review)
        return {"agent": target, "attempt": 0, "feedback": None, "blocker": None, "next": "agent"}
    candidate = state.get("candidate") or {}
    if kind == "validation_failed":
        args = first["edited_action"]["args"] if first["type"] == "edit" else {}
        summary = args.get("summary") or (candidate.get("output") or {}).get("summary") or ""
        output = {**(candidate.get("output") or {}), **args, "summary": summary}
        return {
            "candidate": {**candidate, "output": output, "proposed_actions": []},
            "approved_actions": [],
            "review": review,
            "next": "act",
        }
    if release:
        output = dict(candidate.get("output") or {})
        if first["type"] == "edit":
            output.update(first["edited_action"]["args"])
        return {
            "candidate": {**candidate, "output": output},
            "approved_actions": candidate.get("proposed_actions", []),
            "review": review,
            "next": "act",
        }
    # Approval of proposed actions: decided ones per decision, the ungated ones go ahead.
    proposals = candidate.get("proposed_actions", [])
    gated = packet["context"].get("gated", [])
    decided = dict(zip(gated, decisions, strict=True))
    approved = []
    for i, action in enumerate(proposals):
        d = decided.get(i)
        if d is None:
            approved.append(action)
        elif d["type"] == "approve":  # a person's approval also lifts a cumulative limit
            approved.append({**action, "approved_by": reviewer})
        elif d["type"] == "edit":
            approved.append({**action, "args": d["edited_action"]["args"], "approved_by": reviewer})
        elif d["type"] == "respond":
            approved.append({**action, "skip": "answered", "message": d["message"]})
        else:
            skip = {**action, "skip": "rejected", "message": d.get("message", "")}
            # Withdrawn by the requester's own turn ("cancel that refund"), said so in the
            # answer; not any rejection whose reviewer has the requester's name (one person on
            # one machine asks and reviews: their `review reject` is a reviewer's rejection).
            if isinstance(response, dict) and response.get("withdrawn"):
                skip["withdrawn"] = True
            if isinstance(response, dict) and response.get("timed_out"):  # nobody decided
                skip["timed_out"] = True
            approved.append(skip)
    return {"approved_actions": approved, "review": review, "next": "act"}


def _picked(deps: GraphDeps, state: WorkState, message: str) -> tuple[dict[str, Any], str] | None:
    """The subtask a reviewer's answer to the requester's question makes ("INV-1052" to
    "Which invoice do you mean: …?"): the request it asked about with the record picked, and
    the agent the planner routes that to; None when the answer picks no option (it stands as
    the answer), or the request so read routes to no one agent the requester may use."""
    sub = state["subtask"]
    description = str(sub.get("description") or "")
    if not asks(description):
        return None
    references = TeamReferences.of(deps)
    turn = int(state.get("turn") or 1)
    request = str(state.get("request") or "")
    entry = {
        "turn": turn,
        "request": request,
        "answer": None,
        "entities": turn_entities(
            references.kinds, request, {sub["id"]: {"description": description}}
        ),
    }
    out = references.resolve(message, [*(state.get("history") or []), entry])
    if out.answers != turn or out.question:
        return None
    allowed = allowed_agents(deps, Requester.model_validate(state["requester"]))
    plan = deps.planner.plan(out.text, allowed_agents=allowed)
    agents = {s.agent for s in plan.subtasks}
    agent = next(iter(agents)) if len(agents) == 1 else None
    if agent is None or agent not in allowed or any(s.escalate for s in plan.subtasks):
        return None
    return {**sub, "description": out.text, "agent": agent}, agent


def make_review(deps: GraphDeps) -> Any:
    def review(state: WorkState, config: RunnableConfig) -> dict[str, Any]:
        packet: dict[str, Any] = dict(build_packet(deps, state, thread_id(config)))
        if state.get("refused"):
            packet = refused(packet, str(state["refused"]))
        try:
            # LangGraph checks the answer against the schema before the node sees it.
            answer = interrupt(packet, response_schema=answer_schema(packet))
        except ValidationError as exc:
            if not is_invalid_resume(exc):
                raise
            # Refused, and nothing decided: ask again in a new review step (a new interrupt),
            # saying why, rather than fail the run and leave the thread in error.
            why = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}"
                for e in exc.errors()
            )
            emit(
                "review_refused",
                "system",
                subtask_id=state["subtask"]["id"],
                kind=packet["context"]["kind"],
                reason=why,
            )
            return {"refused": why, "next": "review"}
        response = as_response(answer)
        update = {**apply_decisions(state, packet, response, deps), "refused": None}
        emit(
            "review_applied",
            decider_actor(_reviewer(response)),
            subtask_id=state["subtask"]["id"],
            kind=packet["context"]["kind"],
            decisions=response.get("decisions") if isinstance(response, dict) else None,
            next=update.get("next"),
        )
        return update

    return review
