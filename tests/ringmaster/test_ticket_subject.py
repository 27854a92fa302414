"""A ticket opened from a request is titled by what the request says is wrong, never by the
words that ask for it ("Open a ticket for , the export button does nothing")."""

from __future__ import annotations

import sqlite3

import pytest

from tests.ringmaster.test_cli import Cli


@pytest.mark.parametrize(
    ("request_text", "subject"),
    [
        (
            "open a ticket for CUS-1004, the export button does nothing",
            "The export button does nothing",
        ),
        ("please create a new ticket for CUS-1005", "Support request"),
        ("open a ticket for CUS-1003", "Support request"),
    ],
)
def test_a_ticket_is_titled_by_its_problem_not_by_the_request_for_it(
    cli_in_process: Cli, request_text: str, subject: str
) -> None:
    cli = cli_in_process
    out = cli.json("run", request_text)
    (result,) = out["results"].values()
    assert result["status"] == "done", result
    with sqlite3.connect(cli.home / "demo-company.db") as conn:
        (opened,) = conn.execute("SELECT subject FROM tickets ORDER BY rowid DESC LIMIT 1")
    assert opened[0] == subject
    assert f": {subject};" in result["summary"]
