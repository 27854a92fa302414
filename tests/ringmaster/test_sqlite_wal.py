"""WAL mode switched on while other connections open the same new file (ringmaster.sqlite_wal).

SQLite answers `PRAGMA journal_mode=WAL` with SQLITE_BUSY at once, busy timeout or not, when
another connection is switching the file at that moment: CI once failed a start-up test so."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from ringmaster.sqlite_wal import enable_wal


class FlakyConnection:
    """Answers the pragma with `error` for its first `failures` calls."""

    def __init__(self, failures: int, errorname: str = "SQLITE_BUSY") -> None:
        self.failures, self.errorname, self.calls = failures, errorname, 0

    def execute(self, sql: str) -> None:
        assert sql == "PRAGMA journal_mode=WAL"
        self.calls += 1
        if self.calls <= self.failures:
            exc = sqlite3.OperationalError("database is locked")
            exc.sqlite_errorname = self.errorname
            raise exc


def test_a_busy_answer_is_tried_again() -> None:
    conn = FlakyConnection(failures=3)
    enable_wal(conn, timeout_s=5)  # type: ignore[arg-type]
    assert conn.calls == 4


def test_busy_past_the_timeout_is_raised() -> None:
    conn = FlakyConnection(failures=10**6)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        enable_wal(conn, timeout_s=0.2)  # type: ignore[arg-type]
    assert conn.calls > 1


def test_other_errors_are_not_retried() -> None:
    conn = FlakyConnection(failures=5, errorname="SQLITE_IOERR")
    with pytest.raises(sqlite3.OperationalError):
        enable_wal(conn, timeout_s=5)  # type: ignore[arg-type]
    assert conn.calls == 1


def test_connections_opening_a_new_file_together_all_get_wal(tmp_path: Path) -> None:
    """Six threads open each of 60 new files at once: a bare pragma failed in about 3% of
    rounds on this machine, so the loop meets the race most runs."""
    errors: list[BaseException] = []
    modes: set[str] = set()
    for round_ in range(60):
        path = tmp_path / f"{round_}.db"
        start = threading.Barrier(6)

        def open_one(path: Path = path, start: threading.Barrier = start) -> None:
            start.wait()
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            try:
                enable_wal(conn, timeout_s=30)
                modes.add(conn.execute("PRAGMA journal_mode").fetchone()[0])
            except BaseException as exc:  # collected: a thread's failure must fail the test
                errors.append(exc)
            finally:
                conn.close()

        threads = [threading.Thread(target=open_one) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert modes == {"wal"}
