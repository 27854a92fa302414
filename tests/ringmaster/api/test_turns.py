"""Over HTTP on the demo team: a request on a thread with a pending review is accepted and
runs (not 409); one about the review's invoice waits for the decision and then runs."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ringmaster.runner import Runner
from tests.ringmaster.api.conftest import conversation
from tests.ringmaster.api.test_web import csrf_of


def test_requests_on_a_thread_with_a_pending_review(
    demo: tuple[TestClient, Runner, dict],
) -> None:
    client, runner, h = demo
    thread, say = conversation(client, h["ann"])

    refund = say("Refund invoice INV-1002 in full, the customer was double charged")
    [item] = refund["pending"]

    plan = say("what plan is that customer on?")
    assert (plan["status"], plan["turn"], plan["queued_behind"]) == ("completed", 2, [])
    assert "business" in plan["results"]["t1"]["summary"]
    assert [p["id"] for p in plan["pending"]] == [item["id"]]

    later = say("what is the status of INV-1002 now?")
    assert (later["status"], later["turn"], later["plan"]) == ("queued", 3, None)
    assert [b["review_id"] for b in later["queued_behind"]] == [item["id"]]
    view = client.get(f"/threads/{thread}", headers=h["ann"]).json()
    assert view["thread"]["status"] == "waiting" and view["queued_behind"] == later["queued_behind"]
    # The web thread page says so too.
    form = client.get("/ui/login")
    token = h["rev"]["Authorization"].removeprefix("Bearer ")  # the web is for reviewers
    client.post("/ui/login", data={"token": token, "csrf": csrf_of(form.text)})
    page = client.get(f"/ui/threads/{thread}")
    assert page.status_code == 200
    assert "turn 3 waits for review" in page.text and item["id"][:10] in page.text

    decided = client.post(
        f"/reviews/{item['id']}/decision", headers=h["rev"], json={"decision": "approve"}
    )
    assert decided.status_code == 200, decided.text
    assert (decided.json()["status"], decided.json()["turn"]) == ("completed", 1)
    view = client.get(f"/threads/{thread}", headers=h["ann"]).json()
    assert (view["status"], view["turn"], view["queued_behind"]) == ("completed", 3, [])
    assert "refunded" in view["answer"]
    assert [t["turn"] for t in view["history"]] == [1, 2, 3]
    audit = client.get(f"/threads/{thread}/audit", headers=h["ann"]).json()["items"]
    kinds = [e["kind"] for e in audit]
    assert kinds.index("turn_queued") < kinds.index("human_decision")
    assert kinds.index("side_effect") < kinds.index("turn_released")
