"""Record look-ups for the reference resolver: a record's owner and the words that describe it.

"its customer", "the customer on that ticket" and "their invoices" need to know which customer
a ticket or invoice belongs to; "the June one" and "the SAML one" need words that describe each
candidate. This reads the demo database directly (read-only, one short connection per look-up)
and answers `None` for an id it does not know, so a reference to it stays unresolved.
"""

from __future__ import annotations

import calendar
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ringmaster.tools.demo.db import connect, keeps_pronouns
from ringmaster.tools.demo.ops import current_deployment
from ringmaster.tools.demo.reads import invoice_totals


@dataclass(frozen=True)
class Record:
    """What the demo database says of one record (the resolver's `RecordFacts`, in this layer's
    own terms: tools know nothing of the graph above them)."""

    id: str
    owner: str | None  # the customer the record belongs to
    words: str  # what describes it: "the June one", "the SAML one"
    owns: tuple[str, ...]  # for a customer: their tickets, invoices and documents
    # finished: a closed ticket, a resolved incident or alert, a deployment since replaced
    done: bool = False
    amount: Decimal | None = None  # what an invoice is for: "the bigger one"
    title: str = ""  # what a person calls it: a ticket's subject, a customer's name
    pronouns: str = ""  # for a customer: "she", "he", "they"; "" when the record keeps none
    # for an incident: the production deployment of its service live when it began
    # ("roll back the deploy that caused it"), as the ops skill finds the one behind an incident
    behind: tuple[str, ...] = ()
    # acts the records rule out now, each with why: an invoice nothing was paid on has nothing
    # to refund (("refund", "has not been paid")), so it is not offered for one
    cannot: tuple[tuple[str, str], ...] = ()


# The statuses of a finished record: "her ticket" is not the one she closed last year.
_DONE = {"closed", "resolved"}

# prefix → (table, columns that describe the record, owner column or None)
_TABLES: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "TCK": ("tickets", ("subject", "status", "priority"), "customer_id"),
    "INV": ("invoices", ("status", "period", "currency"), "customer_id"),
    "CUS": ("customers", ("name", "email", "company", "plan", "status"), None),
    "DEP": (
        "deployments",
        ("service", "environment", "version", "status", "kind", "deployed_at"),
        None,
    ),
    "INC": ("incidents", ("service", "title", "severity", "status", "started_at"), None),
    "ALT": ("alerts", ("service", "name", "severity", "status"), None),
    "DOC": ("documents", ("kind", "title"), "customer_id"),
}


# What people call the demo company's things for short: "the 2FA one" is the two-factor
# ticket, "the SSO one" the SAML one, "the prod one" is also read by prefix (the resolver).
_ALSO_CALLED = {
    "two-factor": "2fa mfa",
    "saml": "sso",
    "sso": "saml",
    "502": "5xx",
    "5xx": "502",
    "unpaid": "outstanding overdue owing behind",  # "is she behind on any invoices?"
    # An "open" ticket is any not closed yet, as support lists them and a customer's count of
    # open tickets has it: "close her open one" does not pick the open one of two unfinished.
    "pending": "open",
    "log in": "login",  # "her login ticket", "the ticket of login"
}


# The columns whose values, together, are what a person calls a record ("Did you mean TCK-1150
# (App crashes on login)?"); an invoice is called by its amount and month instead.
_TITLES = {
    "TCK": ("subject",),
    "CUS": ("name",),
    "DEP": ("service", "environment", "version"),
    "INC": ("title",),
    "ALT": ("name",),
    "DOC": ("title",),
}


# Columns that say when a record is from: "2025-06" is "the June one", and so is a deployment
# of "2025-06-14T09:30:00+00:00" (whose timestamp itself describes nothing a person types).
_DATES = {"period", "deployed_at", "started_at"}
_STAMPS = {"deployed_at", "started_at"}


def _words(row: sqlite3.Row, columns: tuple[str, ...]) -> str:
    words = [str(row[c]) for c in columns if row[c] is not None and c not in _STAMPS]
    said = " ".join(words).lower()
    words += [alias for term, alias in _ALSO_CALLED.items() if re.search(rf"\b{term}\b", said)]
    # "2.15.0-rc1" is "the rc one".
    words += sorted(set(re.findall(r"(?<![a-z])([a-z]+)\d+\b", said)) - set(said.split()))
    for column in [c for c in columns if c in _DATES and row[c]]:
        year, _, rest = str(row[column]).partition("-")
        month = rest[:2]
        if month.isdigit() and 1 <= int(month) <= 12:
            words += [calendar.month_name[int(month)], calendar.month_abbr[int(month)], year]
    return " ".join(words).replace("_", " ")


def demo_records(db: Path) -> Callable[[str], list[str]]:
    """The ids of every record of the demo database whose ids start with `prefix` ("DEP"), in
    order; [] for a prefix it does not know."""

    def records(prefix: str) -> list[str]:
        if prefix.upper() not in _TABLES:
            return []
        table = _TABLES[prefix.upper()][0]
        with connect(db) as conn:
            rows = conn.execute(f"SELECT id FROM {table} ORDER BY id").fetchall()  # noqa: S608
        return [str(r[0]) for r in rows]

    return records


def demo_lookup(db: Path) -> Callable[[str], Record | None]:
    """Look up a record of the demo company database at `db` by id; None for an unknown id."""

    def lookup(record_id: str) -> Record | None:
        prefix = record_id.split("-", 1)[0].upper()
        if prefix not in _TABLES:
            return None
        table, columns, owner = _TABLES[prefix]
        amount = ("amount_cents",) if prefix == "INV" else ()
        wanted = ", ".join(columns + amount + ((owner,) if owner else ()))
        with connect(db) as conn:
            row = conn.execute(
                f"SELECT {wanted} FROM {table} WHERE id = ?",  # noqa: S608 (names are constants)
                (record_id.upper(),),
            ).fetchone()
            if row is None:
                return None
            words = _words(row, columns)
            if amount:  # "the 29 one": what the invoice is for, as it is typed
                cents = int(row["amount_cents"])
                words = f"{words} {cents // 100} {cents // 100}.{cents % 100:02d}"
            if owner and row[owner]:  # "the one for Maria", "the Lopez invoice"
                person = conn.execute(
                    "SELECT name, company FROM customers WHERE id = ?", (row[owner],)
                ).fetchone()
                if person is not None:
                    words = f"{words} {person['name']} {person['company']}"
            owns: tuple[str, ...] = ()
            pronouns = _pronouns(conn, record_id.upper()) if prefix == "CUS" else ""
            if prefix == "CUS":  # "her open ticket", "their February invoice", "his contract"
                owns = tuple(
                    r[0]
                    for table_name in ("tickets", "invoices", "documents")
                    for r in conn.execute(
                        f"SELECT id FROM {table_name} WHERE customer_id = ? ORDER BY id",  # noqa: S608
                        (record_id.upper(),),
                    )
                )
            # A deployment a later one of its service and environment replaced no longer runs
            # (a failed one replaced nothing).
            superseded = (
                prefix == "DEP"
                and conn.execute(
                    "SELECT 1 FROM deployments WHERE service = ? AND environment = ? AND id > ?"
                    " AND status != 'failed'",
                    (row["service"], row["environment"], record_id.upper()),
                ).fetchone()
                is not None
            )
            behind = _behind(conn, prefix, record_id.upper())
            cannot = _cannot(conn, prefix, record_id.upper())
        title = " ".join(str(row[c]) for c in _TITLES.get(prefix, ()) if row[c] is not None)
        return Record(
            id=record_id.upper(),
            title=title,
            owner=str(row[owner]) if owner and row[owner] else None,
            words=words,
            owns=owns,
            done=("status" in columns and str(row["status"]) in _DONE) or superseded,
            amount=Decimal(row["amount_cents"]) / 100 if amount else None,
            pronouns=pronouns,
            behind=behind,
            cannot=cannot,
        )

    return lookup


def _cannot(conn: sqlite3.Connection, prefix: str, record_id: str) -> tuple[tuple[str, str], ...]:
    """The acts the records rule out on a record now, with why (`Record.cannot`): a refund of
    an invoice nothing was paid on, which `issue_refund` refuses. One refunded in full says so
    in its own status ("refunded"), which the resolver reads as the refund done already."""
    if prefix == "INV" and invoice_totals(conn, record_id)["paid"] == 0:
        return (("refund", "has not been paid"),)
    return ()


# prefix → (table, the column saying when the record began): what a deployment may be behind.
# Not an alert: one fires on its own (an sms delivery alert is no deployment's doing), and
# "roll it back" after one is asked.
_BEGAN = {"INC": ("incidents", "started_at")}


def _behind(conn: sqlite3.Connection, prefix: str, record_id: str) -> tuple[str, ...]:
    """The deployment an incident began under: its service's production deployment
    serving then (`current_deployment`); () for another record, or none serving."""
    if prefix not in _BEGAN:
        return ()
    table, began = _BEGAN[prefix]
    row = conn.execute(
        f"SELECT service, {began} AS began FROM {table} WHERE id = ?",  # noqa: S608 (constants)
        (record_id,),
    ).fetchone()
    serving = current_deployment(conn, str(row["service"]), "production", str(row["began"]))
    return (str(serving["id"]),) if serving is not None else ()


def _pronouns(conn: sqlite3.Connection, customer_id: str) -> str:
    """The pronouns a customer's record keeps; "" for a database built before it kept any."""
    if not keeps_pronouns(conn):
        return ""
    row = conn.execute("SELECT pronouns FROM customers WHERE id = ?", (customer_id,)).fetchone()
    return str(row[0]) if row else ""
