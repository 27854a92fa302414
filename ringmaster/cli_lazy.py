"""A command group whose commands are imported only when one of them runs.

Listing commands (`ringmaster --help`) needs each command's name and one line of help, not its
module: a lazy command is registered as `name -> ("module:attribute", "help line")` and shown
from that line. Running it (or asking for its own `--help`) imports the module, builds the
real click command from the Typer app or function it names, and hands over to it. So a command
pays only for its own imports: `ringmaster review list` never loads scikit-learn, `--help`
loads neither LangGraph nor SQLAlchemy.
"""

from __future__ import annotations

import difflib
import inspect
import pkgutil
from pathlib import Path
from typing import Any

import click
import typer
from typer.core import TyperGroup

from ringmaster.errors import RingmasterError
from ringmaster.extras import MissingExtra


class LazyGroup(TyperGroup):
    """A TyperGroup that also serves the commands in `lazy_commands`, imported on use."""

    lazy_commands: dict[str, tuple[str, str]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        eager = super().list_commands(ctx)
        return eager + [name for name in self.lazy_commands if name not in eager]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self.lazy_commands:
            # Only listings come here (resolve_command loads a command before it runs): a
            # stand-in with the registered help line.
            help_line = self.lazy_commands[cmd_name][1]
            return click.Command(cmd_name, help=help_line, short_help=help_line)
        return one_line_help(command) if command is not None else None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] in self.lazy_commands and args[0] not in self.commands:
            target, help_line = self.lazy_commands[args[0]]
            self.add_command(load_command(args[0], target, help_line), args[0])
        elif args and args[0] not in self.commands and not ctx.resilient_parsing:
            # Typer and click each add a "Did you mean" from the loaded commands only: the
            # hint came twice and never named a lazy command ('revie' -> 'recover').
            near = difflib.get_close_matches(args[0], self.list_commands(ctx), n=1)
            hint = f" Did you mean {near[0]!r}?" if near else ""
            ctx.fail(f"No such command {args[0]!r}.{hint}")
        return super().resolve_command(ctx, args)


def load_command(name: str, target: str, help_line: str = "") -> click.Command:
    """The click command for `target` ("module:attribute", a Typer app or a function); when
    its module needs an extra that is not installed, one that says so (its `--help` too) and
    fails in one line naming the extra."""
    try:
        obj: Any = pkgutil.resolve_name(target)
    except MissingExtra as exc:
        return _needs_extra(name, help_line, str(exc))
    command: click.Command
    if isinstance(obj, typer.Typer):
        command = typer.main.get_group(obj)  # a group even with one command, as add_typer
        _one_hint(command)
        for sub in command.commands.values():  # type: ignore[attr-defined]
            one_line_help(sub)
    else:
        # The program offers no shell completion (the app's add_completion=False); a command
        # of its own offered it all the same (`chat --help`: --install-completion).
        single = typer.Typer(add_completion=False)
        single.command(name)(obj)
        command = typer.main.get_command(single)
    command.name = name
    return command


def one_line_help(command: click.Command) -> click.Command:
    """The command with each paragraph of its help made one run of text, and its line in a
    command list the first of them. Typer's rich help keeps a docstring's line breaks in a
    command list and in every paragraph but the first of a command's --help, which cut
    sentences where the source wraps ("Once users exist a reviewer sees" / "every item")."""
    if command.help:
        paragraphs = inspect.cleandoc(command.help).split("\n\n")
        command.help = "\n\n".join(
            p if p.startswith("\b") else " ".join(p.split()) for p in paragraphs
        )
        if command.short_help is None:
            command.short_help = command.help.split("\n\n")[0]
    return command


def _one_hint(group: click.Command) -> None:
    """Leave "Did you mean" to click (8.2+ adds it): Typer added the same hint a second time."""
    if isinstance(group, TyperGroup):
        group.suggest_commands = False
        for sub in group.commands.values():
            _one_hint(sub)


# The options that name a file to read, in the commands that need an extra (`eval …`), and
# what the command calls it when it is missing (evals/dataset.py, agents/spec.py).
INPUT_FILES = {"--dataset": "dataset", "--team": "team file"}


def _missing_input(args: tuple[str, ...]) -> str | None:
    """The first input file named in `args` that does not exist, said as the command says it."""
    for i, arg in enumerate(args):
        option, eq, value = arg.partition("=")
        if option not in INPUT_FILES:
            continue
        if not eq:
            if i + 1 >= len(args):
                continue
            value = args[i + 1]
        if not Path(value).exists():
            return f"{INPUT_FILES[option]} not found: {value}"
    return None


def _needs_extra(name: str, help_line: str, message: str) -> click.Command:
    def fail(args: tuple[str, ...]) -> None:
        # A mistyped path is the first thing to fix, whatever is installed: say it before the
        # extra (a user who installs the extra would only meet the path next).
        missing = _missing_input(args)
        if missing is not None:
            raise RingmasterError(missing)
        raise MissingExtra(message)

    return click.Command(
        name,
        help=f"{help_line}\n\nNot available here: {message}",
        short_help=help_line,
        params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)],
        callback=fail,
        context_settings={"ignore_unknown_options": True},
    )
