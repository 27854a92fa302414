"""Whom an email about the records handed over goes to, and what it tells each of them.

"Close it and email the customer" after two tickets of two customers was one draft to nobody,
its body the support agent's report ("closed TCK-1002 (Charged twice this month); it is closed,
high priority; …"). A customer is written to about their own records, in words meant for them;
the lines the agents report to the requester are never pasted into a customer's email.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ringmaster.agents.runtime import Handoff

# What hands a message to whoever follows: "send", "email", "write to", "… a reminder to".
ADDRESSEE = r"\b(?:send|remind|e-?mail|message|notify|tell|write\s+to|drop|to)"
# A request that writes to the customer(s) its records are about without naming one, as the
# one it writes to: "email the customer", "let them know", "notify each customer", "write to
# both customers". Not a customer the message is about ("write to finance saying Aisha settled
# her invoice").
_THE_CUSTOMER = re.compile(
    rf"(?:{ADDRESSEE}|\b(?:let|inform|contact|update))\s+"
    r"(?:(?:the|each|every|both|these|those|affected)\s+(?:\w+\s+)?customers?|them|him|her"
    r"|the\s+clients?)\b",
    re.IGNORECASE,
)


@dataclass
class Owner:
    """A customer the handed-over records belong to, and what happened to or stands for them,
    said to them ("Your ticket TCK-1002 (Charged twice this month) is now closed.")."""

    customer_id: str
    told: list[str] = field(default_factory=list)


def writes_to_the_customer(text: str) -> bool:
    """The request writes to the customer(s) of the records, naming none of them."""
    return _THE_CUSTOMER.search(text) is not None


def owners(handoffs: tuple[Handoff, ...]) -> list[Owner]:
    """The customers the records before this subtask belong to, each with what to tell them,
    in the order the records name them. What ran (`effects`) is told as it left the record; a
    record only read is told as it stands; a proposal that did not run is not told."""
    found: dict[str, Owner] = {}

    def owner(customer_id: Any) -> Owner | None:
        if not isinstance(customer_id, str) or not customer_id:
            return None
        return found.setdefault(customer_id, Owner(customer_id))

    for h in handoffs:
        o = h.output or {}
        changed: set[str] = set()
        for effect in o.get("effects") or []:
            r = effect.get("result") if isinstance(effect, dict) else None
            if not isinstance(r, dict):
                continue
            ticket = r.get("ticket")
            if isinstance(ticket, dict):
                changed.add(str(ticket.get("id")))
                _tell(owner(ticket.get("customer_id")), _ticket(ticket, now=True))
            elif (who := owner(r.get("customer_id"))) is not None:
                _tell(who, _money_or_plan(r))
        for ticket in o.get("tickets") or []:
            if isinstance(ticket, dict) and str(ticket.get("id")) not in changed:
                _tell(owner(ticket.get("customer_id")), _ticket(ticket, now=False))
        if not found:  # no record names its customer: the one the output is about
            for cid in [o.get("customer_id"), *(o.get("customer_ids") or [])]:
                owner(cid)
    return list(found.values())


def _tell(who: Owner | None, sentence: str | None) -> None:
    if who is not None and sentence and sentence not in who.told:
        who.told.append(sentence)


def _ticket(ticket: dict[str, Any], *, now: bool) -> str | None:
    if not ticket.get("id") or not ticket.get("status"):
        return None
    subject = f" ({ticket['subject']})" if ticket.get("subject") else ""
    return f"Your ticket {ticket['id']}{subject} is {'now ' if now else ''}{ticket['status']}."


def _money_or_plan(r: dict[str, Any]) -> str | None:
    if r.get("refund_id"):
        return f"A refund of {r['amount']} USD on {r['invoice_id']} was issued."
    if r.get("credit_id"):
        return f"A credit of {r['amount']} USD was applied to your account."
    if r.get("change_id"):
        return f"Your plan changed from {r['from_plan']} to {r['to_plan']}."
    return None
