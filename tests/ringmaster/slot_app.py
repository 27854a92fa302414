"""A worker process whose only agent work is `gamma`, recording each call's span itself (for
tests/ringmaster/test_slot_runs.py): `python -m tests.ringmaster.slot_app HOME DB_URL SPANS`.

Every request plans PARTS subtasks for gamma (capacity 2); gamma appends "thread subtask start
end" to SPANS when it finishes (one short write in append mode, so the lines of two processes
never mix). Until two calls have run at once (in either process), a call waits for a second
to start (a file per running call next to SPANS): both slots used is then observed however
slowly a loaded machine gets from a grant to the call, and never seen if the queue grants one
at a time. The worker serves until it is terminated.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ringmaster.agents.runtime import AgentTask
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from ringmaster.tools.base import ToolBox
from ringmaster.worker import Worker
from tests.fakes import ScriptedAgent, ScriptedPlanner, make_deps, plan_of

PARTS = 5
LATENCY = 0.03


def build(home: Path, db_url: str, spans: Path | None) -> Runner:
    home.mkdir(parents=True, exist_ok=True)

    def gamma(task: AgentTask, tools: ToolBox) -> dict[str, Any]:
        start = time.time()
        if spans is not None:
            with running(spans.parent, f"{task.thread_id}-{task.subtask_id}"):
                time.sleep(LATENCY)  # scripted work
            with spans.open("a") as f:
                f.write(f"{task.thread_id} {task.subtask_id} {start:.6f} {time.time():.6f}\n")
        return {"summary": f"did {task.description}", "value": "v"}

    planner = ScriptedPlanner(
        lambda text: plan_of(*[(f"{text} part {i}", "gamma") for i in range(PARTS)])
    )
    deps, _ = make_deps(home, planner, {"gamma": ScriptedAgent(gamma)}, capacity={"gamma": 2})
    # A bound far above the test's waits: no run is parked, so every waiter stays in line.
    settings = Settings(home=home, db_url=db_url or None, slot_wait_seconds=60.0)
    return Runner(settings, deps=deps)


@contextmanager
def running(folder: Path, name: str) -> Iterator[None]:
    """While a call runs; the first calls wait (a minute at most) for two to run at once."""
    met, mine = folder / "two-met", folder / f"running-{name}"
    mine.touch()
    try:
        deadline = time.monotonic() + 60
        while not met.exists() and time.monotonic() < deadline:
            if len(list(folder.glob("running-*"))) >= 2:
                met.touch()
                break
            time.sleep(0.01)  # polling the other process's files, with a deadline
        yield
    finally:
        mine.unlink()


def main() -> None:
    home, db_url, spans = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    with build(home, db_url, spans) as runner:
        Worker(runner).serve_forever(threading.Event(), idle_wait=0.2)


if __name__ == "__main__":
    main()
