"""`ringmaster users` through Typer's CliRunner, on SQLite and Postgres."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ringmaster.accounts import Accounts
from ringmaster.cli_users import users_app
from ringmaster.settings import Settings
from ringmaster.tables import make_engine


def _env(tmp_path: Path, db_url: str | None) -> dict[str, str | None]:
    """The commands' environment: None unsets a variable, so a URL in the caller's shell
    cannot point the SQLite case at another database."""
    return {"RINGMASTER_HOME": str(tmp_path), "RINGMASTER_DB_URL": db_url}


def test_add_list_token_disable(tmp_path: Path, db_url: str | None) -> None:
    cli = CliRunner()
    env = _env(tmp_path, db_url)
    added = cli.invoke(users_app, ["add", "ann", "--role", "reviewer", "--json"], env=env)
    assert added.exit_code == 0, added.output
    token = json.loads(added.stdout)["token"]

    accounts = Accounts(make_engine(Settings(home=tmp_path, db_url=db_url).app_db_url))
    user = accounts.authenticate(token)
    assert user is not None and user.role == "reviewer"

    plain = cli.invoke(users_app, ["token", "ann"], env=env)
    assert plain.exit_code == 0
    second = plain.stdout.strip().splitlines()[-1]
    assert second.startswith("rm_") and accounts.authenticate(second) is not None

    listed = cli.invoke(users_app, ["list", "--json"], env=env)
    assert [(u["name"], u["role"], u["disabled"]) for u in json.loads(listed.stdout)] == [
        ("ann", "reviewer", False)
    ]
    assert cli.invoke(users_app, ["disable", "ann"], env=env).exit_code == 0
    assert accounts.authenticate(token) is None and accounts.authenticate(second) is None
    table = cli.invoke(users_app, ["list"], env=env)
    assert "ann" in table.stdout and "yes" in table.stdout


def test_mistakes_exit_2_with_a_message(tmp_path: Path) -> None:
    cli = CliRunner()
    env = _env(tmp_path, None)
    bad_role = cli.invoke(users_app, ["add", "x", "--role", "boss"], env=env)
    assert bad_role.exit_code == 2 and "bad role" in bad_role.output
    assert bad_role.exception is None or isinstance(bad_role.exception, SystemExit)
    assert cli.invoke(users_app, ["add", "x", "--no-token"], env=env).exit_code == 0
    dup = cli.invoke(users_app, ["add", "x"], env=env)
    assert dup.exit_code == 2 and "already exists" in dup.output
    unknown = cli.invoke(users_app, ["token", "nobody"], env=env)
    assert unknown.exit_code == 2 and "no user" in unknown.output
    # A scope no agent takes is a typo: refused, and no user stored.
    typo = cli.invoke(users_app, ["add", "carl", "--scopes", "bogus,billing"], env=env)
    assert typo.exit_code == 2 and "unknown scope 'bogus'" in typo.output
    assert "no user" in cli.invoke(users_app, ["token", "carl"], env=env).output


def test_a_mistake_is_one_line_and_json_with_json(tmp_path: Path) -> None:
    """As every other command's: one line however long (not wrapped at 80 columns when piped),
    and with --json the error as JSON on stdout."""
    cli = CliRunner()
    env = _env(tmp_path, None)
    typo = cli.invoke(users_app, ["add", "carl", "--scopes", "billng"], env=env)
    assert typo.exit_code == 2
    (line,) = typo.stderr.strip().splitlines()
    assert line.startswith("error: unknown scope 'billng'") and line.endswith("(or 'all')")
    as_json = cli.invoke(users_app, ["add", "carl", "--scopes", "billng", "--json"], env=env)
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout)["error"].startswith("unknown scope 'billng'")
    missing = cli.invoke(users_app, ["disable", "nobody", "--json"], env=env)
    assert missing.exit_code == 2 and json.loads(missing.stdout) == {"error": "no user 'nobody'"}


def test_new_users_get_no_scopes_unless_given(tmp_path: Path, db_url: str | None) -> None:
    cli = CliRunner()
    env = _env(tmp_path, db_url)
    plain = cli.invoke(users_app, ["add", "ann", "--no-token"], env=env)
    assert plain.exit_code == 0 and "no scopes" in plain.output
    given = cli.invoke(
        users_app, ["add", "bo", "--scopes", "billing,support", "--no-token"], env=env
    )
    assert given.exit_code == 0 and "warning" not in given.output
    everything = cli.invoke(users_app, ["add", "cy", "--scopes", "all", "--no-token"], env=env)
    assert everything.exit_code == 0
    assert "warning: cy reaches every agent" in everything.output
    accounts = Accounts(make_engine(Settings(home=tmp_path, db_url=db_url).app_db_url))
    assert accounts.get("ann").scopes == []
    assert accounts.get("bo").scopes == ["billing", "support"]
    assert accounts.get("cy").scopes is None  # every agent, as asked, with the warning
    assert accounts.add("dee", "requester").scopes == []  # the store's default too


def test_set_changes_what_is_given_and_enable_lets_a_user_in_with_a_new_token(
    tmp_path: Path, db_url: str | None
) -> None:
    # There was no way back: re-adding a disabled user said "already exists".
    cli = CliRunner()
    env = _env(tmp_path, db_url)
    token = json.loads(cli.invoke(users_app, ["add", "ann", "--json"], env=env).stdout)["token"]
    accounts = Accounts(make_engine(Settings(home=tmp_path, db_url=db_url).app_db_url))

    changed = cli.invoke(
        users_app, ["set", "ann", "--role", "reviewer", "--scopes", "billing"], env=env
    )
    assert changed.exit_code == 0, changed.output
    ann = accounts.get("ann")
    assert (ann.role, ann.scopes, ann.priority) == ("reviewer", ["billing"], "normal")
    cli.invoke(users_app, ["set", "ann", "--priority", "high"], env=env)
    ann = accounts.get("ann")
    assert (ann.role, ann.scopes, ann.priority) == ("reviewer", ["billing"], "high")
    everything = cli.invoke(users_app, ["set", "ann", "--scopes", "all"], env=env)
    assert "warning: ann reaches every agent" in everything.output
    assert accounts.get("ann").scopes is None

    for args, message in (
        (["set", "ann"], "nothing to change"),
        (["set", "ann", "--role", "boss"], "bad role"),
        (["set", "ann", "--scopes", "bogus"], "unknown scope 'bogus'"),
        (["set", "nobody", "--role", "admin"], "no user"),
        (["enable", "nobody"], "no user"),
    ):
        bad = cli.invoke(users_app, args, env=env)
        assert bad.exit_code == 2 and message in bad.output, (args, bad.output)
    assert accounts.get("ann").role == "reviewer"  # a refused change changed nothing

    cli.invoke(users_app, ["disable", "ann"], env=env)
    enabled = cli.invoke(users_app, ["enable", "ann"], env=env)
    assert enabled.exit_code == 0 and "earlier tokens stay revoked" in enabled.output
    assert not accounts.get("ann").disabled
    assert accounts.authenticate(token) is None  # the token from before the disable is gone
    fresh = cli.invoke(users_app, ["token", "ann"], env=env).stdout.strip().splitlines()[-1]
    assert accounts.authenticate(fresh) is not None


def test_enabling_a_user_who_is_not_disabled_changes_nothing(
    tmp_path: Path, db_url: str | None
) -> None:
    """`users enable ann` for an enabled ann deleted every token of hers (shutting her out of
    the API) and said 'enabled ann; their earlier tokens stay revoked', as if she had been
    disabled: a wrong name or a repeated command cost a working user her tokens."""
    cli = CliRunner()
    env = _env(tmp_path, db_url)
    token = json.loads(cli.invoke(users_app, ["add", "ann", "--json"], env=env).stdout)["token"]
    accounts = Accounts(make_engine(Settings(home=tmp_path, db_url=db_url).app_db_url))
    again = cli.invoke(users_app, ["enable", "ann"], env=env)
    assert again.exit_code == 2, again.output
    assert again.output.strip().splitlines() == [
        "error: user 'ann' is not disabled: nothing changed, their tokens keep working"
    ]
    assert accounts.authenticate(token) is not None


def test_revoke_and_purge_sessions_take_json_as_every_command_does(tmp_path: Path) -> None:
    cli = CliRunner()
    env = _env(tmp_path, None)
    assert cli.invoke(users_app, ["add", "ann", "--role", "reviewer"], env=env).exit_code == 0
    listed = cli.invoke(users_app, ["tokens", "ann", "--json"], env=env)
    (token,) = json.loads(listed.stdout)
    revoked = cli.invoke(users_app, ["revoke", "ann", token["id"], "--json"], env=env)
    assert revoked.exit_code == 0, revoked.output
    assert json.loads(revoked.stdout) == {"user": "ann", "revoked": token["id"]}
    purged = cli.invoke(users_app, ["purge-sessions", "--json"], env=env)
    assert purged.exit_code == 0 and json.loads(purged.stdout) == {"purged": 0}


def test_scope_warnings_are_one_line_each(tmp_path: Path) -> None:
    cli = CliRunner()
    env = _env(tmp_path, None)
    every = cli.invoke(users_app, ["add", "root2", "--scopes", "all", "--no-token"], env=env)
    (warning,) = every.stderr.strip().splitlines()
    assert warning.startswith("warning: root2 reaches every agent") and warning.endswith(")")
    none = cli.invoke(users_app, ["add", "ann", "--no-token"], env=env)
    (note,) = none.stderr.strip().splitlines()
    assert note.startswith("note: ann has no scopes") and note.endswith("--scopes")


def test_empty_scopes_are_refused_and_none_takes_every_scope_away(
    tmp_path: Path, db_url: str | None
) -> None:
    """`users set ann --scopes ""` (typed, or an unset shell variable) took every scope away
    without a word (a reviewer got no note at all); it is refused in one line and what was
    stored stays. Taking every scope away is said: `--scopes none`."""
    cli = CliRunner()
    env = _env(tmp_path, db_url)
    added = ["add", "ann", "--role", "reviewer", "--scopes", "billing,support", "--no-token"]
    assert cli.invoke(users_app, added, env=env).exit_code == 0
    accounts = Accounts(make_engine(Settings(home=tmp_path, db_url=db_url).app_db_url))
    for empty in ("", " ", ",", " , "):
        for args in (
            ["set", "ann", "--scopes", empty],
            ["set", "ann", "--role", "admin", "--scopes", empty],
            ["add", "bo", "--scopes", empty, "--no-token"],
        ):
            bad = cli.invoke(users_app, args, env=env)
            lines = bad.stderr.strip().splitlines()
            assert bad.exit_code == 2 and len(lines) == 1, (args, bad.output)
            assert lines[0].startswith("error: --scopes is empty: name the scopes"), lines
    ann = accounts.get("ann")
    assert (ann.role, ann.scopes) == ("reviewer", ["billing", "support"])
    assert accounts.find("bo") is None
    assert cli.invoke(users_app, ["set", "ann", "--scopes", "none"], env=env).exit_code == 0
    assert accounts.get("ann").scopes == []
    assert (
        cli.invoke(users_app, ["add", "cy", "--scopes", "none", "--no-token"], env=env).exit_code
        == 0
    )
    assert accounts.get("cy").scopes == []
