"""A refund proposed: which invoice, how much, and the checks a reviewer reads; or the question
that asks what the request leaves unsettled."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.amounts import Reading, read_amount
from ringmaster.agents.demo.skills.billing_accounts import (
    CHARGED_TWICE,
    charged_more_than_once,
    invoices_in_months,
)
from ringmaster.tools.base import ToolBox
from ringmaster.tools.errors import ToolError


def refund(
    text: str,
    tools: ToolBox,
    invoices: list[str],
    customer: dict[str, Any] | None,
    out: dict[str, Any],
    notes: list[str],
) -> str:
    """Propose a refund of one invoice (named, or the customer's one the data settles), of
    the amount asked or what is refundable; else ask what the request leaves unsettled."""
    duplicate_asked = p.has(text, CHARGED_TWICE)
    if not invoices and customer:
        picked = _refund_target(tools, customer, text, duplicate_asked, notes)
        if picked is None:  # nothing is proposed on a guess: the requester is asked
            out["question"] = notes[-1]
            return "refund"
        invoices = [picked]
    if not invoices:
        p.ask(out, notes, "a refund needs an invoice id (INV-…) or a customer, and none was "
              "found. Which invoice should be refunded?")  # fmt: skip
        return "refund"
    named = list(dict.fromkeys(invoices))
    verbs = len(re.findall(r"\brefund\b", text, re.IGNORECASE))
    # Several refunds asked: a refund verb per invoice or repeat ("… and refund …", "another"),
    # or invoices listed together ("INV-1 and INV-2", "both"). One invoice merely mentioned
    # ("refund INV-2, it double-charged INV-1") is one refund of the first.
    listed = p.has(text, r"\bINV-\d+\s*(?:,|and|&|\+)\s*(?:INV-\d+|\d+)|\b(both|each|all)\b")
    several = len(named) > 1 and (verbs > 1 or listed)
    several = several or (verbs > 1 and p.has(text, r"\b(another|one more)\b"))
    if p.several_asked(out, notes, named, "refund", several):
        return "refund"
    invoice_id = invoices[0]
    try:
        inv = tools.call("get_invoice", invoice_id=invoice_id)
    except ToolError as exc:
        # A refund of an invoice that is not there did nothing: the turn waits for the right
        # id (needs_input), as every refund not proposed below does, rather than end `done`.
        p.ask(out, notes, f"{str(exc).rstrip('.')}; no refund proposed. Which invoice (INV-…) "
              "should be refunded?")  # fmt: skip
        return "refund"
    out["customer_id"] = out["customer_id"] or inv["customer_id"]
    out["invoice_ids"] = [invoice_id]
    out["invoices"] = [{k: inv[k] for k in ("id", "amount", "status", "paid", "refunded")}]
    refundable = Decimal(inv["refundable"])
    invoice_amount = Decimal(inv["amount"])
    currency = str(inv.get("currency") or "USD")
    charges = [c for c in inv["payments"] if c["status"] == "succeeded"]
    duplicate = duplicate_asked and len(charges) > 1
    full = p.has(text, r"\bin full\b|\bfull refund\b|\bentire\b|\bwhole\b")
    reading = read_amount(text)
    what = (
        f"refunded on {invoice_id} (it is {inv['amount']} {currency}, {inv['refundable']} "
        "still refundable)"
    )
    question = amount_question(reading, currency, what)
    if question is None and reading.value is not None and full:
        if reading.value != min(invoice_amount, refundable):
            question = (
                f"the request asks for a full refund and names {reading.value} {currency}, "
                f"which is not what a full refund of {invoice_id} comes to; nothing was "
                f"proposed. How much should be {what}?"
            )
    elif question is None and reading.part and not full and not duplicate:
        question = (
            f"the request names part of the invoice ('{reading.part}') but no amount; nothing "
            f"was proposed. How much should be {what}?"
        )
    if question is not None:
        p.ask(out, notes, question)
        return "refund"
    asked = reading.value
    in_full = asked is not None or full
    evidence = out.setdefault("evidence", {"checks": [], "concerns": [], "questions": []})
    if duplicate_asked and not duplicate and in_full:
        # What to refund is said; only the stated reason is not borne out: ask the reviewer.
        evidence["concerns"].append(
            f"the request says it was charged twice, but {invoice_id} has "
            f"{len(charges)} successful charge(s)"
        )
    elif duplicate_asked and not duplicate:
        # A question: the subtask waits for the answer (needs_input), it is not done.
        p.ask(
            out,
            notes,
            f"{invoice_id} was charged {len(charges)} time(s), not twice; no refund proposed. "
            "Which charge does the customer mean?",
        )
        return "refund"
    if duplicate and asked is None:
        asked = Decimal(charges[-1]["amount"])  # the extra charge, not the whole invoice
    value = asked if asked is not None else min(invoice_amount, refundable)
    if Decimal(inv["paid"]) <= 0:
        p.ask(out, notes, f"{invoice_id} ({inv['period']}) has not been paid; no refund "
              "proposed. Which paid invoice should be refunded?")  # fmt: skip
        return "refund"
    if refundable <= 0:
        p.ask(out, notes, f"{invoice_id} is already fully refunded ({inv['refunded']}); no "
              "refund proposed. Which invoice should be refunded?")  # fmt: skip
        return "refund"

    limit = min(invoice_amount, refundable)
    if value > limit:
        p.ask(out, notes, f"{value} is more than can be refunded on {invoice_id}: at most "
              f"{limit} (the invoice is {inv['amount']}, {inv['paid']} was paid, "
              f"{inv['refunded']} refunded); no refund proposed. How much (at most {limit}) "
              "should be refunded?")  # fmt: skip
        return "refund"
    # The reason given, or none: a reason nobody gave would be stored on the refund as if given.
    reason = "duplicate charge" if duplicate else (_why(text) or "")
    why = reason or "no reason given"
    evidence["checks"].append(
        f"{invoice_id} belongs to {inv['customer_id']}, {inv['paid']} was paid and "
        f"{inv['refundable']} is still refundable; {value} is within it"
    )
    if duplicate:
        evidence["checks"].append(
            f"{invoice_id} has {len(charges)} successful charges: "
            + ", ".join(f"{c['id']} at {c['paid_at'][:16]}" for c in charges)
        )
    tools.propose(
        "issue_refund",
        description=f"Refund {value} USD on {invoice_id} ({why})",
        invoice_id=invoice_id,
        amount=str(value),
        reason=p.redact(reason),
    )
    out["amount"] = str(value)
    notes.append(
        f"proposed refunding {value} USD on {invoice_id} to {inv['customer_id']} ({why}); "
        f"the invoice is {inv['amount']} and {inv['paid']} was paid"
    )
    # A doubt is said where the requester reads it, and sends the refund to a person
    # (graph/nodes/validate.py), whatever the amount.
    notes.extend(f"but {c}, so a person checks it first" for c in evidence["concerns"])
    return "refund"


def amount_question(reading: Reading, currency: str, what: str) -> str | None:
    """The question to ask when the request's amount is not certain, or None when it is."""
    if reading.unclear:
        return (
            f"could not read the amount with certainty: {reading.unclear}; nothing was "
            f"proposed. How much should be {what}? Write it in {currency} with a point "
            "before the cents, like 1250.50"
        )
    if reading.value is not None and reading.currency not in (None, currency):
        return (
            f"the request names {reading.value} {reading.currency}, and this account is "
            f"billed in {currency}; nothing was proposed. How much in {currency} should be "
            f"{what}?"
        )
    return None


def _why(text: str) -> str | None:
    m = re.search(r"(?:,\s*(?:it was\s+|as\s+)?|because\s+|since\s+)([^?]+)$", text)
    if m is None or p.INVOICE_ID.search(m.group(1)):
        return None
    return p.short(m.group(1).strip().rstrip("."), 80)


def _refund_target(
    tools: ToolBox, customer: dict[str, Any], text: str, duplicate: bool, notes: list[str]
) -> str | None:
    """The invoice a refund without an invoice id is for, when the data settles it; else a
    question in `notes` and None."""
    found = invoices_in_months(tools, customer, text)
    if duplicate:
        doubled = [i["id"] for i, _ in charged_more_than_once(tools, found)]
        if len(doubled) == 1:
            notes.append(f"{doubled[0]} is the invoice of {customer['name']} charged twice")
            return doubled[0]
        notes.append(
            (
                f"no invoice of {customer['name']} was charged more than once"
                if not doubled
                else f"several invoices of {customer['name']} were charged more than once "
                f"({', '.join(doubled)})"
            )
            + "; no refund proposed. Which invoice (INV-…) was charged twice?"
        )
        return None
    paid = [i for i in found if i["status"] == "paid"]
    if len(paid) == 1:
        notes.append(f"{paid[0]['id']} ({paid[0]['period']}) is the one paid invoice asked about")
        return str(paid[0]["id"])
    listed = ", ".join(f"{i['id']} ({i['period']})" for i in paid[:6]) or "none"
    notes.append(
        f"no invoice id was given and {customer['name']} has {len(paid)} paid invoice(s) "
        f"that fit ({listed}); no refund proposed. Which invoice should be refunded?"
    )
    return None
