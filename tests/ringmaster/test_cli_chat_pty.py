"""`ringmaster chat` in a real pseudo-terminal: the issue's six-turn session, typed as a person.

prompt_toolkit only runs when stdin and stdout are terminals, so this drives the chat through
`pty` (line editing with arrow keys, the prompt, the tables) and checks the demo database and
the review queue afterwards, not the screen alone.
"""

from __future__ import annotations

import os
import pty
import re
import select
import sqlite3
import subprocess
import sys
import time
from typing import Any

import pytest

from tests.ringmaster.test_cli import ROOT, Cli

CPR_REQUEST = b"\x1b[6n"  # prompt_toolkit asks where the cursor is; a terminal answers
LEFT = "\x1b[D"
DONE = re.compile(r"Thread \S+, turn \d+: (completed|waiting|failed)")
PROMPT = "you>"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


class Terminal:
    """A child process on a pseudo-terminal, read until a pattern shows (never a fixed sleep)."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**env, "TERM": "xterm", "COLUMNS": "400", "LINES": "50"},
            stdin=slave,
            stdout=slave,
            stderr=slave,
            close_fds=True,
        )
        os.close(slave)
        self.screen = ""  # everything printed, escape sequences and all
        self.at = 0  # where in the plain screen the next expect starts

    def expect(self, pattern: re.Pattern[str] | str, timeout: float = 240) -> str:
        """Read until `pattern` shows after the last match; the text up to it, plain."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        while True:
            plain = _plain(self.screen)
            found = regex.search(plain, self.at)
            if found:
                text, self.at = plain[self.at : found.end()], found.end()
                return text
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None and not _readable(self.master, 0):
                raise AssertionError(f"{regex.pattern!r} never showed; screen:\n{plain[self.at :]}")
            if _readable(self.master, min(left, 1.0)):
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the child closed the terminal
                    chunk = b""
                if CPR_REQUEST in chunk:
                    os.write(self.master, b"\x1b[1;1R")
                self.screen += chunk.decode("utf-8", "replace")

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def close(self) -> None:
        if self.proc.poll() is None:
            self.type("\x04")  # Ctrl-D at an empty prompt ends the chat
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        os.close(self.master)


def _readable(fd: int, timeout: float) -> bool:
    return bool(select.select([fd], [], [], timeout)[0])


def _plain(text: str) -> str:
    """The screen without terminal escape sequences."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]|\r", "", text)


def test_the_six_turn_session_in_a_terminal(cli: Cli) -> None:
    term = Terminal([sys.executable, "-m", "ringmaster.cli", "chat", "--as", "ann"], cli.env)
    try:
        term.expect(PROMPT, timeout=60)
        # A typo fixed with the arrow keys: the request sent is the edited line.
        term.type(f"What's the status of ticket TCK-101?{LEFT}{LEFT}0\r")
        first = term.expect(DONE)
        assert "^[[D" not in first
        term.expect(PROMPT)
        term.type("add a note to it saying we sent a reset link, and close it\r")
        term.expect(DONE)
        term.expect(PROMPT)
        term.type("Refund invoice INV-1002 in full, the customer was double charged\r")
        assert "waiting" in term.expect(DONE)
        # Inside the chat, the reviews are decided with its own commands.
        hint = term.expect(PROMPT)
        assert "Decide here: /show, /approve" in hint and "ringmaster review" not in hint
        [review] = cli.in_process().json("review", "list")
        term.type(f"/show {review['id'][:8]}\r")
        term.expect("action issue_refund")
        term.expect(PROMPT)
        term.type(f"/approve {review['id'][:8]}\r")
        assert "completed" in term.expect(DONE)
        term.expect(PROMPT)
        term.type("what plan is that customer on?\r")
        answer = term.expect(DONE) + term.expect(PROMPT)  # the result rows follow the title
    finally:
        term.close()

    assert "business" in answer  # CUS-1002, the customer of INV-1002, is on the business plan
    thread = review["thread_id"]
    history = cli.in_process().json("thread", "show", thread)["history"]
    assert [h["request"] for h in history] == [
        "What's the status of ticket TCK-1001?",  # edited with the arrow keys, no ^[[D
        "add a note to TCK-1001 saying we sent a reset link, and close TCK-1001",
        "Refund invoice INV-1002 in full, the customer was double charged",
        "what plan is CUS-1002 on?",
    ]
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


def _refund_waiting(term: Terminal, cli: Cli) -> dict[str, Any]:
    """The chat's first turn, a refund of INV-1002 that waits for its review: the review (the
    commands beside the chat run in this process, `InProcessCli`)."""
    term.expect(PROMPT, timeout=60)
    term.type("Refund invoice INV-1002 in full, the customer was double charged\r")
    assert "waiting" in term.expect(DONE)
    term.expect(PROMPT)
    [review] = cli.in_process().json("review", "list")
    return review  # type: ignore[no-any-return]


def test_a_request_runs_in_the_chat_while_a_review_waits(cli: Cli) -> None:
    term = Terminal([sys.executable, "-m", "ringmaster.cli", "chat", "--as", "ann"], cli.env)
    try:
        review = _refund_waiting(term, cli)
        # Not stuck behind the refund: the plan question runs and is answered at once.
        term.type("what plan is that customer on?\r")
        answer = term.expect(DONE) + term.expect(PROMPT)
        assert "completed" in answer and "business" in answer
        [still] = cli.in_process().json("review", "list")
        assert (still["id"], still["status"]) == (review["id"], "pending")
        assert [t for _, t in cli.side_effects()] == []
        # About the refund's invoice: it says it waits, and runs once the refund is decided.
        term.type("what is the status of INV-1002 now?\r")
        queued = term.expect("it runs once that review is decided")
        assert f"waits for review {review['id'][:8]}" in queued and "INV-1002" in queued
        term.expect(PROMPT)
        term.type(f"/approve {review['id'][:8]}\r")
        assert "completed" in term.expect(DONE)
        ran = term.expect("which waited for a review, has run") + term.expect(DONE)
        after = term.expect(PROMPT)
    finally:
        term.close()

    assert "turn 3" in ran and "refunded" in after
    assert [t for _, t in cli.side_effects()] == ["issue_refund"]
    history = cli.in_process().json("thread", "show", review["thread_id"])["history"]
    assert [h["request"] for h in history] == [
        "Refund invoice INV-1002 in full, the customer was double charged",
        "what plan is CUS-1002 on?",
        "what is the status of INV-1002 now?",
    ]


def test_a_decision_elsewhere_shows_above_the_prompt_as_it_lands(cli: Cli) -> None:
    """Nothing typed: the edit made in another shell and the refund's answer (the edited
    amount) show while the chat waits at its prompt, and the prompt is back below them."""
    term = Terminal([sys.executable, "-m", "ringmaster.cli", "chat", "--as", "ann"], cli.env)
    try:
        review = _refund_waiting(term, cli)
        cli.in_process()(
            "review", "edit", review["id"], "--args", '{"amount": "50.00"}', "--as", "rita"
        )
        decided = term.expect("whose review was decided elsewhere, has run", timeout=60)
        ran = term.expect(DONE) + term.expect(PROMPT)
        term.type("what plan is that customer on?\r")  # the prompt still takes a line
        answer = term.expect(DONE) + term.expect(PROMPT)
    finally:
        term.close()

    assert f"review {review['id'][:10]}" in decided and "decided by rita: edit" in decided
    assert "completed" in ran and "refunded 50.00 USD on INV-1002" in ran
    assert "business" in answer


def test_enter_and_ctrl_c_at_the_prompt_do_not_end_the_chat(cli: Cli) -> None:
    """An empty line (Enter hit by mistake) and Ctrl-C (the line being typed dropped) leave
    the chat running: only Ctrl-D or /quit end it."""
    term = Terminal([sys.executable, "-m", "ringmaster.cli", "chat", "--as", "ann"], cli.env)
    try:
        banner = term.expect(PROMPT)
        term.type("\r")
        term.expect(PROMPT)
        term.type("refund every invoice we ever sent\x03")  # typed, then thought better of
        dropped = term.expect(PROMPT)
        term.type("What's the status of ticket TCK-1001?\r")
        answer = term.expect(DONE) + term.expect(PROMPT)
        term.type("/quit\r")
        assert term.proc.wait(timeout=60) == 0
    finally:
        term.close()

    assert "Ctrl-D or /quit to quit" in banner
    assert "TCK-1001" in answer and "open" in answer
    assert "refund" not in _plain(term.screen).split("What's the status")[1]
    # Nothing ran for the dropped line: no plan, no turn, before the prompt came back.
    assert "Plan" not in dropped and "Thread" not in dropped
