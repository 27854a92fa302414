"""The quarantine policy: a job that failed its last attempt stops being retried and becomes a
review item of kind `failure`, in its own thread, blocking nothing else.

    worker: attempt n fails ── n < RINGMASTER_RUN_MAX_ATTEMPTS ──► queued again after backoff
                            └─ otherwise ──► quarantine(): a pending `failure` item (its
                               action `retry_run`), the thread `quarantined` with the error,
                               a `run_quarantined` audit event, the job `failed`
    a person decides the item through the decision service (CLI, API, web):
        approve = retry: a new job continues the thread from its last checkpoint
        reject  = cancel: the thread is `cancelled`; its checkpoint stays for reading

Each step is idempotent (the item id is the job's), so a worker that dies halfway through a
quarantine is followed by one that finishes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ringmaster.graph.review_actions import RETRY_ACTION
from ringmaster.review_queue import PRIORITIES, PRIORITY_NAMES
from ringmaster.run_queue import HELD, SLOT, Job
from ringmaster.tables import threads as threads_table

if TYPE_CHECKING:
    from ringmaster.runner import Runner

FAILURE_KIND = "failure"


def failure_item_id(job: Job) -> str:
    return f"failure-{job.id}"


def failure_payload(runner: Runner, job: Job, error: str) -> dict[str, Any]:
    thread = runner.threads.get(job.thread_id)
    requester = dict((job.payload or {}).get("requester") or {})
    requester.setdefault("id", thread.requester)
    requester.setdefault("priority", PRIORITY_NAMES.get(job.priority, "normal"))
    description = (
        # The error itself is for operators (the context's error, the log, the audit): the
        # summary the requester also sees says only what happened and what each decision does.
        f"The {job.kind} of this thread failed {job.attempts} time(s) and was quarantined. "
        "Approve to retry it from its last checkpoint, reject to cancel the thread."
    )
    return {
        "action_requests": [{"name": RETRY_ACTION, "args": {}, "description": description}],
        "review_configs": [
            {"action_name": RETRY_ACTION, "allowed_decisions": ["approve", "reject"]}
        ],
        "context": {
            "kind": FAILURE_KIND,
            "turn": job.turn,
            "subtask_id": "-",
            "requester": requester,
            "request": thread.last_request,
            "blocker": f"the {job.kind} failed {job.attempts} time(s) and was quarantined",
            "error": error[:2_000],  # for the reviewer deciding retry or cancel
            "recommended": "reject",
            "job": {"id": job.id, "kind": job.kind, "attempts": job.attempts},
        },
    }


def quarantine(runner: Runner, job: Job, error: str, owner: str) -> None:
    """Stop retrying `job`: its failure item, the thread quarantined, the job failed."""
    runner.queue.add(job.thread_id, failure_item_id(job), failure_payload(runner, job, error))
    runner.threads.set(job.thread_id, status="quarantined", error=error)
    runner.audit.append(
        job.thread_id,
        "run_quarantined",
        "system",
        job=job.id,
        kind=job.kind,
        attempts=job.attempts,
        error=error,
    )
    runner.jobs.give_up(job.id, owner, error)
    with runner.jobs.writer.begin() as conn:  # its subtasks stop waiting for their agents
        runner.jobs.cancel_in(conn, job.thread_id, kinds=(SLOT,))


def apply_failure_decisions(runner: Runner, thread_id: str) -> bool:
    """Carry out decided `failure` items of the thread (call under its lock). True if there
    were any: the thread is then cancelled or has a new job queued."""
    items = [i for i in runner.queue.decided_for(thread_id) if i.kind == FAILURE_KIND]
    if not items:
        return False
    retry = any(i.decision and i.decision["decisions"][0]["type"] == "approve" for i in items)
    item = items[-1]
    if retry:
        with runner.jobs.writer.begin() as conn:
            runner.jobs.enqueue_in(
                conn,
                key=f"retry:{item.id}",
                kind="resume",  # continues from the last checkpoint, never replays input
                thread_id=thread_id,
                turn=item.turn,
                priority=PRIORITIES.get(item.priority, 1),
            )
            runner.audit.append_in(
                conn, thread_id, "run_retried", f"human:{item.decided_by}", item_id=item.id
            )
        runner.threads.set(thread_id, status="queued", error=None)
    else:
        with runner.jobs.writer.begin() as conn:
            # Turns held behind reviews (ringmaster/turns.py) are cancelled with the thread:
            # nothing releases them into a cancelled thread later.
            held = runner.jobs.cancel_in(conn, thread_id, states=(HELD,))
            conn.execute(
                threads_table.update()
                .where(threads_table.c.id == thread_id)
                .values(status="cancelled", updated_at=runner.clock())
            )
            # The decisions whose resume kept failing are cancelled with it: left 'decided',
            # the next `recover` (every start) or request on the thread resumed them and ran
            # what they approved on a cancelled thread.
            dropped = [i for i in runner.queue.decided_for(thread_id) if i.kind != FAILURE_KIND]
            runner.audit.append_in(
                conn, thread_id, "run_cancelled", f"human:{item.decided_by}", item_id=item.id,
                held_turns_cancelled=held, decisions_not_run=[i.id for i in dropped],
            )  # fmt: skip
        items += dropped
    runner.queue.mark_resumed([i.id for i in items])
    return True
