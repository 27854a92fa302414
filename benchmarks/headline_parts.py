"""Where the headline's zero-latency time goes: its checkpoints and its agents, apart.

Runs, interleaved in one process on the same scripted model and request as `overhead.py`:
    headline                     ringmaster · llm planner · llm agents, SQLite, durability sync
    headline, no checkpointer    the same graph compiled without a checkpointer: no durability
                                 at all (not equal work: a bound, not a result)
    python agents                ringmaster · llm planner · python agents, SQLite, sync
    create_supervisor            the baseline, SQLite, sync
and prints each one's median wall and CPU ms per request and its ratios to create_supervisor's
(medians, the paired per-round median, CPU), with the machine's load before and after.
What the rows bound: the no-checkpointer row is what the headline would cost if storing its
checkpoints were free; the python-agents row is the orchestration without the agents' loops.

    .venv/bin/python -m benchmarks.headline_parts [--requests 60]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path

from benchmarks.scripted import Latency, ScriptedChatModel, machine
from benchmarks.systems import (
    HEADLINE,
    PYTHON_AGENTS,
    SUPERVISOR,
    llm_agent_registry,
    ringmaster_system,
    supervisor_system,
)
from benchmarks.workload import bench_team, check_ringmaster, plan_script, ringmaster_payload
from ringmaster.graph.build import build_graph
from ringmaster.graph.checkpoint import open_checkpointer
from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.planner.llm import LLMPlanner

NO_CHECKPOINTER = "headline, no checkpointer (a bound: no durability)"

Run = Callable[[str], tuple[float, float]]


def _without_checkpointer(latency: Latency) -> Run:
    registry, _ = llm_agent_registry(latency)
    planner = LLMPlanner(bench_team(), ScriptedChatModel(script=plan_script(), latency=latency))
    app = build_graph(GraphDeps(registry=registry, planner=planner), None)

    def run(thread: str) -> tuple[float, float]:
        start, cpu = time.perf_counter(), time.process_time()
        state = app.invoke(ringmaster_payload(), {"configurable": {"thread_id": thread}})
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        check_ringmaster(state)
        return elapsed, cpu

    return run


def measure(requests: int) -> dict[str, tuple[list[float], list[float]]]:
    latency = Latency(0.0, 0.0, 0.0)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:

        def saver(tag: str) -> tuple[object, Path]:
            db = Path(tmp) / tag / "checkpoints.db"
            return stack.enter_context(open_checkpointer(f"sqlite:///{db}")), db

        cp, db = saver("headline")
        headline = ringmaster_system(
            HEADLINE, cp, db, planner="llm", agents="llm", latency=latency, equal_work=True, note=""
        )
        cp, db = saver("python")
        python = ringmaster_system(
            PYTHON_AGENTS,
            cp,
            db,
            planner="llm",
            agents="python",
            latency=latency,
            equal_work=False,
            note="",
        )
        cp, db = saver("supervisor")
        supervisor = supervisor_system(cp, db, latency)
        runs: dict[str, Run] = {
            HEADLINE: lambda t: headline.invoke(t)[:2],
            NO_CHECKPOINTER: _without_checkpointer(latency),
            PYTHON_AGENTS: lambda t: python.invoke(t)[:2],
            SUPERVISOR: lambda t: supervisor.invoke(t)[:2],
        }
        for run in runs.values():
            run("warm-up")
        out: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in runs}
        for i in range(requests):  # interleaved, as in overhead.py
            for name, run in runs.items():
                elapsed, cpu = run(f"request-{i:04d}")
                out[name][0].append(elapsed * 1000)
                out[name][1].append(cpu * 1000)
        return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    before = machine()["load"]
    figures = measure(args.requests)
    after = machine()["load"]
    base_wall, base_cpu = figures[SUPERVISOR]
    width = max(len(n) for n in figures)
    print(
        f".venv/bin/python -m benchmarks.headline_parts --requests {args.requests}; "
        f"load average before {before}, after {after}"
    )
    print(f"{'system':<{width}}  wall ms  CPU ms  / supervisor: median  paired  CPU")
    for name, (wall, cpu) in figures.items():
        paired = statistics.median(a / b for a, b in zip(wall, base_wall, strict=True))
        print(
            f"{name:<{width}}  {statistics.median(wall):7.1f}  {statistics.median(cpu):6.1f}"
            f"  {statistics.median(wall) / statistics.median(base_wall):20.2f}"
            f"  {paired:6.2f}  {statistics.median(cpu) / statistics.median(base_cpu):4.2f}"
        )


if __name__ == "__main__":
    main()
