"""Scripted traffic for the operations tests: threads and the audit events a run writes,
at times an injected clock sets, so status and summary numbers can be checked against them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from ringmaster.agents.spec import parse_team
from ringmaster.audit import AuditLog
from ringmaster.review_queue import DEADLINE, ReviewQueue
from ringmaster.tables import make_engine
from ringmaster.thread_store import ThreadStore

START = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)

TEAM = parse_team(
    """
name: ops
agents:
  - name: billing
    description: invoices and refunds
    scopes: [billing]
    capacity: 2
    standins: [billing2, support]
    runtime: {kind: python, entry: "x:y"}
  - name: billing2
    description: invoices and refunds, second line
    scopes: [billing]
    capacity: 2
    runtime: {kind: python, entry: "x:y"}
  - name: support
    description: tickets
    scopes: [support]
    capacity: 2
    runtime: {kind: python, entry: "x:y"}
  - name: legal
    description: contracts
    scopes: [legal]
    runtime: {kind: python, entry: "x:y"}
    health_check: "tests.ringmaster.ops_traffic:legal_check"
"""
)

LEGAL_UP = {"ok": True}


def legal_check() -> bool:
    return LEGAL_UP["ok"]


# The audit trail's key of every process on a traffic database (a Runner there must share it).
AUDIT_KEY = "ops-traffic-audit-key"


class Clock:
    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now


class Traffic:
    """Writes what the runner and the graph would: thread rows and audit events."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine, self.clock = engine, clock
        self.audit = AuditLog(engine, clock, AUDIT_KEY.encode())
        self.threads = ThreadStore(engine, clock)
        self.queue = ReviewQueue(engine, clock, self.audit)
        self.n = 0

    def start(self, subtasks: list[tuple[str, str | None, list[str]]], scopes: list[str]) -> str:
        """A running thread with a plan: (subtask id, agent or None for a person, depends_on)."""
        self.n += 1
        tid = f"t{self.n:03d}"
        self.threads.create(tid, "ann")
        self.threads.set(tid, status="running", turn=1, last_request=f"request {self.n}")
        self.audit.append(tid, "request_received", "requester:ann", turn=1, scopes=scopes)
        plan = [
            {
                "id": sid,
                "description": f"do {sid}",
                "agent": agent,
                "confidence": 0.9 if agent else 0.2,
                "depends_on": deps,
                "escalate": agent is None,
            }
            for sid, agent, deps in subtasks
        ]
        self.audit.append(tid, "plan", "planner:local", planner="local", subtasks=plan)
        for s in plan:
            self.audit.append(
                tid, "routing", "planner:local", subtask_id=s["id"], agent=s["agent"],
                escalate=s["escalate"],
            )  # fmt: skip
        return tid

    def output(
        self, tid: str, sid: str, agent: str, error: str | None = None, fault: str | None = None
    ) -> None:
        """An agent's output; `fault` as the agent node marks a failed attempt ("agent",
        "input", "scope" or "budget"), left out as events from before it did."""
        extra = {"fault": fault} if fault else {}
        self.audit.append(
            tid, "agent_output", f"agent:{agent}", subtask_id=sid, attempt=1,
            summary=None if error else f"{sid} done", error=error, **extra,
        )  # fmt: skip

    def review(self, tid: str, sid: str, agent: str | None, kind: str, category: str) -> str:
        item_id = f"{tid}-{sid}"
        payload = {
            "action_requests": [{"name": "act", "args": {"n": 1}, "description": ""}],
            "review_configs": [
                {
                    "action_name": "act",
                    "allowed_decisions": ["approve", "reject", "edit", "respond"],
                }
            ],
            "context": {
                "kind": kind,
                "subtask_id": sid,
                "agent": agent,
                "category": category,
                "turn": 1,
                "requester": {"id": "ann", "priority": "normal"},
                "blocker": "needs a person",
            },
        }
        assert self.queue.add(tid, item_id, payload)
        return item_id

    def decide(self, item_id: str, decision: str, by: str = "rita") -> None:
        d: dict[str, Any] = {"type": decision}
        if decision == "edit":
            d["edited_action"] = {"name": "act", "args": {"n": 2}}
        if decision == "respond":
            d["message"] = "send it to billing"
        self.queue.decide(item_id, {"decisions": [d]}, by)

    def deny_on_timeout(self, item_id: str) -> None:
        """The deadline's denial, as ringmaster/escalation.py commits it: nobody decided."""
        response = {"decisions": [{"type": "reject"}], "timed_out": True}
        self.queue.decide(item_id, response, DEADLINE)

    def withdraw(self, item_id: str, requester: str = "ann") -> None:
        """A rejection the requester's own turn made, as ringmaster/withdraw.py commits it."""
        response = {"decisions": [{"type": "reject"}], "withdrawn": True}
        self.queue.decide(item_id, response, requester)

    def applied(self, tid: str, sid: str) -> None:
        """The run resumed with a decision on `sid`, as the graph's review node records it."""
        self.audit.append(tid, "review_applied", "human:rita", subtask_id=sid, kind="approval")

    def correct(self, tid: str, sid: str, wrong: str | None, right: str) -> None:
        self.audit.append(
            tid, "correction", "human:rita", subtask_id=sid, wrong_agent=wrong, right_agent=right,
        )  # fmt: skip

    def finish(self, tid: str, status: str = "completed", error: str | None = None) -> None:
        self.threads.set(tid, status=status, error=error)


@pytest.fixture
def engine(tmp_path: Path, db_url: str | None) -> Iterator[Engine]:
    url = db_url.replace("postgresql://", "postgresql+psycopg://") if db_url else None
    engine = make_engine(url or f"sqlite:///{tmp_path / 'app.db'}")
    yield engine
    engine.dispose()
