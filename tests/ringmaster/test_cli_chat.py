"""`ringmaster chat` as a person uses it: follow-ups, reviews decided in place and elsewhere."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.ringmaster.test_cli import ROOT, Cli, InProcessCli


def _chat(cli: Cli, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ringmaster.cli", "chat", "--json", "--as", "ann", *args],
        cwd=ROOT,
        env=cli.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _send(proc: subprocess.Popen[str], line: str, until: str) -> list[dict[str, Any]]:
    """Send a line and read JSON lines until one of type `until` arrives."""
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(line + "\n")
    proc.stdin.flush()
    seen = []
    for raw in proc.stdout:
        seen.append(json.loads(raw))
        if seen[-1]["type"] == until:
            return seen
    raise AssertionError(
        f"chat ended before a {until!r} line: {proc.stderr and proc.stderr.read()}"
    )


def test_a_chat_resolves_follow_ups_and_decides_reviews_in_place(cli: Cli) -> None:
    chat = _chat(cli)
    [first] = _send(chat, "What's the status of ticket TCK-1001?", "outcome")
    thread = first["outcome"]["thread_id"]
    [closed] = _send(chat, "add a note to it saying we sent a reset link, and close it", "outcome")
    assert closed["outcome"]["results"]["t1"]["status"] == "done"
    [refund] = _send(
        chat, "Refund invoice INV-1002 in full, the customer was double charged", "outcome"
    )
    [review] = refund["outcome"]["pending"]
    assert f"waiting for review {review['id'][:8]}" in refund["text"]  # not "" for scripts
    [approved] = _send(chat, f"/approve {review['id'][:8]}", "outcome")
    assert approved["outcome"]["results"]["t1"]["status"] == "done"
    [plan] = _send(chat, "what plan is that customer on?", "outcome")
    chat.communicate("\n", timeout=60)

    [subtask] = plan["outcome"]["plan"]["subtasks"]
    assert subtask["description"] == "what plan is CUS-1002 on?"
    assert "business plan" in plan["outcome"]["results"]["t1"]["summary"]
    with sqlite3.connect(cli.home / "demo-company.db") as conn:
        status = conn.execute("SELECT status FROM tickets WHERE id = 'TCK-1001'").fetchone()
        notes = conn.execute(
            "SELECT note FROM ticket_notes WHERE ticket_id = 'TCK-1001'"
        ).fetchall()
    assert status == ("closed",)
    assert notes[-1] == ("Resolution: We sent a reset link.",)
    assert [t for _, t in cli.side_effects()].count("issue_refund") == 1
    [item] = cli.json("review", "list", "--status", "all", "--thread", thread)
    assert (item["status"], item["decided_by"]) == ("resumed", "ann")


def test_a_chat_reports_a_decision_made_elsewhere(cli_each_backend: Cli) -> None:
    cli = cli_each_backend  # two processes on one store
    chat = _chat(cli)
    [refund] = _send(
        chat, "Refund invoice INV-1002 in full, the customer was double charged", "outcome"
    )
    [review] = refund["outcome"]["pending"]
    cli("review", "reject", review["id"], "--reason", "already refunded by phone", "--as", "bob")
    lines = _send(chat, "/reviews", "reviews")
    chat.communicate("\n", timeout=60)
    [decision] = [x for x in lines if x["type"] == "decision"]
    assert decision["review_id"] == review["id"] and decision["decided_by"] == "bob"
    assert decision["decision"]["decisions"][0]["message"] == "already refunded by phone"
    assert lines[-1]["reviews"] == []


def test_a_chat_creates_no_thread_until_the_first_request(cli: Cli) -> None:
    chat = _chat(cli)
    _send(chat, "/reviews", "reviews")
    chat.communicate("\n", timeout=60)
    assert cli.json("thread", "list") == []


def test_chat_continues_a_thread_named_by_a_prefix(cli: Cli) -> None:
    first = cli.json("run", "What's the status of ticket TCK-1002?", "--as", "ann")
    thread = first["thread_id"]
    out, _ = _chat(cli, "--thread", thread[:8]).communicate("close it\n", timeout=120)
    [outcome] = [x["outcome"] for x in map(json.loads, out.splitlines()) if x["type"] == "outcome"]
    assert (outcome["thread_id"], outcome["turn"]) == (thread, 2)
    assert [t["id"] for t in cli.json("thread", "list")] == [thread]


def test_a_blank_line_in_piped_requests_does_not_end_the_chat(cli: Cli) -> None:
    """At a prompt an empty line quits; from a pipe it is only a gap (a script's requests
    after it were silently dropped)."""
    out, _ = _chat(cli).communicate(
        "\n   \nWhat's the status of ticket TCK-1002?\n\n/reviews\n", timeout=120
    )
    kinds = [json.loads(line)["type"] for line in out.splitlines()]
    assert "outcome" in kinds and kinds[-1] == "reviews"


def test_thread_list_filters_and_refuses_an_unknown_status(
    tmp_path: Path, db_url: str | None, planner_cache: Path
) -> None:
    # No chat: in this process, on both stores (their filters are tested on Postgres only here).
    cli = InProcessCli(tmp_path, db_url, planner_cache)
    cli("run", "What's the status of ticket TCK-1001?", "--as", "ann")
    cli("run", "Refund invoice INV-1002 in full", "--as", "bob")
    assert [t["requester"] for t in cli.json("thread", "list", "--requester", "bob")] == ["bob"]
    assert [t["requester"] for t in cli.json("thread", "list", "--status", "waiting")] == ["bob"]
    none = cli("thread", "list", "--status", "failed", "--requester", "ann").stdout
    assert none.strip() == "no threads with status failed and requester ann"
    nothing = cli("review", "list", "--agent", "legal").stdout
    assert nothing.strip() == "no review items with status pending and agent legal"
    bad = cli("thread", "list", "--status", "bogus", ok=False)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "error: --status must be one of idle, queued, running, waiting, completed, failed,"
        " quarantined, cancelled, not 'bogus'"
    ]


def test_a_turn_queued_before_the_chat_shows_its_answer_when_released(cli: Cli) -> None:
    """A turn held behind a review by an earlier chat is this chat's too: deciding the review
    here shows the held turn's answer, not only its progress."""
    chat = _chat(cli)
    [refund] = _send(
        chat, "Refund invoice INV-1002 in full, the customer was double charged", "outcome"
    )
    thread = refund["outcome"]["thread_id"]
    [review] = refund["outcome"]["pending"]
    [held] = _send(chat, "what is the status of that refund?", "outcome")
    assert held["outcome"]["status"] == "queued" and held["outcome"]["turn"] == 2
    chat.communicate("\n", timeout=60)

    chat = _chat(cli, "--thread", thread)
    lines = _send(chat, f"/approve {review['id'][:8]}", "outcome")
    lines += _send(chat, "/reviews", "reviews")
    chat.communicate("\n", timeout=60)
    [ran] = [x for x in lines if x["type"] == "turn"]
    assert ran["turn"] == 2 and "has run" in ran["text"]
    outcomes = [x["outcome"] for x in lines if x["type"] == "outcome"]
    assert [(o["turn"], o["status"]) for o in outcomes][-1] == (2, "completed")
    assert outcomes[-1]["answer"]


def test_reviews_with_none_pending_says_so(cli: Cli) -> None:
    """Not an empty table: a line saying there is nothing to decide."""
    chat = subprocess.Popen(
        [sys.executable, "-m", "ringmaster.cli", "chat", "--as", "ann"],
        cwd=ROOT, env=cli.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    out, _ = chat.communicate("/reviews\n", timeout=120)
    assert "no pending reviews on this thread" in out and "Waiting for review" not in out
