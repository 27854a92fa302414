"""What an email's words state about the demo records, against what the records say.

An email may tell a customer that money was refunded or credited, that a ticket is closed or
an invoice paid, only when the records say so. `email_against_records` reads an email the way
send_email's approval rule does, at the time of the call, and says where the records differ;
the content skill reads tickets with `ticket_against` too (agents/demo/skills/ticket_claims.py).
A record only shows words false, never true: words that name nothing checkable pass here and
are left to the other checks.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ringmaster.tools.demo import records as rec
from ringmaster.tools.demo.db import connect
from ringmaster.tools.demo.money import from_cents

# What the words may say a ticket is, by the status they would mean.
_SAYS_STATUS = {
    "open": r"\b(?:open|opened|re-?opened)\b",
    "closed": r"\b(?:closed|resolved|fixed|solved|done)\b",
    "pending": r"\bpending\b",
}
# Money given back: a refund or an account credit, done or promised.
_GIVEN_BACK = r"\b(?:refund\w*|credit(?:s|ed|ing)?(?!\s+cards?\b)|reimburs\w*)\b"
# An amount as an email writes money: with a currency, or with cents. A bare "5" may be a day.
_AMOUNT = re.compile(
    r"[$€£]\s?(\d[\d,]*(?:\.\d+)?)|"
    r"\b(\d[\d,]*(?:\.\d+)?)\s*(?:usd|eur|gbp|dollars?|euros?|pounds?|bucks)\b|"
    r"\b(\d[\d,]*\.\d{2})\b|"
    # A bare number right after the giving back ("refunded you 500", "a credit of 20"), not a
    # span of time ("refunds take 5 business days").
    r"\b(?:refund\w*|credit\w*|reimburs\w*)\s+(?:(?:you|them|your|account|of|for|with|by)\s+){0,3}"
    r"(\d[\d,]*(?:\.\d+)?)\b(?!\s*(?:-\s*\d+\s*)?(?:business\s+|working\s+)?"
    r"(?:days?|weeks?|hours?|months?|%|percent))",
    re.IGNORECASE,
)
_PAID = r"\b(?:paid|settled|payment (?:was |has been |is )?(?:received|processed|complete\w*))\b"
# Words that make "paid" not a statement that it is: "not paid yet", "once it is paid".
_NOT_SAID = r"\b(?:not|no|never|yet|still|once|when|if|until|unless|before|outstanding)\b|n't\b"
# Words that make a ticket's status no claim that it is so: "not closed", "once it is closed"
# ("still open" is one).
_NOT_A_STATUS = r"\b(?:not|no|never|once|when|if|until|unless|before)\b|n't\b"
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


def ticket_against(ticket: dict[str, Any], said: str, customers: Iterable[str]) -> list[str]:
    """Where `ticket`'s record differs from `said` (an email's words) or from the `customers`
    the email goes to; empty when nothing differs."""
    tid, status, owner = ticket["id"], ticket["status"], ticket["customer_id"]
    found = []
    claimed = [
        m.group(0)
        for meant, pattern in _SAYS_STATUS.items()
        if meant != status
        and (m := re.search(pattern, said, flags=re.IGNORECASE))
        and not _negated(said, m)
    ]
    if claimed:
        found.append(f"{tid} is {status}, not {claimed[0]} as the email would say")
    others = [c for c in customers if c != owner]
    if others:
        found.append(f"{tid} is {owner}'s ticket, not {others[0]}'s")
    return found


def _negated(said: str, m: re.Match[str]) -> bool:
    """Whether the sentence of `said` up to the match says it is not so ("We have not closed
    TCK-1001 yet", "once it is closed")."""
    start = max((b.end() for b in _SENTENCE.finditer(said, 0, m.start())), default=0)
    return re.search(_NOT_A_STATUS, said[start : m.end()], flags=re.IGNORECASE) is not None


def email_against_records(db: Path, recipients: list[str], subject: str, body: str) -> list[str]:
    """Where the records at `db` now differ from what the email says about refunds and
    credits, tickets and invoices, each as one line quoting the email and the record."""
    found: dict[str, str] = {}  # what the record says -> the line; a subject that repeats
    with connect(db) as conn:  # the body's first sentence is quoted once
        customers = _customers(conn, recipients)
        for sentence in _sentences(f"{subject}\n{body}"):
            for d in (
                _given_back(conn, sentence, customers)
                + _tickets(conn, sentence, customers)
                + _invoices(conn, sentence, customers)
            ):
                found.setdefault(d, f"the email says '{_short(sentence)}', but {d}")
    return list(found.values())


def _customers(conn: sqlite3.Connection, recipients: list[str]) -> list[str]:
    """The customer ids the recipients are; an address no customer has is left out."""
    found = []
    for r in recipients:
        if rec.CUSTOMER_ID.fullmatch(r.strip()):
            found.append(r.strip().upper())
            continue
        row = conn.execute(
            "SELECT id FROM customers WHERE lower(email) = lower(?)", (r.strip(),)
        ).fetchone()
        if row is not None:
            found.append(row["id"])
    return list(dict.fromkeys(found))


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip(" .")]


def _short(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _amounts(sentence: str) -> list[Decimal]:
    found = []
    for m in _AMOUNT.finditer(rec.ANY_ID.sub(" ", sentence)):
        try:
            found.append(Decimal(next(g for g in m.groups() if g).replace(",", "")))
        except InvalidOperation:
            continue
    return list(dict.fromkeys(found))


def _given_back(conn: sqlite3.Connection, sentence: str, customers: list[str]) -> list[str]:
    """A refund or credit the sentence states that no refund or credit recorded for the
    recipients bears out: of that amount, on that invoice."""
    if not re.search(_GIVEN_BACK, sentence, flags=re.IGNORECASE):
        return []
    invoices = [i.upper() for i in rec.INVOICE_ID.findall(sentence)]
    amounts = _amounts(sentence)
    if not invoices and not amounts:
        return []  # "a refund" with nothing to check it by
    marks = ",".join("?" * len(customers)) or "NULL"
    refunds = conn.execute(
        f"SELECT invoice_id, amount_cents FROM refunds WHERE customer_id IN ({marks})",
        customers,
    ).fetchall()
    credits = conn.execute(
        f"SELECT amount_cents FROM credits WHERE customer_id IN ({marks})", customers
    ).fetchall()
    given = [(r["invoice_id"], from_cents(r["amount_cents"])) for r in refunds]
    if not invoices:
        given += [(None, from_cents(c["amount_cents"])) for c in credits]
    found = []
    for invoice in invoices or [None]:
        on = [a for i, a in given if invoice is None or i == invoice]
        missing = [a for a in amounts if a not in on]
        where = f" on {invoice}" if invoice else f" for {' or '.join(customers) or 'them'}"
        recorded = ", ".join(str(a) for a in on) or "none"
        if missing:
            found.append(
                f"no refund or credit of {missing[0]} is recorded{where} (recorded: {recorded})"
            )
        elif not on:
            found.append(f"no refund is recorded{where}")
    return found


def _tickets(conn: sqlite3.Connection, sentence: str, customers: list[str]) -> list[str]:
    found = []
    for tid in dict.fromkeys(t.upper() for t in rec.TICKET_ID.findall(sentence)):
        row = conn.execute("SELECT * FROM tickets WHERE id = ?", (tid,)).fetchone()
        if row is None:
            found.append(f"no ticket {tid} is recorded")
            continue
        found += ticket_against(rec.ticket(row), sentence, customers)
    return found


def _invoices(conn: sqlite3.Connection, sentence: str, customers: list[str]) -> list[str]:
    found = []
    for iid in dict.fromkeys(i.upper() for i in rec.INVOICE_ID.findall(sentence)):
        row = conn.execute(
            "SELECT id, customer_id, status FROM invoices WHERE id = ?", (iid,)
        ).fetchone()
        if row is None:
            found.append(f"no invoice {iid} is recorded")
            continue
        said_paid = re.search(_PAID, sentence, flags=re.IGNORECASE)
        if said_paid and not re.search(_NOT_SAID, sentence, flags=re.IGNORECASE):
            if row["status"] == "unpaid":
                found.append(f"{iid} is unpaid, not {said_paid.group(0)} as the email would say")
        others = [c for c in customers if c != row["customer_id"]]
        if others:
            found.append(f"{iid} is {row['customer_id']}'s invoice, not {others[0]}'s")
    return found
