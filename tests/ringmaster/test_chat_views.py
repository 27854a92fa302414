"""What the views of a thread say after the trial of a fresh clone (issue 16): a subtask routed
by a reviewer shows its agent and the review it waits for now; a chat's turn waits only for
its own reviews, and a review withdrawn in the chat is not reported as decided elsewhere; the
conversation shows the words typed, and what they were read as."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from ringmaster.decisions import Decision, DecisionService, Edit
from ringmaster.graph.state import Requester
from ringmaster.runner import Runner
from tests.ringmaster.test_cli import InProcessCli
from tests.ringmaster.test_turns import demo  # noqa: F401

DOUBLE = "Refund invoice INV-{} in full, the customer was double charged"


def test_a_routing_decided_shows_the_subtask_on_its_agent_waiting_for_the_approval(
    demo: tuple[Runner, Requester],  # noqa: F811
) -> None:
    runner, ann = demo
    for n in range(3):  # billing failed 3 of 3 outputs: unhealthy, its refund goes to a person
        runner.audit.append(
            "other", "agent_output", "agent:billing", subtask_id=f"s{n}", attempt=1,
            summary=None, error="boom",
        )  # fmt: skip
    first = runner.submit("Refund invoice INV-1007 in full", requester=ann)
    [routing] = first.pending
    assert routing.kind == "routing" and "billing is unhealthy" in routing.summary

    edit = Decision("edit", edits=(Edit(0, {"agent": "billing"}),))
    after = DecisionService(runner).decide(routing, edit, "rita")

    [approval] = after.pending
    assert (approval.kind, approval.agent) == ("approval", "billing")
    for outcome in (after, runner.outcome(first.thread_id)):
        [row] = outcome.subtasks()
        assert (row["agent"], row["status"]) == ("billing", "awaiting_review")
        assert "299.00" in row["summary"] and "unhealthy" not in row["summary"]
        assert outcome.results["t1"]["agent"] == "billing"


def chat(
    cli: InProcessCli, monkeypatch: pytest.MonkeyPatch, lines: list[str], *args: str
) -> list[Any]:
    """A script's chat (`chat --json`, lines piped in), in this process: its JSON lines."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(f"{x}\n" for x in lines)))
    who = () if "--as" in args else ("--as", "ann")
    return [json.loads(x) for x in cli("chat", "--json", *who, *args).stdout.splitlines()]


def test_a_chat_turn_waits_for_its_own_review_and_a_withdrawal_here_is_not_news(
    tmp_path: Path, planner_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = InProcessCli(tmp_path, None, planner_cache)
    said = chat(
        cli, monkeypatch,
        [DOUBLE.format(1038), DOUBLE.format(1040), DOUBLE.format(1002),
         "sorry, I meant INV-1012"],
    )  # fmt: skip

    outcomes = [x for x in said if x["type"] == "outcome"]
    assert [o["outcome"]["turn"] for o in outcomes] == [1, 2, 3, 4]
    own = {
        o["outcome"]["turn"]: [p["id"] for p in o["outcome"]["pending"] if p["turn"] == t]
        for o in outcomes
        if (t := o["outcome"]["turn"])
    }
    for o in outcomes[1:]:  # each waits for its own review, and names no other turn's
        turn = o["outcome"]["turn"]
        [mine] = own[turn]
        [waits] = [x for x in o["text"].splitlines() if x.startswith(f"turn {turn}: waiting")]
        assert f"review {mine[:10]}" in waits
        others = [i for t, ids in own.items() if t != turn for i in ids]
        assert not any(i[:10] in waits for i in others), waits
    assert "withdrew review" in outcomes[3]["text"]
    # Turn 3's review was withdrawn by turn 4 in this chat: not "decided elsewhere".
    assert [x for x in said if x["type"] in ("decision", "turn")] == []


def test_a_question_answered_here_is_not_news_decided_elsewhere(
    tmp_path: Path, planner_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Answering "Which ticket do you mean?" in the chat was followed by "review … was decided
    # by ann: respond" and "turn 2, whose review was decided elsewhere, has run".
    cli = InProcessCli(tmp_path, None, planner_cache)
    lines = ["what is the status of TCK-1001 and TCK-1002?", "close it", "the first one"]
    said = chat(cli, monkeypatch, lines)
    outcomes = [x for x in said if x["type"] == "outcome"]
    assert [o["outcome"]["turn"] for o in outcomes] == [1, 2, 3]
    [question] = outcomes[1]["outcome"]["pending"]
    assert "Which ticket do you mean" in question["summary"]
    assert "closed TCK-1001" in outcomes[2]["text"]
    assert [x for x in said if x["type"] in ("decision", "turn")] == []
    assert cli.json("review", "show", question["id"])["status"] != "pending"


def test_thread_show_and_the_thread_page_show_the_words_typed(
    tmp_path: Path, planner_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = InProcessCli(tmp_path, None, planner_cache)
    lines = [DOUBLE.format(1002), "sorry, I meant INV-1012", "What's the status of TCK-1001?"]
    said = chat(cli, monkeypatch, lines)
    thread = said[0]["outcome"]["thread_id"]

    shown = " ".join(cli("thread", "show", thread).stdout.split())
    assert f"turn 1: {DOUBLE.format(1002)} ->" in shown
    assert f"turn 2: sorry, I meant INV-1012 (read as: {DOUBLE.format(1012)}) ->" in shown
    assert "turn 3 (the latest): What's the status of TCK-1001?" in shown


def test_a_reviewer_decides_anothers_reviews_in_a_chat_and_sends_no_request_there(
    tmp_path: Path, planner_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = InProcessCli(tmp_path, None, planner_cache)
    cli("users", "add", "boss", "--scopes", "billing", "--no-token")
    cli("users", "add", "rev2", "--role", "reviewer", "--no-token")
    cli("users", "add", "req2", "--no-token")
    boss = chat(cli, monkeypatch, [DOUBLE.format(1002), DOUBLE.format(1040)], "--as", "boss")
    thread = boss[0]["outcome"]["thread_id"]
    [first] = [p["id"] for p in boss[0]["outcome"]["pending"]]
    [second] = [p["id"] for p in boss[1]["outcome"]["pending"] if p["id"] != first]

    # On boss's thread: rev2 lists and decides its reviews; a request is refused, one line.
    said = chat(
        cli, monkeypatch,
        [DOUBLE.format(1003), "/reviews", f"/approve {first[:8]}"],
        "--as", "rev2", "--thread", thread,
    )  # fmt: skip
    [refused, reviews, decided, approved] = said
    assert refused["type"] == "error"
    assert refused["text"].startswith("only boss may send requests on this thread")
    assert {r["id"] for r in reviews["reviews"]} == {first, second}
    assert (decided["type"], decided["review_id"], decided["decided_by"]) == (
        "decision",
        first,
        "rev2",
    )
    assert approved["outcome"]["turn"] == 1 and approved["outcome"]["status"] == "completed"
    assert cli.json("thread", "show", thread, "--as", "boss")["turn"] == 2  # no turn of rev2's
    # With no thread yet: what rev2 may decide anywhere, decided without joining the thread.
    said = chat(cli, monkeypatch, ["/reviews", f"/reject {second[:8]} not today"], "--as", "rev2")
    [reviews, decided, rejected] = said
    assert "decided by rev2: rejected issue_refund: not today" in decided["text"]
    assert [r["id"] for r in reviews["reviews"]] == [second]
    assert rejected["outcome"]["thread_id"] == thread and rejected["outcome"]["turn"] == 2
    assert [
        i["decided_by"] for i in cli.json("review", "list", "--status", "all", "--as", "rev2")
    ] == [
        "rev2",
        "rev2",
    ]
    # Boss still may not decide their own, and a requester may not open boss's thread.
    own = chat(cli, monkeypatch, ["/reviews"], "--as", "boss")
    assert own[0]["reviews"] == []
    proc = cli("chat", "--as", "req2", "--thread", thread, ok=False)
    assert proc.returncode == 2 and f"no thread {thread} of yours" in proc.stderr
