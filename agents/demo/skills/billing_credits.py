"""A credit proposed to each customer named, of the one amount or each one's own."""

from __future__ import annotations

import re
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.amounts import Reading, read_amount, read_amounts_each
from ringmaster.agents.demo.skills.billing_refunds import amount_question
from ringmaster.tools.base import ToolBox


def credit(
    text: str,
    tools: ToolBox,
    customers: list[dict[str, Any]],
    out: dict[str, Any],
    notes: list[str],
) -> str:
    """Propose the request's one amount as a credit to each of `customers`, or ask for it."""
    if not customers:
        p.ask(out, notes, "a credit needs a customer, and none was found. Which customer (id, "
              "email or name) should be credited?")  # fmt: skip
        return "credit"
    names = " and ".join(c["name"] for c in customers)
    # "credit CUS-1 20 dollars and CUS-2 35 dollars": each customer's own amount.
    own = _amounts_each(text, customers)
    reading = read_amount(text) if own is None else own[0]
    each = zip([c["name"] for c in customers], own, strict=True) if own else [(names, reading)]
    for who, r in each:
        question = amount_question(r, "USD", f"credited to {who}")
        if question is not None:
            p.ask(out, notes, question)
            return "credit"
    value = reading.value
    if value is None:
        p.ask(out, notes, f"no credit amount was given for {names}; nothing was "
              "proposed. How much should be credited?")  # fmt: skip
        return "credit"
    m = re.search(r"\bfor (?:the )?(.+)$", text, re.IGNORECASE)
    reason = p.redact(m.group(1).rstrip(".")) if m else "goodwill credit"
    values = {c["id"]: r.value for c, r in zip(customers, own, strict=True)} if own else {}
    for customer in customers:
        value = values.get(customer["id"]) or reading.value
        tools.propose(
            "apply_credit",
            description=f"Credit {value} USD to {customer['name']} ({reason})",
            customer_id=customer["id"],
            amount=str(value),
            reason=reason,
        )
        notes.append(
            f"proposed a {value} USD credit to {customer['name']} ({customer['id']}): {reason}"
        )
    # One amount when every customer gets it; each their own is `amounts`, none of them the one.
    out["amount"] = None if own else str(reading.value)
    if own:
        out["amounts"] = {k: str(v) for k, v in values.items()}
    if len(customers) > 1:
        out["customer_ids"] = [c["id"] for c in customers]
    return "credit"


def _amounts_each(text: str, customers: list[dict[str, Any]]) -> list[Reading] | None:
    """Each of several customers' own amount, said after them in order (`read_amounts_each`),
    in the order of `customers`; None for one customer, or words that do not pair them."""
    if len(customers) < 2:
        return None
    starts: list[int] = []
    for c in customers:
        said = re.search(rf"\b(?:{re.escape(c['id'])}|{re.escape(c['name'])})\b", text, re.I)
        if said is None:
            return None
        starts.append(said.start())
    if starts != sorted(starts):
        return None
    return read_amounts_each(text, starts)
