"""Rows as JSON-ready dicts, and look-ups that refuse unknown ids with a clear message."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from ringmaster.tools.demo.money import fmt
from ringmaster.tools.errors import ToolArgumentError

SERVICES = ("api", "web", "billing-service", "auth")
ENVIRONMENTS = ("production", "staging")
TICKET_STATUSES = ("open", "pending", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
INVOICE_STATUSES = ("paid", "unpaid", "refunded")
CUSTOMER_STATUSES = ("active", "trial", "suspended", "churned")
DOCUMENT_KINDS = ("kb", "policy", "terms", "contract")
# How the demo's ids are written in text (the skills read requests with them, the email rule
# reads an email's words with them).
CUSTOMER_ID = re.compile(r"\bCUS-\d{3,}\b", re.IGNORECASE)
TICKET_ID = re.compile(r"\bTCK-\d{3,}\b", re.IGNORECASE)
INVOICE_ID = re.compile(r"\bINV-\d{3,}\b", re.IGNORECASE)
# Any record's id: its digits are no amount of money.
ANY_ID = re.compile(r"\b[A-Z]{2,4}-\d{3,}\b", re.IGNORECASE)


def choice(value: Any, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise ToolArgumentError(f"{field} must be one of {', '.join(allowed)}; got {value!r}")
    return str(value)


def optional_choice(value: Any, allowed: tuple[str, ...], field: str) -> str | None:
    return None if value is None else choice(value, allowed, field)


def one_or_all(value: Any, allowed: tuple[str, ...], field: str) -> tuple[str, ...]:
    """The one value given (checked), or every allowed one when it is None."""
    return allowed if value is None else (choice(value, allowed, field),)


def optional_choices(value: Any, allowed: tuple[str, ...], field: str) -> str | list[str] | None:
    """`optional_choice`, or a list of such values meaning any of them (["open", "pending"])."""
    if not isinstance(value, list):
        return optional_choice(value, allowed, field)
    if not value:
        raise ToolArgumentError(
            f"{field} lists no values; give one or more of {', '.join(allowed)}"
        )
    return list(dict.fromkeys(choice(v, allowed, field) for v in value))


def record_id(value: Any, prefix: str, field: str) -> str:
    text = str(value).strip().upper() if value is not None else ""
    if not re.fullmatch(rf"{prefix}-\d+", text):
        raise ToolArgumentError(f"{field} must look like {prefix}-1001; got {value!r}")
    return text


def limit_arg(value: Any, maximum: int = 500) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise ToolArgumentError(f"limit must be an integer from 1 to {maximum}; got {value!r}")
    return value


def customer(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "email": row["email"],
        "company": row["company"],
        "plan": row["plan"],
        "status": row["status"],
        "created_at": row["created_at"],
    }


def ticket(row: sqlite3.Row) -> dict[str, Any]:
    return dict(row)


def invoice(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "customer_id": row["customer_id"],
        "amount": fmt(row["amount_cents"]),
        "currency": row["currency"],
        "status": row["status"],
        "period": row["period"],
        "issued_at": row["issued_at"],
        "due_at": row["due_at"],
    }


def payment(row: sqlite3.Row) -> dict[str, Any]:
    # Only the brand and last four digits are ever stored or shown: never a card number.
    return {
        "id": row["id"],
        "invoice_id": row["invoice_id"],
        "customer_id": row["customer_id"],
        "amount": fmt(row["amount_cents"]),
        "method": (
            f"{row['card_brand']} ending {row['card_last4']}" if row["card_brand"] else "card"
        ),
        "status": row["status"],
        "paid_at": row["paid_at"],
    }


def money_row(row: sqlite3.Row) -> dict[str, Any]:
    """A refund or credit row."""
    out = dict(row)
    del out["amount_cents"]
    out["amount"] = fmt(row["amount_cents"])
    return out


def plain(row: sqlite3.Row) -> dict[str, Any]:
    return dict(row)


def get_row(conn: sqlite3.Connection, table: str, record: str, what: str) -> sqlite3.Row:
    row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (record,)).fetchone()
    if row is None:
        raise ToolArgumentError(f"no {what} with id {record}")
    return row


def get_customer_row(conn: sqlite3.Connection, customer_id: Any) -> sqlite3.Row:
    cid = record_id(customer_id, "CUS", "customer_id")
    row = get_row(conn, "customers", cid, "customer")
    if row["status"] == "erased":
        raise ToolArgumentError(f"customer {cid} has been erased")
    return row


def next_id(conn: sqlite3.Connection, table: str, prefix: str) -> str:
    """The next id in a table; safe because writers hold the write lock (BEGIN IMMEDIATE)."""
    row = conn.execute(
        f"SELECT MAX(CAST(SUBSTR(id, {len(prefix) + 2}) AS INTEGER)) FROM {table}"
    ).fetchone()
    return f"{prefix}-{(row[0] or 1000) + 1}"


def newest(
    conn: sqlite3.Connection,
    table: str,
    filters: dict[str, Any],
    order: str,
    limit: Any,
    span: tuple[str, str | None] | None = None,
    within: tuple[str | None, str | None] = (None, None),
    page_after: Any = None,
) -> list[sqlite3.Row]:
    """Rows of `table` matching every filter whose value is not None (a list: any of its
    values), and with `order` in `span` (ISO start <= t < end; no end: start <= t) when
    given and `within` (ISO first <= t <= last, either open when None), newest first. With
    `page_after` (the id of a page's last row), the rows listed after that one: the next page,
    which no row is in twice or left out of (a limit is at most 500, `limit_arg`)."""
    clauses, params = [], []
    for column, value in filters.items():
        if isinstance(value, list):
            clauses.append(f"{column} IN ({', '.join('?' * len(value))})")
            params += value
        elif value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if span is not None:
        clauses.append(f"{order} >= ?")
        params.append(span[0])
        if span[1] is not None:
            clauses.append(f"{order} < ?")
            params.append(span[1])
    for bound, op in zip(within, (">=", "<="), strict=True):
        if bound is not None:
            clauses.append(f"{order} {op} ?")
            params.append(bound)
    if page_after is not None:
        last = get_row(conn, table, str(page_after), f"row of {table}")
        clauses.append(f"({order} < ? OR ({order} = ? AND id < ?))")
        params += [last[order], last[order], last["id"]]
    where = " AND ".join(clauses) or "1 = 1"
    return conn.execute(
        f"SELECT * FROM {table} WHERE {where} ORDER BY {order} DESC, id DESC LIMIT ?",
        (*params, limit_arg(limit)),
    ).fetchall()
