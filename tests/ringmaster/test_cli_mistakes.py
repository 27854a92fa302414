"""Issue 12: every CLI command meets a missing value, an unknown option and a bad setting with
one line on stderr and exit 2, never a traceback (in process, through the real entry point)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import typer

import ringmaster.cli
from ringmaster.cli import app
from ringmaster.cli_lazy import LazyGroup, load_command
from ringmaster.cli_output import clean, run_app


def _commands(cmd: click.Command, path: list[str]) -> Iterator[tuple[list[str], click.Command]]:
    if isinstance(cmd, click.Group):
        for name, sub in sorted(cmd.commands.items()):
            yield from _commands(sub, [*path, name])
    else:
        yield path, cmd


def _every_command() -> click.Command:
    """The whole command tree: the lazy commands (ringmaster/cli_lazy.py) loaded too."""
    root = typer.main.get_command(app)
    assert isinstance(root, LazyGroup)
    for name, (target, _) in root.lazy_commands.items():
        root.add_command(load_command(name, target), name)
    return root


COMMANDS = list(_commands(_every_command(), []))


def _dummy_args(cmd: click.Command) -> list[str]:
    return ["x" for p in cmd.params if isinstance(p, click.Argument) and p.required]


def _missing_value(cmd: click.Command) -> list[str] | None:
    valued = [
        p.opts[0]
        for p in cmd.params
        if isinstance(p, click.Option) and not p.is_flag and not p.count and p.opts[0] != "--help"
    ]
    if valued:
        return [*_dummy_args(cmd), valued[0]]  # the option last, with nothing after it
    if _dummy_args(cmd):
        return []  # a required argument left out
    return None


def one_line_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], monkeypatch: pytest.MonkeyPatch
) -> str:
    with pytest.raises(SystemExit) as exited:
        run_app(app, args)
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert exited.value.code == 2, (args, captured.err)
    assert len(lines) == 1 and "Traceback" not in captured.err, (args, captured.err)
    return lines[0]


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RINGMASTER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("RINGMASTER_DB_URL", raising=False)
    monkeypatch.chdir(tmp_path)


def test_the_command_list_is_complete() -> None:
    names = {" ".join(p) for p, _ in COMMANDS}
    assert {"run", "review approve", "audit export", "users revoke", "eval run"} <= names
    assert len(COMMANDS) >= 30


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_meets_mistakes_with_one_line_and_exit_2(
    path: list[str],
    cmd: click.Command,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    line = one_line_exit_2(capsys, [*path, "--no-such-option"], monkeypatch)
    assert "--no-such-option" in line
    missing = _missing_value(cmd)
    if missing is not None:
        line = one_line_exit_2(capsys, [*path, *missing], monkeypatch)
        assert "requires an argument" in line or "Missing argument" in line, line
    monkeypatch.setenv("RINGMASTER_STALE_LOCK_SECONDS", "soon")
    line = one_line_exit_2(capsys, [*path, *_dummy_args(cmd)], monkeypatch)
    assert line.startswith("error: setting RINGMASTER_STALE_LOCK_SECONDS:") and "'soon'" in line


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"RINGMASTER_DB_URL": "postgresql://u:secret@127.0.0.1:1/x"}, "cannot use the database"),
        ({"RINGMASTER_DB_URL": "nosuchdb://x"}, "is not a database URL"),
        # A dialect SQLAlchemy knows but ringmaster does not use: not a traceback for a
        # missing MySQL driver.
        ({"RINGMASTER_DB_URL": "mysql://u:pw@127.0.0.1/x"}, "only postgresql://"),
        ({"RINGMASTER_API_PORT": "eighty"}, "setting RINGMASTER_API_PORT"),
        ({"RINGMASTER_HOME": "/proc/not-here"}, "RINGMASTER_HOME '/proc/not-here' cannot be used"),
    ],
)
def test_bad_configuration_is_one_line(
    env: dict[str, str],
    expected: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    line = one_line_exit_2(capsys, ["review", "list"], monkeypatch)
    assert expected in line and "secret" not in line


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        (["revie", "list"], "Did you mean 'review'?"),  # a lazily loaded command is suggested
        (["reviw", "list"], "Did you mean 'review'?"),
        (["review", "aprove", "x"], "Did you mean 'approve'?"),
    ],
)
def test_a_mistyped_command_gets_one_suggestion(
    typed: list[str], hint: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    line = one_line_exit_2(capsys, typed, monkeypatch)
    assert line.count("Did you mean") == 1 and hint in line, line


def test_a_group_with_no_command_prints_its_help_and_no_empty_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        run_app(app, ["review"])
    out = capsys.readouterr()
    assert exit_.value.code == 2
    assert "approve" in out.out + out.err and "error:" not in out.out + out.err


def test_review_list_refuses_an_unknown_status(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    line = one_line_exit_2(capsys, ["review", "list", "--status", "bogus"], monkeypatch)
    assert "'bogus' is not one of" in line


def test_review_list_names_an_unknown_agent_and_the_known_ones(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Was 'no review items … agent bogus', as if the filter were right and the queue empty."""
    line = one_line_exit_2(capsys, ["review", "list", "--agent", "bogus"], monkeypatch)
    assert line.startswith("error: unknown agent 'bogus'"), line
    assert "billing" in line and "support" in line, line
    try:
        run_app(app, ["review", "list", "--agent", "billing"])
    except SystemExit as exited:
        assert exited.code in (0, None)
    assert "no review items" in capsys.readouterr().out  # a known agent with none: as before


def test_run_refuses_an_unknown_priority_before_anything_is_stored(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Was 'error: bad requester: Input should be …', said once the stores were opened."""
    line = one_line_exit_2(capsys, ["run", "hello", "--priority", "bogus"], monkeypatch)
    assert "--priority" in line and "'bogus' is not one of 'low', 'normal', 'high'" in line
    assert not (tmp_path / "home").exists()  # no store was made, nothing kept


def test_control_characters_are_stripped() -> None:
    evil = "refund\x1b[2J\x1b]0;owned\x07 now\r\x08\x00 ok\n\tnext"
    assert clean(evil) == "refund now ok\n\tnext"


def test_bidirectional_overrides_are_stripped() -> None:
    """A right-to-left override (U+202E) or isolate makes a terminal show text in another
    order than it is ("Trojan Source"): 'refund INV-1002 \u202e00.01' reads as '10.00'."""
    spoof = "refund INV-1002 \u202e00.01\u202c and \u2067close\u2069 it"
    assert clean(spoof) == "refund INV-1002 00.01 and close it"
    rtl = "\u05e9\u05dc\u05d5\u05dd \u200fINV-1002"  # Hebrew and an RLM mark stay as typed
    assert clean(rtl) == rtl


def test_review_show_and_thread_list_print_no_escape_sequences_from_request_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ringmaster import cli_options
    from ringmaster.graph.state import Requester
    from ringmaster.runner import Runner
    from ringmaster.settings import Settings
    from tests.fakes import ScriptedAgent, ScriptedPlanner, make_deps, ok, plan_of, proposing

    agents = {"gamma": ScriptedAgent(proposing(50)), "beta": ScriptedAgent(ok())}
    deps, _ = make_deps(tmp_path, ScriptedPlanner(plan_of(("big", "gamma"))), agents)
    with Runner(Settings(home=tmp_path / "home"), deps=deps) as runner:
        text = "pay \x1b[2J\x1b]0;owned\x07[bold]now[/bold]"
        out = runner.submit(text, requester=Requester(id="ann", scopes=["admin"]))
        (item,) = out.pending
    capsys.readouterr()
    run_app(app, ["review", "show", item.id])  # returns normally: no exit code
    shown = capsys.readouterr().out
    assert "request: pay [bold]now[/bold]" in shown and "\x1b" not in shown and "\x07" not in shown

    # The thread list printed the last request raw: a title change, colours, markup read.
    # Wide enough that the request is not wrapped: pytest-xdist's workers set COLUMNS=80,
    # which the console follows.
    monkeypatch.setattr(cli_options.out, "width", 200)
    run_app(app, ["thread", "list"])
    listed = capsys.readouterr().out
    assert "[bold]now[/bold]" in listed and "\x1b" not in listed and "\x07" not in listed


def test_the_typer_range_excludes_the_release_that_prints_tracebacks() -> None:
    """The install (`make demo` installs pyproject's range) keeps a Typer whose usage errors
    stay one line: the tests above ran with the installed one, and 0.26 is outside the range."""
    import tomllib
    from importlib.metadata import version

    from packaging.requirements import Requirement

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    deps = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    (typer_req,) = [Requirement(d) for d in deps if Requirement(d).name == "typer"]
    assert version("typer") in typer_req.specifier
    assert "0.26.0" not in typer_req.specifier and "0.25.1" in typer_req.specifier


def test_a_missing_postgres_database_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import PG_URL

    if not PG_URL:
        pytest.skip("RINGMASTER_TEST_POSTGRES_URL is not set")
    base, _ = PG_URL.rsplit("/", 1)
    monkeypatch.setenv("RINGMASTER_DB_URL", f"{base}/rm_no_such_database")
    line = one_line_exit_2(capsys, ["review", "list"], monkeypatch)
    assert "cannot use the database" in line and "rm_no_such_database" in line


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["outbox", "--status", "bogus"], "'queued', 'retrying', 'delivered', 'failed', 'sent'"),
        (["review", "list", "--kind", "bogus"], "'routing', 'approval', 'human_category'"),
    ],
)
def test_an_unknown_outbox_status_or_review_kind_is_refused_with_the_allowed_values(
    args: list[str],
    allowed: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Were taken as filters: `review list --kind bogus` said "no review items", and
    `outbox --status bogus` opened the stores before the outbox refused it."""
    line = one_line_exit_2(capsys, args, monkeypatch)
    assert f"'bogus' is not one of {allowed}" in line, line
    assert not (tmp_path / "home").exists()  # refused before any store was made


def test_thread_list_takes_the_statuses_the_api_takes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The two lists were written twice and differed: the API's thread filter took
    'accepted', which `thread list --status` refused. Both read one list now."""
    from typing import get_args

    from ringmaster.api.schemas import ThreadStatus

    line = one_line_exit_2(capsys, ["thread", "list", "--status", "accepted"], monkeypatch)
    listed = line.split("must be one of ", 1)[1].rsplit(", not ", 1)[0]
    assert listed.split(", ") == list(get_args(ThreadStatus)), line


def test_review_list_kind_help_names_every_kind_the_api_has() -> None:
    from typing import get_args

    from ringmaster.api.schemas import ReviewKind

    review_list = _every_command().commands["review"].commands["list"]  # type: ignore[attr-defined]
    kind = next(p for p in review_list.params if p.name == "kind")
    assert isinstance(kind.type, click.Choice)
    assert list(kind.type.choices) == list(get_args(ReviewKind))
    assert all(k in (kind.help or "") for k in get_args(ReviewKind)), kind.help


def test_outbox_lists_with_a_bad_webhook_setting_and_sending_still_refuses_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listing sends nothing, so a webhook URL only `send` may not use does not stop it."""
    monkeypatch.setenv("RINGMASTER_NOTIFY_WEBHOOK_URL", "http://example.org/hook")
    try:
        run_app(app, ["outbox"])
    except SystemExit as exited:
        assert exited.code in (0, None), capsys.readouterr()
    assert "no notifications in the outbox" in capsys.readouterr().out
    for delivering in (["outbox", "send"], ["checkin"]):
        line = one_line_exit_2(capsys, delivering, monkeypatch)
        assert line.startswith("error: RINGMASTER_NOTIFY_WEBHOOK_URL"), (delivering, line)


def test_the_help_summary_names_every_command_once_by_use() -> None:
    """`ringmaster --help` began 'The `ringmaster` command line: run, chat, review, thread,
    recover', 5 of its 17 commands, as if they were all."""
    import re

    import ringmaster.cli

    root = typer.main.get_command(app)
    commands = root.list_commands(click.Context(root))
    named = [
        n for group in re.findall(r"\(([^)]*)\)", ringmaster.cli.__doc__ or "")
        for n in group.split(", ")
    ]  # fmt: skip
    assert sorted(named) == sorted(commands) and len(commands) >= 17
    assert app.info.help == ringmaster.cli.__doc__


def _help(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    try:
        run_app(app, [*args, "--help"])
    except SystemExit as exit_:
        assert exit_.code == 0
    return capsys.readouterr().out


def _names(group: list[str]) -> set[str]:
    root = typer.main.get_command(app)
    if group:
        (name,) = group
        root = load_command(name, ringmaster.cli._Commands.lazy_commands[name][0])
    return set(root.list_commands(click.Context(root)))  # type: ignore[attr-defined]


@pytest.mark.parametrize("group", [[], ["review"], ["thread"]])
def test_a_command_list_reads_each_commands_line_as_one_sentence(
    group: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`review --help` listed 'Once users exist a reviewer sees' / 'every item': a help line
    broke where its docstring's source line did, not where the panel wraps it."""
    monkeypatch.setenv("COLUMNS", "400")  # wide enough that no line of the list needs a wrap
    said = _help(group, capsys)
    panel = said[said.index("Commands") :]
    rows = [line.strip("│ ").rstrip() for line in panel.splitlines() if line.startswith("│")]
    assert len(rows) == len(_names(group)), rows  # one row each: none continues another
    assert {r.split()[0] for r in rows} == _names(group)


@pytest.mark.parametrize("command", ["chat", "checkin", "escalate"])
def test_a_commands_help_offers_no_completion_the_program_does_not_have(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "completion" not in _help([command], capsys)


@pytest.mark.parametrize("command", [["review", "edit"], ["run"]])
def test_a_commands_help_reads_each_paragraph_as_running_text(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`review edit --help` broke its second paragraph after "the tool's" and "is refused",
    where the docstring's source lines end."""
    monkeypatch.setenv("COLUMNS", "400")
    said = _help(command, capsys)
    text = "\n".join(
        line.strip() for line in said[said.index("Usage:") : said.index("╭")].split("\n")
    )
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()][1:]  # after Usage
    assert len(paragraphs) >= 2 and all("\n" not in p for p in paragraphs), paragraphs


def test_an_arguments_help_is_shown(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`thread show --help` listed `thread TEXT [required]` and nothing of what to give: click
    8.5's Argument takes `help` and the Typer in range did not pass it on, so it was dropped;
    pyproject's range keeps the click that shows it."""
    import tomllib
    from importlib.metadata import version

    from packaging.requirements import Requirement

    monkeypatch.setenv("COLUMNS", "200")
    assert "The thread's id, or a unique prefix of it." in _help(["thread", "show"], capsys)
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    deps = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    (click_req,) = [Requirement(d) for d in deps if Requirement(d).name == "click"]
    assert version("click") in click_req.specifier and "8.5.1" not in click_req.specifier


@pytest.mark.parametrize("command", ["show", "claim", "approve", "reject", "respond", "edit"])
def test_a_review_commands_help_says_what_its_item_is(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    said = _help(["review", command], capsys)
    assert "The review item's id, or a unique prefix of 4 or more characters of it." in said
