"""`ringmaster outbox`: notifications with their delivery state; send what is due, retry one."""

from __future__ import annotations

from typing import Annotated

import click
import typer
from rich.table import Table

from ringmaster.cli_options import AsOpt
from ringmaster.cli_output import JsonOpt, out, print_json, print_none
from ringmaster.cli_status import reviewer_only, stores
from ringmaster.errors import ConfigError
from ringmaster.outbox import STATES, Outbox, outbox_from_settings

outbox_app = typer.Typer(
    help="Notifications: list them with their delivery state, send what is due, retry one."
)


@outbox_app.callback(invoke_without_command=True)
def outbox_list(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(help=f"One of {', '.join(STATES)}.", click_type=click.Choice(STATES)),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_: AsOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Notifications, newest first, with their delivery state (the default command). Each
    carries a review's request and proposed action: once users exist, a reviewer's (`--as`),
    as `GET /outbox`."""
    if ctx.invoked_subcommand is not None:
        return
    with stores() as (_, engine, _):
        reviewer_only(engine, as_, "the outbox")
        box = Outbox(engine, {})  # no transports: listing delivers nothing, so needs no setting
        rows = box.list(status, limit)
        counts = box.counts()
    if json_mode:
        print_json({"counts": counts, "rows": [r.to_dict() for r in rows]})
        return
    if not rows:  # not an empty table under a title of no counts
        if counts:
            print_none("notifications", status=status)
        else:
            out.print("no notifications in the outbox", markup=False)
        return
    table = Table(title="Outbox: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for col in ("id", "created", "what", "channel", "to", "state", "tries", "next try", "error"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            str(r.id),
            f"{r.created_at:%m-%d %H:%M}",
            str(r.payload.get("kind") or r.item_id),
            r.channel,
            r.recipient,
            r.status,
            str(r.attempts),
            f"{r.next_attempt_at:%H:%M:%S}" if r.next_attempt_at else "–",
            r.error or "",
        )
    out.print(table)


@outbox_app.command("send")
def outbox_send(as_: AsOpt = None, json_mode: JsonOpt = False) -> None:
    """Deliver every due notification once (retries and backoff included); safe from cron.
    Once users exist, a reviewer's (`--as`)."""
    with stores() as (settings, engine, _):
        reviewer_only(engine, as_, "outbox send")
        report = outbox_from_settings(engine, settings).send_due()
    if json_mode:
        print_json(report.to_dict())
    else:
        out.print(report.line())


@outbox_app.command("retry")
def outbox_retry(row: int, as_: AsOpt = None, json_mode: JsonOpt = False) -> None:
    """Queue a failed notification again (after fixing its destination). Once users exist, a
    reviewer's (`--as`)."""
    with stores() as (settings, engine, _):
        reviewer_only(engine, as_, "outbox retry")
        box = outbox_from_settings(engine, settings)
        if box.get(row).status != "failed":
            raise ConfigError(f"outbox row {row} is {box.get(row).status}, not failed")
        box.retry(row)
        result = box.get(row)
    print_json(result.to_dict()) if json_mode else out.print(f"row {row} is queued again")
