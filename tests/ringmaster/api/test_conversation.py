"""The issue's six-turn session over HTTP on the demo team: follow-ups resolved against the
thread, the refund review decided through the API, the customer's plan answered."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ringmaster.api.app import create_app
from ringmaster.runner import Runner
from tests.ringmaster.api.conftest import settings_for


@pytest.fixture
def demo(tmp_path: Path, db_url: str | None) -> Iterator[tuple[TestClient, Runner, dict]]:
    settings = settings_for(tmp_path, db_url)
    runner = Runner(settings)
    app = create_app(settings, runner)
    accounts = app.state.rm.accounts
    accounts.add("ann", "requester", scopes=["support", "billing"])
    accounts.add("rev", "reviewer")
    headers = {u: {"Authorization": f"Bearer {accounts.issue_token(u)}"} for u in ("ann", "rev")}
    try:
        with TestClient(app) as client:
            yield client, runner, headers
    finally:
        runner.close()


def test_the_six_turn_session_over_http(
    demo: tuple[TestClient, Runner, dict], tmp_path: Path
) -> None:
    client, runner, h = demo
    thread = client.post("/threads", headers=h["ann"]).json()["id"]

    def say(text: str) -> dict:
        out = client.post(f"/threads/{thread}/requests", headers=h["ann"], json={"request": text})
        assert out.status_code == 200, out.text
        return out.json()

    assert say("What's the status of ticket TCK-1001?")["status"] == "completed"
    closed = say("add a note to it saying we sent a reset link, and close it")
    [subtask] = closed["plan"]["subtasks"]
    assert "'it' → TCK-1001 (turn 1)" in subtask["rationale"]
    refund = say("Refund invoice INV-1002 in full, the customer was double charged")
    [item] = refund["pending"]
    shown = client.get(f"/reviews/{item['id'][:8]}", headers=h["rev"]).json()
    assert shown["payload"]["action_requests"][0]["name"] == "issue_refund"
    decided = client.post(
        f"/reviews/{item['id']}/decision", headers=h["rev"], json={"decision": "approve"}
    )
    assert decided.status_code == 200 and decided.json()["status"] == "completed"
    plan = say("what plan is that customer on?")

    [subtask] = plan["plan"]["subtasks"]
    assert (subtask["agent"], subtask["description"]) == ("billing", "what plan is CUS-1002 on?")
    assert "'that customer' → CUS-1002 (turn 3)" in subtask["rationale"]
    assert "business" in plan["results"]["t1"]["summary"]
    view = client.get(f"/threads/{thread}", headers=h["ann"]).json()
    assert len(view["history"]) == 4
    audit = client.get(f"/threads/{thread}/audit", headers=h["ann"]).json()["items"]
    refs = [e["data"] for e in audit if e["kind"] == "references"]
    assert [r["resolutions"][0]["entity"] for r in refs] == ["TCK-1001", "CUS-1002"]
    with sqlite3.connect(tmp_path / "demo-company.db") as conn:
        status = conn.execute("SELECT status FROM tickets WHERE id = 'TCK-1001'").fetchone()
        notes = conn.execute(
            "SELECT note FROM ticket_notes WHERE ticket_id = 'TCK-1001'"
        ).fetchall()
        refunds = conn.execute(
            "SELECT amount_cents FROM refunds WHERE invoice_id = 'INV-1002'"
        ).fetchall()
    assert status == ("closed",) and notes[-1] == ("Resolution: We sent a reset link.",)
    assert refunds == [(29900,)]  # refunded once, in full
    assert client.get(f"/reviews/{item['id']}", headers=h["rev"]).json()["decided_by"] == "rev"
