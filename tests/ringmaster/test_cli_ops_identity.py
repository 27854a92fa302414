"""The operations commands (`summary`, `checkin`, `escalate`, `outbox send|retry`) act as
someone (`--as`, default the login), as the other acting commands do: once users exist, a
reviewer's. A person who may not is refused in one line before anything is stored, and an
escalation's audit event names who ran it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from ringmaster.clock import utcnow
from ringmaster.settings import Settings
from ringmaster.tables import (
    agent_status_history,
    audit_events,
    make_engine,
    notifications,
    review_items,
)
from tests.ringmaster.test_cli import Cli

COMMANDS = [  # (what the refusal names, the command line)
    ("summary", ["summary"]),
    ("summary", ["summary", "--send"]),
    ("checkin", ["checkin"]),
    ("escalate", ["escalate"]),
    ("outbox send", ["outbox", "send"]),
    ("outbox retry", ["outbox", "retry", "1"]),
]


def stored(engine: Engine) -> list[int]:
    """How many rows each table these commands write holds."""
    with engine.connect() as conn:
        return [
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (notifications, agent_status_history, audit_events)
        ]


def test_operations_commands_act_as_a_reviewer(cli_in_process: Cli) -> None:
    cli = cli_in_process
    cli("users", "add", "ann", "--scopes", "billing", "--no-token")
    cli("users", "add", "rev", "--role", "reviewer", "--no-token")
    out = cli.json("run", "Refund 250.00 on invoice INV-1010", "--as", "ann", "--scopes", "billing")
    (item,) = [p["id"] for p in out["pending"]]
    engine = make_engine(Settings(home=cli.home).app_db_url)
    with engine.begin() as conn:  # overdue, so `escalate` has something to do
        conn.execute(update(review_items).values(deadline=utcnow() - timedelta(minutes=1)))
    before = stored(engine)
    for what, args in COMMANDS:
        for who, said in (
            ("ann", f"{what} needs the reviewer role; ann is a requester"),
            ("nobody", "'nobody' is not a user"),
        ):
            proc = cli(*args, "--as", who, ok=False)
            lines = proc.stderr.strip().splitlines()
            assert proc.returncode == 2 and len(lines) == 1 and said in lines[0], proc.stderr
    assert stored(engine) == before  # nothing queued, recorded or escalated
    assert cli.json("escalate", "--as", "rev")["escalated"] == [item]
    events = cli.json("audit", "show", out["thread_id"], "--as", "rev")
    (escalation,) = [e for e in events if e["kind"] == "escalation"]
    assert (escalation["actor"], escalation["data"]["run_by"]) == ("system:deadline", "rev")
    for args in (["summary"], ["checkin"], ["outbox", "send"]):
        cli(*args, "--as", "rev")
    engine.dispose()
