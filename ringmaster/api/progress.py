"""Live progress of runs as server-sent events.

Two sources feed a thread's stream. The audit trail is the durable one: every decision event
(plan, routing, agent output, validation, interrupt, human decision, side effect, final
answer) is a row, so a stream opened in any process, before or after the run, tells the whole
story, and `Last-Event-ID` (the row's sequence number) resumes it. The runner's `on_event`
hook is the immediate one: graph updates of runs in this process, turned into
`subtask_finished` events the moment a subtask's result lands. The hook does not say which
thread an update belongs to, so the caller names it in a context variable around the call.

Framing, keep-alive pings (comments, so proxies keep an idle stream open) and client
disconnects are sse-starlette's (`response`). Ordering: the runner writes a decision event to
the audit before it hands on any later graph update, so before a live `subtask_finished` goes
out the stream reads the audit again; the plan, routing and the rest of what came before it
always precede it.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from anyio import to_thread
from sse_starlette import EventSourceResponse, ServerSentEvent

from ringmaster.runner import Runner
from ringmaster.thread_store import ThreadRow

_current: ContextVar[str | None] = ContextVar("ringmaster_progress_thread", default=None)

# Audit kinds under the names a stream's reader expects.
EVENT_NAMES = {
    "request_received": "request",
    "routing": "subtask_started",
    "agent_output": "agent_output",
    "validation": "validation",
    "interrupt": "interrupt",
    "human_decision": "decision",
    "final_answer": "final_answer",
    "run_failed": "failed",
    "run_quarantined": "quarantined",
}
SETTLED = ("completed", "needs_input", "waiting", "failed", "quarantined", "cancelled")
LAST_SEQ = 2**62  # the highest `after` a stream takes: far below SQLite's 64-bit integers


def resume_after(after: int, last_event_id: str | None) -> int:
    """Where a stream starts: after `after`, or after the `Last-Event-ID` a reconnecting
    browser sends when that is later. A header that is not a sequence number is ignored: "²"
    passed str.isdigit() and broke int() (a 500), and 20 digits overflowed SQLite mid-stream."""
    if last_event_id and last_event_id.isascii() and last_event_id.isdigit():
        return max(after, min(int(last_event_id), LAST_SEQ))
    return after


def sse(event: str, data: Any, event_id: int | None = None) -> ServerSentEvent:
    """One server-sent event (data is JSON on one line, so it never breaks the framing)."""
    return ServerSentEvent(
        json.dumps(data, default=str),
        event=event,
        id=None if event_id is None else str(event_id),
        sep="\n",
    )


def response(
    events: AsyncIterator[ServerSentEvent], ping: float, headers: dict[str, str] | None = None
) -> EventSourceResponse:
    """The stream as an answer: a `: ping` comment every `ping` seconds while it is idle, and
    the generator closed when the client goes away."""
    return EventSourceResponse(
        events,
        ping=ping,
        sep="\n",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no", **(headers or {})},
    )


class ProgressHub:
    """Fan-out of in-process graph updates to the streams that follow a thread."""

    def __init__(self) -> None:
        self._subs: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Any]]]] = {}
        self._lock = threading.Lock()

    @contextmanager
    def tracking(self, thread_id: str) -> Iterator[None]:
        """Attribute the runner's updates inside this block to `thread_id`."""
        token = _current.set(thread_id)
        try:
            yield
        finally:
            _current.reset(token)

    def on_update(self, namespace: tuple[str, ...], update: dict[str, Any]) -> None:
        """The runner's `on_event` hook (called on the thread running the graph)."""
        thread_id = _current.get()
        if thread_id is None or namespace:
            return
        work = update.get("work")
        if not isinstance(work, dict) or not isinstance(work.get("results"), dict):
            return
        for sid, result in work["results"].items():
            if isinstance(result, dict):
                self.publish(
                    thread_id,
                    {
                        "subtask_id": sid,
                        "agent": result.get("agent"),
                        "status": result.get("status"),
                        "summary": result.get("summary"),
                    },
                )

    def publish(self, thread_id: str, event: dict[str, Any]) -> None:
        with self._lock:
            subs = list(self._subs.get(thread_id, ()))
        for loop, queue in subs:
            loop.call_soon_threadsafe(queue.put_nowait, event)

    @contextmanager
    def subscribe(self, thread_id: str) -> Iterator[asyncio.Queue[Any]]:
        entry = (asyncio.get_running_loop(), asyncio.Queue[Any]())
        with self._lock:
            self._subs.setdefault(thread_id, []).append(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                subs = self._subs.get(thread_id, [])
                if entry in subs:
                    subs.remove(entry)
                if not subs:
                    self._subs.pop(thread_id, None)


async def stream(
    runner: Runner,
    hub: ProgressHub,
    thread_id: str,
    *,
    after: int,
    turn: int,
    poll: float,
    limit: float,
    settled: tuple[str, ...] = SETTLED,
) -> AsyncIterator[ServerSentEvent]:
    """The thread's events after sequence number `after`, until turn `turn` settles
    (by default: completed, waiting for a review, or failed) or `limit` seconds pass. The
    audit is read every `poll` seconds, and at once when a live update arrives."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit

    def read() -> tuple[list[Any], ThreadRow, bool]:
        events = runner.audit.for_thread(thread_id, after=after)
        row = runner.threads.get(thread_id)
        # `waiting` with a queued job is a wait for capacity: the run goes on by itself.
        parked = row.status == "waiting" and bool(runner.jobs.for_thread(thread_id, open_only=True))
        return events, row, parked

    with hub.subscribe(thread_id) as live:
        held: list[Any] = []  # live updates, sent once the audit before them is
        while True:
            events, row, parked = await to_thread.run_sync(read)
            for e in events:
                after = e.seq
                name = EVENT_NAMES.get(e.kind, e.kind)
                yield sse(name, {"kind": e.kind, "actor": e.actor, "at": e.at, **e.data}, e.seq)
            for event in held:
                yield sse("subtask_finished", event)
            held.clear()
            if not events and row.status in settled and not parked and row.turn >= turn:
                while not live.empty():
                    yield sse("subtask_finished", live.get_nowait())
                yield sse("end", {"status": row.status, "turn": row.turn})
                return
            if loop.time() >= deadline:
                yield sse("timeout", {"status": row.status, "turn": row.turn})
                return
            try:
                held.append(await asyncio.wait_for(live.get(), timeout=poll))
                while not live.empty():
                    held.append(live.get_nowait())
            except TimeoutError:
                pass
