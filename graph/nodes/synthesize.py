"""Synthesize: one answer for the requester, with each subtask's result and status."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage

from ringmaster.graph.events import emit
from ringmaster.graph.state import RunState


def synthesize(state: RunState) -> dict[str, Any]:
    results = state.get("results") or {}
    plan = state["plan"]
    assert plan is not None
    lines = []
    for s in plan["subtasks"]:
        r = results.get(s["id"], {})
        who = r.get("agent") or "human"
        lines.append(f"[{s['id']} {who}: {r.get('status', 'missing')}] {r.get('summary', '')}")
    answer = "\n".join(lines)
    emit(
        "final_answer",
        "system",
        answer=answer,
        statuses={sid: r.get("status") for sid, r in results.items()},
    )
    return {
        "answer": answer,
        "messages": [AIMessage(answer)],  # what chat clients show as the reply
        "history": [{"turn": state.get("turn", 1), "request": state["request"], "answer": answer}],
    }
