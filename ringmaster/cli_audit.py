"""`ringmaster audit`: a thread's story, `verify` the keyed chain, `export` a verifiable copy.

`ringmaster audit THREAD` still shows a thread's story: a first word that is not one of the
commands is taken as a thread id for `show`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from ringmaster.audit import AuditEvent
from ringmaster.cli_options import AsOpt, check_file_to_write, me, shorten
from ringmaster.cli_output import JsonOpt, err, out, print_json, print_none
from ringmaster.runner import Runner
from ringmaster.settings import Settings


class _ShowByDefault(TyperGroup):
    """`audit THREAD` is `audit show THREAD`."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["show", *args]
        return super().resolve_command(ctx, args)


audit_app = typer.Typer(
    cls=_ShowByDefault,
    no_args_is_help=True,
    help="The audit trail: a thread's story, verify the chain, export a verifiable copy.",
)


def _decision_text(d: dict[str, Any]) -> str:
    """One action's decision: its kind, and for an edit the call as edited."""
    from ringmaster.graph.nodes.synthesize import args_text

    act = d.get("edited_action") if d.get("type") == "edit" else None
    if not isinstance(act, dict):
        since = d.get("passed_since_review")  # totals that moved after the review was raised
        return str(d.get("type")) + (
            f", past totals its review did not show ({since})" if since else ""
        )
    text = f"edit {act.get('name')}({args_text(act.get('args') or {})})"
    if d.get("edit_needs_approval"):  # the edit went over the policy: this decision approved it
        text += f", approved as edited over the policy ({d['edit_needs_approval']})"
    return text


def _event_line(e: AuditEvent) -> str:
    d = e.data
    sub = f"{d['subtask_id']} " if "subtask_id" in d else ""
    detail = {
        "request_received": lambda: shorten(repr(d.get("request", "")), 100),
        "plan": lambda: f"{len(d.get('subtasks', []))} subtask(s) by {d.get('planner')}",
        "routing": lambda: (
            f"→ {d.get('agent') or 'human'} ({d.get('confidence', 0):.2f})"
            + (f", to a human: {d.get('reason')}" if d.get("escalate") else "")
        ),
        "handoff": lambda: "receives " + ", ".join(r["from"] for r in d.get("received", [])),
        "agent_output": lambda: shorten(str(d.get("error") or d.get("summary")), 100),
        "validation": lambda: (
            "ok" if d.get("ok") else shorten("; ".join(d.get("problems", [])), 100)
        ),
        "interrupt": lambda: shorten(f"{d.get('kind')}: {d.get('blocker')}", 100),
        "human_decision": lambda: ", ".join(_decision_text(x) for x in d.get("decisions", [])),
        "review_applied": lambda: f"{d.get('kind')} → {d.get('next')}",
        "side_effect": lambda: f"{d.get('tool')} {d.get('status')} key={d.get('idempotency_key')}",
        "final_answer": lambda: ", ".join(f"{k}={v}" for k, v in d.get("statuses", {}).items()),
    }.get(e.kind, lambda: shorten(json.dumps(d, default=str), 100))()
    return f"{e.seq:>6} {e.at:%Y-%m-%d %H:%M:%S} {e.actor:<22} {e.kind:<16} {sub}{detail}"


def _report(problems: list[str], json_mode: bool, what: str) -> None:
    if json_mode:
        print_json({"ok": not problems, "problems": problems})
    elif problems:
        for p in problems:
            err.print(f"tampered: {p}", markup=False)
    else:
        out.print(f"{what} is intact", markup=False)
    if problems:
        raise typer.Exit(1)


@audit_app.command("show")
def show(
    thread: Annotated[str, typer.Argument(help="A thread id or a unique prefix of it.")],
    as_: AsOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """A thread's story from its audit trail. Once users exist, as the API's
    `GET /threads/ID/audit` and `thread show`: a reviewer sees any thread's, a requester their
    own."""
    from ringmaster.accounts import Accounts, check_viewer

    with Runner(Settings(), recover_on_start=False) as runner:
        found = runner.threads.find(thread)  # NotFound for an unknown or ambiguous prefix
        check_viewer(
            Accounts(runner.engine), me(as_), found.requester, f"thread {thread}", "of yours"
        )
        events = runner.audit.for_thread(found.id)
    if json_mode:
        print_json([e.to_dict() for e in events])
    elif not events:  # a thread made with no request yet (`POST /threads`)
        print_none(f"audit events for thread {found.id}: it has had no request yet")
    else:
        for e in events:
            out.print(_event_line(e), markup=False, highlight=False)


@audit_app.command("verify")
def verify(
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Check an exported copy instead of the database."),
    ] = None,
    as_: AsOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Check the keyed hash chain and its signed head; exit 1 naming every break (exit 2 for
    a file that is no audit export). Once users exist, the database's is an admin's (`--as`),
    as `GET /audit/verify`; an exported copy's anyone's."""
    from ringmaster.accounts import Accounts, check_role

    with Runner(Settings(), recover_on_start=False) as runner:
        if file is not None:  # a copy its holder already reads: anyone may check it
            if not file.is_file():
                err.print(f"error: --file: no such file {str(file)!r}", markup=False)
                raise typer.Exit(2)
            _report(runner.audit.verify_export(file), json_mode, f"the export {file}")
            return
        check_role(Accounts(runner.engine), me(as_), "admin", "audit verify")
        _report(runner.audit.verify(), json_mode, "the audit trail")


@audit_app.command("export")
def export(
    file: Annotated[Path, typer.Argument(help="Where to write the copy (JSON lines, 0600).")],
    as_: AsOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Write every event and the signed head to FILE; `audit verify --file FILE` checks it.
    Every thread's story is in it: once users exist, an admin's (`--as`), as the API keeps
    the whole trail to admins."""
    from ringmaster.accounts import Accounts, check_role

    check_file_to_write(file)  # never an existing one: a copy made 0600 stays 0600
    with Runner(Settings(), recover_on_start=False) as runner:
        check_role(Accounts(runner.engine), me(as_), "admin", "audit export")
        count = runner.audit.export(file)
    result: dict[str, Any] = {"file": str(file), "events": count}
    print_json(result) if json_mode else out.print(
        f"exported {count} event(s) to {file}", markup=False
    )


__all__ = ["audit_app"]
