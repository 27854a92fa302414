"""Auth and roles on every route: the route table is walked, so a new route without a token
check fails here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount

from ringmaster.api.app import PUBLIC_PATHS
from tests.ringmaster.api.conftest import Api, build_api


def _flat(app: Any) -> list[tuple[str, set[str] | None, Any]]:
    """(path, methods, route) for every route, through included routers."""
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI with lazily included routers
    except ImportError:
        return [(r.path, getattr(r, "methods", None), r) for r in app.routes]
    return [(c.path, c.methods, c.original_route) for c in iter_route_contexts(app.routes)]


def _routes(api: Api) -> list[tuple[str, str]]:
    found = []
    for path, methods, route in _flat(api.client.app):  # type: ignore[arg-type]
        if isinstance(route, Mount):
            assert path in PUBLIC_PATHS, f"unexpected mount {path}"
            continue
        assert isinstance(route, APIRoute), f"{route} is not an APIRoute"
        for method in sorted((methods or set()) - {"HEAD"}):
            found.append((method, path))
    return found


def unauthenticated(api: Api) -> list[str]:
    """Every route that answers anything but 401 (or the sign-in redirect) without a token."""
    offenders = []
    for method, path in _routes(api):
        if path in PUBLIC_PATHS:
            continue
        url = re.sub(r"\{[^}]+\}", "abcdef12", path)
        for headers in ({}, {"Authorization": "Bearer rm_not-a-token"}, {"Cookie": "rm_session=x"}):
            r = api.client.request(
                method,
                url,
                headers=headers,
                json={} if method == "POST" else None,
                follow_redirects=False,
            )
            if path.startswith("/ui"):
                ok = r.status_code == 401 or (
                    r.status_code == 303 and r.headers["location"] == "/ui/login"
                )
            else:
                ok = r.status_code == 401 and r.headers.get("www-authenticate") == "Bearer"
            if not ok:
                offenders.append(f"{method} {path}")
                break
    return offenders


def test_every_route_but_the_public_ones_needs_a_token(sqlite_api: Api) -> None:
    routes = _routes(sqlite_api)
    assert ("POST", "/reviews/{item_id}/decision") in routes and len(routes) > 15
    assert unauthenticated(sqlite_api) == []


def test_the_walk_catches_a_route_without_auth(sqlite_api: Api) -> None:
    app = sqlite_api.client.app

    @app.get("/leak")  # type: ignore[attr-defined,untyped-decorator]
    def leak() -> dict[str, str]:
        return {"secret": "yes"}

    assert unauthenticated(sqlite_api) == ["GET /leak"]


def test_public_routes_answer_without_a_token(sqlite_api: Api) -> None:
    c = sqlite_api.client
    assert c.get("/healthz").json() == {"status": "ok"}
    ready = c.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert c.get("/ui/login").status_code == 200
    assert c.get("/ui/static/queue.js").status_code == 200


REVIEWER_ONLY = [
    ("GET", "/reviews"),
    ("GET", "/reviews/{item}"),
    ("POST", "/reviews/{item}/claim"),
    ("POST", "/reviews/{item}/decision"),
]


def test_roles(api: Api) -> None:
    thread, item = api.waiting_item("ann")
    for method, path in REVIEWER_ONLY:
        r = api.client.request(
            method,
            path.format(item=item["id"]),
            headers=api.h("ann"),
            json={"decision": "approve"} if method == "POST" else None,
        )
        assert r.status_code == 403, (method, path, r.text)
        assert "reviewer role" in r.json()["detail"]
    assert api.get("/audit/verify", "rev").status_code == 403
    assert api.get("/audit/verify", "adm").status_code == 200
    assert api.get("/agents", "ann").status_code == 200
    assert api.get("/me", "ann").json()["role"] == "requester"
    assert api.get("/openapi.json", "ann").json()["info"]["title"] == "ringmaster"
    assert api.runner.queue.get(item["id"]).status == "pending"  # nothing changed


def test_requesters_see_only_their_own_threads(api: Api) -> None:
    thread, _ = api.waiting_item("ann")
    for path in (f"/threads/{thread}", f"/threads/{thread}/audit", f"/threads/{thread}/events"):
        assert api.get(path, "bob").status_code == 404, path
    assert api.get(f"/threads/{thread}", "rev").status_code == 200
    assert [t["id"] for t in api.get("/threads", "ann").json()["items"]] == [thread]
    assert api.get("/threads", "bob").json()["items"] == []
    assert api.get("/threads?requester=bob", "bob").json()["items"] == []
    assert api.get("/threads?requester=ann", "rev").json()["total"] == 1
    sent = api.post(f"/threads/{thread}/requests", "bob", json={"request": "mine now"})
    assert sent.status_code == 404
    sent = api.post(f"/threads/{thread}/requests", "rev", json={"request": "mine now"})
    assert sent.status_code == 403


def test_a_requester_asking_for_anothers_threads_is_refused_as_on_the_command_line(
    api: Api,
) -> None:
    """`GET /threads?requester=ann` by bob, a plain requester, listed bob's own threads (200,
    none of ann's) while `thread list --requester ann --as bob` refuses; now both refuse, in
    one line that names no thread of ann's."""
    thread, _ = api.waiting_item("ann")
    api.waiting_item("bob")
    r = api.get("/threads?requester=ann", "bob")
    assert r.status_code == 403, r.text
    body = r.json()
    assert body["code"] == "forbidden"
    assert body["detail"] == "bob sees only their own threads, not ann's (reviewers see everyone's)"
    assert thread not in r.text
    assert api.get("/threads?requester=bob", "bob").json()["total"] == 1
    assert api.get("/threads?requester=ann", "rev").json()["total"] == 1


def test_a_reviewer_cannot_decide_their_own_request(api: Api) -> None:
    _, item = api.waiting_item("rev")
    own = api.post(f"/reviews/{item['id']}/decision", "rev", json={"decision": "approve"})
    assert own.status_code == 403 and "your own request" in own.json()["detail"]
    assert api.post(f"/reviews/{item['id']}/claim", "rev").status_code == 403
    assert api.runner.queue.get(item["id"]).status == "pending"
    other = api.post(f"/reviews/{item['id']}/decision", "rita", json={"decision": "approve"})
    assert other.status_code == 200


def test_disabled_users_are_shut_out(api: Api) -> None:
    assert api.get("/me", "rev").status_code == 200
    api.client.app.state.rm.accounts.disable("rev")  # type: ignore[attr-defined]
    assert api.get("/me", "rev").status_code == 401


def test_rate_limits_per_token(tmp_path: Path) -> None:
    gen = build_api(
        tmp_path, None, api_requests_per_minute=1, api_decisions_per_minute=1, api_rate_burst=2
    )
    api = next(gen)
    try:
        codes = [api.post("/threads", "ann").status_code for _ in range(4)]
        assert codes == [201, 201, 429, 429]
        limited = api.post("/threads", "ann")
        assert int(limited.headers["retry-after"]) >= 1
        assert "too many requests" in limited.json()["detail"]
        assert api.post("/threads", "bob").status_code == 201  # another token, its own bucket
        decisions = [
            api.post("/reviews/nope1234/decision", "rev", json={"decision": "approve"}).status_code
            for _ in range(3)
        ]
        assert decisions[:2] == [404, 404]  # unknown item: refused before a token is spent
        # With a burst of 2, a third 404 (not 429) is what shows no token was spent.
        assert decisions == [404, 404, 404]
        claims = [api.post("/reviews/nope1234/claim", "rev").status_code for _ in range(3)]
        assert claims == [404, 404, 404]
    finally:
        gen.close()


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_is_public(sqlite_api: Api, path: str) -> None:
    assert sqlite_api.client.get(path).status_code == 200
