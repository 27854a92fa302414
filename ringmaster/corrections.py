"""Routing corrections: a reviewer says "this was billing, not support", and it sticks.

Corrections are stored, exported as eval rows (`ringmaster eval export-corrections`), and added
to the local planner's training examples the next time a runner builds its planner, so the
same mistake is not made twice. The planner's cache key covers the corrections, so a new
correction means a retrained model, never a stale one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
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
        """Add inside the caller's transaction (a decision's, so both commit or neither)."""
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

    def all(self) -> list[Correction]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(corrections).order_by(corrections.c.id)).all()
        return [
            Correction(**{**r._mapping, "created_at": as_utc(r._mapping["created_at"])})
            for r in rows
        ]


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
