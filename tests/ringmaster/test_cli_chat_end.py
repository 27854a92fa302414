"""A script's chat at the end of its input: a run it reported as going (a review decided
elsewhere whose resume is left to a worker) is waited for, and its outcome printed, before
the process exits; past RINGMASTER_CHAT_WAIT_SECONDS, a `pending` line says what is not done."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from ringmaster.decisions import Decision, DecisionService, Edit
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from tests.ringmaster.test_cli import ROOT, Cli
from tests.ringmaster.test_cli_chat import Lines, _refund


def _chat(cli: Cli, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ringmaster.cli", "chat", "--json", "--as", "ann"],
        cwd=ROOT, env={**cli.env, **env},
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _decide_for_a_worker(cli: Cli, review: dict[str, Any]) -> None:
    """Commit an edit with its resume job queued and not run: as a decision made where a
    worker (`ringmaster worker`, `serve`) runs the resume, not the deciding process."""
    settings = Settings(home=cli.home, planner_cache=Path(cli.env["RINGMASTER_PLANNER_CACHE"]))
    with Runner(settings) as runner:
        service = DecisionService(runner, scheduler=runner.resume_scheduler, resume=runner.outcome)
        service.decide(review["id"], Decision("edit", (Edit(0, {"amount": "50.00"}),)), "rita")


def test_at_the_end_of_input_a_chat_waits_for_a_run_resumed_on_a_worker(cli: Cli) -> None:
    chat = _chat(cli)
    lines = Lines(chat)
    review = _refund(chat, lines)
    _decide_for_a_worker(cli, review)
    assert chat.stdin is not None
    chat.stdin.close()

    seen = lines.until(lambda x: x["type"] == "waiting")
    assert seen[-1]["turns"] == [1] and review["id"][:10] in seen[-1]["text"]
    assert chat.poll() is None  # it said it waits: it has not exited
    cli.in_process()("worker", "--once")  # the worker (here, not the chat's process) resumes

    seen += lines.until(lambda x: x["type"] == "outcome")
    assert chat.wait(timeout=60) == 0
    assert [x["type"] for x in seen] == ["decision", "waiting", "turn", "outcome"]
    outcome = seen[-1]["outcome"]
    assert (outcome["turn"], outcome["status"]) == (1, "completed")
    assert "refunded 50.00 USD on INV-1002" in seen[-1]["text"]
    assert outcome["results"]["t1"]["output"]["amount"] == "50.00"  # what ran, not 299.00


def test_past_the_wait_a_chat_says_which_run_has_not_finished(cli: Cli) -> None:
    chat = _chat(cli, RINGMASTER_CHAT_WAIT_SECONDS="0.5")
    lines = Lines(chat)
    review = _refund(chat, lines)
    _decide_for_a_worker(cli, review)
    assert chat.stdin is not None
    chat.stdin.close()

    seen = lines.until(lambda x: x["type"] == "pending")
    assert chat.wait(timeout=60) == 0
    assert [x["type"] for x in seen] == ["decision", "waiting", "pending"]
    pending = seen[-1]
    assert (pending["turn"], pending["review_ids"]) == (1, [review["id"]])
    assert pending["thread_id"] == review["thread_id"]
    assert "has not finished after 0.5 s" in pending["text"]
    assert f"ringmaster thread show {review['thread_id']}" in pending["text"]
    # Nothing is lost: the decision is kept, and a worker still runs it.
    here = cli.in_process()
    [item] = here.json("review", "list", "--status", "all")
    assert (item["status"], item["decided_by"]) == ("decided", "rita")
    here("worker", "--once")
    assert here.json("thread", "show", review["thread_id"])["status"] == "completed"
