"""The issue's six-turn session over HTTP on the demo team: follow-ups resolved against the
thread, the refund review decided through the API, the customer's plan answered."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from fastapi.testclient import TestClient

from ringmaster.runner import Runner
from tests.ringmaster.api.conftest import conversation
from tests.ringmaster.api.test_web import csrf_of


def test_the_six_turn_session_over_http(
    demo: tuple[TestClient, Runner, dict], tmp_path: Path
) -> None:
    client, runner, h = demo
    thread, say = conversation(client, h["ann"])

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


def test_a_turn_that_asks_back_reads_as_waiting_for_the_answer_over_http(
    demo: tuple[TestClient, Runner, dict],
) -> None:
    """The API's answer, the thread, the thread list and the web page agree: the turn whose
    skill asked back waits for the requester's answer."""
    client, _, h = demo
    thread, say = conversation(client, h["ann"])
    out = say("cancel that refund")
    assert [s["status"] for s in out["subtasks"]] == ["needs_input"]
    assert out["status"] == "needs_input"
    assert client.get(f"/threads/{thread}", headers=h["ann"]).json()["status"] == "needs_input"
    listed = client.get("/threads?status=needs_input", headers=h["ann"]).json()["items"]
    assert [t["id"] for t in listed] == [thread]
    token = h["rev"]["Authorization"].removeprefix("Bearer ")
    client.post("/ui/login", data={"token": token, "csrf": csrf_of(client.get("/ui/login").text)})
    page = client.get(f"/ui/threads/{thread}").text
    assert 'class="status-needs_input">needs_input</small>' in page


def test_a_turn_queued_behind_a_review_is_withdrawn_over_http(
    demo: tuple[TestClient, Runner, dict],
) -> None:
    """What "never mind" does in a chat, through the decision service: only the turn's
    requester, only while it is queued; the review it waited for is left pending."""
    client, runner, h = demo
    thread, say = conversation(client, h["ann"])

    [item] = say("Refund invoice INV-1002 in full, the customer was double charged")["pending"]
    held = say("what is the status of INV-1002 now?")
    assert (held["status"], held["turn"]) == ("queued", 2)
    url = f"/threads/{thread}/turns/2/withdraw"

    assert client.post(url, headers=h["rev"]).status_code == 403  # not the requester
    assert client.post(f"/threads/{thread}/turns/9/withdraw", headers=h["ann"]).status_code == 404
    done = client.post(url, headers=h["ann"])

    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["turn"]) == ("cancelled", 2)
    assert runner.jobs.held(thread) == []
    [event] = [e for e in runner.audit.for_thread(thread) if e.kind == "turn_withdrawn"]
    assert (event.actor, event.data["turn"]) == ("requester:ann", 2)
    again = client.post(url, headers=h["ann"])
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert runner.queue.get(item["id"]).status == "pending"
    # The refund decided, nothing runs turn 2: it was withdrawn.
    body = {"decision": "reject", "reason": "not now"}
    client.post(f"/reviews/{item['id']}/decision", headers=h["rev"], json=body)
    assert runner.outcome(thread, 2).status == "cancelled"


def test_the_thread_page_shows_the_words_typed_and_what_they_were_read_as(
    demo: tuple[TestClient, Runner, dict],
) -> None:
    """A follow-up is shown as typed, with what the turn worked on labelled; not only the
    rewritten request."""
    client, _, h = demo
    thread, say = conversation(client, h["ann"])
    say("What's the status of ticket TCK-1001?")
    say("add a note to it saying we sent a reset link, and close it")
    say("What's the status of ticket TCK-1002?")
    token = h["rev"]["Authorization"].removeprefix("Bearer ")
    client.post("/ui/login", data={"token": token, "csrf": csrf_of(client.get("/ui/login").text)})
    page = client.get(f"/ui/threads/{thread}").text
    [turn2] = [x for x in page.splitlines() if "<b>turn 2</b>" in x]
    assert (
        "<b>turn 2</b> add a note to it saying we sent a reset link, and close it (read as: "
        in turn2
    )
    assert "TCK-1001" in turn2.split("(read as: ")[1]


def test_a_guessed_id_is_asked_over_http_and_yes_runs_it(
    demo: tuple[TestClient, Runner, dict], tmp_path: Path
) -> None:
    """ "refund INV-101" after INV-1001: the API's answer is the question naming the guess,
    the plan's rationale and the audit trail say what was guessed; "yes" refunds INV-1001."""
    client, _, h = demo
    thread, say = conversation(client, h["ann"])
    say("what's the status of INV-1001?")

    asked = say("refund INV-101")

    [item] = asked["pending"]
    shown = client.get(f"/reviews/{item['id']}", headers=h["rev"]).json()
    described = shown["payload"]["context"]["subtask"]["description"]
    assert "Did you mean INV-1001 (99.00, February)? Reply yes or name the invoice." in described
    [subtask] = asked["plan"]["subtasks"]
    assert "'INV-101' → INV-1001 (turn 1, guessed from a typo)" in subtask["rationale"]
    audit = client.get(f"/threads/{thread}/audit", headers=h["ann"]).json()["items"]
    [refs] = [e["data"] for e in audit if e["kind"] == "references"]
    assert refs["question"] and refs["resolutions"][0]["guessed"] == "typo"
    with sqlite3.connect(tmp_path / "demo-company.db") as conn:
        query = "SELECT amount_cents FROM refunds WHERE invoice_id = 'INV-1001'"
        assert conn.execute(query).fetchall() == []

    done = say("yes")

    assert done["status"] == "completed"
    [subtask] = done["plan"]["subtasks"]
    assert subtask["description"] == "refund INV-1001"
    with sqlite3.connect(tmp_path / "demo-company.db") as conn:
        assert conn.execute(query).fetchall() == [(9900,)]


def test_no_to_a_guessed_id_over_http_runs_nothing_and_asks_which_was_meant(
    demo: tuple[TestClient, Runner, dict], tmp_path: Path
) -> None:
    """ "no" to "Did you mean INV-1001 …?": the confirmation is closed, nothing is refunded,
    and the turn's one question says so and asks which invoice was meant."""
    client, _, h = demo
    thread, say = conversation(client, h["ann"])
    say("what's the status of INV-1001?")
    [confirm] = say("refund INV-101")["pending"]

    declined = say("no")

    closed = client.get(f"/reviews/{confirm['id']}", headers=h["rev"]).json()
    assert closed["status"] != "pending"
    [item] = declined["pending"]
    shown = client.get(f"/reviews/{item['id']}", headers=h["rev"]).json()
    described = shown["payload"]["context"]["subtask"]["description"]
    assert "Not INV-1001, so nothing was done. Which invoice did you mean?" in described
    audit = client.get(f"/threads/{thread}/audit", headers=h["ann"]).json()["items"]
    [refs] = [e["data"] for e in audit if e["kind"] == "references" and e["data"]["turn"] == 3]
    assert refs["answers"] == 2 and refs["resolutions"] == []
    with sqlite3.connect(tmp_path / "demo-company.db") as conn:
        query = "SELECT amount_cents FROM refunds WHERE invoice_id = 'INV-1001'"
        assert conn.execute(query).fetchall() == []
