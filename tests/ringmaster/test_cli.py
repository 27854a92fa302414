"""The CLI end to end on the demo team: in separate processes, as a user runs it, where a new
process is the point; in this process (`InProcessCli`) where only the command is."""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = (
    "Refund invoice INV-1004 in full, the customer cancelled, and roll back the api deployment "
    "in production, then draft a status update about the rollback."
)


class Cli:
    """The `ringmaster` CLI as a separate process on its own home, with no RINGMASTER_*
    setting of the calling environment (cache None: the planner's cache in the home)."""

    def __init__(self, home: Path, db_url: str | None, cache: Path | None) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("RINGMASTER_")}
        self.env.update(RINGMASTER_HOME=str(home), PYTHONPATH=str(ROOT))
        if cache is not None:  # train the planner once for all tests
            self.env["RINGMASTER_PLANNER_CACHE"] = str(cache)
        if db_url:
            self.env["RINGMASTER_DB_URL"] = db_url
        self.home = home
        self.db_url, self.cache = db_url, cache

    def in_process(self) -> InProcessCli:
        """The same CLI (home, store, cache) in this process."""
        return InProcessCli(self.home, self.db_url, self.cache)

    def __call__(self, *args: str, ok: bool = True, **run: Any) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "ringmaster.cli", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            **run,
        )
        if ok:
            assert proc.returncode == 0, proc.stderr
        return proc

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)

    def side_effects(self) -> list[tuple[str, str]]:
        with sqlite3.connect(self.home / "demo-company.db") as conn:
            return conn.execute("SELECT idempotency_key, tool FROM side_effects").fetchall()


class InProcessCli(Cli):
    """The same commands through the same entry point (`run_app`, as `main` runs them), in this
    process: for tests of what a command does, where a separate process is not what is checked.
    It saves the seconds each process start costs. Its umask is a fixed owner-only one, not
    `main`'s, so file permissions are tested in a real process (test_private_files)."""

    def __call__(self, *args: str, ok: bool = True, **run: Any) -> subprocess.CompletedProcess[str]:
        from ringmaster.cli import app
        from ringmaster.cli_output import run_app

        typed = run.pop("input", None)  # what is piped to its stdin, as `subprocess.run`'s
        assert not run, f"a separate process is needed for {run}"
        saved = {k: v for k, v in os.environ.items() if k.startswith("RINGMASTER_")}
        for k in saved:
            del os.environ[k]
        os.environ.update({k: v for k, v in self.env.items() if k.startswith("RINGMASTER_")})
        umask = os.umask(0o077)
        stdout, stderr = io.StringIO(), io.StringIO()
        stdin = sys.stdin  # a test's own stdin is kept when nothing is piped
        if typed is not None:
            sys.stdin = io.StringIO(typed)  # a pipe: not a terminal
        try:
            with redirect_stdout(stdout), redirect_stderr(stderr):
                try:
                    run_app(app, list(args))
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 1
        finally:
            sys.stdin = stdin
            os.umask(umask)
            for k in [k for k in os.environ if k.startswith("RINGMASTER_")]:
                del os.environ[k]
            os.environ.update(saved)
        proc = subprocess.CompletedProcess(list(args), code, stdout.getvalue(), stderr.getvalue())
        if ok:
            assert proc.returncode == 0, proc.stderr
        return proc


@pytest.fixture(scope="session")
def planner_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("planner-cache")


@pytest.fixture
def cli(tmp_path: Path, planner_cache: Path) -> Cli:
    """The CLI on SQLite. Every process start costs seconds, and what most CLI tests check
    (parsing, messages, output) is the same on either store, whose queries run on both backends
    in-process (test_audit, test_review_queue, test_turns, test_decision_identity, ...)."""
    return Cli(tmp_path, None, planner_cache)


@pytest.fixture
def cli_in_process(tmp_path: Path, planner_cache: Path) -> Cli:
    """The CLI on SQLite, in this process (`InProcessCli`)."""
    return InProcessCli(tmp_path, None, planner_cache)


@pytest.fixture
def cli_each_backend(tmp_path: Path, db_url: str | None, planner_cache: Path) -> Cli:
    """The CLI on SQLite and on Postgres: for what goes through the store between processes."""
    return Cli(tmp_path, db_url, planner_cache)


@pytest.mark.long  # a process per step
def test_demo_request_stops_for_approval_and_resumes_in_a_new_process(
    cli_each_backend: Cli,
) -> None:
    cli = cli_each_backend
    # The run and its resumes (the approvals) in processes of their own; the commands that
    # read, claim or refuse in this one, which saves a process start (seconds) each.
    here = cli.in_process()
    out = cli.json("run", DEMO)
    assert out["status"] == "waiting"
    plan = out["plan"]["subtasks"]
    assert [s["agent"] for s in plan] == ["billing", "ops", "content"]
    assert plan[2]["depends_on"] == [plan[1]["id"]]
    kinds = sorted((p["agent"], p["kind"]) for p in out["pending"])
    assert kinds == [("billing", "approval"), ("ops", "approval")]
    assert cli.side_effects() == []  # nothing ran before approval
    text = here("review", "show", out["pending"][0]["id"]).stdout
    shown_plan = text.split("plan:\n", 1)[1].splitlines()[: len(plan)]
    for line, sub in zip(shown_plan, plan, strict=True):
        assert f"{sub['id']} {sub['agent']}: {sub['description']}" in line
        assert line.startswith(" > ") == (sub["id"] == out["pending"][0]["subtask_id"])
    assert f"(after {plan[1]['id']})" in shown_plan[2]
    # Values as a reviewer reads them: JSON, not Python reprs; absent fields left out.
    assert not [line for line in text.splitlines() if line.endswith(": None")]
    assert "{'" not in text and "allowed: approve," in text
    here("review", "claim", out["pending"][0]["id"], "--as", "rita")
    assert "claimed by rita" in here("review", "show", out["pending"][0]["id"]).stdout

    for item in out["pending"]:
        shown = here.json("review", "show", item["id"][:10])
        assert shown["payload"]["context"]["request"] == DEMO
        assert shown["payload"]["action_requests"][0]["name"] in {
            "issue_refund",
            "rollback_deployment",
        }
        done = cli.json("review", "approve", item["id"][:10], "--as", "alice")
    assert done["status"] == "completed"
    assert {r["status"] for r in done["results"].values()} == {"done"}
    # The status update was written from the rollback's handoff.
    assert "2.13.2" in json.dumps(done["results"][plan[2]["id"]]["output"])
    assert sorted(tool for _, tool in cli.side_effects()) == ["issue_refund", "rollback_deployment"]

    again = here("review", "approve", out["pending"][0]["id"], ok=False)
    assert again.returncode == 2
    assert "already decided" in again.stderr and "Traceback" not in again.stderr
    assert len(cli.side_effects()) == 2

    shown = here.json("thread", "show", out["thread_id"])
    assert shown["status"] == "completed" and shown["history"][0]["request"] == DEMO

    story = here.json("audit", out["thread_id"])
    kinds = [e["kind"] for e in story]
    assert kinds[0] == "request_received" and kinds[-1] == "final_answer"
    assert kinds.count("human_decision") == 2 and kinds.count("side_effect") == 2
    assert here.json("audit", "verify") == {"ok": True, "problems": []}
    assert here.json("escalate") == {"escalated": [], "denied": [], "webhook_failures": []}


def test_policy_check(cli_in_process: Cli, tmp_path: Path) -> None:
    cli = cli_in_process
    assert cli.json("policy", "check")["ok"] is True
    bad = tmp_path / "bad.yaml"
    bad.write_text("approvals: {teleport: always}\n")
    proc = cli("policy", "check", str(bad), ok=False)
    assert proc.returncode == 1 and "approvals.teleport: no such tool" in proc.stderr
    bad.write_text("deadlines: {urgent: soon}\n")
    proc = cli("policy", "check", str(bad), ok=False)
    assert proc.returncode == 2 and "not a duration" in proc.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (("run", "   "), "the request is empty"),
        (("run", "hello", "--thread", "nope"), "no thread 'nope'"),
        (("review", "approve", "abcdef12"), "no review item"),
        (("review", "show", "ab"), "at least 4 characters"),
        (("thread", "show", "nope"), "no thread 'nope'"),
    ],
)
def test_user_mistakes_print_a_message_not_a_traceback(
    tmp_path: Path, db_url: str | None, planner_cache: Path, args: tuple[str, ...], message: str
) -> None:
    cli = InProcessCli(tmp_path, db_url, planner_cache)  # a traceback would raise here
    proc = cli(*args, ok=False)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_run_shows_the_plan_and_progress(cli_in_process: Cli) -> None:
    cli = cli_in_process
    proc = cli("run", "how many tickets were opened last week")
    assert "Plan (local)" in proc.stdout
    assert "t1 agent:analytics (attempt 1)" in proc.stdout
    assert "t1 validated: ok" in proc.stdout and "completed" in proc.stdout


def test_run_takes_the_configured_request_limit(cli_in_process: Cli) -> None:
    cli = cli_in_process
    long = "how many tickets were opened last week" + " please" * 1300  # over the default 8,000
    cli.env["RINGMASTER_MAX_REQUEST_CHARS"] = "20000"
    assert cli.json("run", long)["status"] == "completed"
    cli.env["RINGMASTER_MAX_REQUEST_CHARS"] = "100"
    proc = cli("run", long, ok=False)
    assert proc.returncode == 2 and "the limit is 100" in proc.stderr


def test_a_subtask_waiting_behind_a_review_is_listed_with_what_it_waits_for(
    cli_in_process: Cli,
) -> None:
    """The run's table lists every planned subtask: one that depends on work waiting for a
    person is there too, saying which (it was left out while it had no result)."""
    cli = cli_in_process
    out = cli.json("run", DEMO)
    plan = out["plan"]["subtasks"]
    waiting = [s for s in plan if s["depends_on"]]
    assert waiting and all(s["id"] not in out["results"] for s in waiting)
    rows = {r["subtask_id"]: r for r in out["subtasks"]}
    assert list(rows) == [s["id"] for s in plan]
    for s in waiting:
        [before] = s["depends_on"]
        assert rows[s["id"]]["status"] == "waiting"
        assert rows[s["id"]]["summary"] == f"waits for {before} (awaiting_review)"
    text = cli("thread", "show", out["thread_id"]).stdout
    table = text.split(f"turn 1: {out['status']}", 1)[1]
    for s in waiting:
        assert re.search(rf"│ {s['id']} +│ {s['agent']} +│ waiting +│ waits for", table), table
