"""`ringmaster chat` as a person uses it: follow-ups, reviews decided in place and elsewhere."""

from __future__ import annotations

import json
import queue
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from ringmaster.agents.runtime import AgentTask
from ringmaster.cli_chat import DECISIONS, Chat
from ringmaster.errors import RingmasterError
from ringmaster.graph.state import Requester
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from ringmaster.tools.base import ToolBox
from tests.fakes import ScriptedAgent, ScriptedPlanner, make_deps, plan_of
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


def _piped(cli: Cli, *typed: str, args: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """A JSON chat reading `typed` from a pipe to its end, in this process (`InProcessCli`): for
    what the chat does with its lines, where nothing acts elsewhere while it runs."""
    lines = "".join(f"{t}\n" for t in typed)
    done = cli.in_process()("chat", "--json", "--as", "ann", *args, input=lines)
    return [json.loads(line) for line in done.stdout.splitlines()]


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
    [decided, approved] = _send(chat, f"/approve {review['id'][:8]}", "outcome")
    assert decided["type"] == "decision" and decided["decided_by"] == "ann"
    assert "decided by ann: approved issue_refund(invoice_id=INV-1002" in decided["text"]
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
    [item] = cli.in_process().json("review", "list", "--status", "all", "--thread", thread)
    assert (item["status"], item["decided_by"]) == ("resumed", "ann")


def test_a_chat_reports_a_decision_made_elsewhere(cli_each_backend: Cli) -> None:
    cli = cli_each_backend  # two processes on one store: the chat's and this one
    chat = _chat(cli)
    [refund] = _send(
        chat, "Refund invoice INV-1002 in full, the customer was double charged", "outcome"
    )
    [review] = refund["outcome"]["pending"]
    here = cli.in_process()
    here("review", "reject", review["id"], "--reason", "already refunded by phone", "--as", "bob")
    lines = _send(chat, "/reviews", "reviews")
    chat.communicate("\n", timeout=60)
    [decision] = [x for x in lines if x["type"] == "decision"]
    assert decision["review_id"] == review["id"] and decision["decided_by"] == "bob"
    assert decision["decision"]["decisions"][0]["message"] == "already refunded by phone"
    assert lines[-1]["reviews"] == []


class Lines:
    """A chat's JSON lines as they are printed, read on a thread so a test can wait for one
    that has not come with a timeout (the chat may be waiting for input)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            self.lines.put(json.loads(raw))
        self.lines.put(None)

    def until(self, done: Any, timeout: float = 120) -> list[dict[str, Any]]:
        """Lines until one for which `done` is true."""
        seen: list[dict[str, Any]] = []
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"nothing more printed in {timeout} s; seen: {seen}") from None
            if line is None:
                raise AssertionError(f"the chat ended; seen: {seen}")
            seen.append(line)
            if done(line):
                return seen


def _refund(chat: subprocess.Popen[str], lines: Lines) -> dict[str, Any]:
    assert chat.stdin is not None
    chat.stdin.write("Refund invoice INV-1002 in full, the customer was double charged\n")
    chat.stdin.flush()
    [refund] = [x for x in lines.until(lambda x: x["type"] == "outcome")]
    [review] = refund["outcome"]["pending"]
    assert review["summary"] and refund["outcome"]["status"] == "waiting"
    return dict(review)


def test_a_decision_elsewhere_is_reported_while_the_chat_waits_with_its_outcome(
    cli: Cli,
) -> None:
    """Nothing typed after the refund: the edit made in another shell is reported as it lands,
    then the refund's answer as the resumed run wrote it, the edited amount, not 299.00."""
    chat = _chat(cli)
    lines = Lines(chat)
    review = _refund(chat, lines)
    cli.in_process()(
        "review", "edit", review["id"], "--args", '{"amount": "50.00"}', "--as", "rita"
    )

    seen = lines.until(lambda x: x["type"] == "outcome")
    assert chat.stdin is not None
    chat.stdin.write(f"/show {review['id'][:8]}\n")
    chat.stdin.flush()
    [shown] = lines.until(lambda x: x["type"] == "review")
    chat.communicate("", timeout=60)

    # The recommendation is JSON, as `review show` prints it, not a Python dict's repr.
    assert 'recommended: {"decision": "' in shown["text"] and "{'decision'" not in shown["text"]
    # The decided review reads as what was decided, beside the proposal.
    assert (
        'proposed action issue_refund {"invoice_id": "INV-1002", "amount": "299.00"'
        in (shown["text"])
    )
    assert (
        "decided by rita: edited issue_refund (amount 299.00 → 50.00) and approved"
        in (shown["text"])
    )
    [decision, ran, outcome] = seen
    assert decision["type"] == "decision" and decision["review_id"] == review["id"]
    # Decided elsewhere, said in the words of a decision made in the chat (decision_lines):
    # before, "was decided by rita: edit" alone.
    assert decision["text"].startswith(f"review {review['id'][:10]} (turn 1, t1) decided by rita: ")
    assert (
        "edited issue_refund (amount 299.00 → 50.00) and approved issue_refund("
        in (decision["text"])
    )
    assert ran["type"] == "turn" and ran["turn"] == 1 and ran["review_ids"] == [review["id"]]
    assert outcome["outcome"]["turn"] == 1 and outcome["outcome"]["status"] == "completed"
    answer = outcome["text"]
    assert answer == outcome["outcome"]["answer"]
    assert "refunded 50.00 USD on INV-1002" in answer and "as edited by the reviewer" in answer
    assert "299.00" in answer  # what it was edited from
    [item] = cli.in_process().json("review", "list", "--status", "all")
    assert (item["status"], item["decided_by"]) == ("resumed", "rita")


def test_at_the_end_of_input_a_chat_reports_what_landed_since_it_last_looked(cli: Cli) -> None:
    """A script's chat (its watcher looking only once an hour) prints the decision made
    elsewhere and the decided turn's answer before it exits, not nothing."""
    chat = subprocess.Popen(
        [sys.executable, "-m", "ringmaster.cli", "chat", "--json", "--as", "ann"],
        cwd=ROOT, env={**cli.env, "RINGMASTER_CHAT_POLL_SECONDS": "3600"},
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines = Lines(chat)
    review = _refund(chat, lines)
    here = cli.in_process()
    here("review", "reject", review["id"], "--reason", "refunded by phone", "--as", "bob")
    assert chat.stdin is not None
    chat.stdin.close()

    seen = lines.until(lambda x: x["type"] == "outcome")
    assert chat.wait(timeout=60) == 0
    assert [x["type"] for x in seen] == ["decision", "turn", "outcome"]
    assert seen[0]["decided_by"] == "bob"
    assert "decided by bob: rejected issue_refund: refunded by phone" in seen[0]["text"]
    assert seen[2]["outcome"]["turn"] == 1 and seen[2]["outcome"]["answer"]
    assert (
        seen[2]["outcome"]["answer"]
        == here.json("thread", "show", review["thread_id"])["turns"][0]["answer"]
    )


def test_a_decision_in_the_chat_is_said_once_before_its_resumed_run(cli_in_process: Cli) -> None:
    """`/edit` in the chat: the decision as recorded (who, the change, the arguments that run)
    comes first, then the resumed run's progress and its outcome; before, the chat said
    nothing of the decision and showed the run alone."""
    cli = cli_in_process
    first = cli.json(
        "run", "Refund invoice INV-1002 in full, the customer was double charged", "--as", "ann"
    )
    [review] = first["pending"]
    typed = f'/edit {review["id"][:8]} {{"amount": "50.00"}}\n'
    done = cli("chat", "--as", "ann", "--thread", first["thread_id"], input=typed)
    screen = done.stdout
    decided = (
        f"review {review['id'][:10]} (turn 1, t1) decided by ann: edited issue_refund "
        "(amount 299.00 → 50.00) and approved issue_refund(invoice_id=INV-1002, amount=50.00"
    )
    assert screen.count("decided by") == 1, screen
    assert screen.count("turn 1: completed") == 1, screen
    at = [screen.index(s) for s in (decided, "t1 issue_refund: executed", "turn 1: completed")]
    assert at == sorted(at), screen
    json_lines = _piped(cli, "/reviews", args=("--thread", first["thread_id"]))
    assert [x["type"] for x in json_lines] == ["reviews"]  # nothing reported again


def test_a_chat_creates_no_thread_until_the_first_request(cli_in_process: Cli) -> None:
    cli = cli_in_process
    assert [x["type"] for x in _piped(cli, "/reviews")] == ["reviews"]
    assert cli.json("thread", "list") == []


def test_chat_continues_a_thread_named_by_a_prefix(cli_in_process: Cli) -> None:
    cli = cli_in_process
    first = cli.json("run", "What's the status of ticket TCK-1002?", "--as", "ann")
    thread = first["thread_id"]
    lines = _piped(cli, "close it", args=("--thread", thread[:8]))
    [outcome] = [x["outcome"] for x in lines if x["type"] == "outcome"]
    assert (outcome["thread_id"], outcome["turn"]) == (thread, 2)
    assert [t["id"] for t in cli.json("thread", "list")] == [thread]


def test_an_error_before_a_json_chat_starts_is_one_json_line_like_its_others(
    cli_in_process: Cli,
) -> None:
    """--json is one object per line; an unknown --thread was an indented {"error": …} over
    three lines, which a script reading a line at a time could not parse."""
    chat = cli_in_process("chat", "--json", "--as", "ann", "--thread", "zzzzzzzz", ok=False)
    assert chat.returncode == 2
    [line] = chat.stdout.splitlines()
    assert json.loads(line) == {"type": "error", "text": "no thread 'zzzzzzzz'"}


def test_a_blank_line_in_piped_requests_does_not_end_the_chat(cli_in_process: Cli) -> None:
    """A blank line is only a gap (a script's requests after it were once silently dropped;
    at a prompt, too, only Ctrl-D or /quit ends the chat: test_cli_chat_pty)."""
    lines = _piped(
        cli_in_process, "", "   ", "What's the status of ticket TCK-1002?", "", "/reviews"
    )
    kinds = [x["type"] for x in lines]
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
        "error: --status must be one of idle, queued, running, waiting, needs_input, completed,"
        " failed, quarantined, cancelled, not 'bogus'"
    ]


def test_a_turn_queued_before_the_chat_shows_its_answer_when_released(
    cli_in_process: Cli,
) -> None:
    """A turn held behind a review by an earlier chat is this chat's too: deciding the review
    here shows the held turn's answer, not only its progress."""
    cli = cli_in_process
    earlier = _piped(
        cli,
        "Refund invoice INV-1002 in full, the customer was double charged",
        "what is the status of INV-1002 now?",
    )
    [refund, held] = [x for x in earlier if x["type"] == "outcome"]
    thread = refund["outcome"]["thread_id"]
    [review] = refund["outcome"]["pending"]
    assert held["outcome"]["status"] == "queued" and held["outcome"]["turn"] == 2

    lines = _piped(cli, f"/approve {review['id'][:8]}", "/reviews", args=("--thread", thread))
    assert lines[-1]["type"] == "reviews"
    [ran] = [x for x in lines if x["type"] == "turn"]
    assert ran["turn"] == 2 and "has run" in ran["text"]
    outcomes = [x["outcome"] for x in lines if x["type"] == "outcome"]
    # Turn 2 ran once released, and its answer is shown here. (It named the invoice: how a
    # reference like "that refund" is routed is the planner's call, not this test's subject.)
    assert (outcomes[-1]["turn"], outcomes[-1]["status"]) == (2, "completed"), outcomes[-1]
    assert "INV-1002" in outcomes[-1]["answer"]


def test_reviews_with_none_pending_says_so(cli_in_process: Cli) -> None:
    """Not an empty table: a line saying there is nothing to decide."""
    out = cli_in_process("chat", "--as", "ann", input="/reviews\n").stdout
    assert "no pending reviews you may decide" in out and "Waiting for review" not in out


def test_the_review_table_reads_at_80_columns_with_whole_ids(cli: Cli) -> None:
    """At 80 columns the eight-column table squeezed the summary to a word a line and broke
    the ids a reviewer types across lines; the compact one keeps every field and whole ids."""
    from tests.ringmaster.test_cli import DEMO

    here = cli.in_process()  # the chat alone is a process: its width is read at its start
    here("run", DEMO)
    items = here.json("review", "list")
    assert len(items) == 2
    chat = subprocess.Popen(
        [sys.executable, "-m", "ringmaster.cli", "chat", "--as", "ann"],
        cwd=ROOT, env={**cli.env, "COLUMNS": "80"}, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    out, _ = chat.communicate("/reviews\n", timeout=120)
    table = out[out.index("Waiting for review") :]
    lines = table.splitlines()
    assert max(len(line) for line in lines) <= 80
    for item in items:  # on one line each: the short id, and the subtask with its thread
        assert any(item["id"][:10] in line for line in lines)
        assert any(f"{item['subtask_id']} of {item['thread_id']}" in line for line in lines)
        assert f"{item['kind']}, {item['agent']}" in table
    assert "refund of 999.00 is above the 100.00 limit" in " ".join(
        line.split("│")[3].strip() for line in lines if line.count("│") == 4
    )


def test_a_turn_that_asks_back_reads_as_waiting_for_the_answer(
    tmp_path: Path, db_url: str | None, planner_cache: Path
) -> None:
    """A skill that asked the requester back ended its subtask `needs_input`: the turn and
    the thread say they wait for the person's answer, not that they completed."""
    cli = InProcessCli(tmp_path, db_url, planner_cache)
    out = cli.json("run", "cancel that refund", "--as", "ann")  # nothing to cancel: asked back
    assert [s["status"] for s in out["subtasks"]] == ["needs_input"]
    assert out["status"] == "needs_input"
    thread = out["thread_id"]
    assert [t["id"] for t in cli.json("thread", "list", "--status", "needs_input")] == [thread]
    assert cli.json("thread", "show", thread)["status"] == "needs_input"
    shown = cli("thread", "show", thread).stdout
    assert f"thread {thread} by ann: needs_input" in shown
    assert "turn 1 waits for your answer" in shown


def test_thread_show_json_has_the_thread_status_and_every_turn(
    tmp_path: Path, db_url: str | None, planner_cache: Path
) -> None:
    cli = InProcessCli(tmp_path, db_url, planner_cache)
    first = cli.json("run", "What's the status of ticket TCK-1001?", "--as", "ann")
    thread = first["thread_id"]
    refund = cli.json("run", "Refund invoice INV-1002 in full", "--thread", thread, "--as", "ann")
    [review] = refund["pending"]
    cli.json("run", "what plan is that customer on?", "--thread", thread, "--as", "ann")

    shown = cli.json("thread", "show", thread)

    assert (shown["status"], shown["turn"]) == ("completed", 3)  # the latest turn's, as before
    assert shown["thread_status"] == "waiting"  # turn 2's review
    assert "history" in shown and "thread" in shown
    turns = shown["turns"]
    assert [(t["turn"], t["status"]) for t in turns] == [
        (1, "completed"),
        (2, "waiting"),
        (3, "completed"),
    ]
    assert turns[1]["request"] == "Refund invoice INV-1002 in full"
    assert turns[1]["pending"] == [review["id"]] and turns[1]["answer"] is None
    assert turns[0]["answer"].startswith("[t1 support: done]")
    assert [s["agent"] for s in turns[2]["subtasks"]] == ["billing"]


def test_edit_with_no_arguments_says_what_it_wants() -> None:
    """Not 'the arguments are not valid JSON (Expecting value …)': nothing was given."""
    for typed in ("", "   "):
        with pytest.raises(RingmasterError, match=r"^/edit wants the changed arguments as JSON"):
            DECISIONS["edit"](typed)
    with pytest.raises(RingmasterError, match="not valid JSON"):
        DECISIONS["edit"]("{bad")
    assert DECISIONS["edit"]('{"amount": "40.00"}').edits[0].args == {"amount": "40.00"}


def _two_records(task: AgentTask, tools: ToolBox) -> dict[str, Any]:
    tools.propose("record", description="record 50", amount=50, note="first")
    tools.propose("record", description="record 60", amount=60, note="second")
    return {"summary": "will record 50 and 60", "value": "110"}


def test_edit_names_which_action_of_a_review_and_refuses_one_it_lacks(
    tmp_path: Path, db_url: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    """'/edit ID {…}' always edited action 0; the number after the id picks it (0-based, as
    `review edit --action` and the API's `edits[].action` do)."""
    planner = ScriptedPlanner(plan_of(("big", "gamma")))
    deps, _ = make_deps(tmp_path, planner, {"gamma": ScriptedAgent(_two_records)})
    with Runner(Settings(home=tmp_path, db_url=db_url), deps=deps) as runner:
        out = runner.submit("record both", requester=Requester(id="ann"))
        (item,) = out.pending
        assert [a["args"]["note"] for a in item.payload["action_requests"]] == ["first", "second"]
        chat = Chat(runner, Requester(id="ann"), out.thread_id, json_mode=True)
        chat.command(f"/show {item.id[:8]}")
        shown = json.loads(capsys.readouterr().out)["text"].splitlines()
        assert [line.split(" {")[0] for line in shown if line.startswith("action")] == [
            "action 0: record",
            "action 1: record",
        ]
        for bad in ("2", "-1"):
            with pytest.raises(RingmasterError, match=rf"^edits: action {bad} does not exist"):
                chat.command(f'/edit {item.id[:8]} {bad} {{"amount": 7}}')
            assert runner.queue.get(item.id).status == "pending"
        chat.command(f'/edit {item.id[:8]} 1 {{"amount": 7}}')
        done = runner.outcome(out.thread_id, out.turn)
    assert [(a["args"]["note"], a["args"]["amount"]) for a in done.results["t1"]["actions"]] == [
        ("first", 50),
        ("second", 7),
    ]


def test_reject_wants_words_for_its_reason() -> None:
    """'/reject ID .' rejected the refund and told the requester "a reviewer rejected it (.)"."""
    for typed in ("", ".", "...", " - ", '""', "?!"):
        with pytest.raises(RingmasterError, match=r"^a rejection needs a reason, in words"):
            DECISIONS["reject"](typed)
    assert DECISIONS["reject"]("not paid yet").reason == "not paid yet"
    assert DECISIONS["reject"]("no").reason == "no"


def test_a_review_on_another_thread_names_the_chat_that_decides_it_as_the_same_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'decide it in `ringmaster chat --thread T`' left out the chat's `--as rev2`: typed as
    shown, it chatted as the login, not as the reviewer who was told."""
    monkeypatch.setattr(sys, "argv", ["ringmaster"])
    monkeypatch.delenv("RINGMASTER_HOME", raising=False)
    with Runner(Settings(home=tmp_path)) as runner:
        out = runner.submit("Refund invoice INV-1010 in full", requester=Requester(id="ann"))
        (item,) = out.pending
        other = runner.submit("what plan is CUS-1002 on?", requester=Requester(id="rev2"))
        chat = Chat(runner, Requester(id="rev2"), other.thread_id, json_mode=True, typed_as="rev2")
        with pytest.raises(RingmasterError) as said:
            chat.command(f"/show {item.id[:8]}")
    assert f"`ringmaster chat --thread {out.thread_id} --as rev2`" in str(said.value)
