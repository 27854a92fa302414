"""A property of the decision API and the CLI: any decision body is either a 2xx whose thread ran
exactly what the reviewer decided (the proposal with the edits merged in), or a 4xx (exit 2) that
left the item pending and nothing run — never a 5xx, a failed thread or a stuck one."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.ringmaster.api.conftest import Api

PROPOSED = {"amount": 50, "note": "t2"}

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)
# Mostly edits a reviewer could mean (right keys, right or nearly right types), some wild ones.
likely = st.fixed_dictionaries(
    {},
    optional={
        "amount": st.integers(min_value=-5, max_value=10**6) | st.integers() | st.text(max_size=4),
        "note": st.text(max_size=30),
    },
)
wild = st.dictionaries(
    st.sampled_from(["amount", "note", "amout", "Note", "extra"]) | st.text(max_size=6),
    values,
    max_size=3,
)
one_edit = st.builds(lambda a: [{"action": 0, "args": a}], likely | likely | wild)
any_edits = st.lists(
    st.fixed_dictionaries({"action": st.integers(min_value=0, max_value=2), "args": wild}),
    max_size=2,
)
kinds = ["approve", "edit", "edit", "edit", "reject", "respond", "aprove"]
bodies = st.fixed_dictionaries(
    {"decision": st.sampled_from(kinds)},
    optional={
        "edits": one_edit | one_edit | any_edits,
        "reason": st.text(max_size=40),
        "message": st.text(min_size=1, max_size=40) | st.text(max_size=3),
    },
)


def expected_action(body: dict[str, Any]) -> dict[str, Any]:
    """What the reviewer sees will happen to the one proposed action."""
    kind = body["decision"]
    if kind == "approve":
        return {"status": "executed", "args": PROPOSED}
    if kind == "edit":
        (edit,) = body["edits"]
        return {"status": "executed", "args": {**PROPOSED, **edit["args"]}}
    if kind == "reject":
        reason = (body.get("reason") or "").strip()
        return {"status": "rejected", "message": reason}
    return {"status": "answered", "message": (body.get("message") or "").strip()}


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies)
def test_any_decision_runs_what_the_reviewer_saw_or_changes_nothing(
    sqlite_api: Api, body: dict[str, Any]
) -> None:
    api = sqlite_api
    thread, item = api.waiting_item()
    r = api.post(f"/reviews/{item['id']}/decision", "rev", json=body)
    assert r.status_code < 500, r.text
    event(f"{body['decision']} {r.status_code}")
    mine = [row for row in api.ledger.rows() if row[0].startswith(f"{thread}:")]
    if r.status_code >= 400:
        assert api.runner.queue.get(item["id"]).status == "pending"
        assert mine == []
        story = [e["kind"] for e in api.get(f"/threads/{thread}/audit", "ann").json()["items"]]
        assert "human_decision" not in story
        return
    out = r.json()
    assert out["status"] == "completed" and out["pending"] == [], out
    (action,) = out["results"]["t2"]["actions"]
    want = expected_action(body)
    if want["status"] == "executed" and want["args"]["amount"] < 0:
        # The tool refuses a negative amount when it runs: reported, nothing recorded.
        want = {"status": "error", "args": want["args"]}
    assert {k: action[k] for k in want} == want
    if want["status"] == "executed":
        assert [(a, n) for _, a, n in mine] == [(want["args"]["amount"], want["args"]["note"])]
    else:
        assert mine == []


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(args=likely | wild)
def test_any_cli_edit_commits_or_exits_2_with_the_item_pending(
    sqlite_api: Api, args: dict[str, Any], monkeypatch: Any
) -> None:
    import json

    from ringmaster.cli import app
    from ringmaster.cli_output import run_app

    api = sqlite_api
    _, item = api.waiting_item()
    monkeypatch.setenv("RINGMASTER_HOME", str(api.runner.settings.home))
    monkeypatch.delenv("RINGMASTER_DB_URL", raising=False)
    # Through the CLI's real entry point. It builds its own runner from settings (the demo
    # team), so this checks the decision's refusal or commit; the API test covers the run.
    try:
        run_app(app, ["review", "edit", item["id"], "--args", json.dumps(args), "--as", "rev"])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    status = api.get(f"/reviews/{item['id']}", "rev").json()["status"]
    if code == 0:
        assert status != "pending"
    else:
        assert code == 2 and status == "pending"
