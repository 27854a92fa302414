"""Routing corrections: a reviewer says "this was billing, not support", and it sticks.

Corrections are stored, exported as eval rows (`ringmaster eval export-corrections`), and added
to the local planner's training examples the next time a runner builds its planner, so the
same mistake is not made twice. The planner's cache key covers the corrections, so a new
correction means a retrained model, never a stale one.

A subtask (a thread's subtask id with its text) has at most one correction: a later one
replaces it, and a correction back to the planned agent removes it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, insert, select
from sqlalchemy.engine import Connection, Engine

from ringmaster.agents.spec import Team
from ringmaster.clock import Clock, as_utc, utcnow
from ringmaster.tables import corrections, writer


@dataclass(frozen=True)
class Correction:
    id: int
    created_at: datetime
    thread_id: str
    subtask_id: str
    text: str
    wrong_agent: str | None
    right_agent: str
    reviewer: str

    def as_eval_row(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "agents": [self.right_agent],
            "escalate": False,
            "subtasks": 1,
            "tags": ["correction", f"was:{self.wrong_agent or 'human'}"],
        }


class CorrectionStore:
    def __init__(self, engine: Engine, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.writer = writer(engine)
        self.clock = clock

    def add(
        self,
        *,
        thread_id: str,
        subtask_id: str,
        text: str,
        wrong_agent: str | None,
        right_agent: str,
        reviewer: str,
    ) -> None:
        with self.writer.begin() as conn:
            self.add_in(
                conn,
                thread_id=thread_id,
                subtask_id=subtask_id,
                text=text,
                wrong_agent=wrong_agent,
                right_agent=right_agent,
                reviewer=reviewer,
            )

    def add_in(
        self,
        conn: Connection,
        *,
        thread_id: str,
        subtask_id: str,
        text: str,
        wrong_agent: str | None,
        right_agent: str,
        reviewer: str,
    ) -> None:
        """Add inside the caller's transaction (a decision's, so both commit or neither), in
        place of the subtask's earlier correction."""
        self.remove_in(conn, thread_id=thread_id, subtask_id=subtask_id, text=text)
        conn.execute(
            insert(corrections).values(
                created_at=self.clock(),
                thread_id=thread_id,
                subtask_id=subtask_id,
                text=text,
                wrong_agent=wrong_agent,
                right_agent=right_agent,
                reviewer=reviewer,
            )
        )

    def remove_in(self, conn: Connection, *, thread_id: str, subtask_id: str, text: str) -> None:
        """Remove the subtask's correction inside the caller's transaction."""
        conn.execute(delete(corrections).where(_subtask(thread_id, subtask_id, text)))

    def of_subtask(self, thread_id: str, subtask_id: str, text: str) -> Correction | None:
        """The subtask's correction, if it has one."""
        found = self._rows(_subtask(thread_id, subtask_id, text))
        return found[-1] if found else None

    def all(self) -> list[Correction]:
        return self._rows(None)

    def _rows(self, where: ColumnElement[bool] | None) -> list[Correction]:
        query = select(corrections).order_by(corrections.c.id)
        with self.engine.connect() as conn:
            rows = conn.execute(query if where is None else query.where(where)).all()
        return [
            Correction(**{**r._mapping, "created_at": as_utc(r._mapping["created_at"])})
            for r in rows
        ]


def _subtask(thread_id: str, subtask_id: str, text: str) -> ColumnElement[bool]:
    c = corrections.c
    return and_(c.thread_id == thread_id, c.subtask_id == subtask_id, c.text == text)


def with_corrections(team: Team, found: list[Correction]) -> Team:
    """The team with each corrected request added to the right agent's examples.

    A later correction of the same text wins. The fingerprint (the planner's cache key) covers
    the corrections, so the planner retrains when they change.
    """
    latest: dict[str, str] = {}
    for c in found:
        latest[c.text.strip()] = c.right_agent
    if not latest:
        return team
    agents = []  # a correction naming an agent the team no longer has is left out
    for spec in team.agents:
        extra = [t for t, agent in latest.items() if agent == spec.name and t not in spec.examples]
        agents.append(spec.model_copy(update={"examples": [*spec.examples, *extra]}))
    digest = hashlib.sha256(
        (team.fingerprint + json.dumps(sorted(latest.items()))).encode()
    ).hexdigest()
    return team.model_copy(update={"agents": agents, "fingerprint": digest})
