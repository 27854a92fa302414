"""What a parked subtask waits for now, for every view of a turn (CLI, API, web, chat).

A subtask that needs a person parks: its result in the run's state says `awaiting_review`,
with the agent and the blocker it parked with. That result is only rewritten when the
subtask's work ends, so after a routing review is decided ("send it to billing") and billing
proposes a refund that needs approval, the state still says the subtask is a person's, waiting
for the routing. The pending review item of that subtask is the truth: its agent and blocker
are what the subtask waits for now.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ringmaster.graph.escalation_words import for_requester
from ringmaster.review_queue import ReviewItem

AWAITING = "awaiting_review"


def live_parked(
    results: dict[str, Any],
    pending: list[ReviewItem],
    turn: int,
    waiting_for: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """`results` with each parked subtask of `turn` that has a pending review showing that
    review's agent and what it waits for (the item's blocker); one whose review was decided
    and that now waits in line for its agent's slot (`waiting_for`, the outcome's) says so,
    not that a person is waited for."""
    waiting = {i.subtask_id: i for i in pending if i.turn == turn}
    in_line = {w["subtask_id"]: w for w in waiting_for}
    out = dict(results)
    for sid, r in results.items():
        if r.get("status") != AWAITING:
            continue
        item, slot = waiting.get(sid), in_line.get(sid)
        if item is not None:
            ctx = (item.payload or {}).get("context") or {}
            blocker = ctx.get("blocker") or item.summary
            if item.kind == "routing":  # the planner's figures are the reviewer's
                blocker = for_requester((ctx.get("subtask") or {}).get("escalation_kind"), blocker)
            out[sid] = {**r, "agent": item.agent, "summary": f"waiting for a person: {blocker}"}
        elif slot is not None:
            agent = slot["agent"]
            said = f"waiting for a slot of {agent}"
            if slot.get("unhealthy") is not None:
                said = f"waiting for {agent}, flagged unhealthy ({'; '.join(slot['unhealthy'])})"
            out[sid] = {**r, "agent": agent, "status": "waiting", "summary": said}
    return out
