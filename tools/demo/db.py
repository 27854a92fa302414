"""The demo company's SQLite database: schema, connections, and creating it once.

The content is generated from a fixed seed (`ringmaster.tools.demo.seed`), so every build holds the
same rows. The company's clock stands still at `as_of` (meta): relative periods such as "last
week" are measured from it, so answers do not drift as real time passes.

A row the tools write (a refund, a rollback, a note) happens at that now too: it is stamped
`written_at`, the company's now plus one second for each write the tools have made, the
first included. So "what was deployed to web today?" finds the rollback just approved, the
analytics of the last 7 days count the refund just made, and its date reads as the company's
today. The second a write adds keeps writes newest last, in the order they were made, and
after every seeded row (the latest of which is at `as_of`); it would take 43,200 writes to
pass the company's midnight. A span that contains now (today, this week, the last 7 days)
has no upper bound (`periods`), so it holds these writes however many there are.

The stamp on the company's clock was chosen over the alternatives: the machine's time
(what rows carried before) put a rollback made today in 2026, outside every period the
company's clock names; the company's clock advanced by the real time since the database was
built would move writes past "today" while "today" stands still. The record of a write
itself (`side_effects.created_at`) keeps the real UTC time (`utc_now`): the policy's
cumulative limits (`limits.py`) count the calls of a real window, such as the last 24 hours,
which a clock that stands still would never let pass.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

SCHEMA_VERSION = "1"
BUSY_TIMEOUT_MS = 30_000

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE plans (
    name TEXT PRIMARY KEY, price_cents INTEGER NOT NULL, seats INTEGER NOT NULL,
    description TEXT NOT NULL
);
CREATE TABLE customers (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, company TEXT NOT NULL,
    plan TEXT NOT NULL REFERENCES plans(name),
    status TEXT NOT NULL CHECK (status IN ('active', 'trial', 'suspended', 'churned', 'erased')),
    created_at TEXT NOT NULL, erased_at TEXT,
    pronouns TEXT NOT NULL DEFAULT ''  -- how the customer is referred to: 'she', 'he', 'they'
);
CREATE TABLE tickets (
    id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
    subject TEXT NOT NULL, body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'pending', 'closed')),
    priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, closed_at TEXT
);
CREATE TABLE ticket_notes (
    id INTEGER PRIMARY KEY, ticket_id TEXT NOT NULL REFERENCES tickets(id),
    note TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE invoices (
    id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0), currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('paid', 'unpaid', 'refunded')),
    period TEXT NOT NULL, issued_at TEXT NOT NULL, due_at TEXT NOT NULL
);
CREATE TABLE payments (
    id TEXT PRIMARY KEY, invoice_id TEXT NOT NULL REFERENCES invoices(id),
    customer_id TEXT NOT NULL REFERENCES customers(id), amount_cents INTEGER NOT NULL,
    method TEXT NOT NULL, card_brand TEXT, card_last4 TEXT,
    status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed')), paid_at TEXT NOT NULL
);
CREATE TABLE deployments (
    id TEXT PRIMARY KEY,
    service TEXT NOT NULL CHECK (service IN ('api', 'web', 'billing-service', 'auth')),
    version TEXT NOT NULL, previous_version TEXT,
    environment TEXT NOT NULL CHECK (environment IN ('production', 'staging')),
    status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed', 'rolled_back')),
    kind TEXT NOT NULL DEFAULT 'release' CHECK (kind IN ('release', 'rollback')),
    deployed_by TEXT NOT NULL, deployed_at TEXT NOT NULL
);
CREATE TABLE incidents (
    id TEXT PRIMARY KEY, service TEXT NOT NULL, title TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('sev1', 'sev2', 'sev3', 'sev4')),
    status TEXT NOT NULL CHECK (status IN ('open', 'monitoring', 'resolved')),
    description TEXT NOT NULL, started_at TEXT NOT NULL, resolved_at TEXT
);
CREATE TABLE alerts (
    id TEXT PRIMARY KEY, service TEXT NOT NULL, name TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    status TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
    value TEXT NOT NULL, fired_at TEXT NOT NULL, resolved_at TEXT
);
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('kb', 'policy', 'terms', 'contract')),
    title TEXT NOT NULL, customer_id TEXT REFERENCES customers(id), body TEXT NOT NULL,
    tags TEXT NOT NULL, updated_at TEXT NOT NULL
);
-- Side effects the tools make, each one a row written in the transaction that records it.
CREATE TABLE refunds (
    id TEXT PRIMARY KEY, invoice_id TEXT NOT NULL REFERENCES invoices(id),
    customer_id TEXT NOT NULL, amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    reason TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE credits (
    id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0), reason TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE plan_changes (
    id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
    from_plan TEXT NOT NULL, to_plan TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE outbox (
    id TEXT PRIMARY KEY, recipients TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued', created_at TEXT NOT NULL
);
CREATE TABLE rollbacks (
    id TEXT PRIMARY KEY, deployment_id TEXT NOT NULL REFERENCES deployments(id),
    new_deployment_id TEXT NOT NULL REFERENCES deployments(id), service TEXT NOT NULL,
    environment TEXT NOT NULL, from_version TEXT NOT NULL, to_version TEXT NOT NULL,
    reason TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE erasure_log (
    id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, reason TEXT NOT NULL,
    erased TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE side_effects (
    idempotency_key TEXT PRIMARY KEY, tool TEXT NOT NULL, args TEXT NOT NULL,
    result TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE INDEX tickets_customer ON tickets(customer_id);
CREATE INDEX invoices_customer ON invoices(customer_id);
CREATE INDEX payments_invoice ON payments(invoice_id);
CREATE INDEX deployments_service ON deployments(service, environment, deployed_at);
"""


def keeps_pronouns(conn: sqlite3.Connection) -> bool:
    """Whether customers keep pronouns here: a database built before they did has no such
    column (the schema version was not raised for it, so it is not rebuilt)."""
    return any(c[1] == "pronouns" for c in conn.execute("PRAGMA table_info(customers)"))


def utc_now() -> str:
    """The real time, for the record of a write the tools make (see the module docstring)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def written_at(conn: sqlite3.Connection) -> str:
    """The time the write about to be made carries (see the module docstring); call it in
    the write's transaction, before its `side_effects` row is inserted."""
    (made,) = conn.execute("SELECT COUNT(*) FROM side_effects").fetchone()
    return iso(as_of(conn) + timedelta(seconds=made + 1))


def iso(dt: datetime) -> str:
    if dt.tzinfo is None:
        raise ValueError("naive datetime")
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def open_connection(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode: writers open their own `BEGIN IMMEDIATE` transaction."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A short-lived connection; one per tool call keeps tools safe to use from any thread."""
    conn = open_connection(path)
    try:
        yield conn
    finally:
        conn.close()


def as_of(conn: sqlite3.Connection) -> datetime:
    """The demo company's 'today' (see the module docstring)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'as_of'").fetchone()
    return parse_iso(row[0])


def _is_built(path: Path) -> bool:
    try:
        with connect(path) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError:
        return False
    return row is not None and row[0] == SCHEMA_VERSION


def ensure_demo_db(path: Path) -> Path:
    """Create the demo database at `path` unless it is already there; return the path.

    The database is built in a temporary file and linked into place, so a reader never sees
    a half-built database and two processes starting at once end up with one database.
    """
    from ringmaster.tools.demo.seed import (
        populate,  # the seed data is large; import it only to build
    )

    path = Path(path)
    if path.exists():
        if not _is_built(path):
            raise RuntimeError(f"{path} exists but is not a ringmaster demo database")
        return path
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600))  # owner only
        conn = open_connection(tmp)
        try:
            conn.execute("PRAGMA journal_mode = WAL")  # persists in the file header
            conn.executescript(SCHEMA)
            conn.execute("BEGIN")
            populate(conn)
            conn.execute(
                "INSERT INTO meta(key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
            )
            conn.execute("COMMIT")
        finally:
            conn.close()
        try:
            os.link(tmp, path)  # fails if someone else got there first: keep theirs
        except FileExistsError:
            pass
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            leftover.unlink(missing_ok=True)
    return path
