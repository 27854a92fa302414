from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ringmaster.agents.spec import load_team
from ringmaster.graph.build import build_graph
from ringmaster.graph.checkpoint import open_checkpointer
from ringmaster.graph.nodes.dispatch import PARALLEL_REVIEWS
from ringmaster.graph.planner.local import LocalPlanner
from tests.graph.planner_dev_report import DEMO_TEAM


@pytest.fixture
def checkpointer(tmp_path: Path) -> Iterator[Any]:
    with open_checkpointer(f"sqlite:///{tmp_path / 'cp.db'}") as saver:
        yield saver


class Run:
    """A compiled graph on one thread, with helpers to start, inspect and resume it."""

    def __init__(
        self, deps: Any, saver: Any, thread: str = "t-1", parallel_reviews: bool = True
    ) -> None:
        self.app = build_graph(deps, saver)
        # As ringmaster's runner calls it (every review at once), unless told otherwise.
        self.config = {"configurable": {"thread_id": thread, PARALLEL_REVIEWS: parallel_reviews}}

    def start(self, request: str = "do things", scopes: list[str] | None = None) -> dict[str, Any]:
        payload = {
            "request": request,
            "requester": {"id": "tester", "scopes": scopes or []},
            "turn": 1,
            "results": None,
        }
        return self.app.invoke(payload, self.config, durability="sync")

    def interrupts(self) -> list[Any]:
        return list(self.app.get_state(self.config).interrupts)

    def decide(self, interrupt: Any, *decisions: dict[str, Any]) -> dict[str, Any]:
        from langgraph.types import Command

        value = {"decisions": list(decisions), "reviewer": "rev"}
        return self.app.invoke(
            Command(resume={interrupt.id: value}), self.config, durability="sync"
        )


@pytest.fixture
def make_run(checkpointer: Any) -> Any:
    return lambda deps, thread="t-1", **kw: Run(deps, checkpointer, thread, **kw)


@pytest.fixture(scope="module")
def demo_planner(tmp_path_factory: pytest.TempPathFactory) -> LocalPlanner:
    """The demo team's local planner (the shipped model), once per test module; a module that
    defines its own keeps it."""
    return LocalPlanner(load_team(DEMO_TEAM), cache_dir=Path(tmp_path_factory.mktemp("cache")))
