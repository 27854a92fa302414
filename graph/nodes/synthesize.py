"""Synthesize: one answer for the requester, with each subtask's result and status."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage

from ringmaster.graph.events import emit
from ringmaster.graph.references import EntityKind, turn_entities
from ringmaster.graph.state import RunState


def make_synthesize(kinds: Sequence[EntityKind]) -> Any:
    """The synthesize node; each turn's history entry keeps the records it named and touched."""

    def node(state: RunState) -> dict[str, Any]:
        return synthesize(state, kinds)

    return node


def synthesize(state: RunState, kinds: Sequence[EntityKind] = ()) -> dict[str, Any]:
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
        "history": [
            {
                "turn": state.get("turn", 1),
                "request": state["request"],
                "answer": answer,
                "entities": turn_entities(kinds, state["request"], results),
            }
        ],
    }
