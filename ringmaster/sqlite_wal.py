"""Switching a SQLite file to write-ahead logging while other connections open it too.

`PRAGMA journal_mode=WAL` on a new file returns SQLITE_BUSY at once, without waiting out the
connection's busy timeout, when another connection is switching the same file at that moment:
about one start in ten with six threads opening a new file together (processes starting
together on a fresh home). Nothing has been written by then, so the pragma is tried again
until the timeout.
"""

from __future__ import annotations

import sqlite3

# How long a connection waits for another's lock (sqlite3's `timeout`, PRAGMA busy_timeout).
BUSY_TIMEOUT_S = 30.0


def _busy(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and exc.sqlite_errorname == "SQLITE_BUSY"


def enable_wal(conn: sqlite3.Connection, timeout_s: float) -> None:
    """Put the file `conn` has open in WAL mode, waiting up to `timeout_s` for other openers."""
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        return
    except sqlite3.OperationalError as exc:
        if not _busy(exc):
            raise
    # Only now: commands that never meet the race (`status`) do not import tenacity.
    from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_random_exponential

    for attempt in Retrying(
        retry=retry_if_exception(_busy),
        stop=stop_after_delay(timeout_s),
        wait=wait_random_exponential(multiplier=0.01, max=0.25),
        reraise=True,
    ):
        with attempt:
            conn.execute("PRAGMA journal_mode=WAL")
