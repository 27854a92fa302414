"""`ringmaster run` reads a request from its argument, stdin (`-`) or `--file`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ringmaster.test_cli import ROOT, Cli


def _run(cli: Cli, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ringmaster.cli", "run", *args, "--json"],
        cwd=ROOT,
        env=cli.env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.long  # a CLI process loading the planner
def test_a_request_from_stdin_and_from_a_file(cli: Cli, tmp_path: Path) -> None:
    # A real process reads the piped request from its own stdin; the file is read the same in
    # this process (a process start saved).
    piped = _run(cli, "-", stdin="What's the status of ticket TCK-1001?\n")
    assert piped.returncode == 0, piped.stderr
    request = tmp_path / "request.txt"
    request.write_text("how many tickets were opened last week", encoding="utf-8")
    here = cli.in_process()
    filed = here("run", "--file", str(request), "--json", ok=False)
    assert filed.returncode == 0, filed.stderr
    threads = {piped.stdout and _thread(piped.stdout), _thread(filed.stdout)}
    # What both runs stored is read back in this process too (two process starts saved).
    requests = {h["request"] for t in threads for h in here.json("thread", "show", t)["history"]}
    assert requests == {
        "What's the status of ticket TCK-1001?",
        "how many tickets were opened last week",
    }


def test_thread_show_prints_the_earlier_turns(cli_in_process: Cli) -> None:
    cli = cli_in_process  # reading stdin is not part of it: no process needed
    first = cli("run", "What's the status of ticket TCK-1001?", "--json", ok=False)
    thread = _thread(first.stdout)
    again = cli("run", "how many tickets were opened last week", "--thread", thread, "--json")
    assert again.returncode == 0, again.stderr
    shown = cli("thread", "show", thread).stdout
    answer = cli.json("thread", "show", thread)["history"][0]["answer"]
    assert "turn 1: What's the status of ticket TCK-1001?" in shown
    assert " ".join(answer.split())[:60] in " ".join(shown.split())
    assert "turn 2 (the latest): how many tickets were opened last week" in shown
    # A unique prefix names the thread, as review ids do; too short a one is one line.
    assert cli.json("thread", "show", thread[:6])["thread"]["id"] == thread
    short = cli("thread", "show", thread[:3], ok=False)
    assert short.returncode == 2
    assert (
        short.stderr.strip()
        == f"error: no thread '{thread[:3]}' (give at least 4 characters of the id)"
    )


def _thread(stdout: str) -> str:
    return str(json.loads(stdout)["thread_id"])


def test_request_input_mistakes_are_one_line_and_exit_2(cli: Cli, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("x" * 200_000, encoding="utf-8")  # over what one argv string may carry
    cases = [
        ((), "give the request as an argument, - for stdin, or --file, once"),
        (("hello", "--file", str(big)), "give the request as an argument"),
        (("--file", str(tmp_path / "missing.txt")), "cannot read --file"),
        (("--file", str(big)), "characters; the limit is"),
        (("-",), "the request is empty"),
    ]
    here = cli.in_process()  # what the checks refuse, not a process, is tested: seconds each
    for args, message in cases:
        proc = here("run", *args, "--json", ok=False, input="")
        assert proc.returncode == 2, (args, proc.stderr)
        said = proc.stdout + proc.stderr  # --json reports the error as a JSON object
        assert message in said and "Traceback" not in said, (args, said)
    assert cli.json("thread", "list") == []  # nothing stored for a refused request


def test_thread_show_marks_an_earlier_answer_it_cuts(cli_in_process: Cli) -> None:
    cli = cli_in_process
    first = cli.json("run", "show tickets TCK-1001 and TCK-1002")
    thread = first["thread_id"]
    cli("run", "how many tickets were opened last week", "--thread", thread, "--json")
    answer = " ".join(cli.json("thread", "show", thread)["history"][0]["answer"].split())
    assert len(answer) > 200  # long enough to be cut
    flat = " ".join(cli("thread", "show", thread).stdout.split())
    cut = flat.split("-> ", 1)[1].split(" turn 2 (the latest)", 1)[0]
    # Not "… is open with h", read as the whole answer: a cut answer says it was cut.
    assert cut.endswith("…") and answer.startswith(cut[:-1]), cut


def test_run_and_review_correct_take_a_thread_prefix_as_thread_show_does(
    cli_in_process: Cli,
) -> None:
    cli = cli_in_process
    thread = cli.json("run", "What's the status of ticket TCK-1001?")["thread_id"]
    again = cli.json("run", "how many tickets were opened last week", "--thread", thread[:6])
    assert again["thread_id"] == thread and again["turn"] == 2
    fixed = cli.json("review", "correct", thread[:6], "t1", "--agent", "analytics")
    assert fixed["thread_id"] == thread
    short = cli("run", "close it", "--thread", thread[:3], ok=False)
    assert short.returncode == 2 and "give at least 4 characters" in short.stderr


def test_review_list_takes_a_thread_prefix_and_refuses_an_unknown_thread(
    cli_in_process: Cli,
) -> None:
    """`review list --thread` took only a whole id: a prefix (as `thread show` takes) or a
    mistyped id said 'no review items with status pending and thread …' of a thread with a
    review waiting."""
    cli = cli_in_process
    out = cli.json("run", "Refund invoice INV-1002 in full")
    thread, [item] = out["thread_id"], out["pending"]
    listed = cli.json("review", "list", "--thread", thread[:6])
    assert [i["id"] for i in listed] == [item["id"]]
    proc = cli("review", "list", "--thread", "nope1", ok=False)
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == ["error: no thread 'nope1'"]


def test_review_correct_to_the_planned_agent_says_nothing_was_recorded(
    cli_in_process: Cli,
) -> None:
    """It printed 'recorded: THREAD/t1 belongs to support (0 correction(s) in all)': the
    service records nothing for a routing that was right, and says so (False)."""
    cli = cli_in_process
    out = cli.json("run", "What's the status of ticket TCK-1001?")
    thread, [sub] = out["thread_id"], out["plan"]["subtasks"]
    assert sub["agent"] == "support"
    same = cli.json("review", "correct", thread, "t1", "--agent", "support")
    assert (same["recorded"], same["corrections"]) == (False, 0)
    said = " ".join(cli("review", "correct", thread, "t1", "--agent", "support").stdout.split())
    assert said == f"nothing recorded: {thread}/t1 was routed to support (0 correction(s) in all)"
    moved = cli.json("review", "correct", thread, "t1", "--agent", "analytics")
    assert (moved["recorded"], moved["corrections"]) == (True, 1)


def test_a_later_review_correct_replaces_the_earlier_and_the_planned_agent_undoes_it(
    cli_in_process: Cli,
) -> None:
    """Correcting a subtask twice recorded two corrections, and correcting it back to the
    planned agent recorded nothing and left the wrong one standing (and taught)."""
    cli = cli_in_process
    thread = cli.json("run", "What's the status of ticket TCK-1001?")["thread_id"]
    first = cli.json("review", "correct", thread, "t1", "--agent", "analytics")
    assert (first["outcome"], first["recorded"], first["corrections"]) == ("recorded", True, 1)

    def said(agent: str) -> str:
        return " ".join(cli("review", "correct", thread, "t1", "--agent", agent).stdout.split())

    assert said("billing") == (
        f"recorded: {thread}/t1 belongs to billing, replacing the correction to analytics "
        "(1 correction(s) in all)"
    )
    again = cli.json("review", "correct", thread, "t1", "--agent", "billing")
    assert (again["outcome"], again["recorded"], again["corrections"]) == ("unchanged", False, 1)
    assert said("support") == (
        f"removed the correction to billing: {thread}/t1 was routed to support "
        "(0 correction(s) in all)"
    )
    gone = cli.json("review", "correct", thread, "t1", "--agent", "support")
    assert (gone["outcome"], gone["recorded"], gone["corrections"]) == ("unchanged", False, 0)


def test_thread_show_says_what_runs_a_queued_thread(cli_in_process: Cli) -> None:
    """A request queued with --no-wait, or left queued by a process stopped mid-run, runs
    only when a worker takes it: `thread show` says so instead of only 'queued'."""
    cli = cli_in_process
    thread = cli.json("run", "What's the status of ticket TCK-1001?", "--no-wait")["thread_id"]
    shown = " ".join(cli("thread", "show", thread).stdout.split())
    assert "queued" in shown and "ringmaster worker`" in shown
    cli("worker", "--once")
    assert "ringmaster worker`" not in cli("thread", "show", thread).stdout


def test_thread_show_says_a_run_whose_process_is_gone_is_not_running(
    cli_in_process: Cli,
) -> None:
    """A server or worker killed mid-run left the thread 'running', and `thread show` said so
    until a worker started, though nothing ran it."""
    from ringmaster.settings import Settings
    from ringmaster.tables import make_engine
    from ringmaster.thread_store import HOST, ThreadStore

    cli = cli_in_process
    thread = cli.json("run", "What's the status of ticket TCK-1001?", "--no-wait")["thread_id"]
    store = ThreadStore(make_engine(Settings(home=cli.home).app_db_url))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    assert store.try_lock(thread, f"{HOST}:{gone}:dead")
    store.set(thread, status="running")
    shown = " ".join(cli("thread", "show", thread).stdout.split())
    assert f"not running now: the process that ran it ({HOST}:{gone}:dead) is gone" in shown
    store.unlock(thread, f"{HOST}:{gone}:dead")
    assert "not running now" not in cli("thread", "show", thread).stdout


def test_run_refuses_a_scope_no_agent_takes(cli_in_process: Cli) -> None:
    """`--scopes supprt` (or an empty list) silently sent every subtask to a person, as a
    requester reaching nothing; `users add --scopes` refuses the same typo. 'all' is every
    scope, as there."""
    cli = cli_in_process
    typo = cli(
        "run", "What's the status of ticket TCK-1001?", "--scopes", "billing,supprt", ok=False
    )
    assert typo.returncode == 2
    (line,) = typo.stderr.strip().splitlines()
    assert line.startswith("error: unknown scope 'supprt': the team's agents take analytics, ")
    empty = cli("run", "What's the status of ticket TCK-1001?", "--scopes", " , ", ok=False)
    assert empty.returncode == 2 and "names no scope" in empty.stderr
    assert cli.json("thread", "list") == []  # nothing was accepted
    every = cli.json("run", "What's the status of ticket TCK-1001?", "--scopes", "all")
    assert every["status"] == "completed"
    assert [r["agent"] for r in every["results"].values()] == ["support"]
