"""Runs are named for tracers (LangSmith): the root run of a request and of a resume says what
it is, and its metadata names the requester, thread and turn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.tracers.context import collect_runs

from tests.ringmaster.api.conftest import Api, build_api


@pytest.fixture
def inline_api(tmp_path: Path) -> Iterator[Api]:
    # No serve worker: the runs happen in the request's own context, where `collect_runs`
    # sees them (a worker thread's runs are traced as their own roots, out of its reach).
    yield from build_api(tmp_path, None, serve_worker=False)


def test_root_runs_are_named_with_requester_thread_and_turn(inline_api: Api) -> None:
    api = inline_api
    with collect_runs() as collected:
        thread, item = api.waiting_item("ann")
        r = api.post(f"/reviews/{item['id']}/decision", "rev", json={"decision": "approve"})
        assert r.status_code == 200, r.text
    # (The work subgraphs' runs show up here too, under LangGraph's own name.)
    roots = [run for run in collected.traced_runs if run.name.startswith("ringmaster")]
    assert [run.name for run in roots] == ["ringmaster request", "ringmaster resume"]
    for run in roots:
        meta = run.extra["metadata"]
        assert (meta["thread_id"], meta["turn"], meta["requester"]) == (thread, 1, "ann")
        assert run.parent_run_id is None
