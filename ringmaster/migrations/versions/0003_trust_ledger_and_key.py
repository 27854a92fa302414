"""Cumulative limits' ledger for tools that keep no totals of their own; the audit key's print.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04

New tables: rm_limit_ledger (one row per side-effecting call counted by the policy's
`cumulative` limits, ringmaster/limit_ledger.py) and rm_key_prints (a fingerprint of the
audit key, so a process started with another key refuses to sign the chain, ringmaster/audit.py).

As in 0001, the tables are a frozen copy: later revisions change `ringmaster.tables`, not this.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import JSON, Column, DateTime, Index, MetaData, String, Table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def new_tables() -> MetaData:
    m = MetaData()
    Table(
        "rm_limit_ledger",
        m,
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
    Table(
        "rm_key_prints",
        m,
        Column("name", String(64), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
        Column("at", DateTime(timezone=True), nullable=False),
    )
    return m


def upgrade() -> None:
    new_tables().create_all(op.get_bind())


def downgrade() -> None:
    new_tables().drop_all(op.get_bind())
