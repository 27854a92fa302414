"""Start-up on a store an older version created (revision 0001 adopts it: its missing nullable
columns and indexes are added), processes starting together, a fresh store's tables.
Migrations from the last release's schema: test_migrations.py."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect

from ringmaster.settings import Settings
from ringmaster.tables import make_engine


def test_missing_nullable_columns_are_added(tmp_path: Path, db_url: str | None) -> None:
    url = Settings(home=tmp_path, db_url=db_url).app_db_url
    old = create_engine(url)
    with old.begin() as conn:  # the review table as the first release created it
        conn.exec_driver_sql(
            "CREATE TABLE rm_review_items (id VARCHAR(64) PRIMARY KEY, thread_id VARCHAR(64) "
            "NOT NULL, turn INTEGER NOT NULL, subtask_id VARCHAR(64) NOT NULL, kind VARCHAR(32) "
            "NOT NULL, agent VARCHAR(64), category VARCHAR(64), priority INTEGER NOT NULL, "
            "requester VARCHAR(200) NOT NULL, status VARCHAR(16) NOT NULL, summary TEXT NOT NULL, "
            "payload JSON NOT NULL, decision JSON, decided_by VARCHAR(200), claimed_by "
            "VARCHAR(200), created_at TIMESTAMP NOT NULL, claimed_at TIMESTAMP, decided_at "
            "TIMESTAMP, resumed_at TIMESTAMP)"
        )
        conn.exec_driver_sql(
            "INSERT INTO rm_review_items VALUES ('i1', 't', 1, 't1', 'approval', NULL, NULL, 1, "
            "'ann', 'pending', 's', '{}', NULL, NULL, NULL, '2026-01-01', NULL, NULL, NULL)"
        )
    old.dispose()
    engine = make_engine(url)
    columns = {c["name"] for c in inspect(engine).get_columns("rm_review_items")}
    assert {"deadline", "escalated_at", "assignee_group"} <= columns
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT id, deadline FROM rm_review_items").all() == [
            ("i1", None)
        ]
    make_engine(url)  # a second start finds nothing to add
    # The table had no indexes; the queue's order index (and the others) are made in place.
    indexes = {i["name"] for i in inspect(engine).get_indexes("rm_review_items")}
    assert {"ix_review_status_order", "ix_review_status_deadline"} <= indexes


def test_processes_starting_together_set_up_one_store(tmp_path: Path, db_url: str | None) -> None:
    import threading

    from ringmaster.graph.checkpoint import open_checkpointer

    settings = Settings(home=tmp_path, db_url=db_url)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def boot() -> None:
        try:
            start.wait()
            make_engine(settings.app_db_url).dispose()
            with open_checkpointer(settings.checkpoint_url):
                pass
        except BaseException as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    workers = [threading.Thread(target=boot) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    columns = {
        c["name"] for c in inspect(make_engine(settings.app_db_url)).get_columns("rm_review_items")
    }
    assert "deadline" in columns


def test_a_fresh_store_has_every_table_whatever_was_imported(tmp_path: Path) -> None:
    """make_engine alone creates the stores' tables (users, audit, corrections …) too."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    code = f"from ringmaster.tables import make_engine; make_engine({url!r}).dispose()"
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)
    names = set(inspect(create_engine(url)).get_table_names())
    assert {
        "rm_threads",
        "rm_review_items",
        "rm_usage",
        "rm_corrections",
        "rm_audit_events",
        "rm_users",
        "rm_api_tokens",
        "rm_web_sessions",
    } <= names


def test_the_sqlite_stores_are_private_files(tmp_path: Path) -> None:
    """Issue 12: the application's and the demo company's databases are mode 0600."""
    import stat

    from ringmaster.runner import Runner
    from ringmaster.settings import Settings

    settings = Settings(home=tmp_path / "home")
    with Runner(settings, recover_on_start=False) as runner:
        _ = runner.deps  # builds the demo database
    for path in (tmp_path / "home" / "ringmaster.db", settings.demo_db_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
