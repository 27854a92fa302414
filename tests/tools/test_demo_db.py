"""The demo database: generated the same way every time, in UTC, with money in cents."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ringmaster.tools.demo import ensure_demo_db
from ringmaster.tools.demo.db import connect
from tests.fakes import dump_sqlite


def test_two_builds_hold_identical_content(tmp_path: Path) -> None:
    a = ensure_demo_db(tmp_path / "a" / "demo.db")
    b = ensure_demo_db(tmp_path / "b" / "demo.db")
    assert dump_sqlite(a) == dump_sqlite(b)


def test_sizes_and_the_records_the_examples_name(tmp_path: Path) -> None:
    db = ensure_demo_db(tmp_path / "demo.db")
    with connect(db) as conn:

        def count(table: str) -> int:
            n: int = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            return n

        assert count("customers") == 50
        assert count("tickets") == 150
        assert count("invoices") >= 200
        assert count("payments") >= 150
        assert count("deployments") >= 30
        assert count("documents") >= 20
        for table in ("refunds", "credits", "outbox", "rollbacks", "erasure_log", "side_effects"):
            conn.execute(f"SELECT * FROM {table}")  # the side-effect tables exist
        maria = conn.execute("SELECT * FROM customers WHERE id = 'CUS-1001'").fetchone()
        assert (maria["name"], maria["email"]) == ("Maria Lopez", "maria.lopez@example.com")
        inv = conn.execute("SELECT * FROM invoices WHERE id = 'INV-1003'").fetchone()
        assert (inv["customer_id"], inv["amount_cents"]) == ("CUS-1003", 2900)
        charges = conn.execute(
            "SELECT COUNT(*) FROM payments WHERE invoice_id = 'INV-1003' AND status = 'succeeded'"
        ).fetchone()[0]
        assert charges == 2  # the double charge the examples talk about
        api = conn.execute(
            "SELECT version, previous_version FROM deployments WHERE service = 'api' "
            "AND environment = 'production' ORDER BY deployed_at DESC LIMIT 1"
        ).fetchone()
        assert tuple(api) == ("2.14.0", "2.13.2")


def test_wal_busy_timeout_and_utc_times(tmp_path: Path) -> None:
    db = ensure_demo_db(tmp_path / "demo.db")
    with connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
        columns = {
            "customers": "created_at",
            "tickets": "created_at",
            "invoices": "issued_at",
            "payments": "paid_at",
            "deployments": "deployed_at",
            "incidents": "started_at",
            "alerts": "fired_at",
        }
        for table, column in columns.items():
            for (value,) in conn.execute(f"SELECT {column} FROM {table}"):
                parsed = datetime.fromisoformat(value)
                assert parsed.utcoffset() is not None and parsed.tzinfo is not None
                assert parsed.astimezone(UTC).isoformat(timespec="seconds") == value
        types = {r[0] for r in conn.execute("SELECT typeof(amount_cents) FROM invoices")}
        assert types == {"integer"}


def test_ensure_keeps_an_existing_database(tmp_path: Path) -> None:
    db = ensure_demo_db(tmp_path / "demo.db")
    with connect(db) as conn:
        conn.execute("UPDATE customers SET plan = 'free' WHERE id = 'CUS-1001'")
    assert ensure_demo_db(db) == db
    with connect(db) as conn:
        assert conn.execute("SELECT plan FROM customers WHERE id = 'CUS-1001'").fetchone()[0] == (
            "free"
        )
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_file_that_is_not_the_demo_database_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    other.write_text("not a database")
    with pytest.raises(RuntimeError, match="not a ringmaster demo database"):
        ensure_demo_db(other)
