"""What a chat reopened with `--thread` says first: what happened since the person last saw
the thread, briefly — reviews decided by others, and the turns that have run since.

The person saw everything up to the first other person's act after their own last one: their
own request or decision ran to quiescence in their process (its turn, the turns it released,
the resumes it set off), and that chat showed it. What came after another person acted (a
reviewer's decision, its resumed run, a turn released by it and run on a worker) landed while
their chat was closed, or was never open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ringmaster.audit import AuditEvent

PEOPLE = ("requester:", "human:")


@dataclass(frozen=True)
class Since:
    """Since the person last saw the thread: the reviews others decided (ids, in the order
    decided) and the turns answered (in the order answered)."""

    decided: list[str]
    answered: list[int]

    def __bool__(self) -> bool:
        return bool(self.decided or self.answered)


def since_last_seen(events: list[AuditEvent], who: str) -> Since:
    """What landed on a thread (its audit events, in order) since `who` last saw it."""
    mine = {f"requester:{who}", f"human:{who}"}
    last = max((e.seq for e in events if e.actor in mine), default=None)
    if last is None:
        return Since([], [])
    later = [e for e in events if e.seq > last]
    other = next((e.seq for e in later if e.actor.startswith(PEOPLE)), None)
    if other is None:
        return Since([], [])
    landed = [e for e in later if e.seq >= other]
    decided = [
        str(e.data["item_id"])
        for e in landed
        if e.kind == "human_decision" and e.data.get("item_id")
    ]
    answered: list[int] = []
    for e in landed:
        turn = e.data.get("turn")
        if e.kind == "final_answer" and isinstance(turn, int) and turn not in answered:
            answered.append(turn)
    return Since(decided, answered)
