"""`GET /threads/{id}` gives what `ringmaster thread show --json` gives: every turn, the
thread's own status, and `stood` (what a correction came too late for), read by one function."""

from __future__ import annotations

import html
from pathlib import Path

from fastapi.testclient import TestClient

from ringmaster.runner import Runner
from tests.ringmaster.api.conftest import conversation
from tests.ringmaster.api.test_web import csrf_of
from tests.ringmaster.test_cli import InProcessCli


def test_the_api_thread_is_the_clis_thread_with_its_turns_and_what_stood(
    demo: tuple[TestClient, Runner, dict],
    tmp_path: Path,
    db_url: str | None,
) -> None:
    client, runner, h = demo
    thread, say = conversation(client, h["ann"])
    first = say("Refund invoice INV-1003 in full, the customer cancelled")
    assert first["status"] == "completed"  # under the limit: it ran at once
    fixed = say("sorry, I meant INV-1006")
    [stood] = fixed["stood"]  # the turn's own answer over HTTP says what stood
    assert stood["corrected_turn"] == 1 and "INV-1003" in stood["action"]

    view = client.get(f"/threads/{thread}", headers=h["ann"])
    assert view.status_code == 200, view.text
    api = view.json()
    assert api["thread_status"] == api["thread"]["status"] == "completed"
    assert [t["turn"] for t in api["turns"]] == [1, 2]
    assert [t["request"] for t in api["turns"]] == [
        "Refund invoice INV-1003 in full, the customer cancelled",
        "sorry, I meant INV-1006",
    ]
    assert api["turns"][0]["stood"] == [] and api["turns"][1]["stood"] == [stood]
    assert api["stood"] == [stood]

    cli = InProcessCli(tmp_path, db_url, None).json("thread", "show", thread, "--as", "ann")
    assert api["turns"] == cli["turns"]
    assert (api["thread_status"], api["stood"]) == (cli["thread_status"], cli["stood"])


def test_an_edited_review_reads_as_what_ran_over_http_and_on_its_page(
    demo: tuple[TestClient, Runner, dict],
    tmp_path: Path,
    db_url: str | None,
) -> None:
    """After a reviewer's edit, the thread's results over HTTP tell the amount that ran (with
    what was proposed and who changed it), and the decided item's page says what the edit
    changed, beside the proposal it still shows."""
    client, runner, h = demo
    thread, say = conversation(client, h["ann"])
    [item] = say("Refund invoice INV-1002 in full, the customer was double charged")["pending"]
    decided = client.post(
        f"/reviews/{item['id']}/decision",
        headers=h["rev"],
        json={"decision": "edit", "edits": [{"action": 0, "args": {"amount": "80.00"}}]},
    )
    assert decided.status_code == 200, decided.text
    for body in (decided.json(), client.get(f"/threads/{thread}", headers=h["ann"]).json()):
        output = body["results"]["t1"]["output"]
        assert output["amount"] == "80.00"
        assert output["edited"] == [
            {"tool": "issue_refund", "proposed": {"amount": "299.00"},
             "executed": {"amount": "80.00"}, "by": "rev"}
        ]  # fmt: skip

    form = client.get("/ui/login")
    token = h["rev"]["Authorization"].removeprefix("Bearer ")
    client.post("/ui/login", data={"token": token, "csrf": csrf_of(form.text)})
    page = client.get(f"/ui/items/{item['id']}")
    assert page.status_code == 200
    assert (
        "decided by rev: edited issue_refund (amount 299.00 → 80.00) and approved "
        "issue_refund(invoice_id=INV-1002, amount=80.00" in html.unescape(page.text)
    )
    shown = InProcessCli(tmp_path, db_url, None)("review", "show", item["id"], "--as", "rev").stdout
    shown = " ".join(shown.split())  # as wrapped at the console's width
    assert 'proposed action issue_refund {"invoice_id": "INV-1002", "amount": "299.00"' in shown
    assert "decided by rev: edited issue_refund (amount 299.00 → 80.00) and approved" in shown
