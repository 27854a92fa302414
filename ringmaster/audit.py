"""The audit trail: an append-only table of decision events, chained by keyed hashes.

Each row's hash is HMAC-SHA-256 (plain SHA-256 only when no key is given) over the previous
row's hash and the row's own canonical content (sequence number, thread, time, actor, kind,
data). So an edited row no longer matches its hash, a deleted row breaks the sequence and the
next row's link, and an inserted row breaks the link of the row after it.

The chain's head (last sequence number and hash) is signed with the same key and kept in its
own table, updated in the transaction of every append. Deleting the last rows leaves the head
pointing past the end; replacing the whole chain needs the key to sign a new head. `verify()`
names each break; `export()` writes the events and the signed head as JSON lines that
`verify_export()` checks on their own, without the database.

The key is the `RINGMASTER_AUDIT_KEY` setting or, unset, one made on first start in
HOME/audit.key with mode 0600 (`Settings.audit_secret`). Processes with different homes may
share one Postgres database: the first to start stores the key's fingerprint (an HMAC of a
fixed label, never the key), and a process with another key refuses to start (`claim_key`)
rather than sign the chain with a key the others cannot verify.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.engine import Engine

from ringmaster.clock import Clock, as_utc, utcnow
from ringmaster.errors import ConfigError
from ringmaster.tables import audit_events, audit_head, key_prints, writer

GENESIS = "0" * 64
_OTHER_KEY = (
    "RINGMASTER_AUDIT_KEY: this database's audit trail is signed with another key; set "
    "RINGMASTER_AUDIT_KEY (or HOME/audit.key) to the key the other processes use"
)
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
        self._move_head(conn, seq, digest)

    def fingerprint(self) -> str:
        """What identifies the key without revealing it."""
        return hmac.new(self.key or b"", b"ringmaster audit key fingerprint", "sha256").hexdigest()

    def claim_key(self) -> None:
        """Record this key as the chain's on first start; ConfigError if the database's chain
        belongs to another key (nothing is written then). No key: nothing to check."""
        if not self.key:
            return
        mine = self.fingerprint()
        with self.writer.begin() as conn:
            if conn.dialect.name == "postgresql":  # two first starts: one records, one compares
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_CHAIN_LOCK})
            row = conn.execute(
                select(key_prints.c.fingerprint).where(key_prints.c.name == "audit")
            ).first()
            if row is None:
                head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).first()
                # A chain signed before fingerprints were kept: its head tells whose it is. One
                # written with no key at all is refused too: its rows would never verify under
                # this key, and anyone who can write the database can sign an unkeyed head.
                if head is not None and not hmac.compare_digest(
                    self.sign(head.seq, head.hash), head.signature
                ):
                    raise ConfigError(_OTHER_KEY)
                conn.execute(insert(key_prints).values(name="audit", fingerprint=mine, at=utcnow()))
            elif not hmac.compare_digest(row.fingerprint, mine):
                raise ConfigError(_OTHER_KEY)

    def sign(self, seq: int, digest: str) -> str:
        """The head's signature: HMAC over its sequence number and hash."""
        return hmac.new(self.key or b"", f"head:{seq}:{digest}".encode(), "sha256").hexdigest()

    def _move_head(self, conn: Connection, seq: int, digest: str) -> None:
        values = {"seq": seq, "hash": digest, "signature": self.sign(seq, digest)}
        # Appends are serialized (advisory lock on Postgres, the write lock on SQLite), so
        # update-then-insert cannot race with another append.
        moved = conn.execute(update(audit_head).where(audit_head.c.id == 1).values(**values))
        if moved.rowcount == 0:
            conn.execute(insert(audit_head).values(id=1, **values))

    def head(self) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(audit_head).where(audit_head.c.id == 1)).first()
        if row is None:
            return None
        m = row._mapping
        return {"seq": m["seq"], "hash": m["hash"], "signature": m["signature"]}

    def _rows(
        self,
        thread_id: str | None = None,
        after: int = 0,
        limit: int | None = None,
        kinds: Collection[str] = (),
    ) -> Iterator[AuditEvent]:
        q = select(audit_events).order_by(audit_events.c.seq).limit(limit)
        if thread_id:
            q = q.where(audit_events.c.thread_id == thread_id)
        if after:
            q = q.where(audit_events.c.seq > after)
        if kinds:
            q = q.where(audit_events.c.kind.in_(kinds))
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
        self,
        thread_id: str,
        after: int = 0,
        limit: int | None = None,
        kinds: Collection[str] = (),
    ) -> list[AuditEvent]:
        """The thread's events in order; with `after`, only those past that sequence number;
        with `limit`, at most that many; with `kinds`, only events of those kinds."""
        return list(self._rows(thread_id, after, limit, kinds))

    def last_seq(self, thread_id: str) -> int:
        """The sequence number of the thread's latest event, 0 before its first."""
        q = select(func.max(audit_events.c.seq)).where(audit_events.c.thread_id == thread_id)
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar() or 0)

    def verify(self) -> list[str]:
        """Every break in the chain, as sentences; an empty list means the trail is intact."""
        return self.check(self._rows(), self.head())

    def check(self, events: Iterable[AuditEvent], head: dict[str, Any] | None) -> list[str]:
        """Every break in `events` (in order) and against the signed `head`."""
        problems: list[str] = []
        expected_seq, prev = 1, GENESIS
        hashes: dict[int, str] = {}
        for e in events:
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
            hashes[e.seq] = e.hash
            expected_seq, prev = e.seq + 1, e.hash
        last = expected_seq - 1
        if head is None:
            if hashes:
                problems.append("the signed head is missing: the trail cannot be checked whole")
            return problems
        if not hmac.compare_digest(self.sign(head["seq"], head["hash"]), head["signature"]):
            problems.append("the head's signature does not match: the head was rewritten")
        elif head["seq"] > last:
            problems.append(
                f"{_rows(last + 1, head['seq'])} deleted from the end: the signed head is at "
                f"{head['seq']}, the trail ends at {last}"
            )
        elif head["seq"] < last:
            problems.append(
                f"{_rows(head['seq'] + 1, last)} added past the signed head (at "
                f"{head['seq']}) without the key"
            )
        elif hashes.get(head["seq"]) != head["hash"]:
            problems.append(f"row {head['seq']} is not the row the signed head names: rewritten")
        return problems

    def export(self, path: Path) -> int:
        """Write every event and the signed head as JSON lines (mode 0600); the event count."""
        head = self.head()
        n = 0
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for e in self._rows():
                if head is not None and e.seq > head["seq"]:
                    break  # appended after the head was read: the next export has it
                f.write(json.dumps({"event": e.to_dict()}, sort_keys=True, default=str) + "\n")
                n += 1
            f.write(json.dumps({"head": head}, sort_keys=True) + "\n")
        return n

    def verify_export(self, path: Path) -> list[str]:
        """Every break in an exported copy (see `export`), checked with this log's key;
        ConfigError for a file that is no export at all (nothing in it was tampered with)."""
        lines = _export_lines(path)
        events: list[AuditEvent] = []
        head: dict[str, Any] | None = None
        seen_head = False
        for number, line in lines:
            try:
                item = json.loads(line)
                if "head" in item:
                    head, seen_head = item["head"], True
                    continue
                e = item["event"]
                events.append(
                    AuditEvent(
                        seq=int(e["seq"]),
                        thread_id=e["thread_id"],
                        at=datetime.fromisoformat(e["at"]),
                        actor=e["actor"],
                        kind=e["kind"],
                        data=e["data"],
                        prev_hash=e["prev_hash"],
                        hash=e["hash"],
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                return [f"line {number} is not an audit export line ({exc})"]
        if not seen_head:
            return ["the export has no signed head: it was cut short"]
        return self.check(events, head)


def _export_lines(path: Path) -> list[tuple[int, str]]:
    """The numbered non-blank lines of a file that starts as an export does."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not an audit export: it is not text") from None
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        raise ConfigError(f"{path} is not an audit export: it is empty")
    try:
        first = json.loads(lines[0][1])
    except ValueError:
        first = None
    if not (isinstance(first, dict) and ("event" in first or "head" in first)):
        raise ConfigError(
            f"{path} is not an audit export: its first line is not an exported event or head "
            "(`ringmaster audit export FILE` writes one)"
        )
    return lines


def _rows(first: int, last: int) -> str:
    return f"row {first}" if first == last else f"rows {first}–{last}"
