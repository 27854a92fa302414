"""One decision service behind the CLI and the API, on the demo team: the same bad edits are
refused the same way (CLI exit 2 with one line, HTTP 422) with the item still pending, and the
same edit executes the same arguments on both."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ringmaster.api.app import create_app
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from tests.ringmaster.test_cli import Cli, InProcessCli

REFUND = "Refund invoice INV-1002 in full, the customer was double charged"
DEEP = '{"reason": ' + "[" * 250 + "]" * 250 + "}"
BAD = [
    ('{"amout": "40.00"}', "unknown argument 'amout' (did you mean 'amount'?"),
    ('{"invoice_id": 1002}', "argument 'invoice_id': Input should be a valid string"),
    ('{"amount": 18446744073709551616}', "integer outside the 64-bit range"),
    (DEEP, "nested deeper than"),
    # The demo tools' own amount parser checks an amount before the commit too: a number is
    # taken where it is a whole one (the schema's "a decimal string or an integer").
    ('{"amount": 40.5}', "argument 'amount': amount must be a decimal string"),
    ('{"amount": true}', "argument 'amount': amount must be a decimal string"),
    ('{"amount": "-40"}', "argument 'amount': amount must be positive"),
    # An edit naming no argument ran the 299.00 refund as proposed, recorded as an edit.
    ("{}", "the edit changes no argument: name one to change, or approve the item"),
]
EDIT = '{"amount": "40.00"}'


@pytest.fixture(scope="module")
def planner_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("planner-cache")


@pytest.fixture
def cli(tmp_path: Path, planner_cache: Path) -> Cli:
    return InProcessCli(tmp_path, None, planner_cache)


class DemoApi:
    def __init__(self, client: TestClient, token: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def post(self, path: str, **kw: Any) -> Any:
        return self.client.post(path, headers=self.headers, **kw)


@pytest.fixture
def demo_api(tmp_path: Path, planner_cache: Path) -> Iterator[tuple[DemoApi, DemoApi]]:
    """The API over the same home as `cli`: (the requester, a reviewer)."""
    settings = Settings(home=tmp_path, planner_cache=planner_cache)
    runner = Runner(settings)
    app = create_app(settings, runner)
    accounts = app.state.rm.accounts
    accounts.add("ann", "requester", scopes=None)
    accounts.add("rev", "reviewer")
    try:
        with TestClient(app) as client:
            yield (
                DemoApi(client, accounts.issue_token("ann")),
                DemoApi(client, accounts.issue_token("rev")),
            )
    finally:
        runner.close()


def executed(outcome: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (a["tool"], a["status"], a["args"])
        for r in outcome["results"].values()
        for a in r.get("actions", [])
    ]


def test_the_cli_and_the_api_refuse_and_execute_edits_alike(
    cli: Cli, demo_api: tuple[DemoApi, DemoApi]
) -> None:
    ann, rev = demo_api
    (item,) = cli.json("run", REFUND, "--as", "ann")["pending"]
    proposed = item["summary"]
    assert "issue_refund" in proposed
    for args, message in BAD:
        proc = cli("review", "edit", item["id"], "--args", args, "--as", "rev", ok=False)
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0] and "Traceback" not in proc.stderr
    assert cli.json("review", "show", item["id"], "--as", "rev")["status"] == "pending"
    assert cli.side_effects() == []
    by_cli = cli.json("review", "edit", item["id"], "--args", EDIT, "--as", "rev")

    thread = ann.post("/threads").json()["id"]
    out = ann.post(f"/threads/{thread}/requests", json={"request": REFUND}).json()
    (api_item,) = out["pending"]
    url = f"/reviews/{api_item['id']}/decision"
    for args, message in BAD:
        body = {"decision": "edit", "edits": [{"action": 0, "args": json.loads(args)}]}
        r = rev.post(url, json=body)
        assert r.status_code == 422 and message in r.json()["detail"], r.text
    good = {"decision": "edit", "edits": [{"action": 0, "args": json.loads(EDIT)}]}
    by_api = rev.post(url, json=good)
    assert by_api.status_code == 200, by_api.text

    # The same edit, merged onto the same proposal, executed the same arguments.
    assert executed(by_cli) == executed(by_api.json())
    ((tool, status, ran),) = executed(by_cli)
    assert (tool, status) == ("issue_refund", "executed")
    assert ran["invoice_id"] == "INV-1002" and ran["amount"] == "40.00" and ran["reason"]
    assert len(cli.side_effects()) == 2


NO_REASON = "a rejection needs a reason, in words: the requester is shown it"


def test_a_rejection_without_words_is_refused_by_the_cli_and_chat_alike(cli: Cli) -> None:
    """`review reject ID --reason "  "` rejected the refund and told the requester 'no reason
    given', while chat's `/reject ID .` was refused: one rule now, in the decision service."""
    (item,) = cli.json("run", REFUND)["pending"]
    for given in ((), ("--reason", ""), ("--reason", "   "), ("--reason", " . ")):
        proc = cli("review", "reject", item["id"], *given, ok=False)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.strip().splitlines() == [f"error: {NO_REASON}"], proc.stderr
    chat = cli  # the chat in this process too: the rule is checked, not a process start
    for typed in ("", " . ", '""'):
        proc = chat("chat", "--json", input=f"/reject {item['id'][:8]} {typed}\n")
        errors = [json.loads(line) for line in proc.stdout.splitlines()]
        assert [e["text"] for e in errors if e["type"] == "error"] == [NO_REASON], proc.stdout
    shown = cli.json("review", "show", item["id"], "--as", "rev")
    assert shown["status"] == "pending" and shown["decision"] is None
    assert cli.side_effects() == []
    done = cli.json("review", "reject", item["id"], "--reason", "not without the manager")
    assert "not without the manager" in done["results"]["t1"]["summary"]


def test_the_decide_hint_after_a_run_is_commands_that_run_as_typed(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'Decide with: ringmaster review show|approve|edit|reject|respond ID' named a program
    not on PATH in a checkout (`.venv/bin/ringmaster` ran), and three of its commands ran as
    written were refused: edit wants --args, reject --reason, respond --message. The run's
    RINGMASTER_HOME (which `make demo` sets for its own command) leads it: without it the
    commands read another data directory and found no review."""
    checkout = tmp_path / "checkout"
    (checkout / ".venv" / "bin").mkdir(parents=True)
    (checkout / ".venv" / "bin" / "ringmaster").write_text("#!/bin/sh\n", encoding="utf-8")
    monkeypatch.chdir(checkout)
    monkeypatch.setattr(sys, "argv", [".venv/bin/ringmaster", "run", REFUND])
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    said = " ".join(cli("run", REFUND).stdout.split())
    hint = re.search(
        r"Decide with: RINGMASTER_HOME=(\S+) \.venv/bin/ringmaster review (.*?) \(ID: a unique",
        said,
    )
    assert hint is not None, said
    assert hint.group(1) == str(cli.home)
    forms = re.split(r", | or ", hint.group(2))
    assert [f.split()[0] for f in forms] == ["approve", "edit", "reject", "respond"]
    fill = {"ID": "ffffffff", "JSON": '{"amount": "40.00"}', "TEXT": "not this month"}
    for form in forms:  # each as written, with no such item: refused for that alone
        proc = cli("review", *(fill.get(w, w) for w in form.split()), ok=False)
        assert proc.stderr.strip() == "error: no review item 'ffffffff'", (form, proc.stderr)
    (item,) = cli.json("review", "list")
    # "ID: any unique prefix", and 'c6' was refused: the hint says the length that is taken.
    (shortest,) = map(int, re.findall(r"ID: a unique prefix of (\d+) or more characters", said))
    assert cli.json("review", "show", item["id"][:shortest])["id"] == item["id"]
    too_short = cli("review", "show", item["id"][: shortest - 1], ok=False)
    assert f"give at least {shortest} characters" in too_short.stderr
    reject = next(f for f in forms if f.startswith("reject"))
    words = [{**fill, "ID": item["id"][:8]}.get(w, w) for w in reject.split()]
    assert "not this month" in cli.json("review", *words)["results"]["t1"]["summary"]


@pytest.mark.parametrize(
    ("argv0", "on_path", "shown", "home"),
    [
        ("{bin}/ringmaster", "{bin}", "ringmaster", None),  # installed: its name finds it
        (".venv/bin/ringmaster", "{bin}", ".venv/bin/ringmaster", None),  # another one on PATH
        (".venv/bin/ringmaster", "", ".venv/bin/ringmaster", None),  # a checkout, venv not active
        ("{tmp}/my tools/ringmaster", "", "'{tmp}/my tools/ringmaster'", None),
        ("{tmp}/src/ringmaster/cli.py", "{bin}", "ringmaster", None),  # python -m ringmaster.cli
        # `make demo`'s data, or a RINGMASTER_HOME given on the command line: said, so the
        # suggested command reads the same data (under the working directory: relative).
        (
            ".venv/bin/ringmaster",
            "",
            "RINGMASTER_HOME=.ringmaster .venv/bin/ringmaster",
            "{tmp}/.ringmaster",
        ),
        ("{bin}/ringmaster", "{bin}", "RINGMASTER_HOME='/srv/rm data' ringmaster", "/srv/rm data"),
    ],
)
def test_the_command_is_named_as_it_can_be_typed_again(
    argv0: str,
    on_path: str,
    shown: str,
    home: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ringmaster.cli_output import command_name

    for script in ("bin/ringmaster", ".venv/bin/ringmaster", "my tools/ringmaster"):
        (tmp_path / script).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / script).write_text("#!/bin/sh\n", encoding="utf-8")
        (tmp_path / script).chmod(0o755)
    monkeypatch.chdir(tmp_path)
    where = {"bin": str(tmp_path / "bin"), "tmp": str(tmp_path)}
    monkeypatch.setenv("PATH", on_path.format(**where) or str(tmp_path / "empty"))
    if home is None:
        monkeypatch.delenv("RINGMASTER_HOME", raising=False)
    else:
        monkeypatch.setenv("RINGMASTER_HOME", home.format(**where))
    assert command_name(argv0.format(**where)) == shown.format(**where)


def test_review_edit_takes_the_json_after_the_id_as_chat_does(cli: Cli) -> None:
    """`review edit ID '{"amount": 5}'` was refused with "Missing option '--args'" though
    chat's `/edit ID {…}` takes the JSON that way; now either form, but only one of them."""
    (item,) = cli.json("run", REFUND)["pending"]
    for given, said in (
        ((), "edit wants the arguments to change, as JSON after the id or with --args"),
        ((EDIT, "--args", EDIT), "give the arguments to change once"),
        (("{bad",), "the JSON after the id: the arguments are not valid JSON"),
    ):
        proc = cli("review", "edit", item["id"], *given, ok=False)
        assert proc.returncode == 2, proc.stderr
        (line,) = proc.stderr.strip().splitlines()
        assert line.startswith(f"error: {said}"), line
    assert cli.json("review", "show", item["id"])["status"] == "pending"
    assert cli.side_effects() == []
    ((tool, status, ran),) = executed(cli.json("review", "edit", item["id"][:8], EDIT))
    assert (tool, status, ran["amount"]) == ("issue_refund", "executed", "40.00")


def test_review_reject_and_respond_take_their_words_after_the_id_as_chat_does(cli: Cli) -> None:
    """`review reject ID "not now"` was refused with "Got unexpected extra argument" (chat's
    `/reject ID not now` decides); now the words go after the id or with the option, once."""
    (rejected,) = cli.json("run", REFUND)["pending"]
    (answered,) = cli.json("run", REFUND)["pending"]
    for kind, flag, said in (
        ("reject", "--reason", "give the reason once: after the id or with --reason"),
        ("respond", "--message", "give the message once: after the id or with --message"),
    ):
        proc = cli("review", kind, rejected["id"], "a", flag, "b", ok=False)
        assert (proc.returncode, proc.stderr.strip()) == (2, f"error: {said}")
    proc = cli("review", "respond", answered["id"], ok=False)
    assert proc.stderr.strip() == "error: a respond decision needs a message"
    done = cli.json("review", "reject", rejected["id"][:8], "not this month")
    assert "a reviewer rejected it (not this month)" in done["results"]["t1"]["summary"]
    done = cli.json("review", "respond", answered["id"][:8], "Charged once: no refund is due.")
    assert done["results"]["t1"]["summary"].endswith("answered: Charged once: no refund is due.")
    assert cli.side_effects() == []
