"""A secret in a request (a password, an API key or token, a private key, a card number) is
never stored in a ticket, a note or an email, whatever words carry it, nor in ringmaster's own
thread, audit trail or checkpoints, and the answer says it was redacted. Each case runs
`ringmaster run` as a user does and reads the demo company's records and side effects, the
audit trail, the thread and the checkpoint database."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.ringmaster.test_cli import Cli

KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n"
    "-----END RSA PRIVATE KEY-----"
)


def stored(cli: Cli) -> str:
    """Every text the demo company keeps that a request can reach."""
    with sqlite3.connect(cli.home / "demo-company.db") as conn:
        rows = [
            *conn.execute("SELECT subject, body FROM tickets"),
            *conn.execute("SELECT * FROM ticket_notes"),
            *conn.execute("SELECT subject, body FROM outbox"),
            *conn.execute("SELECT args, result FROM side_effects"),
        ]
    return "\n".join(str(v) for row in rows for v in row)


@pytest.mark.parametrize(
    ("request_text", "secrets"),
    [
        (
            "open a ticket for CUS-1001: login fails, my password is Hunter2!x and my api key "
            "is sk-proj-abcdefghijklmnop1234",
            ["Hunter2!x", "sk-proj-abcdefghijklmnop1234"],
        ),
        (
            "add a note to TCK-1001: the customer's access token is tok_9f8e7d6c5b4a39281, "
            "4111 1111 1111 1111",
            ["tok_9f8e7d6c5b4a39281", "4111 1111 1111 1111"],
        ),
        (
            f"add a note to TCK-1002: they pasted their key {KEY}",
            ["MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo"],
        ),
        ("add a note to TCK-1003: pwd is Sunshine99, please reset it", ["Sunshine99"]),
        # "is:" as well as "is" or ":" alone: it was kept as typed.
        ("add a note to TCK-1004: My password is: Hunter2. Please reset it", ["Hunter2"]),
    ],
)
def test_a_secret_is_redacted_before_it_is_stored_and_the_answer_says_so(
    cli_in_process: Cli, request_text: str, secrets: list[str]
) -> None:
    cli = cli_in_process
    out = cli.json("run", request_text)
    (result,) = out["results"].values()
    assert result["status"] == "done", result
    assert [a["status"] for a in result["actions"]] == ["executed"]
    kept = stored(cli)
    thread = out["thread_id"]
    audit = json.dumps(cli.json("audit", thread)) + json.dumps(cli.json("thread", "show", thread))
    # Every database file of the home, write-ahead logs too: checkpoints, run queue, threads.
    files = b"".join(p.read_bytes() for p in sorted(cli.home.glob("*.db*")))
    for secret in secrets:
        assert secret not in kept
        assert secret not in json.dumps(out)
        assert secret not in audit
        assert secret.encode() not in files
    assert "redacted" in kept
    # Said in words, not only by the mark: in the answer, and where `run` prints the outcome.
    assert "redacted before anything was written or sent" in out["answer"]
    text = " ".join(
        cli("run", "what's the status of ticket TCK-1004? my pin is 7731x").stdout.split()
    )
    assert "The PIN in the request was redacted" in text and "7731x" not in text


def test_words_about_a_password_are_not_taken_for_one(cli_in_process: Cli) -> None:
    cli = cli_in_process
    note = "the password is not accepted and the reset token is expired"
    out = cli.json("run", f"add a note to TCK-1001: {note}")
    (result,) = out["results"].values()
    assert note in stored(cli).lower()
    assert "redacted" not in result["summary"]
