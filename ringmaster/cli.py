"""The `ringmaster` command line: run, chat, review, thread, recover. `--json` for scripts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ringmaster.audit import AuditEvent
from ringmaster.cli_chat import chat
from ringmaster.cli_eval import eval_app
from ringmaster.cli_ops import escalate, policy_app
from ringmaster.cli_output import (
    USER_ERRORS,
    AsOpt,
    JsonOpt,
    cli_runner,
    emit,
    err,
    me,
    out,
    print_json,
    progress,
)
from ringmaster.cli_review import review_app
from ringmaster.cli_serve import serve
from ringmaster.cli_threads import thread_app
from ringmaster.cli_users import users_app
from ringmaster.errors import RingmasterError
from ringmaster.graph.intake import validate_request
from ringmaster.graph.state import Requester
from ringmaster.runner import Runner
from ringmaster.settings import Settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
app.add_typer(review_app, name="review")
app.add_typer(thread_app, name="thread")
app.add_typer(eval_app, name="eval")
app.add_typer(policy_app, name="policy")
app.add_typer(users_app, name="users")
app.command("escalate")(escalate)
app.command("serve")(serve)
app.command("chat")(chat)


@app.command()
def run(
    request: Annotated[
        str | None, typer.Argument(help="What you want done, in plain words; - reads stdin.")
    ] = None,
    file: Annotated[Path | None, typer.Option(help="Read the request from this file.")] = None,
    thread: Annotated[str | None, typer.Option(help="Continue this thread.")] = None,
    as_: AsOpt = None,
    scopes: Annotated[
        str | None, typer.Option(help="Comma-separated scopes (default: all).")
    ] = None,
    priority: Annotated[str, typer.Option(help="low, normal, high or urgent.")] = "normal",
    json_mode: JsonOpt = False,
) -> None:
    """Plan a request, run its subtasks, and stop at reviews a human must decide."""
    request = _request_text(request, file)
    # Before anything is built or stored, against the same limit the runner applies.
    validate_request(request, max_chars=Settings().max_request_chars)
    with cli_runner(progress(json_mode)) as runner:
        scope_list = scopes.split(",") if scopes is not None else runner.default_scopes()
        requester = _requester(me(as_), scope_list, priority)
        emit(runner.submit(request, thread_id=thread, requester=requester), json_mode)


def _request_text(request: str | None, file: Path | None) -> str:
    """The request from the argument, stdin (`-`) or `--file`: exactly one of them."""
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

    try:
        return Requester(id=who, scopes=[s.strip() for s in scopes if s.strip()], priority=priority)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise RingmasterError(f"bad requester: {exc.errors()[0]['msg']}") from None


def _event_line(e: AuditEvent) -> str:
    d = e.data
    sub = f"{d['subtask_id']} " if "subtask_id" in d else ""
    detail = {
        "request_received": lambda: repr(d.get("request", ""))[:100],
        "plan": lambda: f"{len(d.get('subtasks', []))} subtask(s) by {d.get('planner')}",
        "routing": lambda: (
            f"→ {d.get('agent') or 'human'} ({d.get('confidence', 0):.2f})"
            + (f", to a human: {d.get('reason')}" if d.get("escalate") else "")
        ),
        "handoff": lambda: "receives " + ", ".join(r["from"] for r in d.get("received", [])),
        "agent_output": lambda: str(d.get("error") or d.get("summary"))[:100],
        "validation": lambda: "ok" if d.get("ok") else "; ".join(d.get("problems", []))[:100],
        "interrupt": lambda: f"{d.get('kind')}: {d.get('blocker')}"[:100],
        "human_decision": lambda: ", ".join(x["type"] for x in d.get("decisions", [])),
        "review_applied": lambda: f"{d.get('kind')} → {d.get('next')}",
        "side_effect": lambda: f"{d.get('tool')} {d.get('status')} key={d.get('idempotency_key')}",
        "final_answer": lambda: ", ".join(f"{k}={v}" for k, v in d.get("statuses", {}).items()),
    }.get(e.kind, lambda: json.dumps(d, default=str)[:100])()
    return f"{e.seq:>6} {e.at:%Y-%m-%d %H:%M:%S} {e.actor:<22} {e.kind:<16} {sub}{detail}"


@app.command()
def audit(
    target: Annotated[str, typer.Argument(help="A thread id, or 'verify' to check the chain.")],
    json_mode: JsonOpt = False,
) -> None:
    """A thread's story from its audit trail, or `audit verify` to check the hash chain."""
    with Runner(Settings(), recover_on_start=False) as runner:
        if target == "verify":
            problems = runner.audit.verify()
            if json_mode:
                print_json({"ok": not problems, "problems": problems})
            elif problems:
                for p in problems:
                    err.print(f"tampered: {p}", markup=False)
            else:
                out.print("the audit trail is intact")
            if problems:
                raise typer.Exit(1)
            return
        runner.threads.get(target)  # NotFound for an unknown thread
        events = runner.audit.for_thread(target)
    if json_mode:
        print_json([e.to_dict() for e in events])
    else:
        for e in events:
            out.print(_event_line(e), markup=False, highlight=False)


@app.command()
def recover(json_mode: JsonOpt = False) -> None:
    """Resume decided-but-not-resumed reviews and runs a crash cut short."""
    with Runner(Settings(), recover_on_start=False) as runner:
        _ = runner.graph
        done = runner.recover()
    print_json({"recovered": done}) if json_mode else out.print(
        f"recovered {len(done)} thread(s): {', '.join(done) or '-'}"
    )


def main() -> None:
    """Entry point: user mistakes print a message and exit 2, never a traceback."""
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:  # typer.Exit(n) comes back as a return value
            sys.exit(code)
    except USER_ERRORS as exc:
        if "--json" in sys.argv:
            print_json({"error": str(exc)})
        else:
            err.print(f"error: {exc}", markup=False, soft_wrap=True)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors come through here too
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
