"""The runner: threads, their turns and resumes, run as jobs of the durable run queue.

    accept(request)  ONE transaction: the thread's new turn (status queued), its audit event
                     and its `run` job (key run:THREAD:TURN) — so a crash never leaves a
                     request with nothing behind it
    a decision       the decision service commits it with a `resume` job (QueueResume)
    run_job(job)     what a worker (ringmaster/worker.py) does with a claimed job, under the
                     thread's lock: a run invokes the graph with its input once; any later
                     attempt continues from the last checkpoint with invoke(None), never
                     replaying the input; a resume sends Command(resume={interrupt_id: ...})
                     to the checkpoint of each turn with decisions

Each turn runs on a LangGraph checkpoint thread of its own (`THREAD:TURN`), its input carrying
the conversation so far (every earlier turn's history entry; a turn still waiting for a person
as what it has named so far). A new input on a LangGraph thread parked at interrupts would
start the graph over and drop them; on its own checkpoint thread a new turn runs while earlier
turns wait — unless it is about their work (ringmaster/turn_order.py): then its job is held
and put back in line once those reviews are decided and resumed (ringmaster/turns.py).
Threads from before per-turn checkpoints keep their turns on the thread's own.
    submit / resume_thread   accept or enqueue, then `drive` the thread's jobs in this process
                     (or wait for the worker that has them): what the CLI and API do when the
                     caller waits for the answer

Starting a runner never runs anything; `recover()` only re-queues.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from langgraph.types import Command
from sqlalchemy import Connection

from ringmaster.already_ran import stood, stood_line
from ringmaster.audit import AuditLog
from ringmaster.clock import Clock, utcnow
from ringmaster.corrections import CorrectionStore
from ringmaster.errors import NotFound, RingmasterError, RunFailed, ThreadBusy, ThreadQuarantined
from ringmaster.escalation import CheckInReport, EscalationReport, check_in, escalate_overdue
from ringmaster.graph.build import build_graph
from ringmaster.graph.checkpoint import open_checkpointer
from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.events import EVENT_KEY
from ringmaster.graph.intake import validate_request
from ringmaster.graph.nodes.agent import CONVERSATION
from ringmaster.graph.nodes.dispatch import PARALLEL_REVIEWS
from ringmaster.graph.slots import CapacityWait
from ringmaster.graph.state import Requester, stored_turn
from ringmaster.graph.usage import Budget, UsageMeter
from ringmaster.interrupts import agent_approval_context, has_context, interrupts_with_work
from ringmaster.models import budget
from ringmaster.parked_view import live_parked
from ringmaster.quarantine import FAILURE_KIND
from ringmaster.review_queue import PRIORITIES, ReviewItem, ReviewQueue
from ringmaster.run_queue import HELD, OPEN_STATES, Job, Limits, SqlRunQueue
from ringmaster.settings import Settings
from ringmaster.slots import QueueSlots
from ringmaster.tables import make_engine
from ringmaster.tables import threads as threads_table
from ringmaster.thread_store import ThreadStore, new_owner
from ringmaster.tools.redaction import redact_secrets, said_redacted
from ringmaster.turns import close_answered, conversation, hold, release_held, waits_for
from ringmaster.usage_store import UsageStore
from ringmaster.wiring import build_deps, load_policy_for, load_team_and_tools
from ringmaster.withdraw import superseded, withdraw, withdraw_corrected, withdrawn_line

log = logging.getLogger(__name__)

# `on_event` gets LangGraph's node updates, and each decision event under this key. A subgraph's
# updates show only its output (`results`), so progress inside a subtask comes from the events.
PROGRESS_EVENT = "__event__"
# The (thread, turn) whose run is streaming, for an `on_event` hook that tells turns apart:
# one drive runs every open job of a thread (a turn released from behind a review, a resume),
# so a chat can tell the turn just typed from the others (ringmaster/cli_chat.py).
STREAMING: ContextVar[tuple[str, int] | None] = ContextVar("ringmaster_streaming", default=None)
FINISHED = (
    "done",
    "answered",
    "rejected",
    "failed",
    "skipped",
    "needs_input",
)  # a subtask's final states


def finished_status(results: dict[str, Any] | None) -> str:
    """A finished turn's status: `needs_input` when a subtask asked the requester back (the
    turn waits for their answer, a new request on the thread), else `completed`."""
    asked = any(r.get("status") == "needs_input" for r in (results or {}).values())
    return "needs_input" if asked else "completed"


@dataclass
class RunOutcome:
    """Where a thread stands after a run or a resume."""

    thread_id: str
    # queued | running | waiting | needs_input | completed | failed | quarantined | cancelled
    # (waiting: for a person's decision, or, with `waiting_for`, for an agent's capacity;
    # needs_input: finished, but an agent asked the requester back and waits for their answer)
    status: str
    plan: dict[str, Any] | None = None
    results: dict[str, Any] = field(default_factory=dict)
    answer: str | None = None
    pending: list[ReviewItem] = field(default_factory=list)
    error: str | None = None
    usage: dict[str, Any] | None = None  # model calls and tokens of the turn (rm_usage)
    # Subtasks waiting in line for a slot of a busy agent: [{subtask_id, agent}]
    waiting_for: list[dict[str, Any]] = field(default_factory=list)
    turn: int = 0  # the turn this outcome is of (0: the thread has none yet)
    # A turn held until earlier reviews are decided (status queued): [{review_id, turn,
    # summary, reason}]
    queued_behind: list[dict[str, Any]] = field(default_factory=list)
    # Earlier reviews this (correcting) turn withdrew: their `review_withdrawn` events, which
    # its answer states first (ringmaster/withdraw.py).
    withdrawn: list[dict[str, Any]] = field(default_factory=list)
    # Actions of the turn a correction corrects that had run before it: their
    # `correction_too_late` events; they stand, and its answer says so.
    stood: list[dict[str, Any]] = field(default_factory=list)

    def notes(self) -> list[str]:
        """What the turn did besides its plan, in words: the secrets taken out of its request,
        the reviews it withdrew, and what the turn it corrects had already done."""
        redacted = (self.plan or {}).get("redacted")
        said = [said_redacted(list(redacted))] if redacted else []
        return [
            *said,
            *(withdrawn_line(w) for w in self.withdrawn),
            *(stood_line(s) for s in self.stood),
        ]

    def subtasks(self) -> list[dict[str, Any]]:
        """Every subtask of the plan with its state: its result, or, for one with none yet,
        what it waits for (the subtasks it depends on, or a busy agent's slot)."""
        planned = (self.plan or {}).get("subtasks") or []
        rows = []
        for s in planned:
            sid = s["id"]
            if sid in self.results:
                r = self.results[sid]
                rows.append({"subtask_id": sid, "agent": r.get("agent"), "status": r["status"],
                             "summary": r.get("summary", "")})  # fmt: skip
                continue
            before = [
                f"{d} ({self.results[d]['status']})" if d in self.results else d
                for d in s.get("depends_on") or []
                if self.results.get(d, {}).get("status") not in FINISHED
            ]
            slot = next((w for w in self.waiting_for if w.get("subtask_id") == sid), None)
            if before:
                status, summary = "waiting", "waits for " + ", ".join(before)
            elif slot is not None:
                status, summary = "waiting", f"waits for a slot of agent {slot['agent']}"
            else:
                status, summary = "not started", ""
            rows.append({"subtask_id": sid, "agent": s.get("agent"), "status": status,
                         "summary": summary})  # fmt: skip
        planned_ids = {s["id"] for s in planned}
        rows += [
            {"subtask_id": sid, "agent": r.get("agent"), "status": r["status"],
             "summary": r.get("summary", "")}
            for sid, r in sorted(self.results.items())
            if sid not in planned_ids
        ]  # fmt: skip
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "thread_id": self.thread_id,
            "status": self.status,
            "plan": self.plan,
            "results": self.results,
            "subtasks": self.subtasks(),
            "answer": self.answer,
            "pending": [p.to_dict(with_payload=False) for p in self.pending],
            "error": self.error,
            "usage": self.usage,
            "waiting_for": self.waiting_for,
            "turn": self.turn,
            "queued_behind": self.queued_behind,
            "withdrawn": self.withdrawn,
            "stood": self.stood,
        }


def turn_checkpoint(thread_id: str, turn: int) -> str:
    """The LangGraph thread of a turn run with per-turn checkpoints."""
    return f"{thread_id}:{turn}"


def _cut_short(tasks: Any) -> bool:
    if any(t.result is None and not t.interrupts for t in tasks):
        return True
    return bool(tasks) and not any(t.interrupts for t in tasks)


BUSY = ("queued", "running")  # a thread in these states takes no new request


class QueueResume:
    """The decision service's `ResumeScheduler` on the run queue: a resume job (and the
    thread marked queued) in the transaction that commits the decision."""

    def __init__(self, jobs: SqlRunQueue) -> None:
        self.jobs = jobs

    def schedule_resume(self, conn: Connection, thread_id: str) -> None:
        self.jobs.enqueue_in(
            conn,
            key=f"resume:{thread_id}:{uuid.uuid4().hex}",
            kind="resume",
            thread_id=thread_id,
        )
        conn.execute(
            threads_table.update()
            .where(threads_table.c.id == thread_id, threads_table.c.status != "running")
            .values(status="queued", updated_at=self.jobs.clock())
        )


class Runner:
    """Runs requests on threads and resumes them after reviews. Use as a context manager."""

    def __init__(
        self,
        settings: Settings,
        *,
        deps: GraphDeps | None = None,
        clock: Clock = utcnow,
        recover_on_start: bool = False,  # kept for callers; starting never runs anything
        on_event: Callable[[tuple[str, ...], dict[str, Any]], None] | None = None,
    ) -> None:
        self.settings = settings
        self.engine = make_engine(settings.app_db_url)
        self.audit = AuditLog(self.engine, clock, settings.audit_secret())
        try:  # refuses to start with a key the chain was not signed with
            self.audit.claim_key()
        except BaseException:
            self.engine.dispose()
            raise
        self.policy = load_policy_for(settings)
        self.corrections = CorrectionStore(self.engine, clock)
        self.queue = ReviewQueue(self.engine, clock, self.audit, self.policy.deadline)
        self.clock = clock
        self.threads = ThreadStore(self.engine, clock, settings.stale_lock_seconds)
        self._deps = deps
        self._graph: Any = None
        self._saver: Any = None
        self._own_deps = deps is None  # deps we built ourselves we may rebuild
        self._relearning = False  # rebuilt after a correction: the planner retrains at its use
        # The API's request threads and its worker share one runner: a correction's `relearn`
        # must not be undone by a build that read the corrections before it committed.
        self._build_lock = threading.RLock()
        self._stack = ExitStack()
        self.on_event = on_event
        self.usage = UsageStore(self.engine, clock)
        self.jobs = SqlRunQueue(
            self.engine,
            clock,
            lease_seconds=settings.run_lease_seconds,
            limits=Limits(),
            poll_seconds=settings.worker_poll_seconds,
        )
        self.slots = QueueSlots(
            self.jobs,
            wait_seconds=settings.slot_wait_seconds,
            unhealthy_requeue_seconds=settings.health_reading_seconds,
        )
        self._legacy: dict[str, int] = {}  # thread -> its turns on its own checkpoint thread

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stack.close()
        self.jobs.close()
        self.engine.dispose()

    # -- the graph, built on first use ---------------------------------------------------
    @property
    def deps(self) -> GraphDeps:
        with self._build_lock:
            if self._deps is None:
                self._deps = build_deps(
                    self.settings, self.corrections.all(), relearning=self._relearning
                )
            if self._deps.slots is None:  # subtasks hold their agent's capacity across processes
                self._deps = replace(self._deps, slots=self.slots)
            return self._deps

    @property
    def saver(self) -> Any:
        """The checkpoint store, opened on first use; reading it needs no graph."""
        with self._build_lock:
            if self._saver is None:
                self._saver = self._stack.enter_context(
                    open_checkpointer(self.settings.checkpoint_url)
                )
            return self._saver

    @property
    def graph(self) -> Any:
        with self._build_lock:
            if self._graph is None:
                self._graph = build_graph(self.deps, self.saver)
            return self._graph

    def _stored(self, checkpoint_thread: str) -> dict[str, Any]:
        saved = self.saver.get_tuple(
            {"configurable": {"thread_id": checkpoint_thread, "checkpoint_ns": ""}}
        )
        return dict(saved.checkpoint["channel_values"]) if saved else {}

    def checkpoint_thread(self, thread_id: str, turn: int) -> str:
        """The LangGraph thread that holds one turn's checkpoints."""
        if thread_id not in self._legacy:
            # Before per-turn checkpoints every turn ran on the thread's own: those stay there.
            self._legacy[thread_id] = int(self._stored(thread_id).get("turn") or 0)
        return thread_id if turn <= self._legacy[thread_id] else turn_checkpoint(thread_id, turn)

    def stored_plan(self, thread_id: str, turn: int) -> dict[str, Any] | None:
        """A turn's plan as its last checkpoint holds it, read from the store alone: building
        the graph would train the planner, which `review correct` does not need."""
        plan, _ = stored_turn(self._stored(self.checkpoint_thread(thread_id, turn)).get("plan"), {})
        return plan

    def _config(self, thread_id: str, turn: int) -> dict[str, Any]:
        # The runner resumes interrupts by id, so every pending review can be asked at once.
        return {
            "configurable": {
                "thread_id": self.checkpoint_thread(thread_id, turn),
                CONVERSATION: thread_id,
                PARALLEL_REVIEWS: True,
            },
            "recursion_limit": 100,
        }

    def update_turn(self, thread_id: str, turn: int, values: dict[str, Any], as_node: str) -> None:
        """Write `values` to a turn's checkpoint as the node `as_node` would have (a turn
        answered without running the graph: ringmaster/withdraw.py)."""
        self.graph.update_state(self._config(thread_id, turn), values, as_node=as_node)

    def turn_state(self, thread_id: str, turn: int, subgraphs: bool = False) -> Any:
        """LangGraph's state of one turn of a thread (empty for a turn that never ran)."""
        return self.graph.get_state(self._config(thread_id, turn), subgraphs=subgraphs)

    # -- requests ------------------------------------------------------------------------
    def submit(
        self,
        request: object,
        *,
        thread_id: str | None = None,
        requester: Requester | None = None,
    ) -> RunOutcome:
        """Accept a request on a thread (a new one unless given), then run it here (or wait
        for the worker that took it) until it completes, waits or is quarantined."""
        thread_id, _ = self.accept(request, thread_id=thread_id, requester=requester)
        return self.drive(thread_id)

    def accept(
        self,
        request: object,
        *,
        thread_id: str | None = None,
        requester: Requester | None = None,
    ) -> tuple[str, int]:
        """Durably queue a request: the thread's new turn, its audit event and its run job in
        one transaction. The thread id and the turn; nothing runs here."""
        text = validate_request(request, max_chars=self.settings.max_request_chars)
        # A pasted password or key is never stored: not in the thread, the audit trail (which
        # cannot be rewritten), the run queue or a checkpoint. The plan node says so.
        text, redacted = redact_secrets(text)
        requester = requester or Requester()
        if thread_id is None:
            thread_id = self.submit_thread(requester.id)
        row = self.threads.get(thread_id)  # NotFound for an unknown thread
        # Pending reviews do not stop a new turn: it runs on its own checkpoint thread, or
        # waits for them if it is about their work (decided when it runs: run_job).
        if row.status in BUSY or self.jobs.for_thread(thread_id, open_only=True):
            raise ThreadBusy(f"thread {thread_id} is running a request; wait for it to finish")
        failed = self._failure_item(thread_id)
        if failed:
            # A later turn would build on a turn that never finished: a person retries or
            # cancels that run first (`ringmaster review approve|reject`).
            run = f"turn {failed[0].turn}'s run" if failed[0].turn else "its last run"
            raise ThreadQuarantined(
                f"thread {thread_id} is quarantined: {run} failed; decide failure item "
                f"{failed[0].id} (approve to retry, reject to cancel the thread) first"
            )
        turn = row.turn + 1
        payload = {
            "request": text,
            "requester": requester.model_dump(),
            "turn": turn,
            "plan": None,
            "results": None,
            "answer": None,
            "redacted": redacted,
        }
        c = threads_table.c
        with self.jobs.writer.begin() as conn:
            taken = conn.execute(
                threads_table.update()
                .where(c.id == thread_id, c.turn == row.turn, c.status.not_in(BUSY))
                .values(
                    status="queued",
                    turn=turn,
                    last_request=text,
                    error=None,
                    updated_at=self.clock(),
                )
            ).rowcount
            if not taken:
                raise ThreadBusy(f"thread {thread_id} took another request just now")
            self.audit.append_in(
                conn,
                thread_id,
                "request_received",
                f"requester:{requester.id}",
                turn=turn,
                request=text,
                scopes=requester.scopes,
                priority=requester.priority,
                **({"redacted": redacted} if redacted else {}),
            )
            self.jobs.enqueue_in(
                conn,
                key=f"run:{thread_id}:{turn}",
                kind="run",
                thread_id=thread_id,
                turn=turn,
                priority=PRIORITIES.get(requester.priority, 1),
                payload=payload,
            )
        return thread_id, turn

    def drive(self, thread_id: str, timeout: float | None = None) -> RunOutcome:
        """Run the thread's queued jobs in this process (waiting for another worker's) until
        none is open or `timeout` passes; the thread afterwards."""
        from ringmaster.worker import Worker

        Worker(self).drive(thread_id, timeout=timeout)
        return self.outcome(thread_id)

    def submit_thread(self, requester: str) -> str:
        """Create an empty thread and return its id."""
        thread_id = uuid.uuid4().hex[:16]
        self.threads.create(thread_id, requester)
        return thread_id

    def relearn(self) -> None:
        """Rebuild the planner at next use, so a correction just recorded is learned now."""
        with self._build_lock:  # after any build in progress, which may predate the correction
            if self._own_deps and self._deps is not None:
                self._deps = None
                self._relearning = True
                self._graph = None

    def resume_thread(self, thread_id: str) -> RunOutcome:
        """Queue a resume of the thread with every decision committed for it, and drive it."""
        self.threads.get(thread_id)  # NotFound for an unknown thread
        with self.jobs.writer.begin() as conn:
            QueueResume(self.jobs).schedule_resume(conn, thread_id)
        return self.drive(thread_id)

    def check_in(self, now: datetime | None = None) -> CheckInReport:
        """Escalate stuck runs and silent workers (ringmaster/escalation.py); once each."""
        return check_in(
            self.jobs,
            self.policy,
            now or self.clock(),
            stuck_after=self.settings.stuck_run_seconds,
            silent_after=self.settings.silent_worker_seconds,
            owner=new_owner(),
        )

    @property
    def resume_scheduler(self) -> QueueResume:
        """For the decision service: a decision's resume job, in the decision's transaction."""
        return QueueResume(self.jobs)

    def escalate(self, now: datetime | None = None, run_by: str | None = None) -> EscalationReport:
        """Escalate overdue reviews (see ringmaster/escalation.py); idempotent. `run_by`: the
        person who ran the pass, named in each escalation's audit event."""
        return escalate_overdue(
            self.queue,
            self.policy,
            now or self.clock(),
            resume=self.drive,
            scheduler=self.resume_scheduler,
            run_by=run_by,
        )

    def recover(self) -> list[str]:
        """Re-queue (never run) what a crash left without a job: decided reviews, runs cut
        short, and turns held for reviews since decided. The threads queued; a worker runs
        them."""
        candidates = set(self.queue.threads_with_decided())
        for status in ("queued", "running", "failed"):
            candidates |= {t.id for t in self.threads.list(status=status, limit=10_000)}
        queued = []
        for thread_id in sorted(candidates):
            if self.jobs.for_thread(thread_id, open_only=True):
                continue  # a worker has it, or will
            with self.jobs.writer.begin() as conn:
                QueueResume(self.jobs).schedule_resume(conn, thread_id)
            queued.append(thread_id)
        for thread_id in sorted({j.thread_id for j in self.jobs.all_held()} - set(queued)):
            if release_held(self, thread_id):
                queued.append(thread_id)
        return queued

    # -- a worker's job ------------------------------------------------------------------
    def run_job(self, job: Job) -> None:
        """Run a claimed job under the thread's lock (ThreadBusy if someone holds it)."""
        graph = self.graph
        owner = new_owner()
        if not self.threads.try_lock(job.thread_id, owner):
            raise ThreadBusy(f"thread {job.thread_id} is being run by another process")
        try:
            self.threads.set(job.thread_id, status="running")
            if job.kind == "run" and not self._turn_started(job):
                context = conversation(self, job.thread_id, job.turn)
                # "cancel that refund": the work it calls off is withdrawn, not waited for
                # or planned anew (ringmaster/withdraw.py).
                if not withdraw(self, job, context):
                    # "don't refund INV-1002, refund INV-1005 instead": the reviews of the
                    # record taken back are withdrawn first, not waited for.
                    withdraw_corrected(self, job)
                    waits = waits_for(self, job, context)
                    if waits:
                        hold(self, job, waits)
                        return
                    payload = {**(job.payload or {}), "history": context}
                    self._invoke(graph, job.thread_id, job.turn, payload)
            if job.kind == "run":
                close_answered(self, job)
                withdraw_corrected(self, job)
            from ringmaster.quarantine import apply_failure_decisions

            if apply_failure_decisions(self, job.thread_id):
                return  # a cancelled thread; a retried one has a new job
            # A run's turn, a retry's (quarantine.py), else (a decision's resume) the latest.
            self._drain(graph, job.thread_id, job.turn)
            release_held(self, job.thread_id)
        finally:
            self.threads.unlock(job.thread_id, owner)

    def _turn_started(self, job: Job) -> bool:
        """True once a checkpoint holds the job's turn: a later attempt must continue from
        it with invoke(None), never send the input again."""
        state = self.turn_state(job.thread_id, job.turn)
        if state.values.get("turn") == job.turn:
            return True
        # The input checkpoint is saved before the first step; its input waits in __start__.
        return job.attempts > 1 and any(t.name == "__start__" for t in state.tasks)

    # -- internals -----------------------------------------------------------------------
    def _invoke(self, graph: Any, thread_id: str, turn: int, payload: Any) -> None:
        # One meter per request: the turn's usage so far comes from rm_usage, so a resume (in
        # this process or another) spends from the same budget; it is saved after every run, a
        # failed one too.
        meter = self.usage.meter(thread_id, turn, budget(self.settings))
        try:
            self._stream(graph, thread_id, turn, payload, meter)
        finally:
            self.usage.save(thread_id, turn, meter)

    def _stream(
        self, graph: Any, thread_id: str, turn: int, payload: Any, meter: UsageMeter
    ) -> None:
        config = self._config(thread_id, turn)
        config["callbacks"] = [meter]
        # Named root runs for LangSmith and other tracers: who asked, on which thread and turn.
        row = self.threads.get(thread_id)
        kind = "resume" if isinstance(payload, Command) else "request" if payload else "continue"
        config["run_name"] = f"ringmaster {kind}"
        config["metadata"] = {"thread_id": thread_id, "turn": turn, "requester": row.requester}
        config["tags"] = ["ringmaster", kind]
        streaming = STREAMING.set((thread_id, turn))
        try:
            # Custom chunks are the nodes' decision events (graph/events.py): audit them.
            # Updates show progress to a caller who asked for it.
            for namespace, mode, chunk in graph.stream(
                payload,
                config,
                durability="sync",
                stream_mode=["updates", "custom"],
                subgraphs=True,
            ):
                if mode == "custom" and isinstance(chunk, dict) and EVENT_KEY in chunk:
                    event = dict(chunk)
                    kind, actor = event.pop(EVENT_KEY), event.pop("actor", "system")
                    event.setdefault("turn", turn)  # turns interleave while one waits
                    self.audit.append(thread_id, kind, actor, **event)
                    if self.on_event is not None:  # decisions are progress too
                        self.on_event(namespace, {PROGRESS_EVENT: dict(chunk)})
                elif mode == "updates" and self.on_event is not None:
                    self.on_event(namespace, chunk)
        except (RingmasterError, CapacityWait):  # the worker queues a capacity wait again
            raise
        except Exception as exc:
            log.warning("run of thread %s failed: %s", thread_id, exc)
            self.audit.append(
                thread_id, "run_failed", "system", error=f"{type(exc).__name__}: {exc}"
            )
            raise RunFailed(
                f"the run of thread {thread_id} failed: {type(exc).__name__}: {exc}"
            ) from exc
        finally:
            STREAMING.reset(streaming)
        self._sync(graph, thread_id, turn)

    def _sync(self, graph: Any, thread_id: str, turn: int) -> None:
        """Copy a turn's pending interrupts into the queue and set the thread's status."""
        state = self.turn_state(thread_id, turn)
        if any(not has_context(i.value) for i in state.interrupts):
            state = self.turn_state(thread_id, turn, subgraphs=True)
        for intr, work in interrupts_with_work(state):
            value = intr.value
            if not has_context(value) and work is not None:
                # Raised inside an agent (LangChain's HITL middleware): the request has no
                # ringmaster context, so give it the subtask's, for the queue and reviewers.
                value = {**value, "context": agent_approval_context(work, value, thread_id)}
            self.queue.add(thread_id, intr.id, value)
        if state.interrupts:
            status = "waiting"
        elif state.next:
            status = "running"
        elif any(j.kind == "run" and j.state == "queued" for j in self.jobs.for_thread(thread_id)):
            status = "queued"  # a turn put back in line (turns.release_held) runs next
        elif self._failure_item(thread_id):
            status = "quarantined"  # this turn is done; another run of the thread failed
        elif self.queue.count(status="pending", thread_id=thread_id) or self.jobs.held(thread_id):
            status = "waiting"  # this turn is done; an earlier one waits for a person
        else:
            status = finished_status(state.values.get("results"))
        self.threads.set(thread_id, status=status)

    def _failure_item(self, thread_id: str) -> list[ReviewItem]:
        """The thread's pending failure item, if a run of it failed for good (quarantine)."""
        return self.queue.list(thread_id=thread_id, kind=FAILURE_KIND, limit=1)

    def _drain(self, graph: Any, thread_id: str, turn: int = 0) -> None:
        """Resume every turn with committed decisions; continue a run a crash cut short (the
        job's turn, else the thread's latest)."""
        latest = turn or self.threads.get(thread_id).turn
        turns = {d.turn for d in self.queue.decided_for(thread_id)} | {latest}
        for t in sorted(turns - {latest}) + [latest]:  # the latest last: it sets the status
            self._drain_turn(graph, thread_id, t)

    def _drain_turn(self, graph: Any, thread_id: str, turn: int) -> None:
        crashed_run = True
        for _ in range(100):  # each pass consumes decisions; bounded against surprises
            decided = [d for d in self.queue.decided_for(thread_id) if d.turn == turn]
            state = self.turn_state(thread_id, turn)
            if decided and state.created_at is None:
                # No checkpoint of the turn (its store lost or swapped): nothing consumed these
                # decisions, and taking them as consumed finished the turn 'completed' with
                # none of its approved actions run.
                error = f"turn {turn} has no checkpoint to resume (was the checkpoint store lost?)"
                self.audit.append(thread_id, "run_failed", "system", error=error)
                raise RunFailed(f"the run of thread {thread_id} failed: {error}")
            pending_ids = {i.id for i in state.interrupts}
            resume = {d.id: d.decision for d in decided if d.id in pending_ids}
            if resume:
                self.threads.set(thread_id, status="running")
                self._invoke(graph, thread_id, turn, Command(resume=resume))
            elif crashed_run and _cut_short(state.tasks):
                # A task with neither a result nor an interrupt was cut short by a crash, or
                # a step's writes are pending but its checkpoint was never saved.
                self.threads.set(thread_id, status="running")
                self._invoke(graph, thread_id, turn, None)  # continue from the last checkpoint
            else:
                self._sync(graph, thread_id, turn)
                self.queue.mark_resumed([d.id for d in decided])
                return
            # Decisions whose interrupts are gone were consumed by an earlier resume.
            self.queue.mark_resumed([d.id for d in decided])
            crashed_run = False

    # -- reading -------------------------------------------------------------------------
    def outcome(self, thread_id: str, turn: int | None = None) -> RunOutcome:
        """Where a turn stands (default: the thread's latest), with every review the thread
        waits for."""
        row = self.threads.get(thread_id)
        turn = row.turn if turn is None else turn
        if not 0 <= turn <= row.turn:
            raise NotFound(f"thread {thread_id} has no turn {turn}")
        values: dict[str, Any] = {}
        results: dict[str, Any] = {}
        interrupts: Any = ()
        more: Any = ()
        if turn:
            snap = self.turn_state(thread_id, turn)
            values, interrupts, more = snap.values, snap.interrupts, snap.next
            results = dict(values.get("results") or {})
            # Subtasks that finished in a step another subtask's interrupt holds open.
            for task in snap.tasks:
                if isinstance(task.result, dict) and isinstance(task.result.get("results"), dict):
                    results.update(task.result["results"])
        # A parked subtask's result carries its work state for later; callers need not see it.
        results = {k: {f: v for f, v in r.items() if f != "work"} for k, r in results.items()}
        runs = [j for j in self.jobs.for_thread(thread_id) if j.kind == "run" and j.turn == turn]
        held = next((j for j in runs if j.state == HELD), None)
        # Not started: an earlier turn put back in line, or any turn withdrawn while held.
        unstarted = (
            values.get("turn") != turn
            and runs
            and (turn != row.turn or runs[-1].state == "cancelled")
        )
        pending = self.queue.list(status="pending", thread_id=thread_id)
        in_line = self._waiting_for(thread_id, turn)
        results = live_parked(results, pending, turn, in_line)  # what a parked one waits for
        status = row.status
        if held is not None:
            status = "queued"  # behind the reviews it is about
        elif any(p.kind == FAILURE_KIND and p.turn == turn for p in pending):
            status = "quarantined"  # its run failed: a person retries or cancels it
        elif unstarted and runs[-1].state in (*OPEN_STATES, "cancelled"):
            # An earlier turn put back in line behind a later one, or cancelled while held:
            # it has not started (yet).
            status = runs[-1].state
        elif turn != row.turn or (
            not interrupts and not more and self._elsewhere(status, runs, pending)
        ):
            # The thread's status is its latest turn's, or an earlier turn's.
            status = "waiting" if interrupts else "running" if more else finished_status(results)
        withdrawn = superseded(self, thread_id, turn) if turn else []
        too_late = stood(self, thread_id, turn) if turn else []
        answer = values.get("answer")
        if answer and (withdrawn or too_late):  # what the correction withdrew, then what it did
            lines = [*(withdrawn_line(w) for w in withdrawn), *(stood_line(s) for s in too_late)]
            answer = "\n".join([*lines, answer])
        plan, results = stored_turn(values.get("plan"), results)
        return RunOutcome(
            thread_id=thread_id,
            status=status,
            plan=plan,
            results=results,
            answer=answer,
            pending=pending,
            error=row.error if turn == row.turn else None,
            usage=self._usage(thread_id, turn),
            waiting_for=in_line if status in (*BUSY, "waiting") else [],
            turn=turn,
            queued_behind=list((held.payload or {}).get("after") or []) if held else [],
            withdrawn=withdrawn,
            stood=too_late,
        )

    def _waiting_for(self, thread_id: str, turn: int) -> list[dict[str, Any]]:
        """The turn's subtasks waiting in line for an agent's slot; for an agent flagged
        unhealthy, why (`unhealthy`: nothing starts there until a reading says it recovered)."""
        out: list[dict[str, Any]] = []
        for j, reasons in self.jobs.waiting_slots(thread_id):
            if j.turn != turn:
                continue
            w = {"subtask_id": (j.payload or {}).get("subtask_id"), "agent": j.agent}
            out.append(w if reasons is None else {**w, "unhealthy": reasons})
        return out

    @staticmethod
    def _elsewhere(status: str, runs: list[Job], pending: list[ReviewItem]) -> bool:
        """Whether the thread's status, its latest turn finished, is an earlier turn's: one
        waiting for a person, put back in line, or quarantined (its failure item names the
        turn; a resume's names none, 0)."""
        if status == "queued":
            return bool(runs) and runs[-1].state == "done"
        if status == "quarantined":
            failed = {p.turn for p in pending if p.kind == FAILURE_KIND}
            return bool(failed) and 0 not in failed
        return status == "waiting"

    def _usage(self, thread_id: str, turn: int) -> dict[str, Any] | None:
        """The turn's calls and tokens (as saved, whichever process ran it), the budget and
        the thread's total over all its turns."""
        snap = self.usage.get(thread_id, turn)
        if snap is None:
            return None
        b = budget(self.settings) or Budget()
        snap["budget"] = {"calls": b.max_calls, "tokens": b.max_tokens}
        return {**snap, "thread": self.usage.thread_total(thread_id)}

    def team_names(self) -> list[str]:
        """The team's agent names: the built graph's, or else the team file's (building the
        graph would train the planner just to learn them)."""
        deps = self._deps
        if deps is not None:
            return deps.registry.team.names()
        return load_team_and_tools(self.settings)[0].names()

    def default_scopes(self) -> list[str]:
        """Every scope the team and its tools use: what a local operator may reach."""
        team = self.deps.registry.team
        scopes = {s for a in team.agents for s in a.scopes}
        scopes |= {s for t in self.deps.registry.tools.tools.values() for s in t.scopes}
        return sorted(scopes)

    def history(self, thread_id: str) -> list[dict[str, Any]]:
        """The thread's finished turns, oldest first: request, answer, records named."""
        row = self.threads.get(thread_id)
        return [h for h in conversation(self, thread_id, row.turn + 1) if not h.get("pending")]
