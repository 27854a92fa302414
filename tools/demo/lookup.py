"""Record look-ups for the reference resolver: a record's owner and the words that describe it.

"its customer", "the customer on that ticket" and "their invoices" need to know which customer
a ticket or invoice belongs to; "the June one" and "the SAML one" need words that describe each
candidate. This reads the demo database directly (read-only, one short connection per look-up)
and answers `None` for an id it does not know, so a reference to it stays unresolved.
"""

from __future__ import annotations

import calendar
import sqlite3
from pathlib import Path

from ringmaster.graph.references import Lookup, RecordFacts
from ringmaster.tools.demo.db import connect

# prefix → (table, columns that describe the record, owner column or None)
_TABLES: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "TCK": ("tickets", ("subject", "status", "priority"), "customer_id"),
    "INV": ("invoices", ("status", "period", "currency"), "customer_id"),
    "CUS": ("customers", ("name", "email", "company", "plan", "status"), None),
    "DEP": ("deployments", ("service", "environment", "version", "status", "kind"), None),
    "INC": ("incidents", ("service", "title", "severity", "status"), None),
    "ALT": ("alerts", ("service", "name", "severity", "status"), None),
    "DOC": ("documents", ("kind", "title"), "customer_id"),
}


def _words(row: sqlite3.Row, columns: tuple[str, ...]) -> str:
    words = [str(row[c]) for c in columns if row[c] is not None]
    if "period" in columns and row["period"]:
        # "2025-06" is "the June one" to a person.
        year, _, month = str(row["period"]).partition("-")
        if month.isdigit() and 1 <= int(month) <= 12:
            words += [calendar.month_name[int(month)], calendar.month_abbr[int(month)], year]
    return " ".join(words).replace("_", " ")


def demo_lookup(db: Path) -> Lookup:
    """A `Lookup` over the demo company database at `db`."""

    def lookup(record_id: str) -> RecordFacts | None:
        prefix = record_id.split("-", 1)[0].upper()
        if prefix not in _TABLES:
            return None
        table, columns, owner = _TABLES[prefix]
        wanted = ", ".join(columns + ((owner,) if owner else ()))
        with connect(db) as conn:
            row = conn.execute(
                f"SELECT {wanted} FROM {table} WHERE id = ?",  # noqa: S608 (names are constants)
                (record_id.upper(),),
            ).fetchone()
            if row is None:
                return None
            owns: tuple[str, ...] = ()
            if prefix == "CUS":  # "her open ticket", "their February invoice"
                owns = tuple(
                    r[0]
                    for table_name in ("tickets", "invoices")
                    for r in conn.execute(
                        f"SELECT id FROM {table_name} WHERE customer_id = ? ORDER BY id",  # noqa: S608
                        (record_id.upper(),),
                    )
                )
        return RecordFacts(
            id=record_id.upper(),
            owner=str(row[owner]) if owner and row[owner] else None,
            words=_words(row, columns),
            owns=owns,
        )

    return lookup
