"""The schema of the last release before migrations (main at 473b60d): every rm_ table.

Revision ID: 0001
Revises:
Create Date: 2026-12-04

A fresh database gets every table. A database an earlier, un-versioned ringmaster created is
adopted: its missing tables are created, and the nullable columns and the indexes added before
migrations existed (which those versions added in place at start-up) are added here, once.

The tables are a frozen copy, not `ringmaster.tables.metadata`: later revisions change that,
never this file.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def schema() -> MetaData:
    """The tables as they were at 473b60d."""
    m = MetaData()
    Table(
        "rm_threads",
        m,
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

    Table(
        "rm_review_items",
        m,
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

    Table(
        "rm_notifications",
        m,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("item_id", String(64), nullable=False),
        Column("thread_id", String(64), nullable=False),
        Column("channel", String(16), nullable=False),  # outbox | webhook
        Column("recipient", String(500), nullable=False),
        Column("payload", JSON, nullable=False),
        Column("status", String(16), nullable=False),  # queued | sent | failed
        Column("error", Text),
    )

    # Model calls and tokens per thread and turn (ringmaster/usage_store.py).
    Table(
        "rm_usage",
        m,
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
    Table(
        "rm_corrections",
        m,
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
    Table(
        "rm_audit_events",
        m,
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
    Table(
        "rm_users",
        m,
        Column("name", String(64), primary_key=True),
        Column("role", String(16), nullable=False),
        Column("scopes", JSON),  # None: every scope the team uses
        Column("priority", String(8), nullable=False),
        Column("disabled", Boolean, nullable=False, default=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )

    Table(
        "rm_api_tokens",
        m,
        Column("hash", String(64), primary_key=True),  # sha256 of the token; the token is not kept
        Column("user", String(64), nullable=False),
        Column("label", String(100), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Index("ix_api_tokens_user", "user"),
    )

    Table(
        "rm_web_sessions",
        m,
        Column("hash", String(64), primary_key=True),  # sha256 of the cookie value
        Column("user", String(64), nullable=False),
        Column("csrf", String(64), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
    )

    return m


def upgrade() -> None:
    bind = op.get_bind()
    m = schema()
    m.create_all(bind)  # the tables a database does not have yet, with their indexes
    _adopt(bind, m)


def _adopt(bind: sa.Connection, m: MetaData) -> None:
    """Add the nullable columns and indexes an earlier version's tables lack."""
    inspector = sa.inspect(bind)
    for table in m.sorted_tables:
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.nullable:
                kind = column.type.compile(dialect=bind.dialect)
                op.execute(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')
        indexes = {i["name"] for i in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexes:
                index.create(bind)


def downgrade() -> None:
    schema().drop_all(op.get_bind())
