"""What the CLI commands share: consoles, options, a runner, and how plans, outcomes and
review items are printed."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.table import Table
from rich.text import Text

from ringmaster.cli_options import (  # re-exported: the command modules import them from here
    PREFIX_WORDS,
    SHORT_ID,
    AsOpt,
    JsonOpt,
    command,
    command_name,
    err,
    me,
    out,
    print_json,
    user_errors,
)
from ringmaster.graph.escalation_words import for_requester
from ringmaster.settings import Settings, hide_url_passwords
from ringmaster.untrusted_text import clean

if TYPE_CHECKING:  # imported where used: the runner brings LangGraph, the team and the planner
    from ringmaster.review_queue import ReviewItem, ReviewQueue
    from ringmaster.runner import Runner, RunOutcome

__all__ = ["SHORT_ID", "USER_ERRORS", "AsOpt", "JsonOpt", "err", "me", "out", "print_json"]

USER_ERRORS = user_errors()


@contextmanager
def cli_runner(
    progress: Callable[[tuple[str, ...], dict[str, Any]], None] | None = None,
) -> Iterator[Runner]:
    from ringmaster.runner import Runner

    with Runner(Settings(), on_event=progress) as runner:
        yield runner


@contextmanager
def read_queue() -> Iterator[ReviewQueue]:
    """The review queue alone, for commands that only read it: no runner, graph or team."""
    from ringmaster.review_queue import ReviewQueue
    from ringmaster.tables import make_engine

    engine = make_engine(Settings().app_db_url)
    try:
        yield ReviewQueue(engine)
    finally:
        engine.dispose()


def progress(json_mode: bool) -> Callable[[tuple[str, ...], dict[str, Any]], None] | None:
    if json_mode:
        return None
    from ringmaster.graph.events import EVENT_KEY
    from ringmaster.runner import PROGRESS_EVENT

    def show(namespace: tuple[str, ...], update: dict[str, Any]) -> None:
        event = update.get(PROGRESS_EVENT)
        if isinstance(event, dict):
            sid, kind = event.get("subtask_id", ""), event.get(EVENT_KEY)
            if kind == "agent_output":
                what = event.get("error") or event.get("summary") or ""
                out.print(
                    f"  {sid} {event['actor']} (attempt {event.get('attempt')}): {clean(what)}",
                    markup=False,
                )
            elif kind == "validation":
                verdict = "ok" if event.get("ok") else "; ".join(event.get("problems", []))
                out.print(f"  {sid} validated: {verdict}", markup=False)
            elif kind == "side_effect":
                out.print(f"  {sid} {event.get('tool')}: {event.get('status')}", markup=False)
            return
        for node, value in update.items():
            if node == "plan" and isinstance(value, dict) and value.get("plan"):
                print_plan(value["plan"])
            elif node == "work" and isinstance(value, dict):
                for sid, r in (value.get("results") or {}).items():
                    out.print(f"  {sid} {r.get('agent') or 'human'}: [bold]{r['status']}[/]")

    return show


def _router_first(rationale: str) -> str:
    """The router's note (graph/standins.py appends "(router: …)" when it hands a subtask to a
    stand-in) before the planner's reasons: those are about the planned agent, and cut to fit
    the column they hid why another agent has the subtask."""
    head, sep, note = rationale.rpartition(" (router: ")
    if not sep or not note.endswith(")"):
        return rationale
    return f"router: {note[:-1]}; planned: {head}"


# Why an escalated subtask has no guess, by the planner's escalation kind: "best guess: none"
# read as if it had none when it had one it may not use.
_NO_GUESS = {
    "unreachable": "human (its best match is outside the requester's scopes)",
    "out_of_scope": "human (no agent on the team handles it)",
}


def escalated_to(subtask: dict[str, Any]) -> str:
    """The agent cell of a subtask a person routes: the planner's guess, or why it has none."""
    if subtask.get("agent"):
        return f"human (best guess: {subtask['agent']})"
    return _NO_GUESS.get(str(subtask.get("escalation_kind")), "human (no guess)")


def print_plan(plan: dict[str, Any]) -> None:
    if plan.get("reply") is not None:  # the supervisor answered itself: nothing was routed
        out.print(f"Plan ({plan.get('planner')}): {plan.get('rationale')}", markup=False)
        return
    table = Table(title=f"Plan ({plan.get('planner')})")
    for col in ("id", "agent", "confidence", "why", "after", "subtask"):
        table.add_column(col)
    for s in plan["subtasks"]:
        agent = s["agent"] or "human"  # no agent: a person routes it
        why = s.get("escalation_reason") or _router_first(s["rationale"])
        if s.get("escalation_reason"):  # the planner's figures are the reviewer's
            why = for_requester(s.get("escalation_kind"), why)
        if s.get("escalate"):
            agent = escalated_to(s)
        table.add_row(
            s["id"],
            agent,
            f"{s['confidence']:.2f}",
            # Cut at a word, marked as cut: the whole rationale is in `--json` and the API.
            safe(textwrap.shorten(why, 120, placeholder=" …")),
            ",".join(s["depends_on"]),
            safe(s["description"]),
        )
    out.print(table)


# Each decision as the `review` commands take it, in the order a hint lists them.
_DECISION_COMMANDS = {
    "approve": "approve ID",
    "edit": "edit ID --args JSON",
    "reject": "reject ID --reason TEXT",
    "respond": "respond ID --message TEXT",
}


def allowed_decisions(items: list[ReviewItem]) -> list[str]:
    """The decisions any of `items` allows (its `review_configs`), in the hint's order: a
    routing item takes edit, respond and reject, never approve. An item read without its
    payload (a list page) is taken to allow every decision."""
    allowed: set[str] = set()
    for i in items:
        configs = (i.payload or {}).get("review_configs")
        if not configs:
            return list(_DECISION_COMMANDS)
        allowed |= {str(d) for c in configs for d in c.get("allowed_decisions") or []}
    return [d for d in _DECISION_COMMANDS if d in allowed]


def or_list(parts: list[str]) -> str:
    """`parts` as a person lists alternatives: "a", "a or b", "a, b or c"."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} or {parts[-1]}"


def review_commands_hint(items: list[ReviewItem] | None = None) -> str:
    """How to decide the reviews listed above (`items`: only the decisions they allow), each
    decision with what it needs."""
    said = [_DECISION_COMMANDS[d] for d in allowed_decisions(items or [])] or ["reject ID"]
    if items is None:
        said = list(_DECISION_COMMANDS.values())
    return (
        f"Decide with: {command_name()} review {or_list(said)} (ID: {PREFIX_WORDS}; show ID to "
        "read one)"
    )


def decide_hint(
    items: list[ReviewItem],
    decidable: list[ReviewItem],
    who: str,
    *,
    decide: str,
    call_off: str,
    show: str,
) -> str:
    """What to type about the reviews listed: `decide` (the decision commands) for those
    `who` may decide (`decidable`, by the decision service's own check), and for the rest, that
    a reviewer decides them and, when all are of `who`'s own requests, how to call one off
    (`call_off`, ending a clause "to call it off, …"); `show` reads one ("it"/"one" after it)."""
    rest = [i for i in items if i not in decidable]
    if not rest:
        return decide
    ids = ", ".join(i.id[:SHORT_ID] for i in rest)
    one = len(rest) == 1
    line = f"A reviewer decides {'review' if one else 'reviews'} {ids}"
    if all(i.requester == who for i in rest):  # a call-off turn rejects it in their name
        line += f"; to call {'it' if one else 'one'} off, {call_off}"
    line += f"; {show} reads {'it' if one else 'one'}"
    return f"{decide}\n{line}" if decidable else line


def run_decide_hint(
    items: list[ReviewItem], decidable: list[ReviewItem], who: str, as_: str | None
) -> str:
    """`decide_hint` under a `run`'s reviews: the `review` commands, a call-off said in a chat
    on the thread (the turn there withdraws the requester's own pending review)."""
    thread = items[0].thread_id if items else ""
    return decide_hint(
        items, decidable, who,
        decide=review_commands_hint(decidable),
        call_off=f'say so in `{command(f"chat --thread {thread}", as_)}` ("cancel that")',
        show=f"`{command('review show ID', as_)}`",
    )  # fmt: skip


def print_outcome(
    o: RunOutcome, decide_hint: str | None = None, pending_note: str | None = None
) -> None:
    """What a turn did. Its status is the turn's; the thread's may differ (an earlier turn
    waiting for a person), so the heading names the turn. `decide_hint`: how to decide its
    reviews (default: the `review` commands); `pending_note`: a line in place of the pending
    reviews' tables (a chat that has shown them as they are)."""
    from ringmaster.graph.nodes.synthesize import drafted_text

    heading = f"Thread {o.thread_id}, turn {o.turn}" if o.turn else f"Thread {o.thread_id}"
    rows = o.subtasks()
    if rows:
        table = Table(title=f"{heading}: {o.status}")
        for col in ("id", "agent", "status", "result"):
            table.add_column(col)
        for r in rows:  # every planned subtask, one not run yet with what it waits for
            table.add_row(
                r["subtask_id"], r["agent"] or "human", r["status"], safe(r["summary"] or "")
            )
        out.print(table)
        for sid, r in sorted(o.results.items()):
            draft = drafted_text(r.get("output") or {})
            if draft:  # the drafted text itself, as the requester will send it
                out.print(f"Draft from {sid}:", markup=False)
                out.print(safe(draft))
    else:
        out.print(f"{heading}: {o.status}")
    reply = (o.plan or {}).get("reply")
    if reply is not None:  # the supervisor answered itself
        out.print(f"supervisor: {reply}", markup=False)
    for line in o.notes():  # what a correcting turn withdrew, as its answer says
        out.print(line, markup=False)
    if o.status == "needs_input":  # an agent asked back: the turn is theirs to answer
        out.print(
            f"turn {o.turn} waits for your answer to its question: reply with a new request "
            "on this thread",
            markup=False,
        )
    for b in o.queued_behind:  # a turn about the work of a review still to be decided
        out.print(
            f"turn {o.turn} waits for review {b['review_id'][:SHORT_ID]} (turn {b['turn']}: "
            f"{b['summary']}): {b['reason']}; it runs once that review is decided",
            markup=False,
        )
    busy = [w for w in o.waiting_for if "unhealthy" not in w]
    if busy:  # a parked run: which subtasks wait in line for which busy agent
        line = ", ".join(f"{w['subtask_id']} for {w['agent']}" for w in busy)
        out.print(f"waiting for capacity: {line}", markup=False)
    for w in o.waiting_for:  # an agent flagged unhealthy starts nothing until it recovers
        if "unhealthy" in w:
            why = "; ".join(w["unhealthy"]) or "no reason given"
            out.print(
                f"waiting for {w['agent']}, flagged unhealthy ({why}): {w['subtask_id']} starts "
                "once a health reading says it recovered or a rebalancing pass moves it to a "
                "stand-in (the workers' schedules read health; `ringmaster checkin` reads it now)",
                markup=False,
            )
    if o.error:
        err.print(f"error: {clean(o.error)}", markup=False)
    if o.usage and (o.usage["model_calls"] or o.usage["refused_calls"]):
        nodes = ", ".join(f"{n} {u['calls']}" for n, u in o.usage["per_node"].items())
        refused = o.usage["refused_calls"]
        refused = f", {refused} refused (budget)" if refused else ""
        out.print(
            f"Model calls: {o.usage['model_calls']} ({nodes}); tokens: {o.usage['tokens']:,} "
            f"({o.usage['input_tokens']:,} in, {o.usage['output_tokens']:,} out){refused}",
            markup=False,
        )
    if o.pending and pending_note is not None:
        out.print(pending_note, markup=False, soft_wrap=True)
    elif o.pending:
        # The thread's pending reviews; a turn waits only for its own.
        own = [p for p in o.pending if p.turn == o.turn]
        whole = [p for p in o.pending if p.turn == 0 != o.turn]  # a failed resume: no one turn's
        others = [p for p in o.pending if p.turn not in (o.turn, 0)]
        if own:
            print_items(own, title=f"Waiting for review (turn {o.turn})")
        if whole:
            print_items(whole, title="Waiting for review (the thread)")
        if others:
            print_items(others, title="Waiting for review (other turns of this thread)")
        # Commands to type: never cut inside a word (a long RINGMASTER_HOME path), the
        # terminal wraps the line.
        out.print(decide_hint or review_commands_hint(), markup=False, soft_wrap=True)


def print_none(noun: str, **filters: str | None) -> None:
    """The line a listing prints when nothing matches: "no threads with status failed"."""
    said = " and ".join(f"{name} {value}" for name, value in filters.items() if value)
    out.print(f"no {noun} with {said}" if said else f"no {noun}", markup=False)


# Narrower than this, the review table's eight columns squeeze the summary to a word a line:
# the compact layout (id, what, summary) is used instead.
WIDE_TABLE = 110


def print_items(items: list[ReviewItem], title: str = "Review queue") -> None:
    """Review items as a table; the ids a reviewer types are never broken across lines."""
    table = Table(title=title)
    if out.width >= WIDE_TABLE:
        table.add_column("id", no_wrap=True)
        table.add_column("thread", no_wrap=True)
        for col in ("subtask", "kind", "agent", "priority", "status", "decision", "summary"):
            table.add_column(col, overflow="fold")
        for i in items:
            table.add_row(
                i.id[:SHORT_ID],
                i.thread_id,
                i.subtask_id,
                i.kind,
                i.agent or "-",
                i.priority,
                i.status,
                i.decided_as or "-",
                safe(i.summary),
            )
    else:  # every field still shown, three to a cell
        table.add_column("id", no_wrap=True)
        table.add_column("review", overflow="fold")
        table.add_column("summary", overflow="fold", ratio=1)
        for i in items:
            decided = f" ({i.decided_as})" if i.decided_as else ""
            what = Text(f"{i.kind}, {i.agent or 'no agent'}\n{i.priority}, {i.status}{decided}\n")
            what.append(f"{i.subtask_id} of {i.thread_id}")
            table.add_row(i.id[:SHORT_ID], what, safe(i.summary))
    out.print(table)


def emit(outcome: RunOutcome, json_mode: bool, hint: str | None = None) -> None:
    """A turn's outcome: JSON, or `print_outcome` with `hint` under its reviews."""
    print_json(outcome.to_dict()) if json_mode else print_outcome(outcome, decide_hint=hint)


def _mask(url: str | None) -> str:
    """A database URL without its password, to name it in a message."""
    return hide_url_passwords(url or "")


def _setting_problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    name = "RINGMASTER_" + "_".join(str(p) for p in first["loc"][:1]).upper()
    value = first.get("input")
    shown = "" if isinstance(value, dict) else f" (got {str(value)[:60]!r})"
    message = first["msg"].removeprefix("Value error, ")  # a validator's own words
    return f"setting {name}: {message}{shown}"


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def user_message(exc: BaseException) -> str | None:
    """One line saying what is wrong and what to look at, or None for a real bug."""
    import click
    import sqlalchemy.exc
    from pydantic import ValidationError as PydanticError

    if isinstance(exc, USER_ERRORS):
        return str(exc)
    if isinstance(exc, click.exceptions.UsageError):
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
        return f"{exc.format_message()}{hint}"
    if isinstance(exc, click.exceptions.ClickException):
        return exc.format_message()
    if isinstance(exc, PydanticError) and exc.title == "Settings":
        return _setting_problem(exc)
    url = os.environ.get("RINGMASTER_DB_URL")
    if isinstance(exc, sqlalchemy.exc.ArgumentError | sqlalchemy.exc.NoSuchModuleError):
        return f"setting RINGMASTER_DB_URL {_mask(url)!r} is not a database URL: {exc}"
    database_errors: tuple[type[BaseException], ...] = (sqlalchemy.exc.OperationalError,)
    try:
        import psycopg

        database_errors += (psycopg.OperationalError,)
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pass
    if isinstance(exc, database_errors):
        where = f"RINGMASTER_DB_URL {_mask(url)!r}" if url else "SQLite in RINGMASTER_HOME"
        return f"cannot use the database ({where}): {_first_line(exc)}"
    home = os.environ.get("RINGMASTER_HOME", ".ringmaster")
    if isinstance(exc, OSError) and str(exc.filename or "").startswith(home):
        return f"RINGMASTER_HOME {home!r} cannot be used: {exc.strerror} ({exc.filename})"
    return None


def interrupted(thread_id: str, turn: int, json_mode: bool, as_: str | None = None) -> NoReturn:
    """Ctrl-C after a request was accepted (`run`, `chat`): it is kept, and queued again (the
    worker put it back), which the person is told in one line with what runs it; exit 130."""
    message = (
        f"interrupted: turn {turn} of thread {thread_id} is kept and queued; "
        f"`{command('worker')}` runs it (`{command(f'thread show {thread_id}', as_)}`)"
    )
    if json_mode:
        print_json({"error": message, "thread_id": thread_id, "turn": turn, "status": "queued"})
    else:
        err.print(message, markup=False, soft_wrap=True, highlight=False)
    raise typer.Exit(130)


def run_app(app: typer.Typer, args: list[str] | None = None) -> None:
    """Run the CLI: a mistake is one line on stderr (JSON with --json) and exit 2, never a
    traceback; only a real bug still raises. Settings are checked before any command runs,
    so a bad one is named the same way whichever command meets it."""
    import click

    argv = sys.argv[1:] if args is None else args
    try:
        if "--help" not in argv:
            Settings()
        code = app(args=argv, prog_name="ringmaster", standalone_mode=False)
        if isinstance(code, int) and code:  # typer.Exit(n) comes back as a return value
            sys.exit(code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        err.print("aborted")
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:
        if type(exc).__name__ == "NoArgsIsHelpError" and isinstance(exc, click.UsageError):
            # click 8.2+: a group run with no command
            if help_text := exc.format_message().strip():  # Typer's rich help printed it already
                err.print(help_text, markup=False, highlight=False)
            sys.exit(2)
        message = user_message(exc)
        if message is None:
            raise
        # No password of a database URL on the screen, whichever error quoted the URL.
        message = hide_url_passwords(clean(message).replace("\n", " "))
        if "--json" in argv and next((a for a in argv if not a.startswith("-")), "") == "chat":
            # The chat's --json is one object per line, its errors `{"type": "error", …}`:
            # one that stops it before it starts is said the same way, not in indented lines.
            sys.stdout.write(json.dumps({"type": "error", "text": message}) + "\n")
        elif "--json" in argv:
            print_json({"error": message})
        else:
            err.print(f"error: {message}", markup=False, soft_wrap=True, highlight=False)
        sys.exit(2)


def safe(value: Any) -> Text:
    """Untrusted text for a table or a line: control characters gone, never read as markup."""
    return Text(clean(str(value)))
