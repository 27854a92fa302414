"""Bad input gets a 4xx with a clear message, never a 500, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ringmaster.api.conftest import Api


def _assert_clear_4xx(r: Any, code: int | None = None) -> None:
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    if code is not None:
        assert r.status_code == code, (r.status_code, r.text)
    body = r.json()
    assert isinstance(body["detail"], str) and body["detail"], body


BAD_REQUESTS: list[tuple[Any, int]] = [
    ({}, 422),
    ({"request": ""}, 422),
    ({"request": "   "}, 422),
    ({"request": "a\x00b"}, 422),
    ({"request": 5}, 422),
    ({"request": ["a"]}, 422),
    ({"request": "x" * 9_000}, 422),  # over max_request_chars
    ({"request": "ok", "priority": "whenever"}, 422),
    ({"request": "ok", "priority": "urgent"}, 403),  # above the user's own priority
    ({"request": "ok", "surprise": 1}, 422),
    ({"request": "ok", "background": "maybe"}, 422),
    ([1, 2], 422),
    ("just a string", 422),
    (None, 422),
]


def test_bad_requests(api: Api) -> None:
    thread = api.post("/threads", "ann").json()["id"]
    for body, code in BAD_REQUESTS:
        r = api.post(f"/threads/{thread}/requests", "ann", json=body)
        _assert_clear_4xx(r, code)
    for raw, ctype in (
        (b"{not json", "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"request=x", "application/x-www-form-urlencoded"),
    ):
        r = api.client.post(
            f"/threads/{thread}/requests",
            content=raw,
            headers={**api.h("ann"), "Content-Type": ctype},
        )
        _assert_clear_4xx(r, 422)
    big = api.post(f"/threads/{thread}/requests", "ann", json={"request": "y" * 70_000})
    _assert_clear_4xx(big, 413)
    assert api.post("/threads/nope/requests", "ann", json={"request": "x"}).status_code == 404
    assert api.runner.threads.get(thread).turn == 0  # nothing ran


def test_bad_decisions_leave_the_item_pending(api: Api) -> None:
    thread, item = api.waiting_item()
    url = f"/reviews/{item['id']}/decision"
    bad: list[Any] = [
        {},
        {"decision": "explode"},
        {"decision": "edit"},
        {"decision": "edit", "edits": [{"action": 3, "args": {}}]},
        {"decision": "edit", "edits": [{"action": -1, "args": {}}]},
        {"decision": "edit", "edits": [{"action": 0, "args": "amount=1"}]},
        {"decision": "edit", "edits": [{"action": 0, "args": {}}, {"action": 0, "args": {}}]},
        {"decision": "respond"},
        {"decision": "respond", "message": "   "},
        {"decision": "reject", "reason": "r" * 3_000},
        {"decision": "approve", "extra": True},
    ]
    for body in bad:
        _assert_clear_4xx(api.post(url, "rev", json=body), 422)
    assert api.runner.queue.get(item["id"]).status == "pending"
    assert api.ledger.rows() == []
    assert api.post("/reviews/abc/decision", "rev", json={"decision": "approve"}).status_code == 404
    assert api.get("/reviews/" + "z" * 65, "rev").status_code == 422


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=1000",
        "limit=abc",
        "cursor=abc",
        "cursor=" + "W10",  # an empty list
        "status=lost",
        "priority=meh",
        "older_than=-5",
        "newer_than=abc",
        "agent=" + "a" * 100,
    ],
)
def test_bad_review_filters(sqlite_api: Api, query: str) -> None:
    _assert_clear_4xx(sqlite_api.get(f"/reviews?{query}", "rev"), 422)


def test_review_filters_and_pages(sqlite_api: Api) -> None:
    api = sqlite_api
    for _ in range(3):
        api.waiting_item()
    page = api.get("/reviews?limit=2", "rev").json()
    assert page["total"] == 3 and len(page["items"]) == 2
    rest = api.get(f"/reviews?limit=2&cursor={page['next_cursor']}", "rev").json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert api.get("/reviews?agent=gamma&priority=normal", "rev").json()["total"] == 3
    assert api.get("/reviews?agent=beta", "rev").json()["total"] == 0
    assert api.get("/reviews?older_than=3600", "rev").json()["total"] == 0
    assert api.get("/reviews?newer_than=3600", "rev").json()["total"] == 3
    assert api.get("/reviews?status=all&kind=approval", "rev").json()["total"] == 3
    assert api.get("/reviews?category=legal", "rev").json()["total"] == 0
    agents = {a["name"]: a for a in api.get("/agents", "ann").json()}
    assert agents["gamma"]["pending_reviews"] == 3 and agents["beta"]["pending_reviews"] == 0
