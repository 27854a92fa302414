"""The audit trail: an append-only table of decision events, chained by hashes.

Each row's hash is SHA-256 (HMAC-SHA-256 when a key is configured) over the previous row's hash
and the row's own canonical content (sequence number, thread, time, actor, kind, data). So an
edited row no longer matches its hash, a deleted row breaks the sequence and the next row's
link, and an inserted row breaks the link of the row after it. `verify()` names each one.

Without a key, someone who can write the table could recompute the whole chain after an
edit; with `RINGMASTER_AUDIT_KEY` set they would need the key too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.engine import Engine

from ringmaster.clock import Clock, as_utc, utcnow
from ringmaster.tables import audit_events, writer

GENESIS = "0" * 64
# Any constant: the key of the Postgres advisory lock that serializes appends to the chain.
PG_CHAIN_LOCK = 7_311_977


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    thread_id: str
    at: datetime
    actor: str
    kind: str
    data: dict[str, Any]
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "at": self.at.isoformat()}


def canonical(seq: int, thread_id: str, at: datetime, actor: str, kind: str, data: Any) -> bytes:
    body = {
        "seq": seq,
        "thread_id": thread_id,
        "at": as_utc(at).isoformat(),  # type: ignore[union-attr]
        "actor": actor,
        "kind": kind,
        "data": data,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


class AuditLog:
    """Appends and reads the chained events; any SQLAlchemy engine (SQLite, Postgres)."""

    def __init__(self, engine: Engine, clock: Clock = utcnow, key: bytes | None = None) -> None:
        self.engine = engine
        self.writer = writer(engine)
        self.clock = clock
        self.key = key

    def _hash(self, prev: str, content: bytes) -> str:
        if self.key:
            return hmac.new(self.key, prev.encode() + content, hashlib.sha256).hexdigest()
        return hashlib.sha256(prev.encode() + content).hexdigest()

    def append(self, thread_id: str, kind: str, actor: str, /, **data: Any) -> None:
        with self.writer.begin() as conn:
            self.append_in(conn, thread_id, kind, actor, **data)

    def append_in(
        self, conn: Connection, thread_id: str, kind: str, actor: str, /, **data: Any
    ) -> None:
        """Append inside the caller's transaction (so an event commits with what it records)."""
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_CHAIN_LOCK})
        head = conn.execute(
            select(audit_events.c.seq, audit_events.c.hash)
            .order_by(audit_events.c.seq.desc())
            .limit(1)
        ).first()
        seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
        at = self.clock()
        # JSON round trip: what is hashed is exactly what the database will hand back.
        data = json.loads(json.dumps(data, default=str))
        digest = self._hash(prev, canonical(seq, thread_id, at, actor, kind, data))
        conn.execute(
            insert(audit_events).values(
                seq=seq,
                thread_id=thread_id,
                at=at,
                actor=actor,
                kind=kind,
                data=data,
                prev_hash=prev,
                hash=digest,
            )
        )

    def _rows(
        self, thread_id: str | None = None, after: int = 0, limit: int | None = None
    ) -> Iterator[AuditEvent]:
        q = select(audit_events).order_by(audit_events.c.seq).limit(limit)
        if thread_id:
            q = q.where(audit_events.c.thread_id == thread_id)
        if after:
            q = q.where(audit_events.c.seq > after)
        with self.engine.connect() as conn:
            for r in conn.execute(q):
                m = r._mapping
                yield AuditEvent(
                    seq=m["seq"],
                    thread_id=m["thread_id"],
                    at=as_utc(m["at"]),  # type: ignore[arg-type]
                    actor=m["actor"],
                    kind=m["kind"],
                    data=m["data"],
                    prev_hash=m["prev_hash"],
                    hash=m["hash"],
                )

    def for_thread(
        self, thread_id: str, after: int = 0, limit: int | None = None
    ) -> list[AuditEvent]:
        """The thread's events in order; with `after`, only those past that sequence number;
        with `limit`, at most that many."""
        return list(self._rows(thread_id, after, limit))

    def last_seq(self, thread_id: str) -> int:
        """The sequence number of the thread's latest event, 0 before its first."""
        q = select(func.max(audit_events.c.seq)).where(audit_events.c.thread_id == thread_id)
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar() or 0)

    def verify(self) -> list[str]:
        """Every break in the chain, as sentences; an empty list means the trail is intact."""
        problems: list[str] = []
        expected_seq, prev = 1, GENESIS
        for e in self._rows():
            if e.seq != expected_seq:
                missing = (
                    f"{expected_seq}"
                    if e.seq == expected_seq + 1
                    else (f"{expected_seq}–{e.seq - 1}")
                )
                problems.append(f"row(s) {missing} deleted: the sequence jumps to {e.seq}")
            content = canonical(e.seq, e.thread_id, e.at, e.actor, e.kind, e.data)
            if self._hash(e.prev_hash, content) != e.hash:
                problems.append(f"row {e.seq} edited: its content does not match its hash")
            elif e.prev_hash != prev and e.seq == expected_seq:
                problems.append(
                    f"row {e.seq} does not follow row {e.seq - 1}: a row was inserted or replaced "
                    "before it"
                )
            expected_seq, prev = e.seq + 1, e.hash
        return problems
