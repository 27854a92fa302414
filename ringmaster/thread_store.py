"""Threads and their locks: which process is running a thread, and what state it is in.

A thread is run by one process at a time. The lock is a conditional update on the row; a lock
whose owner process is gone (same host, dead pid) or that is older than the stale limit is
taken over, so a crash never leaves a thread stuck.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from ringmaster.clock import Clock, as_utc, utcnow
from ringmaster.errors import NotFound
from ringmaster.tables import row_by_prefix, threads, writer

HOST = socket.gethostname()


def new_owner() -> str:
    return f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_is_gone(owner: str) -> bool:
    """True when the owner ran on this host and its process no longer exists."""
    host, _, rest = owner.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != HOST or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True)
class ThreadRow:
    id: str
    requester: str
    status: str
    turn: int
    last_request: str | None
    error: str | None
    lock_owner: str | None
    locked_at: datetime | None
    created_at: datetime
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        for k in ("locked_at", "created_at", "updated_at"):
            d[k] = d[k].isoformat() if d[k] else None
        return d


def thread_from_row(r: Any) -> ThreadRow:
    """A row of rm_threads, its times made UTC-aware."""
    m = dict(r._mapping)
    for k in ("locked_at", "created_at", "updated_at"):
        m[k] = as_utc(m[k])
    return ThreadRow(**m)


class ThreadStore:
    def __init__(self, engine: Engine, clock: Clock = utcnow, stale_after: float = 300.0) -> None:
        self.engine = engine
        self.writer = writer(engine)
        self.clock = clock
        self.stale_after = timedelta(seconds=stale_after)

    def create(self, thread_id: str, requester: str) -> ThreadRow:
        now = self.clock()
        try:
            with self.writer.begin() as conn:
                conn.execute(
                    insert(threads).values(
                        id=thread_id,
                        requester=requester,
                        status="idle",
                        turn=0,
                        created_at=now,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            pass  # created concurrently: fine, it exists
        return self.get(thread_id)

    def get(self, thread_id: str) -> ThreadRow:
        with self.engine.connect() as conn:
            r = conn.execute(select(threads).where(threads.c.id == thread_id)).first()
        if r is None:
            raise NotFound(f"no thread {thread_id!r}")
        return thread_from_row(r)

    def find(self, prefix: str) -> ThreadRow:
        """A thread by its id or a unique prefix of it (at least 4 characters)."""
        return thread_from_row(row_by_prefix(self.engine, threads, prefix, "thread"))

    def list(
        self, *, status: str | None = None, requester: str | None = None, limit: int = 100
    ) -> list[ThreadRow]:
        q = select(threads).order_by(threads.c.updated_at.desc()).limit(limit)
        if status:
            q = q.where(threads.c.status == status)
        if requester:
            q = q.where(threads.c.requester == requester)
        with self.engine.connect() as conn:
            return [thread_from_row(r) for r in conn.execute(q)]

    def try_lock(self, thread_id: str, owner: str) -> bool:
        """Take the thread's lock if it is free or its holder is gone."""
        now = self.clock()
        row = self.get(thread_id)
        c = threads.c
        cond: ColumnElement[bool]
        if row.lock_owner is None:
            cond = c.lock_owner.is_(None)
        elif row.lock_owner == owner:
            return True
        elif owner_is_gone(row.lock_owner) or (
            row.locked_at is not None and now - row.locked_at > self.stale_after
        ):
            cond = c.lock_owner == row.lock_owner  # compare-and-swap on the dead owner
        else:
            return False
        with self.writer.begin() as conn:
            won = conn.execute(
                update(threads)
                .where(c.id == thread_id, cond)
                .values(lock_owner=owner, locked_at=now)
            ).rowcount
        return bool(won)

    def unlock(self, thread_id: str, owner: str) -> None:
        with self.writer.begin() as conn:
            conn.execute(
                update(threads)
                .where(threads.c.id == thread_id, threads.c.lock_owner == owner)
                .values(lock_owner=None, locked_at=None)
            )

    def set(self, thread_id: str, **values: Any) -> None:
        with self.writer.begin() as conn:
            conn.execute(
                update(threads)
                .where(threads.c.id == thread_id)
                .values(updated_at=self.clock(), **values)
            )
