"""Deadline escalation with an injected clock: once per item, notifications, deny-on-timeout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ringmaster.agents.policy import parse_policy
from ringmaster.audit import AuditLog
from ringmaster.escalation import escalate_overdue
from ringmaster.graph.state import Requester
from ringmaster.review_queue import ReviewQueue
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from ringmaster.tables import make_engine, notifications
from tests.ringmaster.test_turns import demo  # noqa: F401

START = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def payload(action: str, priority: str = "normal") -> dict[str, Any]:
    return {
        "action_requests": [{"name": action, "args": {"customer_id": "CUS-1"}, "description": ""}],
        "review_configs": [{"action_name": action, "allowed_decisions": ["approve", "reject"]}],
        "context": {
            "kind": "approval",
            "subtask_id": "t1",
            "agent": "legal",
            "turn": 1,
            "requester": {"id": "ann", "priority": priority},
            "blocker": "needs a person",
            "request": "erase my data",
            "prior_attempts": [{"agent": "legal"}],
            "recommended": {"decision": "approve"},
            "subtask": {"confidence": 0.9},
        },
    }


POLICY = parse_policy(
    """
deadlines: {urgent: 15m, high: 1h, normal: 4h, low: 24h}
deny_on_timeout: [erase_customer_data]
escalation: {group: oncall, webhook: "http://127.0.0.1:9/hook"}
"""
)


@pytest.fixture
def queue(tmp_path: Path, db_url: str | None) -> tuple[ReviewQueue, Clock]:
    clock = Clock()
    engine = make_engine(Settings(home=tmp_path, db_url=db_url).app_db_url)
    return ReviewQueue(engine, clock, AuditLog(engine, clock), POLICY.deadline), clock


def test_deadlines_follow_priority(queue: tuple[ReviewQueue, Clock]) -> None:
    q, _ = queue
    q.add("th", "i-urgent", payload("send_email", "urgent"))
    q.add("th", "i-low", payload("send_email", "low"))
    assert q.get("i-urgent").deadline == START + timedelta(minutes=15)
    assert q.get("i-low").deadline == START + timedelta(hours=24)


def test_overdue_items_escalate_once_and_deny_on_timeout(
    queue: tuple[ReviewQueue, Clock],
) -> None:
    q, clock = queue
    q.add("th", "erase", payload("erase_customer_data"))
    q.add("th", "email", payload("send_email"))
    q.add("th", "later", payload("send_email", "low"))
    posted: list[dict[str, Any]] = []
    resumed: list[str] = []

    def poster(url: str, body: dict[str, Any]) -> None:
        posted.append(body)
        if body["item_id"] == "email":
            raise OSError("connection refused")

    def run() -> Any:
        return escalate_overdue(q, POLICY, clock(), resume=resumed.append, poster=poster)

    clock.now = START + timedelta(hours=3, minutes=59)
    assert run().escalated == []  # nothing is due yet

    clock.now = START + timedelta(hours=4, minutes=1)
    report = run()
    assert sorted(report.escalated) == ["email", "erase"]
    assert report.denied == ["erase"] and resumed == ["th"]
    assert report.webhook_failures == ["email"]
    email = q.get("email")
    assert email.status == "pending" and email.assignee_group == "oncall"
    assert email.priority == "high"  # raised one step from normal
    erase = q.get("erase")
    assert erase.status == "decided" and erase.decided_by == "system:deadline"
    assert erase.decision["decisions"][0]["type"] == "reject"  # type: ignore[index]
    # Denied through the decision service: the reason is recorded with the decision and audited.
    assert erase.decision["reason"] == "not approved before the deadline"  # type: ignore[index]
    denial = [e for e in q.audit.for_thread("th") if e.kind == "human_decision"]  # type: ignore[union-attr]
    assert [e.data["reason"] for e in denial] == ["not approved before the deadline"]
    assert [e.data["timed_out"] for e in denial] == [True]  # what the summary counts it by
    # Nobody decided it: the trail names the deadline, not a person called "system:deadline".
    assert [e.actor for e in denial] == ["system:deadline"]
    packet = next(p for p in posted if p["item_id"] == "email")
    assert packet["blocker"] == "needs a person" and packet["prior_attempts"]
    assert packet["recommended"] == {"decision": "approve"} and packet["confidence"] == 0.9
    assert "email" in packet["link"]

    # A second run (cron and the server's scheduler both firing) changes nothing.
    again = run()
    assert again.escalated == [] and again.denied == [] and len(posted) == 2
    with q.engine.connect() as conn:
        rows = conn.execute(
            select(notifications.c.item_id, notifications.c.channel, notifications.c.status)
        ).all()
    assert sorted(rows) == sorted(
        [
            ("email", "outbox", "queued"),
            ("email", "webhook", "failed"),
            ("erase", "outbox", "queued"),
            ("erase", "webhook", "sent"),
        ]
    )
    kinds = [e.kind for e in q.audit.for_thread("th")]  # type: ignore[union-attr]
    assert kinds.count("escalation") == 2 and kinds.count("human_decision") == 1


def test_decided_items_do_not_escalate(queue: tuple[ReviewQueue, Clock]) -> None:
    q, clock = queue
    q.add("th", "done", payload("send_email"))
    q.decide("done", {"decisions": [{"type": "approve"}]}, "bob")
    clock.now = START + timedelta(days=2)
    report = escalate_overdue(q, POLICY, clock(), resume=lambda t: None, poster=lambda u, b: None)
    assert report.escalated == []


def test_the_requester_is_told_the_deadline_denied_it_not_a_reviewer(
    demo: tuple[Runner, Requester],  # noqa: F811
) -> None:
    """A denial on timeout told the requester 'erase_customer_data was not run: a reviewer
    rejected it (not approved before the deadline)': nobody had decided it."""
    runner, ann = demo
    first = runner.submit("erase all data for customer CUS-1003", requester=ann)
    [item] = first.pending
    assert item.deadline is not None
    report = runner.escalate(now=item.deadline + timedelta(seconds=1))
    assert report.denied == [item.id]
    said = runner.outcome(first.thread_id, 1).results["t1"]["summary"]
    assert said == (
        "erase_customer_data was not run: nobody decided it before its review deadline "
        "(not approved before the deadline)."
    ), said
    # The trail says no person decided it, at the decision and where the run applied it.
    events = runner.audit.for_thread(first.thread_id)
    actors = {e.actor for e in events if e.kind in ("human_decision", "review_applied")}
    assert actors == {"system:deadline"}, actors
