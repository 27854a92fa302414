"""Pending interrupts as the review queue needs them, wherever in the graph they were raised."""

from __future__ import annotations

from typing import Any


def has_context(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("context"), dict)


def interrupts_with_work(snapshot: Any, work: Any = None) -> list[tuple[Any, Any]]:
    """Each pending interrupt with the values of the nearest work graph above it."""
    if "subtask" in (snapshot.values or {}):
        work = snapshot.values
    found = []
    for task in snapshot.tasks:
        if task.state is not None and hasattr(task.state, "tasks"):
            found += interrupts_with_work(task.state, work)
        else:
            found += [(i, work) for i in task.interrupts]
    if not found and snapshot.interrupts:  # no subgraph states were loaded
        found = [(i, work) for i in snapshot.interrupts]
    return found


def agent_approval_context(work: dict[str, Any], value: Any, thread_id: str) -> dict[str, Any]:
    sub = work["subtask"]
    actions = value.get("action_requests", []) if isinstance(value, dict) else []
    return {
        "kind": "approval",
        "thread_id": thread_id,
        "turn": work.get("turn", 1),
        "subtask_id": sub["id"],
        "agent": work.get("agent") or sub.get("agent"),
        "category": None,
        "request": work.get("request"),
        "requester": work.get("requester"),
        "plan": work.get("plan"),
        "subtask": {
            k: sub.get(k) for k in ("description", "confidence", "rationale", "alternatives")
        },
        "blocker": "; ".join(f"{a.get('name')}: {a.get('description', '')}" for a in actions),
        "prior_attempts": work.get("attempts", []),
        "output": None,
        "recommended": {
            "decision": "approve",
            "reason": "the agent proposed it; check the arguments",
        },
    }
