"""Read-only queries the HTTP API and the web queue need beyond the stores' own methods.

Filtered, counted pages of the review queue (category, priority, age, assignee), threads by
requester, and pending reviews per agent. They read the indexed application tables, never the
checkpointer; the queue's first page is a range scan of `ix_review_status_order`
(benchmarks/review_queue.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.engine import Engine

from ringmaster.audit import AuditEvent, AuditLog
from ringmaster.clock import Clock, utcnow
from ringmaster.review_queue import PRIORITIES, ReviewItem, item_from_row
from ringmaster.tables import audit_events, review_items, threads
from ringmaster.thread_store import ThreadRow, thread_from_row

UNASSIGNED = "-"  # the assignee filter's name for "claimed by nobody"
PAGE_COLUMNS = [col for col in review_items.c if col.name not in ("payload", "decision")]


@dataclass(frozen=True)
class ReviewFilter:
    """What to list; None means any."""

    status: str | None = "pending"
    agent: str | None = None
    category: str | None = None
    kind: str | None = None
    priority: str | None = None
    assignee: str | None = None  # a user name, or UNASSIGNED
    thread_id: str | None = None
    min_age_seconds: float | None = None  # older than this
    max_age_seconds: float | None = None  # newer than this


def _review_conditions(f: ReviewFilter, clock: Clock) -> list[ColumnElement[bool]]:
    c = review_items.c
    conds: list[ColumnElement[bool]] = []
    for column, value in (
        (c.status, f.status),
        (c.agent, f.agent),
        (c.category, f.category),
        (c.kind, f.kind),
        (c.thread_id, f.thread_id),
    ):
        if value is not None:
            conds.append(column == value)
    if f.priority is not None:
        conds.append(c.priority == PRIORITIES[f.priority])
    if f.assignee == UNASSIGNED:
        conds.append(c.claimed_by.is_(None))
    elif f.assignee is not None:
        conds.append(c.claimed_by == f.assignee)
    now = clock()
    if f.min_age_seconds is not None:
        conds.append(c.created_at <= now - timedelta(seconds=f.min_age_seconds))
    if f.max_age_seconds is not None:
        conds.append(c.created_at >= now - timedelta(seconds=f.max_age_seconds))
    return conds


def list_reviews(
    engine: Engine,
    f: ReviewFilter,
    *,
    limit: int = 50,
    offset: int = 0,
    after: tuple[str, datetime, str] | None = None,
    clock: Clock = utcnow,
) -> tuple[list[ReviewItem], int]:
    """One page of review items, most urgent and oldest first, and how many match in all.
    `after` (keyset: the priority, created_at and id of the last item seen) starts the page
    past that item in this order, whatever was added since.

    The items come without their payload and decision (empty): a page shows rows, and decoding
    fifty JSON documents it does not show was most of its time. `ReviewQueue.get` reads one
    item whole.
    """
    c = review_items.c
    where = and_(true(), *_review_conditions(f, clock))
    past: ColumnElement[bool] = true()
    if after is not None:
        priority, created_at, last_id = after
        rank = PRIORITIES[priority]
        past = or_(
            c.priority < rank,
            and_(
                c.priority == rank,
                or_(
                    c.created_at > created_at,
                    and_(c.created_at == created_at, c.id > last_id),
                ),
            ),
        )
    page = (
        select(*PAGE_COLUMNS)
        .where(where, past)
        .order_by(c.priority.desc(), c.created_at, c.id)
        .limit(limit)
        .offset(offset)
    )
    total = select(func.count()).select_from(review_items).where(where)
    with engine.connect() as conn:
        items = [item_from_row(r) for r in conn.execute(page)]
        count = int(conn.execute(total).scalar_one())
    return items, count


def list_threads(
    engine: Engine,
    *,
    requester: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
    after: tuple[datetime, str] | None = None,
) -> tuple[list[ThreadRow], int]:
    """Threads, last updated first; `requester` limits them to one person's. `after` (keyset:
    updated_at and id of the last row seen) starts the page past that row."""
    c = threads.c
    conds: list[Any] = []
    if requester is not None:
        conds.append(c.requester == requester)
    if status is not None:
        conds.append(c.status == status)
    where = and_(true(), *conds)
    past: ColumnElement[bool] = true()
    if after is not None:
        at, last_id = after
        past = or_(c.updated_at < at, and_(c.updated_at == at, c.id > last_id))
    page = select(threads).where(where, past).order_by(c.updated_at.desc(), c.id)
    total = select(func.count()).select_from(threads).where(where)
    with engine.connect() as conn:
        rows = [thread_from_row(r) for r in conn.execute(page.limit(limit).offset(offset))]
        count = int(conn.execute(total).scalar_one())
    return rows, count


def pending_by_agent(engine: Engine) -> dict[str, int]:
    """How many pending reviews wait on each agent (agents with none are left out)."""
    c = review_items.c
    q = select(c.agent, func.count()).where(c.status == "pending").group_by(c.agent)
    with engine.connect() as conn:
        return {agent: int(n) for agent, n in conn.execute(q)}


def list_audit(
    audit: AuditLog, thread_id: str, *, after: int = 0, limit: int = 100
) -> tuple[list[AuditEvent], int]:
    """One page of a thread's audit events in order (past sequence number `after`) and how
    many the thread has in all."""
    c = audit_events.c
    total = select(func.count()).select_from(audit_events).where(c.thread_id == thread_id)
    with audit.engine.connect() as conn:
        count = int(conn.execute(total).scalar_one())
    return audit.for_thread(thread_id, after=after, limit=limit), count
