"""The whole flow over HTTP: request → interrupt → list → decide → completed thread; the
event stream; 50 concurrent decisions on one item."""

from __future__ import annotations

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ringmaster.api.app import create_app
from ringmaster.api.progress import ProgressHub
from ringmaster.runner import Runner
from tests.fakes import ScriptedAgent, ScriptedPlanner, make_deps, ok, plan_of
from tests.ringmaster.api.conftest import Api, settings_for


def audit_kinds(api: Api, thread: str) -> Counter[str]:
    return Counter(e.kind for e in api.runner.audit.for_thread(thread))


def test_request_interrupt_list_decide_completed(api: Api) -> None:
    thread, pending = api.waiting_item()
    assert pending["kind"] == "approval" and pending["subtask_id"] == "t2"

    page = api.get("/reviews", "rev").json()
    assert page["total"] == 1 and [i["id"] for i in page["items"]] == [pending["id"]]
    assert page["items"][0]["requester"] == "ann" and page["items"][0]["overdue"] is False
    detail = api.get(f"/reviews/{pending['id'][:8]}", "rev").json()
    ctx = detail["payload"]["context"]
    assert ctx["request"] == "do it" and ctx["blocker"] and ctx["recommended"]
    assert detail["payload"]["action_requests"][0]["args"]["amount"] == 50

    claimed = api.post(f"/reviews/{pending['id']}/claim", "rev").json()
    assert claimed["claimed_by"] == "rev"
    assert api.get("/reviews?assignee=rev", "rev").json()["total"] == 1
    assert api.get("/reviews?assignee=-", "rev").json()["total"] == 0

    done = api.post(f"/reviews/{pending['id']}/decision", "rev", json={"decision": "approve"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed" and done.json()["pending"] == []

    again = api.post(f"/reviews/{pending['id']}/decision", "rita", json={"decision": "reject"})
    assert again.status_code == 409 and "already decided" in again.json()["detail"]
    item = api.get(f"/reviews/{pending['id']}", "rev").json()
    assert item["status"] == "resumed" and item["decided_by"] == "rev"

    view = api.get(f"/threads/{thread}", "ann").json()
    assert view["status"] == "completed" and view["thread"]["requester"] == "ann"
    assert {k: r["status"] for k, r in view["results"].items()} == {"t1": "done", "t2": "done"}
    assert view["plan"]["subtasks"][1]["agent"] == "gamma" and view["answer"]
    assert [h["request"] for h in view["history"]] == ["do it"]
    assert [r[1] for r in api.ledger.rows()] == [50]
    story = [e["kind"] for e in api.get(f"/threads/{thread}/audit", "ann").json()["items"]]
    assert story[0] == "request_received" and story[-1] == "final_answer"
    assert api.get("/audit/verify", "adm").json() == {"ok": True, "problems": []}


def test_edit_reject_respond(api: Api) -> None:
    _, item = api.waiting_item()
    edit = {"decision": "edit", "edits": [{"action": 0, "args": {"amount": 7, "note": "t2"}}]}
    assert api.post(f"/reviews/{item['id']}/decision", "rev", json=edit).status_code == 200
    assert [r[1] for r in api.ledger.rows()] == [7]

    thread, item = api.waiting_item()
    out = api.post(
        f"/reviews/{item['id']}/decision", "rev", json={"decision": "reject", "reason": "no"}
    ).json()
    assert out["results"]["t2"]["status"] in ("rejected", "done")
    # The reviewer's reason reaches the action the requester sees.
    assert [(a["status"], a["message"]) for a in out["results"]["t2"]["actions"]] == [
        ("rejected", "no")
    ]
    assert [r[1] for r in api.ledger.rows()] == [7]  # nothing new ran

    _, item = api.waiting_item()
    body = {"decision": "respond", "message": "handled by phone"}
    out = api.post(f"/reviews/{item['id']}/decision", "rev", json=body).json()
    assert out["status"] == "completed"
    assert [(a["status"], a["message"]) for a in out["results"]["t2"]["actions"]] == [
        ("answered", "handled by phone")
    ]
    assert [r[1] for r in api.ledger.rows()] == [7]


def parse_sse(text: str) -> list[tuple[str, Any]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def test_background_request_and_its_event_stream(api: Api) -> None:
    thread = api.post("/threads", "ann").json()["id"]
    accepted = api.post(
        f"/threads/{thread}/requests", "ann", json={"request": "do it", "background": True}
    )
    assert accepted.status_code == 202, accepted.text
    link = accepted.json()["events"]
    events = parse_sse(api.get(link, "ann").text)
    names = [name for name, _ in events]
    for expected in ("request", "plan", "subtask_started", "validation", "interrupt"):
        assert expected in names, names
    assert events[-1] == ("end", {"status": "waiting", "turn": 1})

    (item,) = api.get("/reviews", "rev").json()["items"]
    last = max(e.seq for e in api.runner.audit.for_thread(thread))
    api.post(f"/reviews/{item['id']}/decision", "rev", json={"decision": "approve"})
    rest = parse_sse(api.get(f"/threads/{thread}/events?after={last}", "ann").text)
    names = [name for name, _ in rest]
    assert names[0] == "decision" and "final_answer" in names and names[-1] == "end"


def test_live_stream_sees_subtasks_finish(api: Api) -> None:
    thread = api.post("/threads", "ann").json()["id"]
    got: list[str] = []

    def follow() -> None:
        with api.client.stream(
            "GET", f"/threads/{thread}/events?turn=1", headers=api.h("ann")
        ) as r:
            got.append("".join(r.iter_text()))

    reader = threading.Thread(target=follow)
    reader.start()
    # The stream is open and waiting for turn 1 before the request runs.
    out = api.post(f"/threads/{thread}/requests", "ann", json={"request": "do it"})
    assert out.json()["status"] == "waiting"
    reader.join(timeout=30)
    names = [name for name, _ in parse_sse(got[0])]
    assert "interrupt" in names and "subtask_finished" in names and names[-1] == "end"


def test_fifty_concurrent_decisions_one_wins(api: Api) -> None:
    thread, item = api.waiting_item()
    reviewers = ["rev", "rita", "adm"]

    def decide(n: int) -> int:
        who = reviewers[n % 3]
        r = api.post(f"/reviews/{item['id']}/decision", who, json={"decision": "approve"})
        return int(r.status_code)

    with ThreadPoolExecutor(max_workers=50) as pool:
        codes = Counter(pool.map(decide, range(50)))
    assert codes == Counter({200: 1, 409: 49})
    kinds = audit_kinds(api, thread)
    assert kinds["human_decision"] == 1 and kinds["review_applied"] == 1
    assert kinds["side_effect"] == 1 and kinds["final_answer"] == 1
    assert [r[1] for r in api.ledger.rows()] == [50]
    assert len(api.gamma.tasks) == 1  # the agent is not run again by the resume
    assert api.get(f"/threads/{thread}", "ann").json()["status"] == "completed"


def test_a_run_that_keeps_crashing_is_quarantined_as_a_failure_item(
    api: Api, monkeypatch: Any
) -> None:
    # Something below the graph breaks mid-run, at every attempt (here: the checkpointer
    # cannot save any state that holds a plan): the worker retries it from its last
    # checkpoint, then quarantines it, and the API answers with the thread, quarantined,
    # and a `failure` item to retry or cancel.
    monkeypatch.setattr(api.runner.settings, "run_retry_seconds", 0.01)
    saver = api.runner.graph.checkpointer
    put = saver.put

    def breaking(config: Any, checkpoint: Any, *args: Any) -> Any:
        if checkpoint["channel_values"].get("plan"):
            raise RuntimeError("disk full")
        return put(config, checkpoint, *args)

    monkeypatch.setattr(saver, "put", breaking)
    thread = api.post("/threads", "ann").json()["id"]
    out = api.post(f"/threads/{thread}/requests", "ann", json={"request": "do it"})
    assert out.status_code == 200, out.text
    assert out.json()["status"] == "quarantined"
    view = api.get(f"/threads/{thread}", "ann").json()
    assert view["status"] == "quarantined"
    (item,) = view["pending"]
    assert item["kind"] == "failure"
    # The caller is told where the cause is, not the internal exception's text.
    assert "disk full" not in out.text and "disk full" not in json.dumps(view)
    story = api.get(f"/threads/{thread}/audit", "ann").json()["items"]
    assert "disk full" not in json.dumps(story)
    admin_story = api.get(f"/threads/{thread}/audit", "adm").json()["items"]
    assert "disk full" in json.dumps(admin_story)  # operators still see it
    monkeypatch.undo()
    kinds = audit_kinds(api, thread)
    assert kinds["run_failed"] == api.runner.settings.run_max_attempts
    assert kinds["run_quarantined"] == 1
    # Until the failure item is decided the thread takes no new turn, and says why.
    again = api.post(f"/threads/{thread}/requests", "ann", json={"request": "next one"})
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "thread_quarantined"
    assert item["id"] in again.json()["detail"] and "quarantined" in again.json()["detail"]
    assert audit_kinds(api, thread)["request_received"] == 1


def test_a_runner_with_its_own_event_hook_still_feeds_the_streams(
    tmp_path: Any, monkeypatch: Any
) -> None:
    published: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(ProgressHub, "publish", lambda self, t, e: published.append((t, e)))
    own: list[tuple[str, ...]] = []
    deps, _ = make_deps(
        tmp_path, ScriptedPlanner(plan_of(("small", "beta"))), {"beta": ScriptedAgent(ok())}
    )
    settings = settings_for(tmp_path, None)
    runner = Runner(settings, deps=deps, on_event=lambda ns, update: own.append(ns))
    app = create_app(settings, runner)
    try:
        thread = runner.submit_thread("ann")
        with app.state.rm.hub.tracking(thread):
            runner.submit("do it", thread_id=thread)
    finally:
        runner.close()
    assert own  # the runner's own hook still sees every update
    assert [(t, e["subtask_id"], e["status"]) for t, e in published] == [(thread, "t1", "done")]
