"""The `ringmaster` command line. Its commands, by use: requests (run, chat, thread), reviews
(review, escalate), running the service (serve, worker, recover, checkin, outbox), watching it
(status, summary, audit), setting it up (db, users, policy) and routing evals (eval). `--json`
for scripts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, get_args

import click
import typer

from ringmaster.cli_lazy import LazyGroup
from ringmaster.cli_options import AsOpt, JsonOpt, me, out, print_json
from ringmaster.graph.priority import Priority

if TYPE_CHECKING:
    from ringmaster.agents.spec import Team
    from ringmaster.graph.state import Requester


class _Commands(LazyGroup):
    # Start-up time: every command module is imported only when that command runs, so heavy
    # imports (LangGraph, SQLAlchemy, scikit-learn) belong in those modules, never up here.
    # A new command is one line: name -> ("module:Typer app or function", "its help line").
    lazy_commands = {
        "review": ("ringmaster.cli_review:review_app", "The review queue: list, show and decide."),
        "thread": (
            "ringmaster.cli_threads:thread_app",
            "Threads: list them, show what happened on one.",
        ),
        "chat": (
            "ringmaster.cli_chat:chat",
            "A conversation on one thread: each line is a request, `/help` lists the commands.",
        ),
        "eval": ("ringmaster.cli_eval:eval_app", "`ringmaster eval …`: offline routing evals."),
        "policy": ("ringmaster.cli_ops:policy_app", "Policy files: check one against the team."),
        "users": ("ringmaster.cli_users:users_app", "Users, roles and API tokens."),
        "escalate": (
            "ringmaster.cli_ops:escalate",
            "Escalate pending reviews past their deadline (idempotent: safe from cron).",
        ),
        "serve": (
            "ringmaster.cli_serve:serve",
            "Serve the HTTP API and the web review queue (/ui), with a worker.",
        ),
        "audit": (
            "ringmaster.cli_audit:audit_app",
            "The audit trail: a thread's story, verify the chain, export a verifiable copy.",
        ),
        "status": (
            "ringmaster.cli_status:status",
            "Every agent's health, queue, running work, throughput, p50/p95 time and ETA.",
        ),
        "summary": (
            "ringmaster.cli_status:summary",
            "What happened over the period, per agent, and what needs a person now.",
        ),
        "checkin": (
            "ringmaster.cli_status:checkin",
            "Record agents' status, escalate stuck runs and unhealthy agents, send the outbox.",
        ),
        "outbox": (
            "ringmaster.cli_outbox:outbox_app",
            "Notifications: list them with their delivery state, send what is due, retry one.",
        ),
        "db": ("ringmaster.cli_db:db_app", "The database schema: upgrade it, show its revision."),
    }


PRIORITIES = list(get_args(Priority))

app = typer.Typer(cls=_Commands, no_args_is_help=True, add_completion=False, help=__doc__)


@app.command()
def run(
    request: Annotated[
        str | None, typer.Argument(help="What you want done, in plain words; - reads stdin.")
    ] = None,
    file: Annotated[Path | None, typer.Option(help="Read the request from this file.")] = None,
    thread: Annotated[
        str | None, typer.Option(help="Continue this thread (its id or a unique prefix).")
    ] = None,
    as_: AsOpt = None,
    scopes: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated scopes, or all (default: all; the user's own once users exist)."
        ),
    ] = None,
    priority: Annotated[
        str,
        typer.Option(help="low, normal, high or urgent.", click_type=click.Choice(PRIORITIES)),
    ] = "normal",
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="Queue it and print the thread id at once.")
    ] = False,
    json_mode: JsonOpt = False,
) -> None:
    """Plan a request, run its subtasks, and stop at reviews a human must decide.

    The request is queued durably first; then this process runs it (or waits for the worker
    that took it). With --no-wait it only queues it: `ringmaster worker` or `serve` runs it."""
    from ringmaster.cli_output import cli_runner, emit, interrupted, progress, run_decide_hint
    from ringmaster.decisions import may_decide
    from ringmaster.graph.intake import validate_request
    from ringmaster.settings import Settings

    request = _request_text(request, file)
    # Before anything is built or stored, against the same limit the runner applies.
    validate_request(request, max_chars=Settings().max_request_chars)
    with cli_runner(progress(json_mode)) as runner:
        from ringmaster.accounts import Accounts, requester_scopes

        who = me(as_)
        owner, typed = None, thread or ""
        if thread is not None:  # an id or a unique prefix of it, as `thread show` takes
            found = runner.threads.find(thread)
            thread, owner = found.id, found.requester
        asked = _asked_scopes(scopes, runner.deps.registry.team) if scopes is not None else None
        scope_list = requester_scopes(
            Accounts(runner.engine),
            who,
            runner.default_scopes(),
            asked,
            owner,
            priority,
            typed,
        )
        requester = _requester(who, scope_list, priority)
        thread_id, turn = runner.accept(request, thread_id=thread, requester=requester)
        if no_wait:
            if json_mode:
                print_json({"thread_id": thread_id, "turn": turn, "status": "queued"})
            else:
                out.print(thread_id, markup=False)
            return
        try:
            outcome = runner.drive(thread_id)
        except KeyboardInterrupt:
            interrupted(thread_id, turn, json_mode, as_)
        # The decision commands only for the reviews this identity may decide (a requester
        # may not decide her own request's): the decision service's own check.
        accounts = Accounts(runner.engine)
        decidable = [i for i in outcome.pending if may_decide(accounts, i, who)]
        emit(outcome, json_mode, run_decide_hint(outcome.pending, decidable, who, as_))


def _asked_scopes(scopes: str, team: Team) -> list[str] | None:
    """`--scopes` as given, checked against the team as `users add --scopes` is: a typo
    ("supprt") or an empty list would otherwise reach no agent and send every subtask to a
    person. 'all' is every scope (None: the default)."""
    from ringmaster.errors import RingmasterError

    asked = [s.strip() for s in scopes.split(",") if s.strip()]
    if asked == ["all"]:
        return None
    if not asked:
        raise RingmasterError("--scopes names no scope: give some (billing,support) or 'all'")
    known = sorted({s for agent in team.agents for s in agent.scopes})
    unknown = [s for s in asked if s not in known]
    if unknown:
        raise RingmasterError(
            f"unknown scope {unknown[0]!r}: the team's agents take {', '.join(known)} (or 'all')"
        )
    return asked


def _request_text(request: str | None, file: Path | None) -> str:
    """The request from the argument, stdin (`-`) or `--file`: exactly one of them."""
    from ringmaster.errors import RingmasterError

    if (request is None) == (file is None):
        raise RingmasterError("give the request as an argument, - for stdin, or --file, once")
    if file is not None:
        try:
            return file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RingmasterError(f"cannot read --file {file}: {exc}") from None
    return sys.stdin.read() if request == "-" else str(request)


def _requester(who: str, scopes: list[str], priority: str) -> Requester:
    from pydantic import ValidationError

    from ringmaster.errors import RingmasterError
    from ringmaster.graph.state import Requester

    try:
        return Requester(id=who, scopes=[s.strip() for s in scopes if s.strip()], priority=priority)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise RingmasterError(f"bad requester: {exc.errors()[0]['msg']}") from None


@app.command()
def recover(json_mode: JsonOpt = False) -> None:
    """Re-queue decided-but-not-resumed reviews and runs a crash cut short (a worker runs
    them: `ringmaster worker`, or `ringmaster serve`)."""
    from ringmaster.runner import Runner
    from ringmaster.settings import Settings

    with Runner(Settings()) as runner:
        done = runner.recover()
    print_json({"queued": done}) if json_mode else out.print(
        f"queued {len(done)} thread(s): {', '.join(done) or '-'}"
    )


@app.command()
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Run what is claimable now, then exit.")
    ] = False,
    json_mode: JsonOpt = False,
) -> None:
    """Run queued work (requests, resumes, retries) until stopped (Ctrl-C or SIGTERM).

    Any number of workers may share one Postgres; on SQLite, one machine."""
    import signal
    import threading

    from ringmaster.cli_output import cli_runner, progress
    from ringmaster.schedules import worker_scheduler
    from ringmaster.thread_store import new_owner
    from ringmaster.worker import Worker

    with cli_runner(progress(json_mode)) as runner:
        from ringmaster import logs  # loads OpenTelemetry's API: only where logs are served

        s = runner.settings  # a worker's logs hide secrets as the server's do
        logs.configure(s.log_level, s.log_format, s.secret_values())
        owner = new_owner()
        w = Worker(runner, owner=owner, scheduler=None if once else worker_scheduler(runner, owner))
        if once:
            n = w.run_until_idle()
            print_json({"ran": n}) if json_mode else out.print(f"ran {n} job(s)")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        out.print(f"worker {w.owner} running; Ctrl-C stops it", markup=False)
        try:
            w.serve_forever(stop)
        except KeyboardInterrupt:
            stop.set()


def main(args: list[str] | None = None) -> None:
    """Entry point: user mistakes print one line and exit 2, never a traceback. `args`:
    the command line after the program's name (default: the process's)."""
    import os

    from ringmaster.cli_output import run_app

    # Whatever this process writes (stores and their -wal/-shm files, caches, the chat
    # history, exports, eval runs) holds requests and decisions: owner only.
    os.umask(os.umask(0o077) | 0o077)

    run_app(app, args)


if __name__ == "__main__":
    main()
