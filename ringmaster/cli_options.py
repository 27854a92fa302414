"""The CLI's light shared parts: consoles, the common options, JSON output.

`ringmaster --help` imports this and nothing heavier: no LangGraph, no SQLAlchemy, no
scikit-learn. What needs them lives in `cli_output` and the commands' own modules, loaded only
when a command that needs them runs (see `cli_lazy`).
"""

from __future__ import annotations

import getpass
import json
import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console


def console_width(stream: TextIO) -> int | None:
    """None (Rich's own: COLUMNS, else the terminal's) for a terminal, or when COLUMNS says
    the width; other piped output keeps a readable 120."""
    return None if stream.isatty() or os.environ.get("COLUMNS", "").isdigit() else 120


out = Console(width=console_width(sys.stdout))
err = Console(stderr=True, width=console_width(sys.stderr), soft_wrap=True)  # one line a message
SHORT_ID = 10  # tables show a prefix; every command accepts a unique prefix of MIN_PREFIX or more
MIN_PREFIX = 4  # characters of an id (ringmaster/tables.py: row_by_prefix)
PREFIX_WORDS = f"a unique prefix of {MIN_PREFIX} or more characters"

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]
AsOpt = Annotated[str | None, typer.Option("--as", help="Who you are (default: your login).")]


def command_name(argv0: str | None = None) -> str:
    """This program as the person can type it again, on the data it used: `ringmaster` where
    that name finds this very program (an installed ringmaster, an activated venv), else the
    path it was run by (`.venv/bin/ringmaster` in a checkout; `ringmaster` when not run as
    its script), after `RINGMASTER_HOME=…` when that was set (`make demo` sets it for its
    own command, a person may on one command line: the hint cannot tell either from an
    exported one, and without it the command reads another data directory)."""
    home = os.environ.get("RINGMASTER_HOME")
    if not home:
        return _program(argv0)
    try:
        shown = str(Path(home).resolve().relative_to(Path.cwd()))
    except (OSError, ValueError):  # not under the working directory: as given
        shown = home
    return f"RINGMASTER_HOME={shlex.quote(shown)} {_program(argv0)}"


def _program(argv0: str | None) -> str:
    argv0 = sys.argv[0] if argv0 is None else argv0
    if Path(argv0).name not in ("ringmaster", "ringmaster.exe"):  # `python -m`, a test
        return "ringmaster"
    found = shutil.which("ringmaster")
    try:
        if found is not None and Path(found).resolve() == Path(argv0).resolve():
            return "ringmaster"
    except OSError:
        pass
    return shlex.quote(argv0)


def command(words: str, as_: str | None = None) -> str:
    """A command to suggest, as it runs when typed where it is shown (`command_name`), acting
    as the same person: with the `--as NAME` the person's own command gave."""
    return f"{command_name()} {words}" + (f" --as {shlex.quote(as_)}" if as_ else "")


def me(name: str | None) -> str:
    """Who the command acts as: `--as NAME`, or the login name without it. An empty or blank
    `--as` is refused: it was taken as no `--as` at all, so the command acted as the login (and
    its error named a user nobody typed)."""
    if name is None:
        return getpass.getuser()
    if not name.strip():
        from ringmaster.errors import RingmasterError

        raise RingmasterError("--as needs a user name (leave it out to act as your login name)")
    return name


def shorten(text: str, most: int) -> str:
    """`text` in at most `most` characters, ending in "…" where it was cut, so a cut line is
    never read as all there was."""
    return text if len(text) <= most else text[: most - 1] + "…"


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")


def user_errors() -> tuple[type[Exception], ...]:
    """The errors a user can act on: shown as one line, never as a traceback.

    A function, not a constant, so that importing the CLI does not import every layer whose
    errors these are; by the time one is raised, its layer is loaded anyway.
    """
    from ringmaster.agents.errors import AgentError
    from ringmaster.errors import RingmasterError
    from ringmaster.graph.errors import GraphError
    from ringmaster.tools.errors import ToolError

    return (RingmasterError, AgentError, GraphError, ToolError)


def check_file_to_write(path: Path, option: str = "", *, force: bool | None = None) -> None:
    """ConfigError unless `path` names a new file in a folder that exists (`option`, e.g.
    "--output", starts the message when the path came from one). An existing file is
    replaced only with `force`; None: the command has no --force, so none is offered."""
    from ringmaster.errors import ConfigError

    lead = f"{option}: " if option else ""
    if path.is_dir():
        raise ConfigError(f"{lead}{str(path)!r} is a folder; name a file in it")
    if not path.parent.is_dir():
        raise ConfigError(f"{lead}no folder {str(path.parent)!r} to write {path.name!r} in")
    if path.exists() and not force:
        offer = "" if force is None else ", or --force to replace it"
        raise ConfigError(f"{lead}{str(path)!r} exists; choose a new file{offer}")
