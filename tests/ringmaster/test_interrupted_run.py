"""Ctrl-C while a run is going (`ringmaster run`, `chat`, `worker`): the request is kept and
queued again at once, the thread says so, and the next worker finishes it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from ringmaster.runner import Runner
from ringmaster.settings import Settings
from ringmaster.worker import Worker
from tests.fakes import ScriptedAgent, ScriptedPlanner, make_deps, ok, plan_of
from tests.ringmaster.test_cli import Cli


def interrupted_once() -> ScriptedAgent:
    """An agent whose first call is cut short by Ctrl-C; it answers the next one."""
    calls: list[int] = []

    def answer(task: Any, tools: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return ok()(task, tools)

    return ScriptedAgent(answer)


def interrupt_first_job(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Ctrl-C cuts the first job the runner runs short; the threads of the jobs run, in order."""
    real = Runner.run_job
    calls: list[str] = []

    def run_job(self: Runner, job: Any) -> None:
        calls.append(job.thread_id)
        if len(calls) == 1:
            raise KeyboardInterrupt
        real(self, job)

    monkeypatch.setattr(Runner, "run_job", run_job)
    return calls


def test_ctrl_c_mid_run_queues_the_run_again_and_a_worker_finishes_it(
    tmp_path: Path, db_url: str | None
) -> None:
    deps, _ = make_deps(
        tmp_path, ScriptedPlanner(plan_of(("work", "gamma"))), {"gamma": interrupted_once()}
    )
    with Runner(Settings(home=tmp_path, db_url=db_url), deps=deps) as runner:
        thread, _ = runner.accept("work on it")
        with pytest.raises(KeyboardInterrupt):
            Worker(runner).drive(thread)
        (job,) = runner.jobs.for_thread(thread)
        # Not left `running` under a lease nobody renews: back in the queue, the cut-short
        # attempt not counted against the run's retries, and the thread says it is queued.
        assert (job.state, job.lease_owner, job.attempts) == ("queued", None, 0)
        assert runner.threads.get(thread).status == "queued"
        Worker(runner).run_until_idle()
        assert runner.threads.get(thread).status == "completed"


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_ctrl_c_in_ringmaster_run_says_the_request_is_kept(
    cli_in_process: Cli, monkeypatch: pytest.MonkeyPatch, json_flag: list[str]
) -> None:
    cli = cli_in_process
    calls = interrupt_first_job(monkeypatch)
    out = cli("run", "What's the status of ticket TCK-1001?", *json_flag, ok=False)
    assert out.returncode == 130
    thread = calls[0]
    if json_flag:
        said = json.loads(out.stdout)
        assert said["thread_id"] == thread and said["status"] == "queued"
        message = said["error"]
    else:
        (message,) = out.stderr.strip().splitlines()  # one line, no traceback
    assert thread in message and "ringmaster worker" in message
    assert cli.json("thread", "show", thread)["thread"]["status"] == "queued"
    cli("worker", "--once")
    assert cli.json("thread", "show", thread)["thread"]["status"] == "completed"


def test_ctrl_c_in_a_chat_says_the_request_is_kept(
    cli_in_process: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = cli_in_process
    calls = interrupt_first_job(monkeypatch)
    monkeypatch.setattr("sys.stdin", io.StringIO("What's the status of ticket TCK-1001?\n"))
    out = cli("chat", ok=False)
    assert out.returncode == 130
    thread = calls[0]
    (message,) = out.stderr.strip().splitlines()
    assert message.startswith("interrupted: turn 1 of thread ") and thread in message
    assert "ringmaster worker" in message
    assert cli.json("thread", "show", thread)["thread"]["status"] == "queued"
