"""`ringmaster chat`: a conversation on one thread, with its reviews decided in place.

Each line is a request on the thread; a line starting with `/` is a command (`/help` lists
them). Decisions go through the same path as `ringmaster review …`, as the person chatting.
A request runs while earlier reviews wait, unless it is about their work: then it says which
review it waits for, and its answer is shown once that review is decided and the request has
run. Decisions made elsewhere (another terminal, the web page) are reported when they land. In a
terminal, lines can be edited and earlier ones recalled (prompt_toolkit, history kept under
the data directory); piped input is read line by line.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from ringmaster.cli_output import (
    SHORT_ID,
    USER_ERRORS,
    AsOpt,
    cli_runner,
    err,
    me,
    out,
    print_items,
    print_none,
    print_outcome,
    progress,
)
from ringmaster.decisions import Decision, DecisionService, Edit, parse_args_json
from ringmaster.errors import RingmasterError
from ringmaster.graph.state import Requester
from ringmaster.review_queue import ReviewItem
from ringmaster.runner import Runner, RunOutcome
from ringmaster.settings import Settings

HELP = """commands:
  /reviews                 pending reviews on this thread
  /show ID                 one review: request, blocker, proposed action
  /approve ID              approve every action of the review
  /edit ID {"arg": value}  change an action's arguments and approve it
  /reject ID [reason]      reject; the reason is shown to the requester
  /respond ID text         answer in place of the action
  /quit                    end the chat (so do Ctrl-D, and an empty line at a prompt)"""
CHAT_DECIDE_HINT = "Decide here: /show, /approve, /edit, /reject or /respond ID (/help for more)"


def _at_prompt() -> bool:
    """A person types at a terminal (else lines come from a pipe or a file)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _lines(history_file: Path) -> Iterator[str]:
    """Lines typed at a prompt with editing and history, or read from a pipe."""
    if _at_prompt():
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory

        history_file.parent.mkdir(parents=True, exist_ok=True)
        session: PromptSession[str] = PromptSession(history=FileHistory(str(history_file)))
        while True:
            try:
                yield session.prompt("you> ")
            except (EOFError, KeyboardInterrupt):
                return
    else:
        for line in sys.stdin:
            yield line.rstrip("\n")


def _status_line(o: RunOutcome) -> str:
    """A turn with no answer yet, in words: its status and what it waits for."""
    line = f"turn {o.turn}: {o.status}"
    if o.pending:
        waits = "; ".join(f"review {i.id[:SHORT_ID]} ({i.summary})" for i in o.pending)
        line += f", waiting for {waits}"
    if o.queued_behind:
        line += ", queued behind " + ", ".join(b["review_id"][:SHORT_ID] for b in o.queued_behind)
    return line


class Chat:
    """One person's conversation on one thread; the thread is created by the first request."""

    def __init__(self, runner: Runner, requester: Requester, thread: str | None, json_mode: bool):
        self.runner, self.requester, self.thread, self.json_mode = (
            runner,
            requester,
            thread,
            json_mode,
        )
        self.known: dict[str, str] = {}  # review id -> status this chat has already reported
        self.held: set[int] = set()  # turns queued behind reviews, to report when they run
        if thread is not None:
            runner.threads.get(thread)  # NotFound for an unknown thread
            self.known = {i.id: i.status for i in self._items()}
            # Turns an earlier chat (or `run`) left queued behind reviews: their answers are
            # this conversation's too once they run.
            self.held = {j.turn for j in runner.jobs.held(thread)}

    def _items(self) -> list[ReviewItem]:
        if self.thread is None:
            return []
        return self.runner.queue.list(status=None, thread_id=self.thread, limit=1000)

    def say(self, kind: str, text: str, **data: Any) -> None:
        if self.json_mode:
            sys.stdout.write(json.dumps({"type": kind, "text": text, **data}, default=str) + "\n")
            sys.stdout.flush()
        else:
            out.print(text, markup=False)

    def report_decisions(self) -> None:
        """Say which of the thread's reviews were decided since the chat last looked."""
        for item in self._items():
            before = self.known.get(item.id)
            self.known[item.id] = item.status
            if before == "pending" and item.status != "pending" and item.decision:
                kinds = ", ".join(d.get("type", "?") for d in item.decision.get("decisions", []))
                self.say(
                    "decision",
                    f"review {item.id[:10]} ({item.subtask_id}: {item.summary}) was decided "
                    f"by {item.decided_by}: {kinds}",
                    review_id=item.id,
                    decided_by=item.decided_by,
                    decision=item.decision,
                )

    def report_held(self) -> None:
        """Show the turns that waited for reviews once they have run (here or elsewhere), or
        say they were cancelled."""
        for turn in sorted(self.held):
            assert self.thread is not None
            outcome = self.runner.outcome(self.thread, turn)
            if outcome.status in ("queued", "running"):
                continue
            self.held.discard(turn)
            if outcome.status == "cancelled":  # with its thread: it never ran
                self.say(
                    "turn", f"turn {turn}, which waited for a review, was cancelled", turn=turn
                )
                continue
            self.say("turn", f"turn {turn}, which waited for a review, has run:", turn=turn)
            self.show(outcome)

    def show(self, outcome: RunOutcome) -> None:
        self.thread = outcome.thread_id
        if outcome.queued_behind:
            self.held.add(outcome.turn)
        for item in outcome.pending:
            self.known.setdefault(item.id, item.status)
        if self.json_mode:
            self.say("outcome", outcome.answer or _status_line(outcome), outcome=outcome.to_dict())
        else:
            print_outcome(outcome, decide_hint=CHAT_DECIDE_HINT)

    def request(self, text: str) -> None:
        self.show(self.runner.submit(text, thread_id=self.thread, requester=self.requester))

    def command(self, line: str) -> bool:
        """Run one /command; False when the chat should end."""
        name, _, rest = line[1:].partition(" ")
        rest = rest.strip()
        if name in {"quit", "exit"}:
            return False
        if name == "help":
            self.say("help", HELP)
        elif name == "reviews":
            items = [i for i in self._items() if i.status == "pending"]
            if self.json_mode:
                self.say("reviews", "", reviews=[i.to_dict(with_payload=False) for i in items])
            elif items:
                print_items(items, title="Waiting for review")
            else:
                print_none("pending reviews on this thread")
        elif name == "show":
            item = self._find(rest)
            ctx = item.payload.get("context", {})
            lines = [f"{item.id} ({item.status}) {item.subtask_id}: {item.summary}"]
            lines += [f"{k}: {ctx.get(k)}" for k in ("request", "blocker", "recommended")]
            lines += [
                f"action {a['name']} {json.dumps(a['args'])}"
                for a in item.payload["action_requests"]
            ]
            self.say("review", "\n".join(lines), review=item.to_dict())
        elif name in DECISIONS:
            ref, _, arg = rest.partition(" ")
            item = self._find(ref)
            decision = DECISIONS[name](arg.strip())
            outcome = DecisionService(
                self.runner, scheduler=self.runner.resume_scheduler, resume=self.runner.drive
            ).decide(item, decision, self.requester.id)
            self.known[item.id] = "decided"
            self.show(outcome)
        else:
            raise RingmasterError(f"unknown command /{name}; /help lists them")
        return True

    def _find(self, ref: str) -> ReviewItem:
        if not ref:
            raise RingmasterError("which review? give its id (any unique prefix)")
        item = self.runner.queue.find(ref)
        if item.thread_id != self.thread:
            raise RingmasterError(f"review {ref} is not on this thread")
        return item


def _edit(arg: str) -> Decision:
    return Decision("edit", edits=(Edit(0, parse_args_json(arg, "/edit's arguments")),))


def _message(kind: str) -> Callable[[str], Decision]:
    def make(arg: str) -> Decision:
        text = " ".join(shlex.split(arg)) if arg else None
        if kind == "respond" and not text:
            raise RingmasterError("/respond wants a message after the review id")
        return Decision(kind, reason=text) if kind == "reject" else Decision(kind, message=text)

    return make


# What each /command decides, from the text after the review id.
DECISIONS: dict[str, Callable[[str], Decision]] = {
    "approve": lambda _: Decision("approve"),
    "edit": _edit,
    "reject": _message("reject"),
    "respond": _message("respond"),
}


def chat(
    thread: Annotated[str | None, typer.Option(help="Continue this thread.")] = None,
    as_: AsOpt = None,
    json_mode: Annotated[
        bool, typer.Option("--json", help="One JSON object per line, for scripts.")
    ] = False,
) -> None:
    """A conversation on one thread: each line is a request, `/help` lists the commands."""
    with cli_runner(progress(json_mode)) as runner:
        requester = Requester(id=me(as_), scopes=runner.default_scopes())
        if thread is not None:
            thread = runner.threads.find(thread).id  # an id or a unique prefix of it
        session = Chat(runner, requester, thread, json_mode)
        if not json_mode:
            where = f"thread {thread}" if thread else "a new thread"
            ends = ", an empty line to quit" if _at_prompt() else ""
            out.print(f"{where}; /help for commands{ends}", markup=False)
        for raw in _lines(Settings().home / "chat_history"):
            line = raw.strip()
            if not line:
                if _at_prompt():
                    break  # a person's way out; in piped input a blank line is only a gap
                continue
            session.report_decisions()
            session.report_held()
            try:
                if line.startswith("/"):
                    if not session.command(line):
                        break
                else:
                    session.request(line)
            except USER_ERRORS as exc:
                if json_mode:
                    session.say("error", str(exc))
                else:
                    err.print(f"error: {exc}", markup=False, soft_wrap=True)
            session.report_decisions()
            session.report_held()
