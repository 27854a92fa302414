"""`ringmaster chat`: a conversation on one thread, with its reviews decided in place.

Each line is a request on the thread; a line starting with `/` is a command (`/help` lists
them). Decisions go through the same path as `ringmaster review …`, as the person chatting;
the decision is said as recorded (who decided what, the arguments that run) before the
resumed run's progress and answer.
A request runs while earlier reviews wait, unless it is about their work: then it says which
review it waits for, and its answer is shown once that review is decided and the request has
run. Decisions made elsewhere (another terminal, the web page) are reported when they land,
also while the chat waits for a line: a watcher thread looks at the thread's audit trail every
RINGMASTER_CHAT_POLL_SECONDS (as the API's event streams do) and, once the decided turn's run
has finished, shows its answer as the run wrote it (what was executed, with a reviewer's
edits). At a prompt these reports are printed above it (prompt_toolkit's `patch_stdout`); with
`--json` they are JSON lines. At the end of piped input, the runs the chat reported as going
are waited for (ringmaster/chat_settle.py) and their outcomes printed before the chat exits.
Reopened with `--thread`, the chat first says what happened since the person last saw the
thread (ringmaster/chat_recap.py): reviews others decided, and each turn answered since.
In a terminal, lines can be edited and earlier ones recalled (prompt_toolkit, history kept
under the data directory); piped input is read line by line.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from ringmaster.accounts import Accounts, check_viewer, requester_scopes
from ringmaster.chat_recap import since_last_seen
from ringmaster.chat_settle import settle
from ringmaster.cli_options import PREFIX_WORDS
from ringmaster.cli_output import (
    SHORT_ID,
    USER_ERRORS,
    AsOpt,
    allowed_decisions,
    cli_runner,
    command,
    decide_hint,
    err,
    interrupted,
    me,
    or_list,
    out,
    print_items,
    print_none,
    print_outcome,
    progress,
)
from ringmaster.decision_text import decision_lines
from ringmaster.decisions import (
    Decision,
    DecisionService,
    Edit,
    check_decider,
    may_decide,
    may_review,
    parse_args_json,
    reject_reason,
)
from ringmaster.errors import RingmasterError
from ringmaster.graph.state import Requester
from ringmaster.review_queue import ReviewItem
from ringmaster.runner import STREAMING, Runner, RunOutcome
from ringmaster.settings import Settings
from ringmaster.withdraw import WITHDRAWN

Progress = Callable[[tuple[str, ...], dict[str, Any]], None]

HELP_READ = """commands:
  /reviews                 pending reviews on this thread
  /show ID                 one review: request, blocker, proposed action
"""
HELP_DECIDE = """  /approve ID              approve every action of the review
  /edit ID [N] {"arg": value}
                           change action N's arguments (0-based, default 0, as
                           `review edit --action N`) and approve the review
  /reject ID reason        reject; the reason is shown to the requester
  /respond ID text         answer in place of the action
"""
# For one who decides no review: a reviewer decides theirs, and calling one off is theirs.
HELP_WITHDRAW = """  a reviewer decides your reviews; to call one off, say so ("cancel that refund",
  "never mind")
"""
HELP_QUIT = (
    "  /quit                    end the chat (so does Ctrl-D; Ctrl-C only drops the line typed)"
)
HELP = HELP_READ + HELP_DECIDE + HELP_QUIT


def chat_decisions_hint(items: list[ReviewItem]) -> str:
    """The chat's decision commands for `items`: only the decisions they allow."""
    said = ["/show"] + [f"/{d}" for d in allowed_decisions(items)]
    return f"Decide here: {or_list(said)} ID (/help for more)"


def help_text(decides: bool) -> str:
    """/help's text: the decision commands only for one who may decide reviews."""
    return HELP_READ + (HELP_DECIDE if decides else HELP_WITHDRAW) + HELP_QUIT


def chat_decide_hint(items: list[ReviewItem], decidable: list[ReviewItem], who: str) -> str:
    """`decide_hint` in a chat: its /commands, a call-off said here."""
    return decide_hint(
        items, decidable, who,
        decide=chat_decisions_hint(decidable),
        call_off='say so here ("cancel that", "never mind")',
        show="/show ID",
    )  # fmt: skip


def _at_prompt() -> bool:
    """A person types at a terminal (else lines come from a pipe or a file)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _lines(history_file: Path) -> Iterator[str]:
    """Lines typed at a prompt with editing and history, or read from a pipe."""
    if _at_prompt():
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory
        from prompt_toolkit.patch_stdout import patch_stdout

        history_file.parent.mkdir(parents=True, exist_ok=True)
        session: PromptSession[str] = PromptSession(history=FileHistory(str(history_file)))
        while True:
            try:
                # What the watcher prints while the prompt is up goes above it, not into it.
                with patch_stdout(raw=True):
                    line = session.prompt("you> ")
            except KeyboardInterrupt:  # Ctrl-C drops the line being typed, as in a shell
                continue
            except EOFError:  # Ctrl-D
                return
            yield line
    else:
        for line in sys.stdin:
            yield line.rstrip("\n")


def _status_line(o: RunOutcome) -> str:
    """A turn with no answer yet, in words: its status and what it waits for."""
    line = f"turn {o.turn}: {o.status}"
    own = [i for i in o.pending if i.turn == o.turn]  # the thread's others are not its own
    if own:
        waits = "; ".join(f"review {i.id[:SHORT_ID]} ({i.summary})" for i in own)
        line += f", waiting for {waits}"
    if o.queued_behind:
        line += ", queued behind " + ", ".join(b["review_id"][:SHORT_ID] for b in o.queued_behind)
    return "\n".join([*o.notes(), line])


class Chat:
    """One person's conversation on one thread; the thread is created by the first request."""

    def __init__(
        self,
        runner: Runner,
        requester: Requester,
        thread: str | None,
        json_mode: bool,
        review_only: str | None = None,
        typed_as: str | None = None,
    ):
        self.runner, self.requester, self.thread, self.json_mode = (
            runner,
            requester,
            thread,
            json_mode,
        )
        # Another's thread opened by a reviewer: its requester's name; they alone send requests.
        self.review_only = review_only
        self.typed_as = typed_as  # the chat's `--as`, for the commands it suggests
        self.known: dict[str, str] = {}  # review id -> status this chat has already reported
        self.mine: set[int] = set()  # turns requested in this chat
        self.held: set[int] = set()  # turns queued behind reviews, to report when they run
        # Turns with reviews decided elsewhere, to show once their resumed run has finished:
        # turn -> the ids of those reviews.
        self.decided: dict[int, set[str]] = {}
        # The run the line being handled is about, (thread, turn): its progress is shown as it
        # goes; another turn run meanwhile (released from behind a review, a resume) is told
        # once it has run, after this one's answer, under a line naming it.
        self.focus: tuple[str, int] | None = None
        # The pending reviews whose table this chat printed last: unchanged, a line says so.
        self.tabled: frozenset[str] | None = None
        self.lock = threading.Lock()  # one writer at a time: the loop or the watcher
        self.seen = 0  # the audit sequence number the watcher last looked at
        if thread is not None:
            runner.threads.get(thread)  # NotFound for an unknown thread
            self.known = {i.id: i.status for i in self._items()}
            # Turns an earlier chat (or `run`) left queued behind reviews: their answers are
            # this conversation's too once they run.
            self.held = {j.turn for j in runner.jobs.held(thread)}

    def focused(self, show: Progress | None) -> Progress | None:
        """The runner's progress hook showing only the focused run's progress."""
        if show is None:
            return None

        def hook(namespace: tuple[str, ...], update: dict[str, Any]) -> None:
            running = STREAMING.get()
            if running is None or running == self.focus:
                show(namespace, update)

        return hook

    def _items(self) -> list[ReviewItem]:
        if self.thread is None:
            return []
        return self.runner.queue.list(status=None, thread_id=self.thread, limit=1000)

    def say(self, kind: str, text: str, **data: Any) -> None:
        if self.json_mode:
            sys.stdout.write(json.dumps({"type": kind, "text": text, **data}, default=str) + "\n")
            sys.stdout.flush()
        else:  # never cut inside a word: what it says can hold a command with a long path
            out.print(text, markup=False, soft_wrap=True)

    def report_decisions(self) -> None:
        """Say which of the thread's reviews were decided since the chat last looked; not
        those a turn of this chat withdrew ("never mind", "sorry, I meant …") or whose
        question it answered ("the first one"): that turn's own answer said so, and they were
        not decided elsewhere."""
        here: tuple[set[str], set[int]] | None = None  # read only when a review's status moved
        for item in self._items():
            before = self.known.get(item.id)
            self.known[item.id] = item.status
            if before == "pending" and item.status != "pending" and item.decision:
                if here is None:
                    here = self._decided_here()
                withdrawn, answered = here
                if item.id in withdrawn or (item.kind == "routing" and item.turn in answered):
                    continue
                self.say_decided(item)  # in the words of a decision made in this chat
                self.decided.setdefault(item.turn, set()).add(item.id)

    def _decided_here(self) -> tuple[set[str], set[int]]:
        """The reviews that turns of this chat withdrew (their `review_withdrawn` events), and
        the turns whose question a turn of this chat answered (its `references` event names
        the turn it answers; ringmaster/turns.py closes that turn's question)."""
        assert self.thread is not None
        events = [e for e in self.runner.audit.for_thread(self.thread)
                  if e.data.get("turn") in self.mine]  # fmt: skip
        withdrawn = {str(e.data.get("review_id")) for e in events if e.kind == WITHDRAWN}
        answered = {
            int(e.data["answers"])
            for e in events
            if e.kind == "references" and isinstance(e.data.get("answers"), int)
        }
        return withdrawn, answered

    def recap(self) -> None:
        """On reopening a thread: what happened since this person last saw it, briefly —
        the reviews others decided, and each turn answered since, in a line."""
        assert self.thread is not None
        since = since_last_seen(self.runner.audit.for_thread(self.thread), self.requester.id)
        if not since:
            return
        self.say(
            "recap",
            f"since you last saw thread {self.thread}:",
            review_ids=since.decided,
            turns=since.answered,
        )
        for review_id in since.decided:
            item = self.runner.queue.get(review_id)
            self.say_decided(item)
            if item.status == "decided" and item.turn not in since.answered:
                self.decided.setdefault(item.turn, set()).add(item.id)  # to show once it runs
        for turn in since.answered:
            o = self.runner.outcome(self.thread, turn)
            self.say(
                "answered",
                f"turn {turn} ({o.status}): {o.answer or _status_line(o)}",
                turn=turn,
                status=o.status,
                answer=o.answer,
            )

    def report_decided(self) -> None:
        """Show the turns whose reviews were decided elsewhere once the run resumed with those
        decisions has finished: their answers say what was done (edits included)."""
        for turn in sorted(self.decided):
            assert self.thread is not None
            ids = self.decided[turn]
            if any(self.runner.queue.status_of(i) == "decided" for i in ids):
                continue  # not resumed yet (or its run goes on in another process)
            outcome = self.runner.outcome(self.thread, turn)
            if outcome.status in ("queued", "running"):
                continue
            del self.decided[turn]
            self.say(
                "turn",
                f"turn {turn}, whose review was decided elsewhere, has run:",
                turn=turn,
                review_ids=sorted(ids),
            )
            self.show(outcome)

    def catch_up(self) -> None:
        """Report what landed since the chat last looked (with `lock` held)."""
        self.report_decisions()
        self.report_decided()
        self.report_held()

    def watch(self) -> None:
        """One look from the watcher: report if the thread's audit trail moved, or while
        something reported is still to finish."""
        if self.thread is None:
            return
        seq = self.runner.audit.last_seq(self.thread)
        if seq == self.seen and not self.decided and not self.held:
            return
        with self.lock:
            self.seen = seq
            self.catch_up()

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

    def show(self, outcome: RunOutcome, bind: bool = True) -> None:
        """Show a turn's outcome; `bind`: it is this chat's thread (a request, or a review of
        it). A review of another thread decided from a chat with no thread yet is shown, and
        the chat stays unbound: its requests are never sent to that thread."""
        if not bind:
            if self.json_mode:
                text = outcome.answer or _status_line(outcome)
                self.say("outcome", text, outcome=outcome.to_dict())
            else:
                print_outcome(outcome, decide_hint=self._hint(outcome.pending))
            return
        self.thread = outcome.thread_id
        if outcome.queued_behind:
            self.held.add(outcome.turn)
        for item in outcome.pending:
            self.known.setdefault(item.id, item.status)
        if self.json_mode:
            self.say("outcome", outcome.answer or _status_line(outcome), outcome=outcome.to_dict())
            return
        pending = frozenset(i.id for i in outcome.pending)
        note = None
        if pending == self.tabled:
            n = len(pending)
            note = (
                f"{n} review{'s' if n > 1 else ''} still waiting on this thread, as listed "
                "above (/reviews lists them again)"
            )
        print_outcome(outcome, decide_hint=self._hint(outcome.pending), pending_note=note)
        self.tabled = pending

    def _hint(self, items: list[ReviewItem]) -> str:
        """The line under a turn's pending reviews: what this person may do about each."""
        decidable = [i for i in items if self._may_decide(i)]
        return chat_decide_hint(items, decidable, self.requester.id)

    def request(self, text: str) -> None:
        if self.review_only is not None:
            raise RingmasterError(
                f"only {self.review_only} may send requests on this thread; you may decide its "
                "reviews here: /reviews, /show, /approve, /edit, /reject, /respond ID"
            )
        thread, turn = self.runner.accept(text, thread_id=self.thread, requester=self.requester)
        self.focus = (thread, turn)
        try:
            outcome = self.runner.drive(thread)
        except KeyboardInterrupt:
            interrupted(thread, turn, self.json_mode, self.typed_as)
        finally:
            self.focus = None
        self.mine.add(outcome.turn)
        self.show(outcome)

    def command(self, line: str) -> bool:
        """Run one /command; False when the chat should end."""
        name, _, rest = line[1:].partition(" ")
        rest = rest.strip()
        if name in {"quit", "exit"}:
            return False
        if name == "help":
            self.say("help", help_text(may_review(Accounts(self.runner.engine), self.requester.id)))
        elif name == "reviews":
            where = "on this thread" if self.thread else "you may decide"
            items = (
                [i for i in self._items() if i.status == "pending"]
                if self.thread
                else [i for i in self.runner.queue.list(limit=1000) if self._may_decide(i)]
            )  # a chat with no thread yet is a reviewer's desk: what they may decide anywhere
            if self.json_mode:
                self.say("reviews", "", reviews=[i.to_dict(with_payload=False) for i in items])
            elif items:
                print_items(items, title=f"Waiting for review ({where})")
                if self.thread:
                    self.tabled = frozenset(i.id for i in items)
            else:
                print_none(f"pending reviews {where}")
        elif name == "show":
            item = self._find(rest)
            ctx = item.payload.get("context", {})
            lines = [f"{item.id} ({item.status}) {item.subtask_id}: {item.summary}"]
            for key in ("request", "blocker", "recommended"):  # as `review show` prints them
                value = ctx.get(key)
                if value is not None:
                    lines.append(f"{key}: {value if isinstance(value, str) else json.dumps(value)}")
            proposed = "proposed action" if item.decision else "action"  # decided: what ran
            actions = item.payload["action_requests"]
            lines += [  # with several, each one's number is what `/edit ID N {…}` takes
                f"{proposed}{f' {n}:' if len(actions) > 1 else ''} {a['name']} "
                f"{json.dumps(a['args'])}"
                for n, a in enumerate(actions)
            ]
            lines += decision_lines(item)
            self.say("review", "\n".join(lines), review=item.to_dict())
        elif name in DECISIONS:
            ref, _, arg = rest.partition(" ")
            decision = DECISIONS[name](arg.strip())
            item = self._find(ref, decision)

            def resume(thread_id: str) -> RunOutcome:
                # Committed: say what was decided before the resumed run prints its progress.
                self.say_decided(self.runner.queue.get(item.id))
                return self.runner.drive(thread_id)

            self.focus = (item.thread_id, item.turn)
            try:
                outcome = DecisionService(
                    self.runner, scheduler=self.runner.resume_scheduler, resume=resume
                ).decide(item, decision, self.requester.id)
            finally:
                self.focus = None
            here = self.thread is not None and item.thread_id == self.thread
            if here:
                self.known[item.id] = "decided"
            self.show(outcome, bind=here)
        else:
            raise RingmasterError(f"unknown command /{name}; /help lists them")
        return True

    def say_decided(self, item: ReviewItem) -> None:
        """A decision as recorded: who decided what for each action (an edit's changed and
        executed arguments). One made in this chat is said once, before its resumed run; one
        made elsewhere (`report_decisions`) in the same words, as the chat sees it land."""
        lines = decision_lines(item)
        # Its turn named: one decided elsewhere lands while the chat is on another turn.
        which = f"turn {item.turn}, {item.subtask_id}" if item.turn else item.subtask_id
        self.say(
            "decision",
            "\n".join(f"review {item.id[:SHORT_ID]} ({which}) {line}" for line in lines),
            review_id=item.id,
            decided_by=item.decided_by,
            decision=item.decision,
        )

    def _find(self, ref: str, deciding: Decision | None = None) -> ReviewItem:
        """The review `ref` names, if this person may see it; `deciding`: and make that
        decision on it, refused (as the decision service would) before the chat points to
        another thread where it would be refused again."""
        if not ref:
            raise RingmasterError(f"which review? give its id ({PREFIX_WORDS})")
        item = self.runner.queue.find(ref)
        # Who may see it, as the API decides: their own thread's, or any for a reviewer (and
        # before naming the thread it is on).
        accounts = Accounts(self.runner.engine)
        check_viewer(accounts, self.requester.id, item.requester, f"review {ref}")
        if deciding is not None and item.status == "pending":
            check_decider(accounts, item, deciding, self.requester.id)
        if self.thread is not None and item.thread_id != self.thread:
            there = f"`{command(f'chat --thread {item.thread_id}', self.typed_as)}`"
            if deciding is not None:
                there += " (or a chat with no thread yet)"
            doing = "decide" if deciding is not None else "see"
            raise RingmasterError(
                f"review {ref} is on thread {item.thread_id}, not this one: {doing} it in {there}"
            )
        return item

    def _may_decide(self, item: ReviewItem) -> bool:
        """Whether this person may decide the item at all: the decision service's own check."""
        return may_decide(Accounts(self.runner.engine), item, self.requester.id)


def _edit(arg: str) -> Decision:
    # An optional action number comes first (0-based, as `review edit --action` and the API's
    # `edits[].action`); the decision service refuses one the item does not have.
    number = re.match(r"(-?\d+)(?:\s+|$)", arg)
    action = int(number.group(1)) if number else 0
    args = arg[number.end() :] if number else arg
    if not args.strip():  # not "not valid JSON (Expecting value …)": nothing was given
        raise RingmasterError(
            "/edit wants the changed arguments as JSON after the review id (and the action's "
            '0-based number, if not the first), e.g. /edit ID {"amount": "40.00"} or '
            '/edit ID 1 {"amount": "40.00"}'
        )
    return Decision("edit", edits=(Edit(action, parse_args_json(args, "/edit's arguments")),))


def _message(kind: str) -> Callable[[str], Decision]:
    def make(arg: str) -> Decision:
        text = " ".join(shlex.split(arg)) if arg else None
        if kind == "respond" and not text:
            raise RingmasterError("/respond wants a message after the review id")
        if kind == "reject":
            # The decision service's rule and sentence, as every other surface has them.
            return Decision(kind, reason=reject_reason(text))
        return Decision(kind, message=text)

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
        who, owner, review_only, typed = me(as_), None, None, thread or ""
        accounts = Accounts(runner.engine)
        if thread is not None:
            row = runner.threads.find(thread)  # an id or a unique prefix of it
            thread, owner = row.id, row.requester
            if owner != who and _reviewer(accounts, who):
                review_only = owner  # decides the thread's reviews; sends no request on it
        scopes = requester_scopes(
            accounts,
            who,
            runner.default_scopes(),
            None,
            None if review_only else owner,
            thread=typed,
        )
        requester = Requester(id=who, scopes=scopes)
        session = Chat(runner, requester, thread, json_mode, review_only, as_)
        runner.on_event = session.focused(runner.on_event)
        if review_only and not json_mode:
            out.print(
                f"thread {thread} by {owner}, review-only: only {owner} may send requests on it; "
                "/reviews, /show, /approve, /edit, /reject, /respond ID decide its reviews",
                markup=False,
            )
        elif not json_mode:
            where = f"thread {thread}" if thread else "a new thread"
            ends = ", Ctrl-D or /quit to quit" if _at_prompt() else ""
            out.print(f"{where}; /help for commands{ends}", markup=False)
        if thread is not None:
            session.recap()
        settings = Settings()
        stop = threading.Event()
        watcher = threading.Thread(
            target=_watch, args=(session, stop, settings.chat_poll_seconds), daemon=True
        )
        watcher.start()
        try:
            for raw in _lines(settings.home / "chat_history"):
                line = raw.strip()
                if not line:  # Enter hit by mistake, or a gap in a script's requests
                    continue
                with session.lock:
                    if not _turn(session, line):
                        break
        finally:
            stop.set()
            watcher.join()
        if _at_prompt():  # a person quit: what landed since the last look, then the end
            with session.lock:
                session.catch_up()
        else:  # a script: the runs the chat reported as going, to their end (bounded)
            settle(session, settings.chat_wait_seconds, settings.chat_poll_seconds)


def _reviewer(accounts: Accounts, who: str) -> bool:
    """Whether `who` is an enabled reviewer (or admin) once users exist."""
    user = accounts.find(who) if accounts.any_users() else None
    return user is not None and user.can("reviewer")


def _watch(session: Chat, stop: threading.Event, every: float) -> None:
    """The watcher: report what lands on the thread while the chat waits for a line."""
    while not stop.wait(every):
        session.watch()


def _turn(session: Chat, line: str) -> bool:
    """One line of the chat, with what landed before and after it; False to end the chat."""
    session.catch_up()
    try:
        if line.startswith("/"):
            if not session.command(line):
                return False
        else:
            session.request(line)
    except USER_ERRORS as exc:
        if session.json_mode:
            session.say("error", str(exc))
        else:
            err.print(f"error: {exc}", markup=False, soft_wrap=True)
    session.catch_up()
    return True
