"""Schemathesis against the OpenAPI document: no 500, no answer outside the schema, and every
error an RFC 9457 problem (`application/problem+json`, the Problem schema, its status the
answer's, the request id the header's).

Bounded (a few examples per operation, no shrinking database) so it stays a unit-test-sized
run; a reviewer's token so every operation gets past auth and into its own checks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ringmaster.api.schemas import Problem
from tests.ringmaster.api.conftest import Api, build_api


@schemathesis.check
def problem_details(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every error answer is a problem document that the Problem schema accepts."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/problem+json"), content_type
    body = Problem.model_validate(response.json())
    assert body.status == response.status_code, body
    assert body.request_id == response.headers["x-request-id"][0], body
    sent = urlsplit(response.request.url).path
    assert unquote(body.instance) == unquote(sent), (body.instance, sent)
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    problem_details,
]


@pytest.fixture
def fuzz_api(tmp_path: Path) -> Iterator[Api]:
    gen = build_api(tmp_path, None, api_stream_seconds=1)
    api = next(gen)
    api.waiting_item("ann")  # something real in the queue and the threads
    yield api
    gen.close()


def test_openapi_conformance(fuzz_api: Api) -> None:
    app = fuzz_api.client.app
    admin = {"Authorization": f"Bearer {fuzz_api.tokens['adm']}"}
    reviewer = {"Authorization": f"Bearer {fuzz_api.tokens['rev']}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=admin)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    seen: Counter[int] = Counter()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=6,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call_and_validate(headers=reviewer, checks=CHECKS)
            seen[response.status_code] += 1

        run()
    # It reached real answers, not only refusals, and refusals of several kinds.
    assert seen[200] > 10 and sum(seen.values()) > 50, seen
    assert sum(n for code, n in seen.items() if code >= 400) > 5, seen


def test_operations_are_named_and_errors_are_problems(fuzz_api: Api) -> None:
    doc = fuzz_api.get("/openapi.json", "ann").json()
    ids = [op["operationId"] for path in doc["paths"].values() for op in path.values()]
    assert sorted(ids) == sorted(
        [
            "healthz", "readyz", "get_me", "list_agents", "list_thread_audit", "verify_audit",
            "create_thread", "list_threads", "get_thread", "send_request", "withdraw_turn",
            "stream_thread_events", "list_reviews", "get_review", "claim_review", "decide_review",
            "get_agents_status", "get_metrics", "get_summary", "list_outbox",
        ]
    )  # fmt: skip
    schemas = doc["components"]["schemas"]
    assert "ErrorCode" in schemas and "already_decided" in schemas["ErrorCode"]["enum"]
    for name, field in [
        ("ThreadOut", "status"),
        ("ReviewOut", "status"),
        ("ReviewOut", "kind"),
        ("ReviewOut", "priority"),
        ("UserOut", "role"),
    ]:
        assert "enum" in schemas[name]["properties"][field], (name, field)
    payload = schemas["ReviewDetail"]["properties"]["payload"]
    assert payload == {"$ref": "#/components/schemas/ReviewPayload"}
    decide = doc["paths"]["/reviews/{item_id}/decision"]["post"]["responses"]["409"]
    assert "application/problem+json" in decide["content"]
