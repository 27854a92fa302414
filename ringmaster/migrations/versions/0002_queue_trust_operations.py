"""The run queue, the signed audit head, shared rate limits, agent status history, outbox delivery.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04

New tables: rm_jobs, rm_schedule_ticks and rm_workers (the run queue and its workers,
ringmaster/run_queue.py), rm_audit_head (the audit chain's signed head, ringmaster/audit.py),
rm_rate_limits (the API's rate limits across processes, ringmaster/api/ratelimit.py),
rm_agent_status_history (check-ins, ringmaster/agent_status.py). New nullable columns: a token's
expiry (rm_api_tokens.expires_at; tokens issued before it never expire, as before) and the
outbox sender's bookkeeping on rm_notifications.

As in 0001, the tables are a frozen copy: later revisions change `ringmaster.tables`, not this.
"""

from __future__ import annotations

from typing import Any

from alembic import op
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
    text,
)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def new_tables() -> MetaData:
    m = MetaData()
    Table(
        "rm_jobs",
        m,
        Column("id", String(64), primary_key=True),
        Column("key", String(200), nullable=False, unique=True),
        Column("kind", String(16), nullable=False),
        Column("thread_id", String(64), nullable=False),
        Column("turn", Integer, nullable=False),
        Column("agent", String(64)),
        Column("priority", Integer, nullable=False),
        Column("state", String(16), nullable=False),
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
    Table(
        "rm_schedule_ticks",
        m,
        Column("name", String(64), primary_key=True),
        Column("tick", Integer, primary_key=True, autoincrement=False),
        Column("owner", String(200), nullable=False),
        Column("at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "rm_workers",
        m,
        Column("id", String(200), primary_key=True),
        Column("started_at", DateTime(timezone=True), nullable=False),
        Column("seen_at", DateTime(timezone=True), nullable=False),
        Column("stopped_at", DateTime(timezone=True)),
    )
    Table(
        "rm_audit_head",
        m,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("seq", Integer, nullable=False),
        Column("hash", String(64), nullable=False),
        Column("signature", String(64), nullable=False),
    )
    Table(
        "rm_rate_limits",
        m,
        Column("key", String(100), primary_key=True),
        Column("tat", Float, nullable=False),
    )
    Table(
        "rm_agent_status_history",
        m,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("agent", String(64), nullable=False),
        Column("healthy", Boolean, nullable=False),
        Column("queue_depth", Integer, nullable=False),
        Column("running", Integer, nullable=False),
        Column("data", JSON, nullable=False),
        Index("ix_agent_status_history_agent_at", "agent", "at"),
    )
    return m


def new_columns() -> list[tuple[str, Column[Any]]]:
    """(table, column) pairs: every one nullable, so a plain ADD COLUMN on both dialects."""
    return [
        ("rm_api_tokens", Column("expires_at", DateTime(timezone=True))),
        ("rm_notifications", Column("attempts", Integer)),
        ("rm_notifications", Column("next_attempt_at", DateTime(timezone=True))),
        ("rm_notifications", Column("lease_owner", String(64))),
        ("rm_notifications", Column("lease_until", DateTime(timezone=True))),
        ("rm_notifications", Column("delivered_at", DateTime(timezone=True))),
    ]


NEW_INDEXES = [("ix_notifications_status", "rm_notifications", ["status", "next_attempt_at"])]


def upgrade() -> None:
    bind = op.get_bind()
    new_tables().create_all(bind)
    for table, column in new_columns():
        op.add_column(table, column)
    for name, table, columns in NEW_INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in NEW_INDEXES:
        op.drop_index(name, table_name=table)
    for table, column in reversed(new_columns()):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column.name)
    new_tables().drop_all(op.get_bind())
