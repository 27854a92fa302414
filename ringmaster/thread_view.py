"""One view of a thread for every surface: `ringmaster thread show --json` and the API's
`GET /threads/{id}` read the same function, so the two cannot drift apart.

    thread_view(runner, thread_id)  the latest turn's outcome, the thread's row (its status
                                    may be an earlier turn's), its finished turns' history,
                                    and every turn, oldest first (`turns`)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ringmaster.runner import Runner, RunOutcome
    from ringmaster.thread_store import ThreadRow


@dataclass
class ThreadView:
    """What happened on a thread: `outcome` is the latest turn's; `row.status` the thread's."""

    row: ThreadRow
    outcome: RunOutcome
    history: list[dict[str, Any]]
    turns: list[dict[str, Any]]


def turns(runner: Runner, thread_id: str, last: int) -> list[dict[str, Any]]:
    """Every turn of a thread, oldest first: its request, status, answer and subtasks, the
    reviews it waits for, is queued behind or withdrew (by id), and the actions of the turn it
    corrects that had already run and stand (`stood`: their `correction_too_late` events)."""
    requests = {
        e.data.get("turn"): e.data.get("request")
        for e in runner.audit.for_thread(thread_id)
        if e.kind == "request_received"
    }
    out = []
    for k in range(1, last + 1):
        o = runner.outcome(thread_id, k)
        out.append(
            {
                "turn": k,
                "request": requests.get(k),
                "status": o.status,
                "answer": o.answer,
                "subtasks": o.subtasks(),
                "pending": [i.id for i in o.pending if i.turn == k],
                "queued_behind": [b["review_id"] for b in o.queued_behind],
                "withdrawn": [w["review_id"] for w in o.withdrawn],
                "stood": o.stood,
            }
        )
    return out


def thread_view(runner: Runner, thread_id: str, *, with_turns: bool = True) -> ThreadView:
    """The thread's view, read once for whichever surface shows it (`with_turns=False`: no
    per-turn reads, for a terminal that prints the conversation its own way)."""
    row = runner.threads.get(thread_id)
    return ThreadView(
        row=row,
        outcome=runner.outcome(thread_id),
        history=runner.history(thread_id) if row.turn else [],
        turns=turns(runner, thread_id, row.turn) if with_turns else [],
    )
