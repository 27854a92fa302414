"""A checkpointer from a URL: a SQLite file by default, Postgres by `postgresql://…`.

`open_checkpointer` is a context manager so connections close with the caller's scope.
SQLite runs in WAL mode with a busy timeout, so two processes writing the same file wait for
each other instead of failing with "database is locked".
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver

from ringmaster.graph.errors import CheckpointerError
from ringmaster.private_files import private_dir, private_file
from ringmaster.sqlite_wal import BUSY_TIMEOUT_S, enable_wal

SETUP_LOCK = 7_311_978  # any constant: the advisory lock taken while creating tables
SETUP_WAIT_S = 120.0


def sqlite_path(url: str) -> Path:
    """The file a `sqlite:///…` URL (or a bare path) names."""
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    if url.startswith("sqlite:"):
        raise CheckpointerError(f"use sqlite:///PATH, not {url!r}")
    return Path(url)


def connect_sqlite(path: Path) -> sqlite3.Connection:
    private_dir(path.parent)
    private_file(path)  # checkpoints hold every request and decision: owner only
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=BUSY_TIMEOUT_S)
    enable_wal(conn, BUSY_TIMEOUT_S)
    conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def _try_lock(conn: Any) -> bool:
    row = conn.execute("SELECT pg_try_advisory_lock(%s) AS won", (SETUP_LOCK,)).fetchone()
    return bool(row and row["won"])


@contextmanager
def _postgres(url: str) -> Iterator[BaseCheckpointSaver]:
    from ringmaster.extras import require

    require("psycopg", "postgres")
    require("langgraph.checkpoint.postgres", "postgres")
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg import Connection, OperationalError
    from psycopg.rows import dict_row

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    try:
        conn = Connection.connect(dsn, autocommit=True, prepare_threshold=0, row_factory=dict_row)
    except OperationalError as exc:
        raise CheckpointerError(f"cannot connect to Postgres at {dsn}: {exc}") from None
    with conn:
        saver = PostgresSaver(conn)
        # Several servers starting at once on a fresh database would race to create the
        # checkpointer's tables; an advisory lock makes the set-up one at a time. It is tried,
        # not waited for: set-up builds indexes CONCURRENTLY, which waits for every open
        # transaction, and a transaction blocked on the lock would deadlock with it.
        deadline = time.monotonic() + SETUP_WAIT_S
        while not _try_lock(conn):
            if time.monotonic() > deadline:
                raise CheckpointerError("timed out waiting for another process's set-up")
            time.sleep(0.05)
        try:
            saver.setup()
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK,))
        yield saver


class CompactSqliteSaver(SqliteSaver):
    """SqliteSaver with integer channel versions.

    SqliteSaver stores every channel's version in every checkpoint as a 50-character string
    (counter plus a random part), which was about 40% of a ringmaster checkpoint's bytes. The
    base saver's integer counter is enough for one SQLite file. A thread that already has
    string versions (written by a plain SqliteSaver) keeps getting strings, so such a store
    still opens.
    """

    def get_next_version(self, current: Any, channel: None) -> Any:
        if isinstance(current, str):
            return super().get_next_version(current, channel)
        return 1 if current is None else int(current) + 1


@contextmanager
def _sqlite(url: str) -> Iterator[BaseCheckpointSaver]:
    try:
        conn = connect_sqlite(sqlite_path(url))
    except sqlite3.Error as exc:
        raise CheckpointerError(f"cannot open SQLite checkpoints at {url}: {exc}") from None
    try:
        saver = CompactSqliteSaver(conn)
        saver.setup()
        yield saver
    finally:
        conn.close()


def open_checkpointer(url: str) -> AbstractContextManager[BaseCheckpointSaver]:
    """Open the checkpoint store a URL names, creating its tables if needed."""
    if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        return _postgres(url)
    return _sqlite(url)
