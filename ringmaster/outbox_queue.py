"""Queueing a notification in the outbox once per item id (ringmaster/outbox.py sends it).

Kept apart from the sender so that check-ins, summaries and rebalancing queue rows without
loading the sender's HTTP and retry libraries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ringmaster.tables import notifications

ITEM_ID_CHARS = 64  # notifications.item_id's length


def queue_once(
    conn: Connection,
    *,
    item_id: str,
    recipient: str,
    thread_id: str,
    payload: dict[str, Any],
    now: datetime,
) -> bool:
    """Add an outbox row in `conn`'s transaction unless one with `item_id` exists (the id is
    cut to the column's length first, so a long one is still found the second time)."""
    item_id = item_id[:ITEM_ID_CHARS]
    seen = conn.execute(
        select(notifications.c.id).where(notifications.c.item_id == item_id).limit(1)
    ).first()
    if seen is not None:
        return False
    conn.execute(
        notifications.insert().values(
            created_at=now,
            item_id=item_id,
            thread_id=thread_id,
            channel="outbox",
            recipient=recipient,
            payload=payload,
            status="queued",
            attempts=0,
        )
    )
    return True
