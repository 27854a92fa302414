"""What a correction came too late for: the corrected turn's actions that had already run.

"Refund invoice INV-1003 in full" ran at once (under the limit); "sorry, I meant INV-1006"
then refunds INV-1006 too. The INV-1003 refund is not undone here (an issued refund has no
undo), and the correcting turn's answer says so plainly, from a `correction_too_late` audit
event per executed action: which turn's call, with the arguments it ran with, and what it did.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ringmaster.graph.nodes.synthesize import action_outcome, args_text
from ringmaster.run_queue import Job

if TYPE_CHECKING:
    from ringmaster.runner import Runner

STOOD = "correction_too_late"  # the audit event of a corrected action that had already run


def record_stood(
    runner: Runner, job: Job, corrected: list[tuple[int, str]], meant: Sequence[str]
) -> None:
    """Record, once, the actions the correction came too late for: the executed actions of
    the corrected turns (`(turn, record)`: turn 0 for any earlier turn, record "" for any) that
    acted on another record than the one meant. They ran and stand; the answer says so."""
    events = runner.audit.for_thread(job.thread_id)
    if any(e.kind == STOOD and e.data.get("turn") == job.turn for e in events):
        return  # a retried job's: recorded already
    turns = {t for t, _ in corrected}
    for k in range(1, job.turn):
        if turns != {0} and k not in turns:
            continue
        results = runner.turn_state(job.thread_id, k).values.get("results") or {}
        for result in results.values():
            for a in result.get("actions") or []:
                said = f"{a.get('tool')}({args_text(a.get('args') or {})})"
                if a.get("status") != "executed" or any(m in said for m in meant):
                    continue
                if turns == {0} and not any(r and r in said for _, r in corrected):
                    continue
                runner.audit.append(
                    job.thread_id, STOOD, "system", turn=job.turn, corrected_turn=k,
                    action=said, did=action_outcome(a), request=(job.payload or {}).get("request"),
                )  # fmt: skip


def stood(runner: Runner, thread_id: str, turn: int) -> list[dict[str, Any]]:
    """The `correction_too_late` events of a correcting turn: what had run before it."""
    return [
        e.data
        for e in runner.audit.for_thread(thread_id)
        if e.kind == STOOD and e.data.get("turn") == turn
    ]


def stood_line(event: dict[str, Any]) -> str:
    """What a correcting turn says of an action of the turn it corrects that had already run."""
    return (
        f"turn {event.get('corrected_turn')}'s {event.get('action')} had already run before "
        f"this correction ({event.get('did')}): it was not undone and stands"
    )
