"""Running a side effect at most once per idempotency key.

The effect and its `side_effects` row are written in one transaction, and the row is inserted
*first*: its PRIMARY KEY decides who owns a key, so two callers racing on one key cannot both
get past it (no check-then-act window). The loser rolls back and returns the stored result.
An effect that raises rolls back the whole transaction, the key row included, so a refused
call changes nothing and can be retried with corrected arguments.

`dry_run` runs a tool's effect against the records as they are now and rolls it back: what a
reviewer's edit would meet (an unknown invoice, a refund above what is left), found before the
edit is committed; and, for a call made for someone (CALL_CONTEXT), the policy's running-total
limits it would pass (what the validate node names in a review it raises). The calls of one
dry run share one transaction, each counted as run (its key and caller recorded), so a call
is checked with the calls before it in its answer counted, as they will be when they run.
"""

from __future__ import annotations

import contextvars
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ringmaster.tools.base import CALL_CONTEXT
from ringmaster.tools.demo.db import connect, utc_now, written_at
from ringmaster.tools.demo.limits import passed_limits, record_and_check, record_caller
from ringmaster.tools.errors import ToolArgumentError

Effect = Callable[[sqlite3.Connection, str], dict[str, Any]]


@dataclass
class _DryRun:
    """One dry run: the limits its calls would pass, and its open transaction per database."""

    passed: list[str] = field(default_factory=list)
    stack: ExitStack = field(default_factory=ExitStack)
    conns: dict[Path, sqlite3.Connection] = field(default_factory=dict)

    def conn(self, db_path: Path) -> sqlite3.Connection:
        if db_path not in self.conns:
            conn = self.stack.enter_context(connect(db_path))
            conn.execute("BEGIN")
            self.stack.callback(conn.execute, "ROLLBACK")  # before it closes: nothing kept
            self.conns[db_path] = conn
        return self.conns[db_path]


# Within `dry_run`: the run its calls share.
_DRY_RUN: contextvars.ContextVar[_DryRun | None] = contextvars.ContextVar("dry_run", default=None)


@contextmanager
def dry_run() -> Iterator[list[str]]:
    """Within it, `run_once` runs the effect and rolls it back: nothing is written, no key is
    taken, and the effect's refusals (ToolArgumentError) are raised as they would be. With
    CALL_CONTEXT set, every running-total limit the call would pass is added to the list it
    yields, in the words `record_and_check` refuses it with (the same `passed_limits`), and
    the call counts in the totals of the calls after it in the same dry run."""
    run = _DryRun()
    token = _DRY_RUN.set(run)
    try:
        with run.stack:
            yield run.passed
    finally:
        _DRY_RUN.reset(token)


# The key's record, taken before the effect runs; its result is filled in after. A dry run
# takes it too, so the calls after it in the run count this one in their totals.
_TAKE_KEY = (
    "INSERT INTO side_effects(idempotency_key, tool, args, result, created_at) "
    "VALUES (?, ?, ?, 'null', ?)"
)


def _canonical(args: Mapping[str, Any]) -> str:
    return json.dumps(args, sort_keys=True, separators=(",", ":"), default=str)


def run_once(
    db_path: Path, tool: str, idempotency_key: str, args: Mapping[str, Any], effect: Effect
) -> dict[str, Any]:
    """Run `effect(conn, now)` once for this key and return its (stored) result. `now` is
    the write's time on the company's clock (`db.written_at`); the key's record and the
    policy's running totals keep the real time (see `db`'s docstring).

    `args` are the normalised arguments; a key reused with other arguments or by another tool
    is refused, since it means two different actions were given the same identity.
    """
    if not isinstance(idempotency_key, str) or not idempotency_key.strip():
        raise ToolArgumentError("idempotency_key must be a non-empty string")
    args_json = _canonical(args)
    now = utc_now()
    preview = _DRY_RUN.get()
    if preview is not None:
        conn = preview.conn(Path(db_path))
        # A call the records refuse leaves nothing behind for the calls after it.
        conn.execute("SAVEPOINT call")
        try:
            result = effect(conn, written_at(conn))
            ctx = CALL_CONTEXT.get()
            if ctx is not None:  # the totals as they are now, this call's own effect aside
                preview.passed += passed_limits(
                    conn, tool, idempotency_key, dict(args), result, ctx, now
                )
                conn.execute(_TAKE_KEY, (idempotency_key, tool, args_json, now))
                record_caller(conn, idempotency_key, dict(args), result, ctx)
        except BaseException:
            conn.execute("ROLLBACK TO call")
            raise
        finally:
            conn.execute("RELEASE call")
        return result
    with connect(db_path) as conn:
        # IMMEDIATE takes the write lock up front, so a racing caller waits (busy timeout)
        # instead of failing with "database is locked" halfway through its effect.
        conn.execute("BEGIN IMMEDIATE")
        stamp = written_at(conn)
        try:
            conn.execute(_TAKE_KEY, (idempotency_key, tool, args_json, now))
        except sqlite3.IntegrityError:
            conn.execute("ROLLBACK")
            return _stored(conn, tool, idempotency_key, args_json)
        try:
            result = effect(conn, stamp)
            record_and_check(conn, tool, idempotency_key, dict(args), result, now)
            result_json = json.dumps(result, sort_keys=True)
            conn.execute(
                "UPDATE side_effects SET result = ? WHERE idempotency_key = ?",
                (result_json, idempotency_key),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    loaded: dict[str, Any] = json.loads(result_json)
    return loaded


def _stored(conn: sqlite3.Connection, tool: str, key: str, args_json: str) -> dict[str, Any]:
    row = conn.execute(
        "SELECT tool, args, result FROM side_effects WHERE idempotency_key = ?", (key,)
    ).fetchone()
    if row["tool"] != tool:
        raise ToolArgumentError(
            f"idempotency key {key!r} was already used by {row['tool']!r}, not {tool!r}"
        )
    if row["args"] != args_json:
        raise ToolArgumentError(
            f"idempotency key {key!r} was already used for {tool} with other arguments"
        )
    stored: dict[str, Any] = json.loads(row["result"])
    return stored
