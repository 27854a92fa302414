"""Operations commands: `ringmaster status`, `ringmaster summary` and `ringmaster checkin` (for
cron); `ringmaster outbox` is in cli_outbox.py. They read the stores and the team file; none
builds a planner. The outbox's senders (httpx, tenacity, smtplib) are imported by the commands
that send, not by `status`."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.cells import cell_len
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import Engine

from ringmaster.agent_status import AgentStatus, agent_statuses, seconds_text
from ringmaster.agents.spec import Team
from ringmaster.checkin import checkin as run_checkin
from ringmaster.cli_options import AsOpt, check_file_to_write, me
from ringmaster.cli_output import JsonOpt, out, print_json
from ringmaster.clock import utcnow
from ringmaster.errors import ConfigError
from ringmaster.settings import Settings
from ringmaster.summary import build_summary, parse_since, queue_summary, render
from ringmaster.tables import make_engine
from ringmaster.waiting_corrections import waiting
from ringmaster.wiring import load_team_and_tools


@contextmanager
def stores() -> Iterator[tuple[Settings, Engine, Team]]:
    settings = Settings()
    engine = make_engine(settings.app_db_url)
    try:
        team, _ = load_team_and_tools(settings)
        yield settings, engine, team
    finally:
        engine.dispose()


def reviewer_only(engine: Engine, as_: str | None, what: str) -> None:
    """Refuse (AccountError) `what` (e.g. "outbox send") on the command line, before anything
    is stored, unless the person (`--as`, else the login) is a reviewer or admin once users
    exist: operations commands are a reviewer's, as the API's operations routes."""
    from ringmaster.accounts import Accounts, check_role

    check_role(Accounts(engine), me(as_), "reviewer", what)


def _statuses(settings: Settings, engine: Engine, team: Team) -> list[AgentStatus]:
    return agent_statuses(
        engine,
        team,
        utcnow(),
        window=timedelta(minutes=settings.status_window_minutes),
        unhealthy_error_rate=settings.unhealthy_error_rate,
    )


def _errors(s: AgentStatus) -> str:
    """The agent's own failures of its outputs, and apart the attempts refused for the
    request's input, scopes or budget (which do not count against its health)."""
    refused = f"{s.refused} refused" if s.refused else ""
    if s.error_rate is None:
        return refused or "–"
    return f"{s.errors}/{s.outputs}" + (f", {refused}" if refused else "")


_COLUMNS = ("agent", "health", "queued", "running", "cap", "done/h", "errors", "p50", "p95", "ETA")
# The least the health column is given in the table: narrower, its reasons would fold a word a
# line, and the agents are drawn as lines instead.
_HEALTH_MIN = 24


def _cells(s: AgentStatus) -> list[str]:
    health = "ok" if s.healthy else "UNHEALTHY: " + "; ".join(s.reasons)
    return [
        s.name,
        health,
        str(s.queue_depth),
        str(s.running),
        str(s.capacity),
        f"{s.throughput_per_hour:.1f}",
        _errors(s),
        seconds_text(s.p50_seconds),
        seconds_text(s.p95_seconds),
        seconds_text(s.eta_seconds),
    ]


def _status_view(rows: list[AgentStatus], width: int) -> RenderableType:
    """The agents' status for a terminal `width` columns wide: a table when its columns fit
    whole, else a few lines an agent. At 80 columns the table had folded agent names, headers
    and figures a few letters a line ("suppo / rt", "runni / ng")."""
    title = f"Agents at {utcnow():%Y-%m-%d %H:%M:%S} UTC"
    cells = [_cells(s) for s in rows]
    widths = [
        max(cell_len(text) for text in (name, *(row[n] for row in cells)))
        for n, name in enumerate(_COLUMNS)
    ]
    widths[1] = min(widths[1], _HEALTH_MIN)
    if sum(widths) + 3 * len(widths) + 1 <= width:  # a space either side and a rule a column
        table = Table(title=title)
        for name in _COLUMNS:
            table.add_column(name, no_wrap=name != "health", overflow="fold")
        for row in cells:
            table.add_row(*(Text(c) for c in row))
        return table
    lines = [title]
    for row in cells:
        lines += textwrap.wrap(f"{row[0]}: {row[1]}", width, subsequent_indent="    ")
        figures = [
            f"queued {row[2]}", f"running {row[3]} of {row[4]}", f"{row[5]} done/h",
            f"errors {row[6]}", f"p50 {row[7]}", f"p95 {row[8]}", f"ETA {row[9]}",
        ]  # fmt: skip
        lines += _packed(figures, width, "  ")
    return Text("\n".join(lines), no_wrap=True, overflow="fold")


def _packed(items: list[str], width: int, indent: str) -> list[str]:
    """`items` joined by ", " into lines of at most `width`, none broken across two."""
    lines = [indent]
    for item in items:
        joined = f"{lines[-1]}, {item}" if lines[-1].strip() else lines[-1] + item
        if cell_len(joined) <= width or not lines[-1].strip():
            lines[-1] = joined
        else:
            lines[-1] += ","
            lines.append(indent + item)
    return lines


def status(
    json_mode: JsonOpt = False,
    watch: Annotated[
        float | None, typer.Option(help="Redraw every this many seconds until Ctrl-C.", min=0.5)
    ] = None,
) -> None:
    """Every agent's health, queue, running work, throughput, p50/p95 time and ETA."""
    if watch is not None and json_mode:
        raise ConfigError("--watch draws a table; leave out --json")
    with stores() as (settings, engine, team):
        if watch is None:
            rows = _statuses(settings, engine, team)
            if json_mode:
                print_json([r.to_dict() for r in rows])
                return
            out.print(_status_view(rows, out.width))
            unused = waiting(settings.cache_dir)
            if unused is not None:
                out.print(
                    f"{unused.count} routing correction(s) not used by the local planner "
                    f"(since {unused.since:%Y-%m-%d %H:%M} UTC): {unused.why}",
                    markup=False,
                )
            return
        from rich.live import Live

        with Live(_status_view(_statuses(settings, engine, team), out.width), console=out) as live:
            while True:
                time.sleep(watch)
                live.update(_status_view(_statuses(settings, engine, team), out.width))


FORMATS = ("md", "html", "json")


def summary(
    since: Annotated[str, typer.Option(help="The period: 24h, 90m, 7d …")] = "24h",
    format: Annotated[str, typer.Option("--format", help="md, html or json.")] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the --output file.")] = False,
    send: Annotated[
        bool, typer.Option(help="Queue it in the outbox (once per period and hour) and send.")
    ] = False,
    as_: AsOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """What happened over the period, per agent, and what needs a person now. Once users
    exist, a reviewer's (`--as`), as `GET /summary`."""
    if format not in FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)}, not {format!r}")
    if json_mode and format not in ("md", "json"):
        raise ConfigError(f"--json prints JSON: leave out --format {format}")
    if json_mode:
        format = "json"
    span = parse_since(since)
    if output is not None:
        # Before anything is built or --send queues it.
        check_file_to_write(output, "--output", force=force)
    with stores() as (settings, engine, team):
        reviewer_only(engine, as_, "summary")
        now = utcnow()
        s = build_summary(engine, now - span, now, _statuses(settings, engine, team))
        text = render(s, format)
        if send:
            from ringmaster.outbox import outbox_from_settings

            # One row per period and hour, so a cron line run twice sends one summary.
            minutes = int(span.total_seconds()) // 60  # 24h, 1d and 1440m are one period
            queued = queue_summary(engine, s, f"summary:{minutes}m:{now:%Y-%m-%dT%H}", now)
            report = outbox_from_settings(engine, settings).send_due()
            said = (
                "summary queued"
                if queued
                else "a summary of this period was already queued this hour: not queued again"
            )
            if json_mode:
                print_json({"queued": bool(queued), "outbox": report.to_dict()})
            else:
                out.print(f"{said}; outbox: {report.line()}", style="dim", highlight=False)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"--output: cannot write {str(output)!r}: {exc.strerror}") from exc
    elif not send:
        out.print(text, markup=False, highlight=False, soft_wrap=True)


def checkin(
    stuck_minutes: Annotated[
        float, typer.Option(help="A run this long without progress is stuck.", min=1)
    ] = 30.0,
    as_: AsOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Record agents' status, escalate stuck runs and unhealthy agents, send the outbox. Once
    users exist, a reviewer's (`--as`)."""
    from ringmaster.outbox import outbox_from_settings

    with stores() as (settings, engine, team):
        reviewer_only(engine, as_, "checkin")
        report = run_checkin(
            engine,
            team,
            utcnow(),
            stuck_after=timedelta(minutes=stuck_minutes),
            window=timedelta(minutes=settings.status_window_minutes),
            unhealthy_error_rate=settings.unhealthy_error_rate,
        )
        sent = outbox_from_settings(engine, settings).send_due()
    if json_mode:
        print_json({**report.to_dict(), "outbox": sent.to_dict()})
        return
    out.print(_status_view(report.statuses, out.width))
    out.print(
        f"stuck runs escalated: {len(report.stuck)}; newly unhealthy: "
        f"{', '.join(report.unhealthy) or 'none'}; outbox: {sent.line()}"
    )
