"""The runner: threads, runs, the review queue's resumes, and recovery after crashes.

Every run and resume of a thread happens under the thread's lock. A decision is committed
to the queue first, then the thread is resumed with `Command(resume={interrupt_id: ...})`.
Decisions that were committed but never resumed (a crash, or a lock held by someone else)
are picked up by whoever holds the lock next, by `recover()`, and by every runner start.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from langgraph.types import Command

from ringmaster.audit import AuditLog
from ringmaster.clock import Clock, utcnow
from ringmaster.corrections import CorrectionStore
from ringmaster.errors import RingmasterError, RunFailed, ThreadBusy
from ringmaster.escalation import EscalationReport, escalate_overdue
from ringmaster.graph.build import build_graph
from ringmaster.graph.checkpoint import open_checkpointer
from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.events import EVENT_KEY
from ringmaster.graph.intake import validate_request
from ringmaster.graph.nodes.dispatch import PARALLEL_REVIEWS
from ringmaster.graph.state import Requester
from ringmaster.graph.usage import Budget, UsageMeter
from ringmaster.interrupts import agent_approval_context, has_context, interrupts_with_work
from ringmaster.models import budget
from ringmaster.review_queue import ReviewItem, ReviewQueue
from ringmaster.settings import Settings
from ringmaster.tables import make_engine
from ringmaster.thread_store import ThreadStore, new_owner
from ringmaster.usage_store import UsageStore
from ringmaster.wiring import build_deps, load_policy_for

log = logging.getLogger(__name__)

# `on_event` gets LangGraph's node updates, and each decision event under this key. A subgraph's
# updates show only its output (`results`), so progress inside a subtask comes from the events.
PROGRESS_EVENT = "__event__"


@dataclass
class RunOutcome:
    """Where a thread stands after a run or a resume."""

    thread_id: str
    status: str  # completed | waiting | failed | running | queued
    plan: dict[str, Any] | None = None
    results: dict[str, Any] = field(default_factory=dict)
    answer: str | None = None
    pending: list[ReviewItem] = field(default_factory=list)
    error: str | None = None
    usage: dict[str, Any] | None = None  # model calls and tokens of the turn (rm_usage)

    def to_dict(self) -> dict[str, Any]:
        return {
            "thread_id": self.thread_id,
            "status": self.status,
            "plan": self.plan,
            "results": self.results,
            "answer": self.answer,
            "pending": [p.to_dict(with_payload=False) for p in self.pending],
            "error": self.error,
            "usage": self.usage,
        }


class Runner:
    """Runs requests on threads and resumes them after reviews. Use as a context manager."""

    def __init__(
        self,
        settings: Settings,
        *,
        deps: GraphDeps | None = None,
        clock: Clock = utcnow,
        recover_on_start: bool = True,
        on_event: Callable[[tuple[str, ...], dict[str, Any]], None] | None = None,
    ) -> None:
        self.settings = settings
        self.engine = make_engine(settings.app_db_url)
        self.audit = AuditLog(self.engine, clock, settings.audit_secret())
        self.policy = load_policy_for(settings)
        self.corrections = CorrectionStore(self.engine, clock)
        self.queue = ReviewQueue(self.engine, clock, self.audit, self.policy.deadline)
        self.clock = clock
        self.threads = ThreadStore(self.engine, clock, settings.stale_lock_seconds)
        self._deps = deps
        self._graph: Any = None
        self._saver: Any = None
        self._recovered = False
        self._own_deps = deps is None  # deps we built ourselves we may rebuild
        self._stack = ExitStack()
        self._recover_on_start = recover_on_start
        self.on_event = on_event
        self.usage = UsageStore(self.engine, clock)

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stack.close()
        self.engine.dispose()

    # -- the graph, built on first use ---------------------------------------------------
    @property
    def deps(self) -> GraphDeps:
        if self._deps is None:
            self._deps = build_deps(self.settings, self.corrections.all())
        return self._deps

    @property
    def graph(self) -> Any:
        if self._graph is None:
            if self._saver is None:
                self._saver = self._stack.enter_context(
                    open_checkpointer(self.settings.checkpoint_url)
                )
            self._graph = build_graph(self.deps, self._saver)
            if self._recover_on_start and not self._recovered:
                self._recovered = True  # once per runner, not at every graph rebuild
                self.recover()
        return self._graph

    @staticmethod
    def _config(thread_id: str) -> dict[str, Any]:
        # The runner resumes interrupts by id, so every pending review can be asked at once.
        return {
            "configurable": {"thread_id": thread_id, PARALLEL_REVIEWS: True},
            "recursion_limit": 100,
        }

    # -- requests ------------------------------------------------------------------------
    def submit(
        self,
        request: object,
        *,
        thread_id: str | None = None,
        requester: Requester | None = None,
    ) -> RunOutcome:
        """Run a request on a thread (a new one unless given) until it completes or waits."""
        text = validate_request(request, max_chars=self.settings.max_request_chars)
        requester = requester or Requester()
        graph = self.graph
        if thread_id is None:
            thread_id = self.submit_thread(requester.id)
        else:
            self.threads.get(thread_id)  # NotFound for an unknown thread
        waiting = self.queue.count(status="pending", thread_id=thread_id)
        if waiting:
            raise ThreadBusy(
                f"thread {thread_id} is waiting for {waiting} review(s); decide them first"
            )
        owner = new_owner()
        if not self.threads.try_lock(thread_id, owner):
            raise ThreadBusy(f"thread {thread_id} is being run by another process")
        try:
            turn = self.threads.get(thread_id).turn + 1
            self.threads.set(thread_id, status="running", turn=turn, last_request=text, error=None)
            self.audit.append(
                thread_id,
                "request_received",
                f"requester:{requester.id}",
                turn=turn,
                request=text,
                scopes=requester.scopes,
                priority=requester.priority,
            )
            payload = {
                "request": text,
                "requester": requester.model_dump(),
                "turn": turn,
                "plan": None,
                "results": None,
                "answer": None,
            }
            self._invoke(graph, thread_id, payload)
            self._drain(graph, thread_id)
        finally:
            self.threads.unlock(thread_id, owner)
        self._after_unlock(thread_id)
        return self.outcome(thread_id)

    def submit_thread(self, requester: str) -> str:
        """Create an empty thread and return its id."""
        thread_id = uuid.uuid4().hex[:16]
        self.threads.create(thread_id, requester)
        return thread_id

    def relearn(self) -> None:
        """Rebuild the planner at next use, so a correction just recorded is learned now."""
        if self._own_deps and self._deps is not None:
            self._deps = None
            self._graph = None

    def resume_thread(self, thread_id: str) -> RunOutcome:
        """Resume a thread with every decision committed for it, if nobody else is running it."""
        graph = self.graph
        owner = new_owner()
        if not self.threads.try_lock(thread_id, owner):
            # The lock holder resumes our decision when it finishes (see _after_unlock).
            out = self.outcome(thread_id)
            out.status = "queued"
            return out
        try:
            self._drain(graph, thread_id, crashed_run=True)
        finally:
            self.threads.unlock(thread_id, owner)
        self._after_unlock(thread_id)
        return self.outcome(thread_id)

    def escalate(self, now: datetime | None = None) -> EscalationReport:
        """Escalate overdue reviews (see ringmaster/escalation.py); idempotent."""
        return escalate_overdue(
            self.queue, self.policy, now or self.clock(), resume=self.resume_thread
        )

    def recover(self) -> list[str]:
        """Resume every thread with committed-but-unresumed decisions or an interrupted run."""
        candidates = set(self.queue.threads_with_decided())
        for status in ("running", "failed"):
            candidates |= {t.id for t in self.threads.list(status=status, limit=10_000)}
        recovered = []
        for thread_id in sorted(candidates):
            out = self.resume_thread(thread_id)
            if out.status != "queued":
                recovered.append(thread_id)
        return recovered

    # -- internals -----------------------------------------------------------------------
    def _after_unlock(self, thread_id: str) -> None:
        # A decision that arrived while we held the lock found it taken; resume it now.
        if self.queue.decided_for(thread_id):
            self.resume_thread(thread_id)

    def _invoke(self, graph: Any, thread_id: str, payload: Any) -> None:
        # One meter per request: the turn's usage so far comes from rm_usage, so a resume (in
        # this process or another) spends from the same budget; it is saved after every run, a
        # failed one too.
        turn = self.threads.get(thread_id).turn
        meter = self.usage.meter(thread_id, turn, budget(self.settings))
        try:
            self._stream(graph, thread_id, payload, meter)
        finally:
            self.usage.save(thread_id, turn, meter)

    def _stream(self, graph: Any, thread_id: str, payload: Any, meter: UsageMeter) -> None:
        config = self._config(thread_id)
        config["callbacks"] = [meter]
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
                    self.audit.append(thread_id, kind, actor, **event)
                    if self.on_event is not None:  # decisions are progress too
                        self.on_event(namespace, {PROGRESS_EVENT: dict(chunk)})
                elif mode == "updates" and self.on_event is not None:
                    self.on_event(namespace, chunk)
        except RingmasterError:
            raise
        except Exception as exc:
            log.exception("run of thread %s failed", thread_id)
            self.threads.set(thread_id, status="failed", error=f"{type(exc).__name__}: {exc}")
            self.audit.append(
                thread_id, "run_failed", "system", error=f"{type(exc).__name__}: {exc}"
            )
            raise RunFailed(
                f"the run of thread {thread_id} failed: {exc}; "
                "its last checkpoint is kept, `ringmaster recover` retries it"
            ) from exc
        self._sync(graph, thread_id)

    def _sync(self, graph: Any, thread_id: str) -> None:
        """Copy pending interrupts into the queue and set the thread's status."""
        state = graph.get_state(self._config(thread_id))
        if any(not has_context(i.value) for i in state.interrupts):
            state = graph.get_state(self._config(thread_id), subgraphs=True)
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
        else:
            status = "completed"
        self.threads.set(thread_id, status=status)

    def _drain(self, graph: Any, thread_id: str, crashed_run: bool = False) -> None:
        """Resume with every committed decision; continue a run a crash cut short."""
        config = self._config(thread_id)
        for _ in range(100):  # each pass consumes decisions; bounded against surprises
            decided = self.queue.decided_for(thread_id)
            state = graph.get_state(config)
            pending_ids = {i.id for i in state.interrupts}
            resume = {d.id: d.decision for d in decided if d.id in pending_ids}
            if resume:
                self.threads.set(thread_id, status="running")
                self._invoke(graph, thread_id, Command(resume=resume))
            elif crashed_run and any(t.result is None and not t.interrupts for t in state.tasks):
                # A task with neither a result nor an interrupt was cut short by a crash.
                self.threads.set(thread_id, status="running")
                self._invoke(graph, thread_id, None)  # continue from the last checkpoint
            else:
                self._sync(graph, thread_id)
                self.queue.mark_resumed([d.id for d in decided])
                return
            # Decisions whose interrupts are gone were consumed by an earlier resume.
            self.queue.mark_resumed([d.id for d in decided])
            crashed_run = False

    # -- reading -------------------------------------------------------------------------
    def outcome(self, thread_id: str) -> RunOutcome:
        row = self.threads.get(thread_id)
        values: dict[str, Any] = {}
        results: dict[str, Any] = {}
        if row.turn:
            snap = self.graph.get_state(self._config(thread_id))
            values = snap.values
            results = dict(values.get("results") or {})
            # Subtasks that finished in a step another subtask's interrupt holds open.
            for task in snap.tasks:
                if isinstance(task.result, dict) and isinstance(task.result.get("results"), dict):
                    results.update(task.result["results"])
        # A parked subtask's result carries its work state for later; callers need not see it.
        results = {k: {f: v for f, v in r.items() if f != "work"} for k, r in results.items()}
        return RunOutcome(
            thread_id=thread_id,
            status=row.status,
            plan=values.get("plan"),
            results=results,
            answer=values.get("answer"),
            pending=self.queue.list(status="pending", thread_id=thread_id),
            error=row.error,
            usage=self._usage(thread_id, row.turn),
        )

    def _usage(self, thread_id: str, turn: int) -> dict[str, Any] | None:
        """The turn's calls and tokens (as saved, whichever process ran it), the budget and
        the thread's total over all its turns."""
        snap = self.usage.get(thread_id, turn)
        if snap is None:
            return None
        b = budget(self.settings) or Budget()
        snap["budget"] = {"calls": b.max_calls, "tokens": b.max_tokens}
        return {**snap, "thread": self.usage.thread_total(thread_id)}

    def default_scopes(self) -> list[str]:
        """Every scope the team and its tools use: what a local operator may reach."""
        team = self.deps.registry.team
        scopes = {s for a in team.agents for s in a.scopes}
        scopes |= {s for t in self.deps.registry.tools.tools.values() for s in t.scopes}
        return sorted(scopes)

    def history(self, thread_id: str) -> list[dict[str, Any]]:
        self.threads.get(thread_id)
        values = self.graph.get_state(self._config(thread_id)).values
        return list(values.get("history") or [])
