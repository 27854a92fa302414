"""Each agent's current health, the flag the run queue reads before it grants a start.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

New table: rm_agent_health (one row per agent: healthy, why not, when it was read), written by
check-ins and rebalancing passes from the agent status (ringmaster/agent_status.py) and read by
the run queue's grant (`SqlRunQueue.has_room`). No row: healthy.

As in 0001, the tables are a frozen copy: later revisions change `ringmaster.tables`, not this.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import JSON, Boolean, Column, DateTime, MetaData, String, Table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def new_tables() -> MetaData:
    m = MetaData()
    Table(
        "rm_agent_health",
        m,
        Column("agent", String(64), primary_key=True),
        Column("healthy", Boolean, nullable=False),
        Column("reasons", JSON, nullable=False),
        Column("at", DateTime(timezone=True), nullable=False),
    )
    return m


def upgrade() -> None:
    new_tables().create_all(op.get_bind())


def downgrade() -> None:
    new_tables().drop_all(op.get_bind())
