"""The escalation scheduler inside the server escalates overdue reviews by itself."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from ringmaster.api.app import create_app
from ringmaster.runner import Runner
from tests.fakes import ScriptedAgent, ScriptedPlanner, make_deps, ok, proposing
from tests.ringmaster.api.conftest import PLAN, settings_for


def test_server_escalates_overdue_reviews(tmp_path: Path) -> None:
    deps, _ = make_deps(
        tmp_path,
        ScriptedPlanner(PLAN),
        {"beta": ScriptedAgent(ok()), "gamma": ScriptedAgent(proposing(50))},
    )
    settings = settings_for(tmp_path, None, escalation_interval_seconds=0.05)
    runner = Runner(settings, deps=deps)
    (item,) = runner.submit("do it").pending
    later = item.created_at + timedelta(days=2)
    runner.clock = lambda: later  # the scheduler's runner sees the deadline as past
    with TestClient(create_app(settings, runner)):
        deadline = time.monotonic() + 60  # a hang guard: the wait is for the escalation
        while runner.queue.get(item.id).escalated_at is None:  # wait for the event
            assert time.monotonic() < deadline, "the scheduler never escalated the item"
            time.sleep(0.05)
    escalated = runner.queue.get(item.id)
    assert escalated.assignee_group == "escalation" and escalated.priority == "high"
    assert [e.kind for e in runner.audit.for_thread(item.thread_id)].count("escalation") == 1
    runner.close()
