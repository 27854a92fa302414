"""`ringmaster users`: add users, list them, change them, issue API tokens, disable and enable them.

A token is printed once, when it is made; only its hash is stored, so a lost token is replaced
with `users token NAME`, never shown again.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import click
import typer
from rich.console import Console
from rich.table import Table

from ringmaster.accounts import ROLES, TOKEN_DAYS, Accounts, User
from ringmaster.cli_options import command, console_width
from ringmaster.errors import RingmasterError
from ringmaster.settings import Settings
from ringmaster.tables import make_engine

users_app = typer.Typer(no_args_is_help=True, help="Users, roles and API tokens.")
out = Console(width=console_width(sys.stdout))
err = Console(stderr=True, soft_wrap=True)  # a message is one line, however long

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@contextmanager
def _accounts() -> Iterator[Accounts]:
    """The account store; a user mistake prints one line (JSON on stdout with --json, as every
    other command's) and exits 2."""
    engine = make_engine(Settings().app_db_url)
    try:
        yield Accounts(engine)
    except RingmasterError as exc:
        ctx = click.get_current_context(silent=True)
        if ctx is not None and ctx.params.get("json_mode"):
            sys.stdout.write(json.dumps({"error": str(exc)}) + "\n")
        else:
            err.print(f"error: {exc}", markup=False, soft_wrap=True, highlight=False)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()


def _emit_token(name: str, token: str, json_mode: bool) -> None:
    if json_mode:
        sys.stdout.write(json.dumps({"user": name, "token": token}) + "\n")
        return
    out.print(f"token for {name} (shown once; keep it secret):", markup=False)
    sys.stdout.write(token + "\n")


def _check_scopes(wanted: list[str]) -> None:
    """Refuse a scope no agent of the configured team takes ("--scopes bogus,billing"): a
    typo would otherwise be stored and silently reach nothing."""
    from ringmaster.agents.demo import TEAM_FILE
    from ringmaster.agents.spec import load_team

    team = load_team(Settings().team_file or TEAM_FILE)
    known = sorted({s for agent in team.agents for s in agent.scopes})
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise RingmasterError(
            f"unknown scope {unknown[0]!r}: the team's agents take {', '.join(known)} (or 'all')"
        )


def _parse_scopes(scopes: str | None) -> list[str] | None:
    """`--scopes` as given: a comma-separated list, checked against the team; 'all' is None
    (every agent), 'none' no scope at all. An empty one is refused: `--scopes ""` (or an
    unset shell variable) took every scope away without a word."""
    if scopes is None:
        return []
    wanted = [s.strip() for s in scopes.split(",") if s.strip()]
    if not wanted:
        raise RingmasterError(
            "--scopes is empty: name the scopes (--scopes billing,support), 'all' for every "
            "agent, or 'none' for no scope at all"
        )
    if wanted == ["all"]:
        return None
    if wanted == ["none"]:
        return []
    _check_scopes(wanted)
    return wanted


def _warn_about_scopes(user: User) -> None:
    if user.scopes is None:
        err.print(
            f"warning: {user.name} reaches every agent, including data erasure and "
            "production rollbacks; give only the scopes they need (--scopes billing,support)",
            markup=False,
        )
    elif not user.scopes and user.role == "requester":
        err.print(
            f"note: {user.name} has no scopes, so every request of theirs goes to a person; "
            "add some with --scopes",
            markup=False,
        )


def _print_user(user: User, json_mode: bool, done: str) -> None:
    if json_mode:
        sys.stdout.write(json.dumps(user.to_dict()) + "\n")
    else:
        out.print(f"{done} {user.name}", markup=False)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name (letters, digits, _ . @ -).")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")] = "requester",
    scopes: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated scopes the user may reach, 'all', or 'none' (the default)."
        ),
    ] = None,
    priority: Annotated[str, typer.Option(help="low, normal, high or urgent.")] = "normal",
    token: Annotated[bool, typer.Option(help="Also issue an API token.")] = True,
    json_mode: JsonOpt = False,
) -> None:
    """Add a user with a role and (by default) print their first API token."""
    with _accounts() as accounts:
        user = accounts.add(name, role, scopes=_parse_scopes(scopes), priority=priority)
    _warn_about_scopes(user)
    with _accounts() as accounts:
        secret = accounts.issue_token(name) if token else None
    if secret:
        _emit_token(user.name, secret, json_mode)
    elif json_mode:
        sys.stdout.write(json.dumps(user.to_dict()) + "\n")
    else:
        out.print(f"added {user.name} ({user.role})", markup=False)


@users_app.command("list")
def users_list(json_mode: JsonOpt = False) -> None:
    """Every user, their role, scopes and whether they are disabled."""
    with _accounts() as accounts:
        rows = accounts.list()
    if json_mode:
        sys.stdout.write(json.dumps([u.to_dict() for u in rows]) + "\n")
        return
    table = Table(title="Users")
    for col in ("name", "role", "scopes", "priority", "disabled", "created"):
        table.add_column(col)
    for u in rows:
        table.add_row(
            u.name,
            u.role,
            "all" if u.scopes is None else ",".join(u.scopes) or "-",
            u.priority,
            "yes" if u.disabled else "",
            f"{u.created_at:%Y-%m-%d %H:%M}",
        )
    out.print(table)


@users_app.command("token")
def users_token(
    name: str,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    days: Annotated[float, typer.Option(help="How many days the token works.")] = TOKEN_DAYS,
    json_mode: JsonOpt = False,
) -> None:
    """Issue a new API token for a user (their other tokens keep working)."""
    with _accounts() as accounts:
        secret = accounts.issue_token(name, label, days)
    _emit_token(name, secret, json_mode)


@users_app.command("tokens")
def users_tokens(name: str, json_mode: JsonOpt = False) -> None:
    """A user's tokens: the id to revoke each by, its label and when it expires."""
    with _accounts() as accounts:
        rows = accounts.tokens(name)
    if json_mode:
        sys.stdout.write(json.dumps(rows) + "\n")
        return
    table = Table(title=f"Tokens of {name}")
    for col in ("id", "label", "created", "expires"):
        table.add_column(col)
    for t in rows:
        table.add_row(t["id"], t["label"], t["created_at"][:16], (t["expires_at"] or "never")[:16])
    out.print(table)


@users_app.command("revoke")
def users_revoke(
    name: str,
    token_id: Annotated[str, typer.Argument(help="The token's id from `users tokens NAME`.")],
    json_mode: JsonOpt = False,
) -> None:
    """Revoke one token; the user's other tokens keep working."""
    with _accounts() as accounts:
        accounts.revoke_token(name, token_id)
    if json_mode:
        sys.stdout.write(json.dumps({"user": name, "revoked": token_id}) + "\n")
    else:
        out.print(f"revoked token {token_id} of {name}", markup=False)


@users_app.command("purge-sessions")
def users_purge_sessions(json_mode: JsonOpt = False) -> None:
    """Delete expired web sessions (signing in also does this)."""
    with _accounts() as accounts:
        gone = accounts.purge_sessions()
    if json_mode:
        sys.stdout.write(json.dumps({"purged": gone}) + "\n")
    else:
        out.print(f"purged {gone} expired session(s)", markup=False)


@users_app.command("disable")
def users_disable(name: str, json_mode: JsonOpt = False) -> None:
    """Disable a user: every token and web session of theirs stops working."""
    with _accounts() as accounts:
        user = accounts.disable(name)
    _print_user(user, json_mode, "disabled")


@users_app.command("enable")
def users_enable(name: str, json_mode: JsonOpt = False) -> None:
    """Let a disabled user in again; their earlier tokens stay revoked (issue a new one)."""
    with _accounts() as accounts:
        user = accounts.enable(name)
    _print_user(user, json_mode, "enabled")
    if not json_mode:
        hint = command(f"users token {shlex.quote(user.name)}")
        out.print(f"their earlier tokens stay revoked: `{hint}`", markup=False)


@users_app.command("set")
def users_set(
    name: str,
    role: Annotated[str | None, typer.Option(help=f"One of: {', '.join(ROLES)}.")] = None,
    scopes: Annotated[
        str | None, typer.Option(help="Comma-separated scopes, 'all', or 'none' for no scope.")
    ] = None,
    priority: Annotated[str | None, typer.Option(help="low, normal, high or urgent.")] = None,
    json_mode: JsonOpt = False,
) -> None:
    """Change a user's role, scopes or priority; what is not given stays."""
    with _accounts() as accounts:
        if role is None and scopes is None and priority is None:
            raise RingmasterError("nothing to change: give --role, --scopes or --priority")
        if scopes is None:
            user = accounts.change(name, role=role, priority=priority)
        else:
            user = accounts.change(name, role=role, scopes=_parse_scopes(scopes), priority=priority)
    if scopes is not None:
        _warn_about_scopes(user)
    _print_user(user, json_mode, "changed")
