"""Alembic migrations of the application tables: from the last release's schema (473b60d,
created raw from its DDL, with rows in it), from nothing, and what start-up refuses to do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from ringmaster import migrations
from ringmaster.settings import Settings
from ringmaster.tables import make_engine, metadata

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]


def schema_diff(engine: Engine) -> list[Any]:
    """What Alembic's autogenerate sees between the database and `tables.metadata`.

    Alembic cannot compare an expression index (the queue's `priority DESC`) on every dialect:
    it reports it as removed and added again. Those indexes are compared by name and columns
    in `index_names` instead.
    """
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "version_table": migrations.VERSION_TABLE}
        )
        diff = list(compare_metadata(ctx, metadata))
    expression = {
        ix.name
        for table in metadata.tables.values()
        for ix in table.indexes
        if ix.expressions
        if any(not hasattr(e, "table") for e in ix.expressions)
    }
    return [
        d
        for d in diff
        if not (
            isinstance(d, tuple)
            and d[0] in ("add_index", "remove_index")
            and d[1].name in expression
        )
    ]


def index_names(engine: Engine) -> set[tuple[str, str]]:
    # Postgres reports the index behind a UNIQUE constraint too; the constraint is compared by
    # schema_diff, so only declared indexes count here.
    found = inspect(engine)
    return {
        (t, str(i["name"]))
        for t in found.get_table_names()
        for i in found.get_indexes(t)
        if "duplicates_constraint" not in i
    }


def declared_index_names() -> set[tuple[str, str]]:
    return {(t.name, str(i.name)) for t in metadata.sorted_tables for i in t.indexes}


def create_previous_release(url: str) -> None:
    """The 473b60d schema from its own DDL, with a row in the queue, the audit and users."""
    raw = create_engine(url)
    ddl = (DATA / f"schema_473b60d.{raw.dialect.name}.sql").read_text()
    with raw.begin() as conn:
        for statement in ddl.split(";"):
            body = "\n".join(
                line for line in statement.splitlines() if not line.startswith("--")
            ).strip()
            if body:
                conn.exec_driver_sql(body)
        conn.execute(
            text(
                "INSERT INTO rm_review_items (id, thread_id, turn, subtask_id, kind, priority, "
                "requester, status, summary, payload, created_at) VALUES ('i1', 't1', 1, 's1', "
                "'approval', 2, 'ann', 'pending', 'refund', :p, :at)"
            ),
            {"p": json.dumps({"context": {"request": "refund"}}), "at": "2026-01-01T00:00:00Z"},
        )
        conn.execute(
            text(
                "INSERT INTO rm_users (name, role, priority, disabled, created_at) "
                "VALUES ('ann', 'admin', 'normal', false, :at)"
            ),
            {"at": "2026-01-01T00:00:00Z"},
        )
    raw.dispose()


def test_head_is_the_head_of_the_revisions() -> None:
    assert migrations.HEAD == migrations.script_head()


def test_the_previous_release_schema_upgrades_and_keeps_its_rows(
    tmp_path: Path, db_url: str | None
) -> None:
    url = Settings(home=tmp_path, db_url=db_url).app_db_url
    create_previous_release(url)
    engine = make_engine(url)  # start-up: an unversioned database is adopted
    try:
        with engine.connect() as conn:
            assert migrations.current(conn) == migrations.HEAD
            rows = conn.execute(text("SELECT id, status, deadline FROM rm_review_items")).all()
            assert [tuple(r) for r in rows] == [("i1", "pending", None)]
            assert conn.execute(text("SELECT name FROM rm_users")).scalars().all() == ["ann"]
        # The upgraded database is exactly what the code declares: no table, column, type or
        # index that the migrations miss. (A table added to tables.py without a revision
        # fails here.)
        assert schema_diff(engine) == []
        assert index_names(engine) == declared_index_names()
    finally:
        engine.dispose()


def test_a_fresh_database_is_created_by_the_migrations(tmp_path: Path, db_url: str | None) -> None:
    url = Settings(home=tmp_path, db_url=db_url).app_db_url
    engine = make_engine(url)
    try:
        assert schema_diff(engine) == []
        assert index_names(engine) == declared_index_names()
        make_engine(url).dispose()  # a second start: at the head, nothing to do
        with engine.connect() as conn:
            assert migrations.current(conn) == migrations.HEAD
    finally:
        engine.dispose()


def test_an_older_unversioned_store_gets_its_missing_columns_and_indexes(tmp_path: Path) -> None:
    """A store from before 473b60d (no deadline columns, no indexes) is adopted by 0001."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = create_engine(url)
    with old.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE rm_review_items (id VARCHAR(64) PRIMARY KEY, thread_id VARCHAR(64) "
            "NOT NULL, turn INTEGER NOT NULL, subtask_id VARCHAR(64) NOT NULL, kind VARCHAR(32) "
            "NOT NULL, agent VARCHAR(64), category VARCHAR(64), priority INTEGER NOT NULL, "
            "requester VARCHAR(200) NOT NULL, status VARCHAR(16) NOT NULL, summary TEXT NOT NULL, "
            "payload JSON NOT NULL, decision JSON, decided_by VARCHAR(200), claimed_by "
            "VARCHAR(200), created_at TIMESTAMP NOT NULL, claimed_at TIMESTAMP, decided_at "
            "TIMESTAMP, resumed_at TIMESTAMP)"
        )
    old.dispose()
    engine = make_engine(url)
    columns = {c["name"] for c in inspect(engine).get_columns("rm_review_items")}
    assert {"deadline", "escalated_at", "assignee_group"} <= columns
    indexes = {i["name"] for i in inspect(engine).get_indexes("rm_review_items")}
    assert {"ix_review_status_order", "ix_review_status_deadline"} <= indexes
    engine.dispose()


def test_start_up_without_auto_migrate_refuses_and_db_upgrade_fixes_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with pytest.raises(migrations.SchemaError, match="ringmaster db upgrade"):
        make_engine(url, auto_migrate=False)
    engine = make_engine(url, check_schema=False)
    with engine.connect() as conn:
        assert not inspect(conn).has_table("rm_review_items")  # the refusal changed nothing
    engine.dispose()

    env = {**os.environ, "RINGMASTER_HOME": str(tmp_path / "home")}
    env["RINGMASTER_AUTO_MIGRATE"] = "false"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ringmaster.cli", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    refused = cli("review", "list")
    assert refused.returncode == 2
    assert refused.stderr.strip().count("\n") == 0 and "ringmaster db upgrade" in refused.stderr
    assert json.loads(cli("db", "current", "--json").stdout)["revision"] is None
    upgraded = cli("db", "upgrade", "--json")
    assert json.loads(upgraded.stdout) == {"from": None, "to": migrations.HEAD}
    assert json.loads(cli("db", "current", "--json").stdout)["up_to_date"] is True
    assert cli("review", "list", "--json").returncode == 0


def test_a_database_from_a_newer_ringmaster_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    make_engine(url).dispose()
    raw = create_engine(url)
    with raw.begin() as conn:
        conn.execute(text(f"UPDATE {migrations.VERSION_TABLE} SET version_num = '9999'"))
    raw.dispose()
    with pytest.raises(migrations.SchemaError, match="newer ringmaster"):
        make_engine(url)


def test_db_current_on_an_empty_database_names_the_command_that_creates_its_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It said "none (not versioned)", which reads as a database of an older ringmaster."""
    from typer.testing import CliRunner

    from ringmaster.cli_db import db_app

    monkeypatch.setenv("RINGMASTER_HOME", str(tmp_path))
    said = CliRunner().invoke(db_app, ["current"])
    assert said.exit_code == 0, said.output
    assert " ".join(said.output.split()) == (  # with the data directory it read, to read again
        f"the database has no ringmaster tables yet: `RINGMASTER_HOME={tmp_path} ringmaster db "
        "upgrade` creates them"
    )
    # Tables but no revision: a database from before migrations, which `db upgrade` adopts.
    engine = create_engine(Settings().app_db_url)
    metadata.create_all(engine)
    engine.dispose()
    said = CliRunner().invoke(db_app, ["current"])
    assert (
        said.output.strip() == f"revision none (not versioned): ringmaster needs {migrations.HEAD}"
    )


def test_db_current_on_a_newer_database_says_it_is_newer_not_what_it_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It said "revision 9999: ringmaster needs 0004", which reads as a downgrade to make."""
    from typer.testing import CliRunner

    from ringmaster.cli_db import db_app

    monkeypatch.setenv("RINGMASTER_HOME", str(tmp_path))
    make_engine(Settings().app_db_url).dispose()
    raw = create_engine(Settings().app_db_url)
    with raw.begin() as conn:
        conn.execute(text(f"UPDATE {migrations.VERSION_TABLE} SET version_num = '9999'"))
    raw.dispose()
    said = CliRunner().invoke(db_app, ["current"])
    assert said.exit_code == 0, said.output
    shown = " ".join(said.output.split())  # wrapped at 120 columns
    assert shown == str(migrations.newer("9999"))
    assert "newer ringmaster" in shown and "needs" not in shown
