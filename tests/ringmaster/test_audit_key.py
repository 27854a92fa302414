"""Issue 12: processes sharing one database sign the audit chain with one key, or do not start.

Each home makes its own key when RINGMASTER_AUDIT_KEY is unset; two homes on one database
would sign the chain with two keys, and neither could verify the other's rows. The first
process records the key's fingerprint; a process with another key refuses to start, one line
naming RINGMASTER_AUDIT_KEY, and touches nothing already stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from ringmaster.errors import ConfigError
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from ringmaster.tables import audit_events, audit_head, key_prints
from tests.ringmaster.test_cli import InProcessCli


@pytest.fixture
def shared_url(tmp_path: Path, db_url: str | None) -> str:
    """One database for several homes: the Postgres one, or a SQLite file outside them."""
    return db_url or f"sqlite:///{tmp_path / 'shared.db'}"


def stored(runner: Runner) -> tuple[Any, ...]:
    with runner.engine.connect() as conn:
        return (
            conn.execute(select(audit_events).order_by(audit_events.c.seq)).all(),
            conn.execute(select(audit_head)).all(),
            conn.execute(select(key_prints)).all(),
        )


def test_a_home_with_another_key_refuses_to_start(tmp_path: Path, shared_url: str) -> None:
    first = Settings(home=tmp_path / "a", db_url=shared_url)
    with Runner(first) as runner:
        runner.audit.append("t-1", "request_received", "alice", text="hello")
        runner.audit.append("t-1", "result", "ringmaster", status="done")
        before = stored(runner)
        assert before[2] and runner.audit.fingerprint() not in first.audit_secret().decode()
        with pytest.raises(ConfigError, match="^RINGMASTER_AUDIT_KEY: .*another key"):
            Runner(Settings(home=tmp_path / "b", db_url=shared_url))
        assert stored(runner) == before  # nothing stored was touched
        # Given the first home's key, another home starts and can verify the whole chain.
        key = first.audit_key_file.read_text().strip()
        with Runner(Settings(home=tmp_path / "c", db_url=shared_url, audit_key=key)) as other:
            assert other.audit.verify() == []
            other.audit.append("t-2", "request_received", "bob", text="hi")
        assert runner.audit.verify() == []


def test_a_chain_signed_before_fingerprints_were_kept(tmp_path: Path, shared_url: str) -> None:
    """A database whose chain predates the fingerprint: its signed head says whose key it is."""
    with Runner(Settings(home=tmp_path / "a", db_url=shared_url)) as runner:
        runner.audit.append("t-1", "request_received", "alice", text="hello")
        with runner.engine.begin() as conn:
            conn.execute(delete(key_prints))
        with pytest.raises(ConfigError, match="RINGMASTER_AUDIT_KEY"):
            Runner(Settings(home=tmp_path / "b", db_url=shared_url))
        assert stored(runner)[2] == []  # the refusing process recorded nothing
    with Runner(Settings(home=tmp_path / "a", db_url=shared_url)) as again:
        assert len(stored(again)[2]) == 1 and again.audit.verify() == []


def test_the_cli_says_so_in_one_line(tmp_path: Path, shared_url: str) -> None:
    with Runner(Settings(home=tmp_path / "a", db_url=shared_url)) as runner:
        runner.audit.append("t-1", "request_received", "alice", text="hello")
    cli = InProcessCli(tmp_path / "b", shared_url, None)
    for args in (["audit", "verify"], ["run", "How many open tickets do we have?"]):
        proc = cli(*args, ok=False)
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "RINGMASTER_AUDIT_KEY" in lines[0], proc.stderr
        assert "Traceback" not in proc.stderr


def test_an_unkeyed_chain_is_refused_and_left_as_it_was(tmp_path: Path, shared_url: str) -> None:
    """A chain written with no key at all (an embedding's AuditLog(engine)) cannot be taken on
    by a key: its rows would never verify under it, and an unkeyed head anyone can sign."""
    from ringmaster.audit import AuditLog
    from ringmaster.tables import make_engine

    engine = make_engine(Settings(home=tmp_path / "a", db_url=shared_url).app_db_url)
    plain = AuditLog(engine)
    plain.append("t-1", "request_received", "alice", text="hello")
    for home in ("a", "b"):
        with pytest.raises(ConfigError, match="RINGMASTER_AUDIT_KEY"):
            Runner(Settings(home=tmp_path / home, db_url=shared_url))
    assert plain.verify() == []  # untouched, and still whole under no key
    with engine.connect() as conn:
        assert conn.execute(select(key_prints)).all() == []
    engine.dispose()
