"""Side-effecting demo tools. Each runs through `run_once`, so one key means one effect.

Arguments are checked twice: their shape before the transaction (a negative amount never
touches the database), and against the data inside it (an unknown invoice, a refund above
what was paid), where a refusal rolls back the idempotency row too.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

from ringmaster.tools.demo import records as rec
from ringmaster.tools.demo.db import keeps_pronouns
from ringmaster.tools.demo.effects import run_once
from ringmaster.tools.demo.money import Amount, fmt, parse_amount, to_cents
from ringmaster.tools.demo.ops import current_deployment
from ringmaster.tools.demo.reads import invoice_totals
from ringmaster.tools.errors import ToolArgumentError

ALL_CUSTOMERS = "all_customers"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


def _text(value: Any, field: str, *, required: bool = True, max_len: int = 5000) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ToolArgumentError(f"{field} must not be empty")
    if len(text) > max_len:
        raise ToolArgumentError(f"{field} is longer than {max_len} characters")
    return text


# --- tickets -------------------------------------------------------------------------------


def _add_note(conn: sqlite3.Connection, ticket_id: str, note: str, now: str) -> None:
    conn.execute(
        "INSERT INTO ticket_notes(ticket_id, note, created_at) VALUES (?, ?, ?)",
        (ticket_id, note, now),
    )


def open_ticket(
    db: Path,
    idempotency_key: str,
    customer_id: str,
    subject: str,
    priority: str = "normal",
    body: str = "",
) -> dict[str, Any]:
    """Open a support ticket for a customer."""
    args: dict[str, Any] = {
        "customer_id": rec.record_id(customer_id, "CUS", "customer_id"),
        "subject": _text(subject, "subject", max_len=200),
        "priority": rec.choice(priority, rec.PRIORITIES, "priority"),
        "body": _text(body, "body", required=False),
    }

    def effect(conn: sqlite3.Connection, now: str) -> dict[str, Any]:
        rec.get_customer_row(conn, args["customer_id"])
        tid = rec.next_id(conn, "tickets", "TCK")
        conn.execute(
            "INSERT INTO tickets VALUES (?, ?, ?, ?, 'open', ?, ?, ?, NULL)",
            (tid, args["customer_id"], args["subject"], args["body"] or args["subject"],
             args["priority"], now, now),
        )  # fmt: skip
        return {"ticket": rec.ticket(rec.get_row(conn, "tickets", tid, "ticket"))}

    return run_once(db, "open_ticket", idempotency_key, args, effect)


def update_ticket(
    db: Path,
    idempotency_key: str,
    ticket_id: str,
    status: str | None = None,
    priority: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Change a ticket's status (open/pending) or priority, and/or add a note."""
    args: dict[str, Any] = {
        "ticket_id": rec.record_id(ticket_id, "TCK", "ticket_id"),
        "status": rec.optional_choice(status, ("open", "pending"), "status (use close_ticket)"),
        "priority": rec.optional_choice(priority, rec.PRIORITIES, "priority"),
        "note": _text(note, "note", required=False) or None,
    }
    if args["status"] is None and args["priority"] is None and args["note"] is None:
        raise ToolArgumentError("update_ticket needs a status, a priority or a note")

    def effect(conn: sqlite3.Connection, now: str) -> dict[str, Any]:
        row = rec.get_row(conn, "tickets", args["ticket_id"], "ticket")
        status = args["status"] or row["status"]
        closed_at = None if status != "closed" else row["closed_at"]
        conn.execute(
            "UPDATE tickets SET status = ?, priority = ?, updated_at = ?, closed_at = ? "
            "WHERE id = ?",
            (status, args["priority"] or row["priority"], now, closed_at, row["id"]),
        )
        if args["note"]:
            _add_note(conn, row["id"], args["note"], now)
        return {"ticket": rec.ticket(rec.get_row(conn, "tickets", row["id"], "ticket"))}

    return run_once(db, "update_ticket", idempotency_key, args, effect)


def close_ticket(
    db: Path, idempotency_key: str, ticket_id: str, resolution: str = ""
) -> dict[str, Any]:
    """Close a ticket, recording the resolution as a note."""
    args: dict[str, Any] = {
        "ticket_id": rec.record_id(ticket_id, "TCK", "ticket_id"),
        "resolution": _text(resolution, "resolution", required=False),
    }

    def effect(conn: sqlite3.Connection, now: str) -> dict[str, Any]:
        row = rec.get_row(conn, "tickets", args["ticket_id"], "ticket")
        if row["status"] == "closed":
            raise ToolArgumentError(f"ticket {row['id']} is already closed")
        conn.execute(
            "UPDATE tickets SET status = 'closed', updated_at = ?, closed_at = ? WHERE id = ?",
            (now, now, row["id"]),
        )
        if args["resolution"]:
            _add_note(conn, row["id"], f"Resolution: {args['resolution']}", now)
        return {"ticket": rec.ticket(rec.get_row(conn, "tickets", row["id"], "ticket"))}

    return run_once(db, "close_ticket", idempotency_key, args, effect)


# --- billing -------------------------------------------------------------------------------


def issue_refund(
    db: Path, idempotency_key: str, invoice_id: str, amount: Amount, reason: str = ""
) -> dict[str, Any]:
    """Refund part or all of what was paid on an invoice."""
    value = parse_amount(amount)
    args: dict[str, Any] = {
        "invoice_id": rec.record_id(invoice_id, "INV", "invoice_id"),
        "amount": str(value),
        # As given: the billing skill proposes no reason when none was given ("no reason
        # given"), and a default filled in here would be stored as if someone had given it.
        "reason": _text(reason, "reason", required=False),
    }

    def effect(conn: sqlite3.Connection, now: str) -> dict[str, Any]:
        inv = rec.get_row(conn, "invoices", args["invoice_id"], "invoice")
        totals = invoice_totals(conn, inv["id"])
        cents = to_cents(value)
        if totals["paid"] == 0:
            raise ToolArgumentError(f"invoice {inv['id']} has not been paid: nothing to refund")
        if totals["refundable"] == 0:
            raise ToolArgumentError(f"invoice {inv['id']} is already fully refunded")
        if cents > inv["amount_cents"]:
            raise ToolArgumentError(
                f"refund {value} is above the amount {fmt(inv['amount_cents'])} "
                f"of invoice {inv['id']}"
            )
        if cents > totals["refundable"]:
            raise ToolArgumentError(
                f"refund {value} is above the {fmt(totals['refundable'])} still refundable "
                f"on invoice {inv['id']}"
            )
        rid = rec.next_id(conn, "refunds", "RFD")
        conn.execute(
            "INSERT INTO refunds VALUES (?, ?, ?, ?, ?, ?)",
            (rid, inv["id"], inv["customer_id"], cents, args["reason"], now),
        )
        refunded = totals["refunded"] + cents
        status = "refunded" if refunded >= totals["paid"] else inv["status"]
        conn.execute("UPDATE invoices SET status = ? WHERE id = ?", (status, inv["id"]))
        return {
            "refund_id": rid,
            "invoice_id": inv["id"],
            "customer_id": inv["customer_id"],
            "amount": str(value),
            "refunded_total": fmt(refunded),
            "invoice_status": status,
        }

    return run_once(db, "issue_refund", idempotency_key, args, effect)


def apply_credit(
    db: Path, idempotency_key: str, customer_id: str, amount: Amount, reason: str = ""
) -> dict[str, Any]:
    """Add an account credit that the next invoices draw on."""
    value = parse_amount(amount)
    args: dict[str, Any] = {
        "customer_id": rec.record_id(customer_id, "CUS", "customer_id"),
        "amount": str(value),
        "reason": _text(reason, "reason", required=False) or "goodwill credit",
    }

    def effect(conn: sqlite3.Connection, now: str) -> dict[str, Any]:
        rec.get_customer_row(conn, args["customer_id"])
        cid = rec.next_id(conn, "credits", "CRD")
        conn.execute(
            "INSERT INTO credits VALUES (?, ?, ?, ?, ?)",
            (cid, args["customer_id"], to_cents(value), args["reason"], now),
        )
        return {"credit_id": cid, "customer_id": args["customer_id"], "amount": str(value)}

    return run_once(db, "apply_credit", idempotency_key, args, effect)


def change_plan(db: Path, idempotency_key: str, customer_id: str, plan: str) -> dict[str, Any]:
    """Move a customer to another plan (a price change, so always approved by a person)."""
    args: dict[str, Any] = {
        "customer_id": rec.record_id(customer_id, "CUS", "customer_id"),
        "plan": _text(plan, "plan").lower(),
    }

    def effect(conn: sqlite3.Connection, now: str) -> dict[str, Any]:
        cust = rec.get_customer_row(conn, args["customer_id"])
        new = conn.execute("SELECT * FROM plans WHERE name = ?", (args["plan"],)).fetchone()
        if new is None:
            names = [r[0] for r in conn.execute("SELECT name FROM plans ORDER BY price_cents")]
            raise ToolArgumentError(f"unknown plan {args['plan']!r} (plans: {', '.join(names)})")
        if cust["plan"] == new["name"]:
            raise ToolArgumentError(f"customer {cust['id']} is already on the {new['name']} plan")
        pid = rec.next_id(conn, "plan_changes", "PLC")
        conn.execute(
            "INSERT INTO plan_changes VALUES (?, ?, ?, ?, ?)",
            (pid, cust["id"], cust["plan"], new["name"], now),
        )
        conn.execute("UPDATE customers SET plan = ? WHERE id = ?", (new["name"], cust["id"]))
        return {
            "change_id": pid,
            "customer_id": cust["id"],
            "from_plan": cust["plan"],
            "to_plan": new["name"],
            "new_price": fmt(new["price_cents"]),
        }

    return run_once(db, "change_plan", idempotency_key, args, effect)


# --- ops -----------------------------------------------------------------------------------


def rollback_deployment(
    db: Path,
    idempotency_key: str,
    service: str,
    environment: str,
    to_version: str | None = None,
    reason: str = "",
    from_version: str | None = None,
) -> dict[str, Any]:
    """Put a service back on an earlier version (by default the one before the current).

    `from_version` is the version the rollback was decided against: when the service runs
    another one by the time it executes (another rollback or deploy went first), nothing is
    changed, so parallel requests cannot flip a service back and forth.
    """
    args: dict[str, Any] = {
        "service": rec.choice(service, rec.SERVICES, "service"),
        "environment": rec.choice(environment, rec.ENVIRONMENTS, "environment"),
        "to_version": _text(to_version, "to_version", required=False) or None,
        "reason": _text(reason, "reason", required=False) or "rollback",
    }
    if from_version is not None:
        args["from_version"] = _text(from_version, "from_version")

    def effect(conn: sqlite3.Connection, now: str) -> dict[str, Any]:
        svc, env = args["service"], args["environment"]
        current = current_deployment(conn, svc, env)
        if current is None:
            raise ToolArgumentError(f"{svc} has no deployment in {env} to roll back")
        expected = args.get("from_version")
        if expected is not None and current["version"] != expected:
            raise ToolArgumentError(
                f"{svc} runs {current['version']} in {env}, not {expected}: the rollback was "
                "decided for a version that is no longer running, so nothing was changed"
            )
        target = args["to_version"] or current["previous_version"]
        if target is None:
            raise ToolArgumentError(f"{svc} {current['version']} in {env} has no previous version")
        if target == current["version"]:
            raise ToolArgumentError(f"{svc} is already on {target} in {env}")
        earlier = conn.execute(
            "SELECT 1 FROM deployments WHERE service = ? AND environment = ? AND version = ? "
            "AND status != 'failed' AND deployed_at < ?",
            (svc, env, target, current["deployed_at"]),
        ).fetchone()
        if earlier is None:
            raise ToolArgumentError(f"{svc} {target} was never running in {env}")
        new_id = rec.next_id(conn, "deployments", "DEP")
        conn.execute("UPDATE deployments SET status = 'rolled_back' WHERE id = ?", (current["id"],))
        conn.execute(
            "INSERT INTO deployments VALUES (?, ?, ?, ?, ?, 'succeeded', 'rollback', ?, ?)",
            (new_id, svc, target, current["version"], env, "ringmaster", now),
        )
        rid = rec.next_id(conn, "rollbacks", "RBK")
        conn.execute(
            "INSERT INTO rollbacks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rid, current["id"], new_id, svc, env, current["version"], target, args["reason"], now),
        )
        return {
            "rollback_id": rid,
            "service": svc,
            "environment": env,
            "from_version": current["version"],
            "to_version": target,
            "rolled_back_deployment_id": current["id"],
            "deployment_id": new_id,
        }

    return run_once(db, "rollback_deployment", idempotency_key, args, effect)


def create_incident(
    db: Path,
    idempotency_key: str,
    service: str,
    title: str,
    severity: str = "sev3",
    description: str = "",
) -> dict[str, Any]:
    """Open an incident on a service."""
    args: dict[str, Any] = {
        "service": rec.choice(service, rec.SERVICES, "service"),
        "title": _text(title, "title", max_len=200),
        "severity": rec.choice(severity, ("sev1", "sev2", "sev3", "sev4"), "severity"),
        "description": _text(description, "description", required=False),
    }

    def effect(conn: sqlite3.Connection, now: str) -> dict[str, Any]:
        iid = rec.next_id(conn, "incidents", "INC")
        conn.execute(
            "INSERT INTO incidents VALUES (?, ?, ?, ?, 'open', ?, ?, NULL)",
            (iid, args["service"], args["title"], args["severity"],
             args["description"] or args["title"], now),
        )  # fmt: skip
        return {"incident": rec.plain(rec.get_row(conn, "incidents", iid, "incident"))}

    return run_once(db, "create_incident", idempotency_key, args, effect)


# --- email and personal data -----------------------------------------------------------------


def recipients_of(to: Any) -> list[str]:
    """`to` as a list: addresses, customer ids, or the word all_customers."""
    items = [to] if isinstance(to, str) else list(to) if isinstance(to, list | tuple) else None
    if not items:
        raise ToolArgumentError("to must be an address, a customer id, or a list of them")
    return [str(i).strip() for i in items]


def send_email(db: Path, idempotency_key: str, to: Any, subject: str, body: str) -> dict[str, Any]:
    """Queue an email to customers in the outbox (the demo never sends real mail)."""
    args: dict[str, Any] = {
        "to": recipients_of(to),
        "subject": _text(subject, "subject", max_len=200),
        "body": _text(body, "body", max_len=20_000),
    }

    def effect(conn: sqlite3.Connection, now: str) -> dict[str, Any]:
        emails: list[str] = []
        for item in args["to"]:
            if item.lower() == ALL_CUSTOMERS:
                emails += [
                    r[0]
                    for r in conn.execute(
                        "SELECT email FROM customers "
                        "WHERE status IN ('active', 'trial', 'suspended') ORDER BY id"
                    )
                ]
            elif item.upper().startswith("CUS-"):
                emails.append(rec.get_customer_row(conn, item)["email"])
            elif _EMAIL.match(item):
                row = conn.execute(
                    "SELECT status FROM customers WHERE lower(email) = lower(?)", (item,)
                ).fetchone()
                if row is None:
                    raise ToolArgumentError(f"{item} is not a customer's address")
                emails.append(item.lower())
            else:
                raise ToolArgumentError(f"{item!r} is not an email address or a customer id")
        unique = list(dict.fromkeys(emails))
        mid = rec.next_id(conn, "outbox", "MSG")
        conn.execute(
            "INSERT INTO outbox VALUES (?, ?, ?, ?, 'queued', ?)",
            (mid, json.dumps(unique), args["subject"], args["body"], now),
        )
        return {"message_id": mid, "recipients": unique, "subject": args["subject"]}

    return run_once(db, "send_email", idempotency_key, args, effect)


def erase_customer_data(
    db: Path, idempotency_key: str, customer_id: str, reason: str = ""
) -> dict[str, Any]:
    """Erase a customer's personal data; invoices and amounts stay, as tax law requires."""
    args: dict[str, Any] = {
        "customer_id": rec.record_id(customer_id, "CUS", "customer_id"),
        "reason": _text(reason, "reason", required=False) or "erasure request",
    }

    def effect(conn: sqlite3.Connection, now: str) -> dict[str, Any]:
        cust = rec.get_customer_row(conn, args["customer_id"])
        cid = cust["id"]
        pronouns = ", pronouns = ''" if keeps_pronouns(conn) else ""
        conn.execute(
            "UPDATE customers SET name = 'Erased customer', email = ?, company = '[erased]', "
            f"status = 'erased', erased_at = ?{pronouns} WHERE id = ?",  # noqa: S608
            (f"erased+{cid.lower()}@invalid", now, cid),
        )
        tickets = conn.execute(
            "UPDATE tickets SET subject = '[erased]', body = '[erased]' WHERE customer_id = ?",
            (cid,),
        ).rowcount
        notes = conn.execute(
            "UPDATE ticket_notes SET note = '[erased]' "
            "WHERE ticket_id IN (SELECT id FROM tickets WHERE customer_id = ?)",
            (cid,),
        ).rowcount
        payments = conn.execute(
            "UPDATE payments SET card_brand = NULL, card_last4 = NULL WHERE customer_id = ?",
            (cid,),
        ).rowcount
        emails = 0
        for row in conn.execute("SELECT id, recipients FROM outbox").fetchall():
            recipients = json.loads(row["recipients"])
            if cust["email"] in recipients:
                kept = ["[erased]" if r == cust["email"] else r for r in recipients]
                conn.execute(
                    "UPDATE outbox SET recipients = ? WHERE id = ?", (json.dumps(kept), row["id"])
                )
                emails += 1
        erased = {"tickets": tickets, "ticket_notes": notes, "payments": payments, "emails": emails}
        eid = rec.next_id(conn, "erasure_log", "ERS")
        conn.execute(
            "INSERT INTO erasure_log VALUES (?, ?, ?, ?, ?)",
            (eid, cid, args["reason"], json.dumps(erased, sort_keys=True), now),
        )
        return {
            "erasure_id": eid,
            "customer_id": cid,
            "erased": erased,
            "retained": ["invoices", "payment amounts", "refunds", "credits"],
        }

    return run_once(db, "erase_customer_data", idempotency_key, args, effect)
