"""Read-only demo tools: customers, tickets, the knowledge base, billing and documents.

Each function takes the database path first; `build_demo_tools` binds it.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from ringmaster.tools.demo import records as rec
from ringmaster.tools.demo.db import connect
from ringmaster.tools.demo.money import fmt
from ringmaster.tools.errors import ToolArgumentError

_STOP = {"the", "and", "for", "how", "can", "what", "does", "with", "our", "you", "your", "are"}


# --- customers and tickets ---------------------------------------------------------------


def find_customer(db: Path, query: str, limit: int = 10) -> list[dict[str, Any]]:
    """Customers whose id, email, name or company matches `query`."""
    text = str(query or "").strip()
    if not text:
        raise ToolArgumentError("query must not be empty")
    like = f"%{text.lower()}%"
    with connect(db) as conn:
        rows = conn.execute(
            "SELECT * FROM customers WHERE status != 'erased' AND ("
            " upper(id) = upper(?) OR lower(email) = lower(?)"
            " OR lower(name) LIKE ? OR lower(company) LIKE ? OR lower(email) LIKE ?)"
            " ORDER BY (upper(id) = upper(?) OR lower(email) = lower(?)) DESC, id LIMIT ?",
            (text, text, like, like, like, text, text, rec.limit_arg(limit)),
        ).fetchall()
    return [rec.customer(r) for r in rows]


def list_customers(
    db: Path,
    plan: str | None = None,
    status: str | None = None,
    limit: int = 50,
    page_after: str | None = None,
) -> list[dict[str, Any]]:
    """Customers on a plan or of a status, by id; erased ones never. `page_after` (the last id
    of a page) lists the page after it."""
    with connect(db) as conn:
        plans = tuple(r[0] for r in conn.execute("SELECT name FROM plans ORDER BY price_cents"))
        filters = {
            "plan": rec.optional_choice(plan, plans, "plan"),
            "status": rec.optional_choice(status, rec.CUSTOMER_STATUSES, "status"),
        }
        clauses = [f"{k} = ?" for k, v in filters.items() if v is not None]
        params = [v for v in filters.values() if v is not None]
        if page_after is not None:
            clauses.append("id > ?")
            params.append(rec.record_id(page_after, "CUS", "page_after"))
        where = "".join(f" AND {c}" for c in clauses)
        rows = conn.execute(
            f"SELECT * FROM customers WHERE status != 'erased'{where} ORDER BY id LIMIT ?",
            (*params, rec.limit_arg(limit)),
        ).fetchall()
    return [rec.customer(r) for r in rows]


def get_customer(db: Path, customer_id: str) -> dict[str, Any]:
    """One customer with their open tickets, unpaid balance and credits."""
    with connect(db) as conn:
        row = rec.get_customer_row(conn, customer_id)
        cid = row["id"]
        open_tickets = conn.execute(
            "SELECT COUNT(*) FROM tickets WHERE customer_id = ? AND status != 'closed'", (cid,)
        ).fetchone()[0]
        unpaid = conn.execute(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM invoices "
            "WHERE customer_id = ? AND status = 'unpaid'",
            (cid,),
        ).fetchone()[0]
        credits = conn.execute(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM credits WHERE customer_id = ?", (cid,)
        ).fetchone()[0]
    return {
        **rec.customer(row),
        "open_tickets": open_tickets,
        "unpaid_balance": fmt(unpaid),
        "credit_balance": fmt(credits),
    }


def _customer(conn: sqlite3.Connection, customer_id: str | None) -> str | None:
    """The customer's row id for a filter; None when no customer was given."""
    return None if customer_id is None else str(rec.get_customer_row(conn, customer_id)["id"])


def list_tickets(
    db: Path,
    customer_id: str | None = None,
    status: str | list[str] | None = None,
    priority: str | None = None,
    limit: int = 20,
    page_after: str | None = None,
) -> list[dict[str, Any]]:
    """Tickets, newest first, optionally for one customer, status (or any of several) or
    priority. `page_after` (the last id of a page) lists the page after it."""
    with connect(db) as conn:
        filters = {
            "customer_id": _customer(conn, customer_id),
            "status": rec.optional_choices(status, rec.TICKET_STATUSES, "status"),
            "priority": rec.optional_choice(priority, rec.PRIORITIES, "priority"),
        }
        rows = rec.newest(conn, "tickets", filters, "created_at", limit, page_after=page_after)
    return [rec.ticket(r) for r in rows]


def get_ticket(db: Path, ticket_id: str) -> dict[str, Any]:
    """One ticket with its notes."""
    with connect(db) as conn:
        row = rec.get_row(conn, "tickets", rec.record_id(ticket_id, "TCK", "ticket_id"), "ticket")
        notes = conn.execute(
            "SELECT note, created_at FROM ticket_notes WHERE ticket_id = ? ORDER BY id",
            (row["id"],),
        ).fetchall()
    return {**rec.ticket(row), "notes": [rec.plain(n) for n in notes]}


# --- knowledge base and documents -----------------------------------------------------------


def _terms(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2 and w not in _STOP}


def _search(
    conn: sqlite3.Connection, query: str, kinds: tuple[str, ...], limit: int
) -> list[dict[str, Any]]:
    terms = _terms(str(query or ""))
    if not terms:
        raise ToolArgumentError("query must contain at least one word to search for")
    marks = ",".join("?" * len(kinds))
    scored = []
    for row in conn.execute(f"SELECT * FROM documents WHERE kind IN ({marks})", kinds):
        score = (
            3 * len(terms & _terms(row["title"]))
            + 2 * len(terms & _terms(row["tags"]))
            + len(terms & _terms(row["body"]))
        )
        if score:
            scored.append((-score, row["id"], row))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [
        {
            "id": row["id"],
            "kind": row["kind"],
            "title": row["title"],
            "customer_id": row["customer_id"],
            "excerpt": row["body"][:240],
            "score": -neg,
        }
        for neg, _, row in scored[: rec.limit_arg(limit)]
    ]


def search_kb(db: Path, query: str, limit: int = 5) -> list[dict[str, Any]]:
    """Help-centre articles that match the query, best first."""
    with connect(db) as conn:
        return _search(conn, query, ("kb",), limit)


def search_documents(
    db: Path, query: str, kind: str | None = None, limit: int = 5
) -> list[dict[str, Any]]:
    """Any documents (kb, policy, terms, contract) that match the query, best first."""
    kinds = rec.DOCUMENT_KINDS if kind is None else (rec.choice(kind, rec.DOCUMENT_KINDS, "kind"),)
    with connect(db) as conn:
        return _search(conn, query, kinds, limit)


def list_documents(
    db: Path, kind: str | None = None, customer_id: str | None = None
) -> list[dict[str, Any]]:
    """Document titles, optionally of one kind or about one customer (contracts)."""
    where, params = ["1 = 1"], []
    with connect(db) as conn:
        if kind is not None:
            where.append("kind = ?")
            params.append(rec.choice(kind, rec.DOCUMENT_KINDS, "kind"))
        if customer_id is not None:
            where.append("customer_id = ?")
            params.append(rec.get_customer_row(conn, customer_id)["id"])
        rows = conn.execute(
            "SELECT id, kind, title, customer_id, updated_at FROM documents "
            f"WHERE {' AND '.join(where)} ORDER BY id",
            params,
        ).fetchall()
    return [rec.plain(r) for r in rows]


def get_document(db: Path, document_id: str) -> dict[str, Any]:
    """One document with its full text."""
    with connect(db) as conn:
        doc = rec.record_id(document_id, "DOC", "document_id")
        return rec.plain(rec.get_row(conn, "documents", doc, "document"))


# --- billing ---------------------------------------------------------------------------------


def invoice_totals(conn: sqlite3.Connection, invoice_id: str) -> dict[str, int]:
    """Paid, refunded and still refundable cents of an invoice (a double charge is paid twice)."""
    paid = conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM payments "
        "WHERE invoice_id = ? AND status = 'succeeded'",
        (invoice_id,),
    ).fetchone()[0]
    refunded = conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM refunds WHERE invoice_id = ?", (invoice_id,)
    ).fetchone()[0]
    # A double charge makes `paid` twice the amount: both charges may come back, one refund
    # at a time, since a single refund above the invoice amount is refused by issue_refund.
    return {"paid": paid, "refunded": refunded, "refundable": max(0, paid - refunded)}


def list_invoices(
    db: Path,
    customer_id: str | None = None,
    status: str | None = None,
    limit: int = 50,
    page_after: str | None = None,
) -> list[dict[str, Any]]:
    """Invoices, newest first, optionally for one customer or status. `page_after` (the last
    id of a page) lists the page after it."""
    with connect(db) as conn:
        filters = {
            "customer_id": _customer(conn, customer_id),
            "status": rec.optional_choice(status, rec.INVOICE_STATUSES, "status"),
        }
        rows = rec.newest(conn, "invoices", filters, "issued_at", limit, page_after=page_after)
    return [rec.invoice(r) for r in rows]


def get_invoice(db: Path, invoice_id: str) -> dict[str, Any]:
    """One invoice with its payments, refunds and what may still be refunded."""
    with connect(db) as conn:
        row = rec.get_row(
            conn, "invoices", rec.record_id(invoice_id, "INV", "invoice_id"), "invoice"
        )
        totals = invoice_totals(conn, row["id"])
        payments = conn.execute(
            "SELECT * FROM payments WHERE invoice_id = ? ORDER BY paid_at, id", (row["id"],)
        ).fetchall()
        refunds = conn.execute(
            "SELECT * FROM refunds WHERE invoice_id = ? ORDER BY created_at, id", (row["id"],)
        ).fetchall()
    return {
        **rec.invoice(row),
        "paid": fmt(totals["paid"]),
        "refunded": fmt(totals["refunded"]),
        "refundable": fmt(totals["refundable"]),
        "payments": [rec.payment(p) for p in payments],
        "refunds": [rec.money_row(r) for r in refunds],
    }


def list_payments(
    db: Path,
    customer_id: str | None = None,
    invoice_id: str | None = None,
    limit: int = 50,
    page_after: str | None = None,
) -> list[dict[str, Any]]:
    """Payments, newest first, for a customer or an invoice. `page_after` (the last id of a
    page) lists the page after it."""
    with connect(db) as conn:
        invoice = None
        if invoice_id is not None:
            inv = rec.record_id(invoice_id, "INV", "invoice_id")
            invoice = rec.get_row(conn, "invoices", inv, "invoice")["id"]
        filters = {"customer_id": _customer(conn, customer_id), "invoice_id": invoice}
        rows = rec.newest(conn, "payments", filters, "paid_at", limit, page_after=page_after)
    return [rec.payment(r) for r in rows]


def list_plans(db: Path) -> list[dict[str, Any]]:
    """The price list."""
    with connect(db) as conn:
        rows = conn.execute("SELECT * FROM plans ORDER BY price_cents").fetchall()
    return [
        {"name": r["name"], "price": fmt(r["price_cents"]), "seats": r["seats"],
         "description": r["description"]}
        for r in rows
    ]  # fmt: skip


# --- legal -------------------------------------------------------------------------------


def export_customer_data(db: Path, customer_id: str) -> dict[str, Any]:
    """Everything held about one customer, for a data subject access request (read-only)."""
    with connect(db) as conn:
        row = rec.get_customer_row(conn, customer_id)
        cid = row["id"]

        def rows(sql: str) -> list[sqlite3.Row]:
            return conn.execute(sql, (cid,)).fetchall()

        tickets = rows("SELECT * FROM tickets WHERE customer_id = ? ORDER BY id")
        invoices = rows("SELECT * FROM invoices WHERE customer_id = ? ORDER BY id")
        payments = rows("SELECT * FROM payments WHERE customer_id = ? ORDER BY id")
        refunds = rows("SELECT * FROM refunds WHERE customer_id = ? ORDER BY id")
        credits = rows("SELECT * FROM credits WHERE customer_id = ? ORDER BY id")
        contracts = rows("SELECT id, title FROM documents WHERE customer_id = ? ORDER BY id")
        emails = conn.execute(
            "SELECT id, subject, created_at FROM outbox WHERE recipients LIKE ? ORDER BY id",
            (f'%"{row["email"]}"%',),
        ).fetchall()
    return {
        "customer": rec.customer(row),
        "tickets": [rec.ticket(t) for t in tickets],
        "invoices": [rec.invoice(i) for i in invoices],
        "payments": [rec.payment(p) for p in payments],
        "refunds": [rec.money_row(r) for r in refunds],
        "credits": [rec.money_row(c) for c in credits],
        "contracts": [rec.plain(c) for c in contracts],
        "emails": [rec.plain(e) for e in emails],
    }
