"""The child process of the crash harness (tests/ringmaster/test_kill_harness.py).

    python -m tests.ringmaster.kill_child HOME DB_URL STEP COMMAND [ITEM]

    run            accept the request and drive it here, as `ringmaster run`
    approve ITEM   decide ITEM and drive the resume, as `ringmaster review approve`
    worker         serve the queue, as `ringmaster worker`

Each command does what the CLI command does, with the real runner, decision service, run queue
and worker over the harness's team (scripted planner and agents, the ledger tool of
tests/fakes). The stop for STEP is installed here by wrapping a product function — product
code reads nothing of this: right after the step's commit (before it, for the two "running"
steps) the child writes HOME/stopped.json and blocks until the harness kills it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langgraph.types import Command

import ringmaster.decisions as decisions_module
from ringmaster.decisions import Decision, DecisionService
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from ringmaster.worker import Worker
from tests.fakes import Ledger, ScriptedAgent, ScriptedPlanner, make_deps, plan_of, proposing

STOPPED = "stopped.json"
REQUEST = "pay the small one and the big one"
SMALL, BIG = 5, 50  # the ledger asks a person above 10: t1 runs at once, t2 waits for a review


def build(home: Path, db_url: str | None) -> tuple[Runner, Ledger, dict[str, ScriptedAgent]]:
    """The runner every process of the harness uses: t1 (beta) records SMALL without review,
    t2 (gamma) proposes BIG, which needs an approval."""
    agents = {"beta": ScriptedAgent(proposing(SMALL)), "gamma": ScriptedAgent(proposing(BIG))}
    plan = plan_of(("pay the small one", "beta"), ("pay the big one", "gamma"))
    deps, ledger = make_deps(home, ScriptedPlanner(plan), agents)
    return Runner(Settings(home=home, db_url=db_url), deps=deps), ledger, agents


def stop(home: Path, step: str) -> None:
    """Say where this process stopped (atomically: the parent never reads half a file), then
    block until SIGKILL."""
    tmp = home / (STOPPED + ".tmp")
    tmp.write_text(json.dumps({"step": step, "pid": os.getpid()}))
    tmp.replace(home / STOPPED)
    threading.Event().wait()


def after(fn: Callable[..., Any], when: Callable[..., bool], halt: Callable[[], None]) -> Any:
    """`fn`, stopping after a call whose arguments (and result) `when` accepts."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        if when(result, *args, **kwargs):
            halt()
        return result

    return wrapped


def install(runner: Runner, home: Path, step: str) -> None:
    """Wrap the product function whose commit marks `step`."""

    def halt() -> None:
        stop(home, step)

    if step == "accepting":  # inside accept's transaction: turn, audit event, job written
        queue = runner.jobs
        queue.enqueue_in = after(queue.enqueue_in, lambda *a, **k: True, halt)  # type: ignore[method-assign]
    elif step == "accepted":  # the turn, its audit event and its run job committed together
        Runner.accept = after(Runner.accept, lambda *a, **k: True, halt)  # type: ignore[method-assign]
    elif step in ("started", "resume_running"):
        # The job claimed under this process's lease and the thread locked and `running`;
        # stop just before the graph is invoked (with the input, or with the decisions).
        invoke = Runner._invoke

        def before_invoke(
            self: Runner, graph: Any, thread_id: str, turn: int, payload: Any
        ) -> None:
            if isinstance(payload, Command) == (step == "resume_running"):
                halt()
            invoke(self, graph, thread_id, turn, payload)

        Runner._invoke = before_invoke  # type: ignore[method-assign]
    elif step == "first_checkpoint":
        saver = runner.graph.checkpointer
        saver.put = after(
            saver.put,
            lambda _r, config, /, *a, **k: not config["configurable"].get("checkpoint_ns"),
            halt,
        )
    elif step in ("effect_executed", "resume_effect"):
        # Inside the act node: the tool's effect is committed to the ledger, the node has not
        # returned (its writes unsaved, no `side_effect` audit event yet). The first call in
        # this process is the one: t1's in a run (t2 waits for a review), t2's in the resume.
        tools = runner.deps.registry.tools.tools
        tool = tools["record"]
        tools["record"] = dataclasses.replace(tool, fn=after(tool.fn, lambda *a, **k: True, halt))
    elif step == "effect_audited":
        # The effect and its `side_effect` audit event are written; the run is not finished.
        audit = runner.audit
        audit.append = after(  # type: ignore[method-assign]
            audit.append, lambda _r, _t, event, /, *a, **k: event == "side_effect", halt
        )
    elif step == "interrupt_saved":
        # The graph stopped at t2's interrupt and its checkpoint is saved; the review item is
        # not yet in the queue (stop before the runner copies interrupts into it).
        sync = Runner._sync

        def before_sync(self: Runner, graph: Any, thread_id: str, turn: int) -> None:
            halt()
            sync(self, graph, thread_id, turn)

        Runner._sync = before_sync  # type: ignore[method-assign]
    elif step == "review_raised":
        reviews = runner.queue
        reviews.add = after(reviews.add, lambda added, /, *a, **k: bool(added), halt)  # type: ignore[method-assign]
    elif step == "decision_committed":  # the decision and its resume job, one transaction
        decisions_module.commit = after(decisions_module.commit, lambda *a, **k: True, halt)
    else:
        raise SystemExit(f"unknown step {step!r}")


def main() -> None:
    home, db_url, step, command = Path(sys.argv[1]), sys.argv[2] or None, sys.argv[3], sys.argv[4]
    runner, _, _ = build(home, db_url)
    with runner:
        install(runner, home, step)
        if command == "run":
            thread_id, _ = runner.accept(REQUEST)
            runner.drive(thread_id)
        elif command == "approve":
            service = DecisionService(
                runner, scheduler=runner.resume_scheduler, resume=runner.drive
            )
            service.decide(sys.argv[5], Decision("approve"), "ann")
        elif command == "worker":
            Worker(runner).serve_forever(threading.Event(), idle_wait=0.1)
        else:
            raise SystemExit(f"unknown command {command!r}")
    # Reaching here means the step never came: the harness fails on the exit.
    sys.stderr.write(f"finished without reaching {step}\n")
    sys.exit(3)


if __name__ == "__main__":
    main()
