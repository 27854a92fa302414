"""What a parked subtask waits for now, for every view of a turn (CLI, API, web, chat).

A subtask that needs a person parks: its result in the run's state says `awaiting_review`,
with the agent and the blocker it parked with. That result is only rewritten when the
subtask's work ends, so after a routing review is decided ("send it to billing") and billing
proposes a refund that needs approval, the state still says the subtask is a person's, waiting
for the routing. The pending review item of that subtask is the truth: its agent and blocker
are what the subtask waits for now.
"""

from __future__ import annotations

from typing import Any

from ringmaster.review_queue import ReviewItem

AWAITING = "awaiting_review"


def live_parked(results: dict[str, Any], pending: list[ReviewItem], turn: int) -> dict[str, Any]:
    """`results` with each parked subtask of `turn` that has a pending review showing that
    review's agent and what it waits for (the item's blocker)."""
    waiting = {i.subtask_id: i for i in pending if i.turn == turn}
    out = dict(results)
    for sid, r in results.items():
        item = waiting.get(sid)
        if r.get("status") != AWAITING or item is None:
            continue
        blocker = ((item.payload or {}).get("context") or {}).get("blocker") or item.summary
        out[sid] = {**r, "agent": item.agent, "summary": f"waiting for a person: {blocker}"}
    return out
