"""Every error is an RFC 9457 problem with a stable code and the request's id; internal
exception text never reaches the caller (it is logged under the request id); every answer
carries the request id and the security headers."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ringmaster import logs
from ringmaster.api.headers import SECURITY
from ringmaster.graph.state import Requester
from tests.ringmaster.api.conftest import Api

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code", "request_id"}


def assert_problem(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert PROBLEM_KEYS <= set(body), body
    assert body["status"] == status and body["code"] == code, body
    assert body["type"] == "urn:ringmaster:problem:" + code.replace("_", "-")
    assert body["request_id"] == r.headers["x-request-id"]
    return body


def test_two_conflicts_have_distinct_codes(sqlite_api: Api) -> None:
    api = sqlite_api
    thread, item = api.waiting_item()
    # A pending review does not make a thread busy; a request queued on it does.
    api.runner.accept("more", thread_id=thread, requester=Requester(id="ann"))
    busy = api.post(f"/threads/{thread}/requests", "ann", json={"request": "and more"})
    assert_problem(busy, 409, "thread_busy")
    url = f"/reviews/{item['id']}/decision"
    assert api.post(url, "rev", json={"decision": "approve"}).status_code == 200
    again = api.post(url, "rita", json={"decision": "approve"})
    body = assert_problem(again, 409, "already_decided")
    assert body["instance"] == url


def test_refusals_carry_their_own_codes(sqlite_api: Api) -> None:
    api = sqlite_api
    _, item = api.waiting_item("rev")  # a reviewer's own request
    own = api.post(f"/reviews/{item['id']}/decision", "rev", json={"decision": "approve"})
    assert_problem(own, 403, "own_item")
    assert_problem(api.client.get("/me"), 401, "unauthenticated")
    assert_problem(api.get("/audit/verify", "ann"), 403, "forbidden")
    assert_problem(api.get("/reviews/nope", "rev"), 404, "not_found")
    bad = assert_problem(api.get("/reviews?limit=0", "rev"), 422, "invalid_input")
    assert bad["errors"][0]["loc"] == ["query", "limit"]
    refused = api.post(f"/reviews/{item['id']}/decision", "rita", json={"decision": "edit"})
    assert_problem(refused, 422, "invalid_decision")
    big = api.post("/threads", "ann", content=b"x" * 70_000)
    assert_problem(big, 413, "body_too_large")


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The API's logs as JSON lines, as `ringmaster serve` writes them."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(logs.ContextFilter())
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger("ringmaster")
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(old)


def lines(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_an_internal_error_is_generic_and_logged_under_the_request_id(
    sqlite_api: Api, captured: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = sqlite_api

    def broken(item_id: str) -> Any:
        raise TypeError("Integer exceeds 64-bit range")

    monkeypatch.setattr(api.runner.queue, "find", broken)
    client = TestClient(api.client.app, raise_server_exceptions=False)
    r = client.get("/reviews/abc", headers={**api.h("rev"), "X-Request-ID": "req-42"})
    body = assert_problem(r, 500, "internal_error")
    assert body["request_id"] == "req-42"
    assert "64-bit" not in r.text and "TypeError" not in r.text
    assert "req-42" in body["detail"]
    for name, value in SECURITY.items():
        assert r.headers[name] == value
    (logged,) = [e for e in lines(captured) if e["level"] == "error"]
    assert logged["request_id"] == "req-42"
    assert "TypeError: Integer exceeds 64-bit range" in logged["exception"]


def test_request_ids_in_and_out_and_thread_ids_in_the_logs(
    sqlite_api: Api, captured: io.StringIO
) -> None:
    api = sqlite_api
    mine = api.client.get("/healthz", headers={"X-Request-ID": "abc-1"})
    assert mine.headers["x-request-id"] == "abc-1"
    hostile = api.client.get("/healthz", headers={"X-Request-ID": "a b\tc" + "x" * 200})
    made = hostile.headers["x-request-id"]
    assert len(made) == 32 and made.isalnum()
    assert api.client.get("/healthz").headers["x-request-id"] != made

    thread, item = api.waiting_item()
    api.client.post(
        f"/reviews/{item['id']}/decision",
        headers={**api.h("rev"), "X-Request-ID": "decide-1"},
        json={"decision": "approve"},
    )
    events = lines(captured)
    access = [e for e in events if e["logger"] == "ringmaster.api.access"]
    assert {"method", "path", "status", "duration_ms", "request_id"} <= set(access[0])
    decided = [e for e in events if e.get("request_id") == "decide-1"]
    in_thread = [e for e in decided if e.get("thread_id") == thread]
    assert in_thread and all(e["turn"] == item["turn"] for e in in_thread), decided


def test_security_headers_on_every_kind_of_answer(sqlite_api: Api) -> None:
    api = sqlite_api
    thread, _ = api.waiting_item()
    answers = [
        api.client.get("/healthz"),
        api.get("/me", "ann"),
        api.get("/nowhere", "ann"),
        api.get(f"/threads/{thread}/events?after=0", "ann"),
        api.client.get("/ui/login"),
    ]
    for r in answers:
        for name in SECURITY:
            assert name in r.headers, (r.request.url, name)
    # The web page keeps its own policy (it loads its own scripts and styles).
    assert "script-src 'self'" in answers[-1].headers["content-security-policy"]
    assert answers[1].headers["content-security-policy"].startswith("default-src 'none'")


def test_json_formatter_and_bind() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    with logs.bind(request_id="r1", thread_id="t1", turn=2):
        logs.ContextFilter().filter(record)
    assert logs.context() == {}
    line = json.loads(logs.JsonFormatter().format(record))
    assert line["message"] == "hello you"
    assert (line["request_id"], line["thread_id"], line["turn"]) == ("r1", "t1", 2)


def test_requests_are_traced_when_a_tracer_provider_is_given(tmp_path: Any) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from ringmaster.api.app import create_app
    from tests.ringmaster.api.conftest import settings_for

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(settings_for(tmp_path, None), tracer_provider=provider)
    with TestClient(app) as client:
        client.get("/healthz", headers={"X-Request-ID": "traced-1"})
    app.state.rm.runner.close()
    spans = exporter.get_finished_spans()
    roots = [s for s in spans if s.parent is None]
    assert roots and roots[0].attributes is not None
    assert roots[0].attributes["ringmaster.request_id"] == "traced-1"
    assert roots[0].attributes["http.route"] == "/healthz"
