"""Dispatch: start every subtask whose dependencies are done, in parallel, with its handoff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END
from langgraph.types import Send

from ringmaster.graph.escalation_words import for_requester
from ringmaster.graph.references import asks
from ringmaster.graph.state import (
    RunState,
    SubtaskStatus,
    WorkState,
    merge_results,
    subtask_result,
)


def compact_plan(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The plan as a reviewer needs it; each subtask carries this, not the whole plan.

    It is stored in every checkpoint of every subtask, so it keeps only what a reviewer reads
    about the *other* subtasks; the reviewed subtask's own confidence, rationale and
    alternatives travel in `subtask`.
    """
    return [
        {k: s[k] for k in ("id", "description", "agent", "depends_on")} for s in plan["subtasks"]
    ]


# Set in `configurable` by a caller that resumes interrupts by id (ringmaster's runner): then
# every parked subtask asks its person at once. Without it (LangGraph Server, Studio, Agent
# Inbox, which resume without ids) one review is pending at a time, so an answer can only be
# for the review its reviewer saw, and LangGraph never has to guess which one it was for.
PARALLEL_REVIEWS = "ringmaster_parallel_reviews"

FINISHED_OK: set[SubtaskStatus] = {"done", "answered"}
AWAITING: SubtaskStatus = "awaiting_review"
# What a parked subtask keeps of its work state, to pick up at its review.
PARKED_KEYS = (
    "turn",
    "request",
    "requester",
    "plan",
    "subtask",
    "handoffs",
    "history",
    "agent",
    "attempt",
    "fallback_used",
    "attempts",
    "candidate",
    "feedback",
    "blocker",
)


def _handoff(result: dict[str, Any]) -> dict[str, Any]:
    """What a dependent subtask receives: what was done and its output, not the conversation."""
    return {
        "subtask_id": result["subtask_id"],
        "agent": result.get("agent") or "human",
        "description": result["description"],
        "summary": result.get("summary", ""),
        "output": result.get("output") or {},
    }


def _skipped(subtask: dict[str, Any], failed: list[str]) -> dict[str, Any]:
    reason = f"not started: it depends on {', '.join(failed)}, which did not succeed"
    return subtask_result(subtask, subtask.get("agent"), "skipped", reason)


def dispatch(state: RunState) -> dict[str, Any]:
    """Mark subtasks whose dependencies failed as skipped, so the run can finish."""
    results = state.get("results") or {}
    skipped: dict[str, Any] = {}
    plan = state["plan"]
    assert plan is not None
    changed = True
    done = dict(results)
    while changed:  # a skip can cascade down a chain of dependencies
        changed = False
        for s in plan["subtasks"]:
            if s["id"] in done:
                continue
            failed = [
                d
                for d in s["depends_on"]
                if d in done and done[d]["status"] not in FINISHED_OK | {AWAITING}
            ]
            if failed:
                done[s["id"]] = skipped[s["id"]] = _skipped(s, failed)
                changed = True
    return {"results": skipped} if skipped else {}


def make_dispatch(finish: Callable[[RunState], dict[str, Any]]) -> Any:
    """The dispatch node: `dispatch`, then, when nothing is left to run or to ask, the answer
    (`finish`: synthesize) in the same step.

    Both are pure functions of the state, so a separate synthesize step after the last
    dispatch bought nothing durability needs: only a step and a checkpoint more per request.
    """

    def node(state: RunState, config: RunnableConfig) -> dict[str, Any]:
        update = dispatch(state)
        if "results" in update:
            state = {**state, "results": merge_results(state.get("results"), update["results"])}
        if route_ready(state, config) != "synthesize":
            return update
        return {**update, **finish(state)}

    return node


def route_dispatched(state: RunState, config: RunnableConfig) -> list[Send] | str:
    """After the dispatch node: what `route_ready` sends, or the end when it answered."""
    route = route_ready(state, config)
    return END if route == "synthesize" else route


def route_ready(state: RunState, config: RunnableConfig) -> list[Send] | str:
    """Send each ready subtask to the work graph; when none is left, the parked ones (all of
    them, or the first in plan order: see PARALLEL_REVIEWS); then synthesize."""
    results = state.get("results") or {}
    plan = state["plan"]
    assert plan is not None
    finished = {sid for sid, r in results.items() if r["status"] != AWAITING}
    compact = compact_plan(plan)
    sends: list[Send] = []
    for s in plan["subtasks"]:
        if s["id"] in results:
            continue
        if all(d in finished for d in s["depends_on"]):
            work = {
                "turn": state.get("turn", 1),
                "request": state["request"],
                "requester": state["requester"],
                "plan": compact,
                "subtask": s,
                "handoffs": [_handoff(results[d]) for d in s["depends_on"]],
            }
            if asks(str(s.get("description") or "")):
                # The requester is asked which record: a reviewer's answer is read against
                # the conversation, as the requester's would be (review._picked).
                work["history"] = state.get("history") or []
            sends.append(Send("work", work))
    if sends:
        return sends
    parked = [
        results[s["id"]]
        for s in plan["subtasks"]
        if results.get(s["id"], {}).get("status") == AWAITING
    ]
    if not (config.get("configurable") or {}).get(PARALLEL_REVIEWS):
        parked = parked[:1]
    if parked:  # nothing else can run: now ask the people
        return [Send("work", {**r["work"], "deferred": True}) for r in parked]
    return "synthesize"


def park(state: WorkState) -> dict[str, Any]:
    """End this subtask's work for now, keeping its state, until nothing else can run."""
    sub = state["subtask"]
    blocker = (state.get("blocker") or {}).get("reason")
    # The planner's figures are the reviewer's; the requester reads this result in plain words.
    reason = blocker or sub.get("escalation_reason")
    if not blocker and reason:
        reason = for_requester(sub.get("escalation_kind"), reason)
    result = subtask_result(
        sub,
        state.get("agent") or sub.get("agent"),
        AWAITING,
        f"waiting for a person: {reason or 'routing is unsure'}",
        work={k: state[k] for k in PARKED_KEYS if k in state},  # type: ignore[literal-required]
    )
    return {"results": {sub["id"]: result}}
