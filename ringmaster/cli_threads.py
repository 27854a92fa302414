"""`ringmaster thread …`: list threads with filters, and show what happened on one."""

from __future__ import annotations

import textwrap
from typing import Annotated

import typer
from rich.table import Table

from ringmaster.cli_options import command, shorten
from ringmaster.cli_output import (
    AsOpt,
    JsonOpt,
    cli_runner,
    me,
    out,
    print_json,
    print_none,
    print_outcome,
    print_plan,
    run_decide_hint,
    safe,
)
from ringmaster.errors import RingmasterError
from ringmaster.thread_statuses import THREAD_STATUSES

thread_app = typer.Typer(
    no_args_is_help=True, help="Threads: list them, show what happened on one."
)


@thread_app.command("list")
def thread_list(
    status: Annotated[
        str | None, typer.Option(help=f"Only threads in this state: {', '.join(THREAD_STATUSES)}.")
    ] = None,
    requester: Annotated[str | None, typer.Option(help="Only this requester's threads.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_: AsOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Threads, most recently active first. Once users exist, as the API: a reviewer sees
    everyone's, a requester their own."""
    from ringmaster.accounts import Accounts, viewer_requester

    if status is not None and status not in THREAD_STATUSES:
        raise RingmasterError(
            f"--status must be one of {', '.join(THREAD_STATUSES)}, not {status!r}"
        )
    with cli_runner() as runner:
        requester = viewer_requester(Accounts(runner.engine), me(as_), requester)
        rows = runner.threads.list(status=status, requester=requester, limit=limit)
    if json_mode:
        print_json([r.to_dict() for r in rows])
        return
    if not rows:
        print_none("threads", status=status, requester=requester)
        return
    table = Table(title="Threads")
    for col in ("id", "requester", "status", "turn", "updated", "last request"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            r.id,
            r.requester,
            r.status,
            str(r.turn),
            f"{r.updated_at:%Y-%m-%d %H:%M}",
            safe(textwrap.shorten(r.last_request or "", 80, placeholder=" …")),
        )
    out.print(table)


@thread_app.command("show")
def thread_show(
    thread: Annotated[str, typer.Argument(help="The thread's id, or a unique prefix of it.")],
    as_: AsOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """A thread's status, plan, results, pending reviews and earlier turns. Once users exist,
    as the API: a reviewer sees any thread, a requester their own."""
    from ringmaster.accounts import Accounts, check_viewer
    from ringmaster.decisions import may_decide
    from ringmaster.thread_store import owner_is_gone
    from ringmaster.thread_view import thread_view
    from ringmaster.transcript import request_line, said
    from ringmaster.turns import conversation

    with cli_runner() as runner:
        found = runner.threads.find(thread)  # an id or a unique prefix, as review ids
        check_viewer(
            Accounts(runner.engine), me(as_), found.requester, f"thread {thread}", "of yours"
        )
        thread = found.id
        view = thread_view(runner, thread, with_turns=json_mode)
        row, outcome = view.row, view.outcome
        # The decision commands only for what `--as` may decide (never one's own request's).
        accounts = Accounts(runner.engine)
        decidable = [i for i in outcome.pending if may_decide(accounts, i, me(as_))]
        earlier = conversation(runner, thread, row.turn)  # unfinished ones too
        typed = said(runner, thread)
    if json_mode:
        # `status` and the rest are the latest turn's; `thread_status` is the thread's (an
        # earlier turn may wait for a review); `turns` is every turn, oldest first.
        print_json(
            {
                **outcome.to_dict(),
                "thread_status": row.status,
                "thread": row.to_dict(),
                "history": view.history,
                "turns": view.turns,
            }
        )
        return
    out.print(f"thread {row.id} by {row.requester}: {row.status}, turn {row.turn}")
    for h in earlier:  # the words typed, and what they were read as where it differs
        answer = "not finished yet" if h.get("pending") else " ".join(str(h["answer"]).split())
        request = request_line(typed.get(h["turn"]), h["request"])
        out.print(f"  turn {h['turn']}: {request}\n    -> {shorten(answer, 200)}", markup=False)
    if earlier:
        latest = request_line(typed.get(row.turn), row.last_request or "")
        out.print(f"  turn {row.turn} (the latest): {latest}", markup=False)
    if row.status == "quarantined":
        out.print(
            f"quarantined after repeated failures: {row.error}\n"
            "  decide its `failure` review item: approve retries, reject cancels",
            markup=False,
        )
    if row.status == "running" and row.lock_owner and owner_is_gone(row.lock_owner):
        # Killed mid-run (a server or worker): the row still says running, and nothing does.
        out.print(
            f"not running now: the process that ran it ({row.lock_owner}) is gone; a worker "
            f"continues it from its last checkpoint ({_runs_it()})",
            markup=False,
        )
    if row.status == "queued":  # --no-wait, or its process stopped mid-run: nothing runs it here
        out.print(f"queued: a worker runs it ({_runs_it()})", markup=False)
    if outcome.plan:
        print_plan(outcome.plan)
    print_outcome(outcome, run_decide_hint(outcome.pending, decidable, me(as_), as_))


def _runs_it() -> str:
    return f"`{command('worker')}`, or `{command('serve')}`"
