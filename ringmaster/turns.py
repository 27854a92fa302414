"""A thread's turns for the runner: the conversation a new turn starts with, and turns held
behind the reviews they are about.

    conversation(runner, thread, turn)  every earlier turn's history entry, read from the
                                        turns' own checkpoint threads (a turn still waiting
                                        for a person: what it names so far, `pending`)
    waits_for(runner, job, context)     the earlier reviews, not yet resumed, the job's turn is
                                        about (ringmaster/turn_order.py)
    hold(runner, job, waits)            the job held, a `turn_queued` audit event, the thread
                                        waiting — one transaction
    release_held(runner, thread)        held turns whose reviews are all resumed back in line
                                        (`turn_released`), after a resume and by `recover`
    close_answered(runner, job)         the question an earlier turn asked, answered by this
                                        turn's request ("the second one"), decided as answered
                                        so that deciding it later cannot run the request again
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ringmaster.errors import AlreadyDecided
from ringmaster.graph.nodes.plan import team_acts
from ringmaster.graph.references import kinds_from_team, turn_entities
from ringmaster.quarantine import FAILURE_KIND
from ringmaster.run_queue import Job
from ringmaster.tables import threads as threads_table
from ringmaster.turn_order import Blocker, blockers

if TYPE_CHECKING:
    from ringmaster.runner import Runner

UNRESUMED = ("pending", "decided")  # a review whose turn has not taken its decision yet


def conversation(runner: Runner, thread_id: str, turn: int) -> list[dict[str, Any]]:
    """The conversation before `turn`: each earlier turn's history entry, oldest first; a
    turn not finished yet as what it names so far (`pending`)."""
    final: dict[int, dict[str, Any]] = {}
    unfinished: dict[int, dict[str, Any]] = {}
    held = {j.turn: j for j in runner.jobs.held(thread_id)}
    kinds = kinds_from_team(runner.deps.registry.team.entities)
    for k in range(turn - 1, 0, -1):
        if k in final:
            continue
        values = runner.turn_state(thread_id, k).values
        # A turn's checkpoint carries every turn finished when it started, and its own.
        for entry in values.get("history") or []:
            if not entry.get("pending"):
                final.setdefault(int(entry.get("turn", 0)), entry)
        if k in final:
            continue
        if values.get("turn") == k:
            request = str(values.get("request") or "")
            results = dict(values.get("results") or {})
        elif k in held:
            request, results = str((held[k].payload or {}).get("request") or ""), {}
        else:
            continue  # a turn that never ran (cancelled, failed before its first step)
        unfinished[k] = {
            "turn": k,
            "request": request,
            "answer": None,
            "pending": True,
            "entities": turn_entities(kinds, request, results),
        }
    entries = {**unfinished, **final}
    return [entries[k] for k in sorted(entries) if 0 < k < turn]


def waits_for(runner: Runner, job: Job, context: list[dict[str, Any]]) -> list[Blocker]:
    """The reviews of earlier turns, not yet resumed, that the job's turn is about.

    A later turn's review is never one: a retried or released earlier turn does not wait for
    work that came after it. Nor is a failure item (quarantine.py): it asks a person to retry
    or cancel a run, it is no work a turn can be about.
    """
    pending = [
        i
        for status in UNRESUMED
        for i in runner.queue.list(status=status, thread_id=job.thread_id, limit=1000)
        if i.turn < job.turn and i.kind != FAILURE_KIND
    ]
    if not pending:
        return []
    deps = runner.deps
    kinds = kinds_from_team(deps.registry.team.entities)
    request = str((job.payload or {}).get("request") or "")
    return blockers(request, context, kinds, deps.lookup, pending, team_acts(deps, kinds))


def hold(runner: Runner, job: Job, waits: list[Blocker]) -> None:
    """Set the turn aside until `waits` are decided and resumed: its job held, an audit event
    saying why, the thread waiting — one transaction."""
    after = [b.to_dict() for b in waits]
    with runner.jobs.writer.begin() as conn:
        if not runner.jobs.hold_in(conn, job, {**(job.payload or {}), "after": after}):
            return  # the lease was lost: whoever has the job now decides
        runner.audit.append_in(
            conn, job.thread_id, "turn_queued", "system:queue", turn=job.turn, after=after
        )
        conn.execute(
            threads_table.update()
            .where(threads_table.c.id == job.thread_id)
            .values(status="waiting", updated_at=runner.clock())
        )


def release_held(runner: Runner, thread_id: str) -> bool:
    """Put back in line the thread's held turns whose reviews are all resumed; True if one
    was."""
    released = False
    for job in runner.jobs.held(thread_id):
        after = (job.payload or {}).get("after") or []
        if any(runner.queue.status_of(b["review_id"]) in UNRESUMED for b in after):
            continue
        with runner.jobs.writer.begin() as conn:
            if not runner.jobs.release_in(conn, job.id):
                continue
            runner.audit.append_in(
                conn, thread_id, "turn_released", "system:queue", turn=job.turn,
                after=[b["review_id"] for b in after],
            )  # fmt: skip
            conn.execute(
                threads_table.update()
                .where(threads_table.c.id == thread_id, threads_table.c.status != "running")
                .values(status="queued", updated_at=runner.clock())
            )
            released = True
    return released


def close_answered(runner: Runner, job: Job) -> None:
    """Decide the question the job's turn answered (its `references` event says which turn
    asked it) as answered in the conversation, by the requester who answered it, through the
    decision service's `decide_item` (as deadline denials are). Idempotent: a retried job
    finds the item decided already; the run job's own drain resumes the question's turn."""
    from ringmaster.decisions import Checks, Decision, ResumeAfterCommit, decide_item

    questions = runner.queue.list(thread_id=job.thread_id, kind="routing", limit=100)
    if not questions:
        return  # the common case: no trail to read
    asked = {
        e.data.get("answers")
        for e in runner.audit.for_thread(job.thread_id)
        if e.kind == "references" and e.data.get("turn") == job.turn
    } - {None}
    answer = Decision("respond", message=f"answered in the conversation (turn {job.turn})")
    requester = runner.threads.get(job.thread_id).requester
    for item in questions:
        if item.turn in asked:
            try:
                decide_item(
                    runner.queue, item, answer, requester,
                    checks=Checks(), scheduler=ResumeAfterCommit(),
                )  # fmt: skip
            except AlreadyDecided:
                pass
