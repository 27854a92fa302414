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
    r = api.client.post(
        f"/threads/{thread}/requests",
        content=b"request=x",
        headers={**api.h("ann"), "Content-Type": "application/x-www-form-urlencoded"},
    )
    _assert_clear_4xx(r, 415)
    big = api.post(f"/threads/{thread}/requests", "ann", json={"request": "y" * 70_000})
    _assert_clear_4xx(big, 413)
    # Streamed (chunked, no Content-Length): FastAPI's body reader turned the cut-off into a
    # 400 "There was an error parsing the body".
    chunks = iter([b'{"request": "', b"y" * 70_000, b'"}'])
    streamed = api.client.post(
        f"/threads/{thread}/requests",
        content=chunks,
        headers={**api.h("ann"), "Content-Type": "application/json"},
    )
    _assert_clear_4xx(streamed, 413)
    assert api.post("/threads/nope/requests", "ann", json={"request": "x"}).status_code == 404
    assert api.runner.threads.get(thread).turn == 0  # nothing ran


@pytest.mark.parametrize("value", ["yes", "true", "on", "1", 1, 0, None])
def test_background_is_json_true_or_false_nothing_else(api: Api, value: Any) -> None:
    """`"background": "yes"` (or "on", "1", 1) was read as true, pydantic's lax boolean, and
    the request ran in the background; anything but true or false is a one-line 422."""
    thread = api.post("/threads", "ann").json()["id"]
    r = api.post(f"/threads/{thread}/requests", "ann", json={"request": "hi", "background": value})
    _assert_clear_4xx(r, 422)
    detail = r.json()["detail"]
    assert "background" in detail and "\n" not in detail, detail
    assert api.runner.threads.get(thread).turn == 0  # nothing ran


MALFORMED = [
    (
        b'{"request": "x",, }',
        "expecting property name enclosed in double quotes at line 1, column 17",
    ),
    (
        b'{\n  "decision": "approve"\n  "reason": "x"\n}',
        "expecting ',' delimiter at line 3, column 3",
    ),
    (b"{not json", "expecting property name enclosed in double quotes at line 1, column 2"),
    (b'{"request": "a"', "expecting ',' delimiter at line 1, column 16"),
    (b"\xff\xfe", "it is not UTF-8 text (byte 0)"),
]


@pytest.mark.parametrize(("raw", "where"), MALFORMED)
def test_a_body_that_is_not_json_says_what_and_where_on_every_json_endpoint(
    sqlite_api: Api, raw: bytes, where: str
) -> None:
    """Not "22: JSON decode error" (FastAPI's parser offset): a 400 `invalid_json` whose one
    line says what is wrong and where, on every operation that takes a JSON body."""
    api = sqlite_api
    thread, item = api.waiting_item()
    spec = api.get("/openapi.json", "rev").json()
    takes_json = [
        (method, path)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if "application/json" in (op.get("requestBody") or {}).get("content", {})
    ]
    assert {p for _, p in takes_json} == {
        "/threads",  # an optional body of no fields: a field sent there is refused
        "/threads/{thread_id}/requests",
        "/reviews/{item_id}/decision",
    }
    for method, path in takes_json:
        url = path.replace("{thread_id}", thread).replace("{item_id}", item["id"])
        r = api.client.request(
            method, url, content=raw, headers={**api.h("rev"), "Content-Type": "application/json"}
        )
        assert r.status_code == 400, (path, r.text)
        body = r.json()
        assert body["code"] == "invalid_json"
        assert body["detail"] == f"the body is not valid JSON: {where}", path
    assert api.runner.queue.get(item["id"]).status == "pending"  # nothing was decided


@pytest.mark.parametrize(
    ("content_type", "raw", "sent"),
    [
        ("application/x-www-form-urlencoded", b"request=x&decision=approve",
         "it was sent as application/x-www-form-urlencoded"),  # curl -d
        ("multipart/form-data; boundary=b", b"--b\r\n\r\n--b--\r\n",
         "it was sent as multipart/form-data"),
        ("text/plain", b'{"request": "x", "decision": "approve"}', "it was sent as text/plain"),
        (None, b'{"request": "x", "decision": "approve"}', "it had no Content-Type"),
    ],
)  # fmt: skip
def test_a_body_not_sent_as_json_is_told_the_endpoint_takes_json(
    sqlite_api: Api, content_type: str | None, raw: bytes, sent: str
) -> None:
    """Not "body: Input should be a valid dictionary" (422): a 415 whose one line says the
    endpoint takes JSON and how it was sent, on every operation that takes a JSON body, in the
    problem shape of `invalid_json`; nothing is run or decided."""
    api = sqlite_api
    thread, item = api.waiting_item()
    turn = api.runner.threads.get(thread).turn
    for url in (f"/threads/{thread}/requests", f"/reviews/{item['id']}/decision"):
        headers = api.h("ann" if "threads" in url else "rev")
        if content_type is not None:
            headers["Content-Type"] = content_type
        r = api.client.post(url, content=raw, headers=headers)
        assert r.status_code == 415, (url, r.text)
        body = r.json()
        assert r.headers["content-type"].startswith("application/problem+json")
        assert body["code"] == "unsupported_media_type" and "errors" not in body
        assert body["detail"] == (
            f"this endpoint takes a JSON body: send it with Content-Type: application/json ({sent})"
        )
    assert api.runner.threads.get(thread).turn == turn  # no request was taken
    assert api.runner.queue.get(item["id"]).status == "pending"  # nothing was decided


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


def test_an_unknown_review_kind_is_refused_naming_the_kinds(sqlite_api: Api) -> None:
    """`?kind=aproval` listed an empty queue, as if none were waiting; it is a 422 naming the
    kinds (ringmaster/review_kinds.py), as `review list --kind` does."""
    from ringmaster.review_kinds import REVIEW_KINDS

    api = sqlite_api
    api.waiting_item()
    for wrong in ("aproval", "APPROVAL", "anything"):
        r = api.get(f"/reviews?kind={wrong}", "rev")
        _assert_clear_4xx(r, 422)
        detail = r.json()["detail"]
        assert "kind" in detail and all(k in detail for k in REVIEW_KINDS), detail
    assert api.get("/reviews?kind=approval", "rev").json()["total"] == 1


def test_an_unknown_thread_status_is_refused_naming_the_statuses(sqlite_api: Api) -> None:
    """`?status=accepted` (the 202's answer, no thread's status) listed nothing, as if no
    thread were in it; it is a 422 naming the statuses a thread has, as `thread list
    --status` refuses it (ringmaster/thread_statuses.py)."""
    api = sqlite_api
    api.post("/threads", "ann")
    _assert_clear_4xx(api.get("/threads?status=accepted", "ann"), 422)  # was a 200
    from ringmaster.thread_statuses import THREAD_STATUSES

    for wrong in ("accepted", "done", "IDLE"):
        r = api.get(f"/threads?status={wrong}", "ann")
        _assert_clear_4xx(r, 422)
        detail = r.json()["detail"]
        assert "\n" not in detail and "status" in detail, detail
        assert all(f"'{s}'" in detail for s in THREAD_STATUSES), detail
        assert "'accepted'" not in detail.replace(f"'{wrong}'", ""), detail
    assert api.get("/threads?status=idle", "ann").json()["total"] == 1


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


@pytest.mark.parametrize("body", [{"request": "refund INV-1004"}, {"priority": "low"}])
def test_a_new_thread_refuses_fields_it_does_not_take_and_names_where_a_request_goes(
    api: Api, body: dict[str, Any]
) -> None:
    r = api.post("/threads", "ann", json=body)
    _assert_clear_4xx(r, 422)
    problem = r.json()
    assert problem["code"] == "invalid_input"
    assert next(iter(body)) in problem["detail"]
    assert "/threads/{id}/requests" in problem["detail"]
    assert api.get("/threads", "ann").json()["total"] == 0  # no empty thread was made
    # With no body, or an empty object, it makes the empty thread the docs describe.
    assert api.post("/threads", "ann").status_code == 201
    assert api.post("/threads", "ann", json={}).status_code == 201
    # The OpenAPI document says so: an optional body that allows no fields.
    op = api.client.get("/openapi.json", headers=api.h("ann")).json()["paths"]["/threads"]["post"]
    assert op["requestBody"].get("required", False) is False
    assert "422" in op["responses"]
