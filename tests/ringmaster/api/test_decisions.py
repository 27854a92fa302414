"""Decisions through the one decision service, by API and web page: a bad edit is a 422 and the
item stays pending; edits merge onto the proposed arguments; routing corrections are recorded
with the decision, exactly once."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from ringmaster.decisions import MAX_DEPTH
from ringmaster.tables import corrections
from tests.fakes import plan_of
from tests.ringmaster.api.conftest import Api
from tests.ringmaster.api.test_web import sign_in


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


BAD_EDITS = [
    ({"amout": 7}, "unknown argument 'amout' (did you mean 'amount'?"),
    ({"amount": "7"}, "argument 'amount': Input should be a valid integer"),
    ({"amount": True}, "argument 'amount': Input should be a valid integer"),
    ({"note": 7}, "argument 'note': Input should be a valid string"),
    ({"amount": 2**64}, "integer outside the 64-bit range"),
    ({"amount": -(2**63) - 1}, "integer outside the 64-bit range"),
    ({"note": nested(250)}, f"nested deeper than {MAX_DEPTH} levels"),
    ({"note": "x" * 10_001}, "over 10,000"),
    ({"note": "a\x00b"}, "NUL"),
]


def decisions_on(api: Api, thread: str) -> list[str]:
    events = api.get(f"/threads/{thread}/audit", "ann").json()["items"]
    return [e["kind"] for e in events if e["kind"] == "human_decision"]


def test_bad_edits_are_refused_and_the_item_stays_pending(api: Api) -> None:
    thread, item = api.waiting_item()
    url = f"/reviews/{item['id']}/decision"
    for args, message in BAD_EDITS:
        body = {"decision": "edit", "edits": [{"action": 0, "args": args}]}
        r = api.post(url, "rev", json=body)
        assert r.status_code == 422, (args, r.text)
        assert message in r.json()["detail"], r.json()
        assert "\n" not in r.json()["detail"]
    refused: list[dict[str, Any]] = [
        {"decision": "aprove"},
        {"decision": "edit", "edits": []},
        {"decision": "edit", "edits": [{"action": 3, "args": {"amount": 1}}]},
        {"decision": "respond", "message": "   "},
        {"decision": "approve", "edits": [{"action": 0, "args": {"amount": 1}}]},
    ]
    for wrong in refused:
        assert api.post(url, "rev", json=wrong).status_code == 422, wrong
    assert api.runner.queue.get(item["id"]).status == "pending"
    assert decisions_on(api, thread) == [] and api.ledger.rows() == []

    # The reviewer corrects the typo and the same item goes through: the edit is merged onto
    # the proposal, so the note the agent proposed is kept.
    good = {"decision": "edit", "edits": [{"action": 0, "args": {"amount": 7}}]}
    out = api.post(url, "rev", json=good)
    assert out.status_code == 200, out.text
    (action,) = out.json()["results"]["t2"]["actions"]
    assert action["status"] == "executed" and action["args"] == {"amount": 7, "note": "t2"}
    assert [(r[1], r[2]) for r in api.ledger.rows()] == [(7, "t2")]
    assert decisions_on(api, thread) == ["human_decision"]


def test_a_bad_edit_on_the_web_page_is_shown_and_changes_nothing(api: Api) -> None:
    _, item = api.waiting_item()
    csrf = sign_in(api)
    url = f"/ui/items/{item['id']}/decide"
    bad = api.client.post(url, data={"decision": "edit", "args_0": '{"amout": 7}', "csrf": csrf})
    assert bad.status_code == 422 and "unknown argument" in bad.text
    deep = api.client.post(
        url, data={"decision": "edit", "args_0": json.dumps({"note": nested(40)}), "csrf": csrf}
    )
    assert deep.status_code == 422 and "nested deeper" in deep.text
    assert api.runner.queue.get(item["id"]).status == "pending" and api.ledger.rows() == []

    ok = api.client.post(
        url,
        data={"decision": "edit", "args_0": '{"amount": 8}', "csrf": csrf},
        follow_redirects=False,
    )
    assert ok.status_code == 303, ok.text
    assert [(r[1], r[2]) for r in api.ledger.rows()] == [(8, "t2")]


NO_REASON = "a rejection needs a reason, in words: the requester is shown it"


def test_a_rejection_without_words_is_refused_by_the_api_and_the_page(sqlite_api: Api) -> None:
    """A reason of '' or spaces was accepted (the requester read 'no reason given') while
    chat's /reject refused it; the API and the page now refuse it with chat's sentence."""
    api = sqlite_api
    thread, item = api.waiting_item()
    url = f"/reviews/{item['id']}/decision"
    for extra in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "?!"}):
        r = api.post(url, "rev", json={"decision": "reject", **extra})
        assert r.status_code == 422 and r.json()["detail"] == NO_REASON, (extra, r.text)
    csrf = sign_in(api)
    page = f"/ui/items/{item['id']}/decide"
    for typed in ("", "  "):
        r = api.client.post(page, data={"decision": "reject", "reason": typed, "csrf": csrf})
        assert r.status_code == 422 and NO_REASON in r.text, r.text
    assert api.runner.queue.get(item["id"]).status == "pending"
    assert decisions_on(api, thread) == [] and api.ledger.rows() == []
    done = api.post(url, "rev", json={"decision": "reject", "reason": "not this month"})
    assert done.status_code == 200, done.text
    assert decisions_on(api, thread) == ["human_decision"] and api.ledger.rows() == []


def test_a_routing_edit_records_one_correction_with_the_decision(api: Api) -> None:
    # The planner cannot route this one: a routing review, for a requester without `admin`.
    api.runner.deps.planner._plan = plan_of(("mystery", None))  # type: ignore[attr-defined]
    accounts = api.client.app.state.rm.accounts  # type: ignore[attr-defined]
    accounts.add("lim", "requester", scopes=["basic"])
    api.tokens["lim"] = accounts.issue_token("lim")
    thread, item = api.waiting_item("lim")
    assert item["kind"] == "routing"
    url = f"/reviews/{item['id']}/decision"
    # An agent the requester's scopes do not reach is refused before anything is recorded.
    outside = {"decision": "edit", "edits": [{"action": 0, "args": {"agent": "secret"}}]}
    r = api.post(url, "rev", json=outside)
    assert r.status_code == 422 and "do not reach agent 'secret'" in r.json()["detail"]
    typo = {"decision": "edit", "edits": [{"action": 0, "args": {"agnet": "beta"}}]}
    assert api.post(url, "rev", json=typo).status_code == 422

    # Ten reviewers pick an agent at once: one decision, one correction, one resume.
    body = {"decision": "edit", "edits": [{"action": 0, "args": {"agent": "beta"}}]}
    codes: list[int] = []
    gate = threading.Barrier(10)

    def decide(user: str) -> None:
        gate.wait()
        codes.append(api.post(url, user, json=body).status_code)

    workers = [threading.Thread(target=decide, args=("rev",)) for _ in range(10)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(codes) == [200] + [409] * 9
    with api.runner.engine.connect() as conn:
        rows = conn.execute(select(corrections.c.right_agent, corrections.c.wrong_agent)).all()
        assert conn.execute(select(func.count()).select_from(corrections)).scalar_one() == 1
    assert [tuple(r) for r in rows] == [("beta", None)]
    story = [e["kind"] for e in api.get(f"/threads/{thread}/audit", "lim").json()["items"]]
    assert story.count("human_decision") == 1 and story.count("correction") == 1
    assert api.get(f"/threads/{thread}", "lim").json()["status"] == "completed"


@pytest.mark.parametrize("args", [{"amount": 9}, {"note": "by hand"}, {"amount": 9, "note": "n"}])
def test_edits_merge_onto_the_proposed_arguments(sqlite_api: Api, args: dict[str, Any]) -> None:
    api = sqlite_api
    _, item = api.waiting_item()
    proposed = {"amount": 50, "note": "t2"}
    body = {"decision": "edit", "edits": [{"action": 0, "args": args}]}
    out = api.post(f"/reviews/{item['id']}/decision", "rev", json=body).json()
    (action,) = out["results"]["t2"]["actions"]
    assert action["args"] == {**proposed, **args}
    decision = api.runner.queue.get(item["id"]).decision or {}
    assert decision["decisions"][0]["edited_action"]["args"] == {**proposed, **args}
