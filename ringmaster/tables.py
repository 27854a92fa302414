"""The application's own tables (SQLAlchemy Core): threads, the review queue, notifications,
model usage, corrections, the audit trail, users, tokens, web sessions and rate limits.

Every table is declared here; their schema changes are Alembic revisions in
ringmaster/migrations (docs/migrations.md), which `make_engine` applies when it is safe. The
queue is indexed by status so listing pending items never touches the checkpointer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine

from ringmaster.private_files import private_dir, private_file
from ringmaster.sqlite_wal import BUSY_TIMEOUT_S, enable_wal

metadata = MetaData()
SETUP_LOCK = 7_311_979  # any constant: the advisory lock held while creating tables

threads = Table(
    "rm_threads",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("requester", String(200), nullable=False),
    Column("status", String(16), nullable=False),  # idle|running|waiting|completed|failed
    Column("turn", Integer, nullable=False, default=0),
    Column("last_request", Text),
    Column("error", Text),
    Column("lock_owner", String(200)),
    Column("locked_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

review_items = Table(
    "rm_review_items",
    metadata,
    Column("id", String(64), primary_key=True),  # the LangGraph interrupt id
    Column("thread_id", String(64), nullable=False),
    Column("turn", Integer, nullable=False),
    Column("subtask_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("agent", String(64)),
    Column("category", String(64)),
    Column("priority", Integer, nullable=False),  # 0 low … 3 urgent
    Column("requester", String(200), nullable=False),
    Column("status", String(16), nullable=False),  # pending|decided|resumed
    Column("summary", Text, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("decision", JSON),
    Column("decided_by", String(200)),
    Column("claimed_by", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("claimed_at", DateTime(timezone=True)),
    Column("decided_at", DateTime(timezone=True)),
    Column("resumed_at", DateTime(timezone=True)),
    Column("deadline", DateTime(timezone=True)),
    Column("escalated_at", DateTime(timezone=True)),
    Column("assignee_group", String(64)),  # None: the reviewers; "escalation" once overdue
    # The queue's order (most urgent, then oldest) within a status: the first page of pending
    # items is an index range scan that stops after the page, however long the queue.
    Index(
        "ix_review_status_order",
        "status",
        text("priority DESC"),
        "created_at",
        "id",
    ),
    Index("ix_review_status_deadline", "status", "deadline"),
    Index("ix_review_thread_status", "thread_id", "status"),
)


notifications = Table(
    "rm_notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("item_id", String(64), nullable=False),
    Column("thread_id", String(64), nullable=False),
    Column("channel", String(16), nullable=False),  # outbox | webhook
    Column("recipient", String(500), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # queued|retrying|delivered|failed (sent: old)
    Column("error", Text),
    # The outbox sender's bookkeeping (ringmaster/outbox.py): a row is leased by one sender
    # at a time, so two senders never deliver it twice.
    Column("attempts", Integer),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("lease_owner", String(64)),
    Column("lease_until", DateTime(timezone=True)),
    Column("delivered_at", DateTime(timezone=True)),
    Index("ix_notifications_status", "status", "next_attempt_at"),
)


# Model calls and tokens per thread and turn (ringmaster/usage_store.py).
usage = Table(
    "rm_usage",
    metadata,
    Column("thread_id", String(64), primary_key=True),
    Column("turn", Integer, primary_key=True),
    Column("model_calls", Integer, nullable=False),
    Column("input_tokens", Integer, nullable=False),
    Column("output_tokens", Integer, nullable=False),
    Column("refused_calls", Integer, nullable=False),
    Column("per_node", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


# Routing corrections from reviewers (ringmaster/corrections.py).
corrections = Table(
    "rm_corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("thread_id", String(64), nullable=False),
    Column("subtask_id", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("wrong_agent", String(64)),  # None: the planner sent it to a human
    Column("right_agent", String(64), nullable=False),
    Column("reviewer", String(200), nullable=False),
)


# The hash-chained audit trail (ringmaster/audit.py).
audit_events = Table(
    "rm_audit_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("thread_id", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("data", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_thread", "thread_id", "seq"),
)


# Users, their API tokens and web sessions (ringmaster/accounts.py).
users = Table(
    "rm_users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("scopes", JSON),  # None: every scope the team uses
    Column("priority", String(8), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "rm_api_tokens",
    metadata,
    Column("hash", String(64), primary_key=True),  # sha256 of the token; the token is not kept
    Column("user", String(64), nullable=False),
    Column("label", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),  # None: a token made before tokens expired
    Index("ix_api_tokens_user", "user"),
)

web_sessions = Table(
    "rm_web_sessions",
    metadata,
    Column("hash", String(64), primary_key=True),  # sha256 of the cookie value
    Column("user", String(64), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# API rate limits shared by every process (ringmaster/api/ratelimit.py): per token and kind,
# the theoretical arrival time of the next request (GCRA), in Unix seconds.
rate_limits = Table(
    "rm_rate_limits",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("tat", Float, nullable=False),
)


# Check-ins' history of every agent's status (ringmaster/agent_status.py, `ringmaster checkin`).
agent_status_history = Table(
    "rm_agent_status_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("agent", String(64), nullable=False),
    Column("healthy", Boolean, nullable=False),
    Column("queue_depth", Integer, nullable=False),
    Column("running", Integer, nullable=False),
    Column("data", JSON, nullable=False),
    Index("ix_agent_status_history_agent_at", "agent", "at"),
)

# Each agent's health as the last check-in or rebalancing pass read it (agent_status.py): the
# flag the run queue's grant reads (a primary-key lookup) instead of the audit trail. No row:
# healthy.
agent_health = Table(
    "rm_agent_health",
    metadata,
    Column("agent", String(64), primary_key=True),
    Column("healthy", Boolean, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)


def writer(engine: Engine) -> Engine:
    """The engine for write transactions (BEGIN IMMEDIATE on SQLite; no-op elsewhere)."""
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def row_by_prefix(engine: Engine, table: Table, prefix: str, what: str) -> Any:
    """The row whose id is `prefix` or starts with it (ids are long; people type prefixes);
    NotFound when none or several do. The prefix is literal: `%` and `_` are not wildcards."""
    from ringmaster.cli_options import MIN_PREFIX  # light: said by the hints that name it
    from ringmaster.errors import NotFound

    if len(prefix) < MIN_PREFIX:
        raise NotFound(f"no {what} {prefix!r} (give at least {MIN_PREFIX} characters of the id)")
    with engine.connect() as conn:
        rows = conn.execute(
            select(table).where(table.c.id.startswith(prefix, autoescape=True)).limit(2)
        ).all()
    exact = [r for r in rows if r.id == prefix]
    if exact:
        return exact[0]
    if not rows:
        raise NotFound(f"no {what} {prefix!r}")
    if len(rows) > 1:
        raise NotFound(f"{prefix!r} matches more than one {what}; give more of the id")
    return rows[0]


def make_engine(url: str, *, auto_migrate: bool | None = None, check_schema: bool = True) -> Engine:
    """An engine with the settings each backend needs, its schema at the migrations' head.

    `auto_migrate` None reads RINGMASTER_AUTO_MIGRATE (unset: upgrade when safe; see
    `ringmaster.migrations.ensure_schema`). `check_schema=False` leaves the schema alone
    (`ringmaster db` looks at it and upgrades it itself).
    """
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            private_dir(Path(path).parent)
            private_file(Path(path))
        engine = create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None  # SQLAlchemy's "begin" event below issues BEGIN
            enable_wal(dbapi_conn, BUSY_TIMEOUT_S)
            dbapi_conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")

        # Write transactions take SQLite's write lock at BEGIN (see `writer`), so that two
        # processes' read-then-write transactions serialize instead of failing with BUSY;
        # reads begin deferred and never block a writer under WAL.
        @event.listens_for(engine, "begin")
        def _begin(conn):  # type: ignore[no-untyped-def]
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

    else:
        if url.startswith("postgresql"):
            from ringmaster.extras import require

            require("psycopg", "postgres")
        engine = create_engine(url, pool_pre_ping=True)
    if not check_schema:
        return engine
    if auto_migrate is None:
        from ringmaster.settings import Settings

        auto_migrate = Settings().auto_migrate
    migrate(engine, auto_migrate)
    return engine


def migrate(engine: Engine, auto_migrate: bool | None) -> None:
    """Check the schema, and upgrade it when that is safe (`ringmaster.migrations`)."""
    from ringmaster import migrations

    # The common case, a database at the head, is one read and no lock.
    with engine.connect() as conn:
        if migrations.current(conn) == migrations.HEAD:
            return
    # One transaction, one process at a time: processes starting together on a fresh or older
    # database would otherwise race to create or alter the same tables.
    with _setup_transaction(engine) as conn:
        migrations.ensure_schema(conn, auto_migrate)


def upgrade_schema(engine: Engine) -> tuple[str | None, str | None]:
    """Apply every missing revision now (`ringmaster db upgrade`): (before, after)."""
    from ringmaster import migrations

    with _setup_transaction(engine) as conn:
        before = migrations.current(conn)
        migrations.upgrade(conn)
        return before, migrations.current(conn)


@contextmanager
def _setup_transaction(engine: Engine) -> Iterator[Connection]:
    with writer(engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SETUP_LOCK})
        yield conn


# The durable run queue (ringmaster/run_queue.py): one row per unit of work a worker runs.
jobs = Table(
    "rm_jobs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("key", String(200), nullable=False, unique=True),  # idempotent enqueue
    Column("kind", String(16), nullable=False),  # run | resume | task
    Column("thread_id", String(64), nullable=False),
    Column("turn", Integer, nullable=False),
    Column("agent", String(64)),  # set: the claim checks this agent's capacity and rate
    Column("priority", Integer, nullable=False),  # 0 low … 3 urgent
    Column("state", String(16), nullable=False),  # queued|running|held|done|failed|cancelled
    Column("payload", JSON),
    Column("attempts", Integer, nullable=False),
    Column("lease_owner", String(200)),
    Column("lease_expires", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("run_after", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Index("ix_jobs_claim", "state", text("priority DESC"), "created_at", "id"),
    Index("ix_jobs_agent", "agent", "state"),
    Index("ix_jobs_thread", "thread_id", "state"),
)

# Scheduled ticks (check-ins, escalation): the unique (name, tick) runs each tick once.
schedule_ticks = Table(
    "rm_schedule_ticks",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("tick", Integer, primary_key=True, autoincrement=False),
    Column("owner", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Workers' heartbeats, so the stuck-work check-in can tell a silent worker.
workers = Table(
    "rm_workers",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Column("stopped_at", DateTime(timezone=True)),
)

# The audit chain's signed head (ringmaster/audit.py): one row, the last sequence number and
# hash with an HMAC over both, kept apart from the events so deleting the last rows, or
# replacing the whole chain, no longer matches it.
audit_head = Table(
    "rm_audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("signature", String(64), nullable=False),
)

# The policy's cumulative limits for tools that keep no totals of their own
# (ringmaster/limit_ledger.py): one row per counted call, written in the transaction that
# checks the total, before the tool runs; `amounts` holds the counted arguments as given
# (exact decimals as text).
limit_ledger = Table(
    "rm_limit_ledger",
    metadata,
    Column("idempotency_key", String(400), primary_key=True),
    Column("tool", String(100), nullable=False),
    Column("amounts", JSON, nullable=False),
    Column("requester", String(200), nullable=False),
    Column("agent", String(64)),
    Column("customer_id", String(100)),
    Column("invoice_id", String(100)),
    Column("approved_by", String(200)),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_limit_ledger_at", "at"),
)

# Fingerprints of keys that every process on this database must share (the audit key): an
# HMAC of a fixed label, never the key, written by the first process to start.
key_prints = Table(
    "rm_key_prints",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
