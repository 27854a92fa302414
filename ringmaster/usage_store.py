"""Model calls and tokens per thread and turn, kept in the app database (`rm_usage`).

The runner saves a turn's `UsageMeter` after every invoke and resume, and loads it before the
next one, so `ringmaster thread show` in another process sees what a request spent, and a
request's budget keeps counting what it spent before a restart. One row per (thread, turn):
the budget is per request, and a thread's total is the sum of its turns.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine

from ringmaster.clock import Clock, utcnow
from ringmaster.graph.usage import Budget, UsageMeter
from ringmaster.tables import usage, writer


class UsageStore:
    """Per-turn usage snapshots of a thread's runs."""

    def __init__(self, engine: Engine, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.writer = writer(engine)
        self.clock = clock

    def save(self, thread_id: str, turn: int, meter: UsageMeter) -> None:
        snap = meter.snapshot()
        values = {
            "model_calls": snap["model_calls"],
            "input_tokens": snap["input_tokens"],
            "output_tokens": snap["output_tokens"],
            "refused_calls": snap["refused_calls"],
            "per_node": snap["per_node"],
            "updated_at": self.clock(),
        }
        key = (usage.c.thread_id == thread_id) & (usage.c.turn == turn)
        with self.writer.begin() as conn:  # the caller holds the thread's lock
            if not conn.execute(update(usage).where(key).values(**values)).rowcount:
                conn.execute(insert(usage).values(thread_id=thread_id, turn=turn, **values))

    def get(self, thread_id: str, turn: int) -> dict[str, Any] | None:
        """The turn's snapshot as `UsageMeter.snapshot()` gives it (budget left out), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(usage).where((usage.c.thread_id == thread_id) & (usage.c.turn == turn))
            ).first()
        if row is None:
            return None
        return {
            "model_calls": row.model_calls,
            "input_tokens": row.input_tokens,
            "output_tokens": row.output_tokens,
            "tokens": row.input_tokens + row.output_tokens,
            "refused_calls": row.refused_calls,
            "per_node": dict(row.per_node or {}),
        }

    def meter(self, thread_id: str, turn: int, budget: Budget | None) -> UsageMeter:
        """A meter for the turn that starts from what the turn already spent."""
        return UsageMeter.from_snapshot(self.get(thread_id, turn), budget)

    def thread_total(self, thread_id: str) -> dict[str, int]:
        """Calls and tokens over all of a thread's turns."""
        with self.engine.connect() as conn:
            calls, tokens_in, tokens_out = conn.execute(
                select(
                    func.coalesce(func.sum(usage.c.model_calls), 0),
                    func.coalesce(func.sum(usage.c.input_tokens), 0),
                    func.coalesce(func.sum(usage.c.output_tokens), 0),
                ).where(usage.c.thread_id == thread_id)
            ).one()
        return {"model_calls": int(calls), "tokens": int(tokens_in) + int(tokens_out)}
