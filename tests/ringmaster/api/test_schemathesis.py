"""Schemathesis against the OpenAPI document: no 500 and no answer outside the schema.

Bounded (a few examples per operation, no shrinking database) so it stays a unit-test-sized
run; a reviewer's token so every operation gets past auth and into its own checks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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

from tests.ringmaster.api.conftest import Api, build_api

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
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
    # It reached real answers, not only refusals.
    assert seen[200] > 10 and sum(seen.values()) > 50, seen
