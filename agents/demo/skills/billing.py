"""The billing skill: invoices, payments, plans, refunds and credits. This module reads which
one a request asks for (a note, a refund called off, a refund, a credit, a plan change, prices, or
a look-up of invoices or an account)."""

from __future__ import annotations

import re
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.billing_accounts import (
    BALANCE,
    CHARGED_TWICE,
    account,
    accounts,
    duplicates,
    explain_invoices,
)
from ringmaster.agents.demo.skills.billing_credits import credit
from ringmaster.agents.demo.skills.billing_plans import change_plan, prices
from ringmaster.agents.demo.skills.billing_refunds import refund
from ringmaster.agents.demo.skills.language import asked_back, cannot_read
from ringmaster.agents.runtime import AgentOutput, AgentTask
from ringmaster.tools.base import ToolBox

_REFUND = r"\b(refund(?!ed)|reimburse|money back|pay (?:it |them )?back)"
_CREDIT = r"\bcredit\b"
_PLAN_CHANGE = r"\b(upgrade|downgrade|switch|move|change|migrate)\b"
_PRICING = r"\b(cost|price|pricing|cheaper|discount|how much does|tier)\b"
# "what is the status of that refund?", "did the refund go through": about a refund, not one.
_REFUND_ASKED = (
    r"\b(?:status of|what happened to|did|has|have|was|were|is)\s+(?:the|that|this|my|our|"
    r"their|his|her)\s+refund\b|\brefund\b[^.?!,]*\b(?:go through|went through|been issued|"
    r"been processed)\b"
)
# "cancel that refund", "don't refund it", "never mind the refund": a refund called off.
_CANCEL = (
    r"\b(cancel|withdraw|call off|never ?mind|forget|scrap|drop|stop|undo|reverse|don'?t|"
    r"do not)\s+(?:\S+\s+){0,2}?refund"
)
# Billing work the skill has no tool for (parsing.NoTool): its tools refund, credit and change
# a plan, nothing else. "cancel the subscription of CUS-1001" had been answered `done` with
# the customer's invoices. A refund called off is `_CANCEL`'s, asked before this.
_NO_TOOL = p.NoTool({
    "cancel": "cancelled", "void": "voided", "delete": "deleted", "remove": "removed",
    "waive": "waived", "write off": "written off", "charge": "charged", "pause": "paused",
    "suspend": "suspended", "reactivate": "reactivated", "terminate": "terminated",
    "retry": "retried", "resend": "resent", "extend": "extended", "mark": "marked",
    "edit": "edited", "annotate": "annotated",
}, nouns=r"on|of|from|button|option|request|fee|policy|date")  # fmt: skip
# A note asked to be written ("add a note to INV-1010: customer called back", "can you leave a
# comment on INV-1003 that …", "add to INV-1010's notes: …"): billing's tools write no note, on
# an invoice or a customer. It had been answered `done` with the invoice, no note written. Asked
# before anything else, as the note's words ("… wants a refund") are no request of their own.
_NOTE_ASKED = (
    rf"{p.CLAUSE_OPENING}(?:add|leave|put|write|attach|make|log|post|append|drop|pin|jot|enter)"
    r"\s+(?:down\s+)?(?:(?:a|an|the|this|that|my|our|another|one\s+more)\s+)?"
    r"(?:(?:quick|short|brief|small|internal|private)\s+)?(?:note|comment|memo|remark)s?\b"
    rf"|{p.CLAUSE_OPENING}note\s+(?:on|to|against|in)\s+(?:the\s+)?(?:invoice\s+)?INV-\d+"
    r"|\badd\b[^.?!]{0,40}\bto\s+(?:the\s+|its\s+|INV-\d+'?s?\s+)?(?:invoice\s+)?notes\b"
)


def billing(task: AgentTask, tools: ToolBox) -> AgentOutput:
    """Handle one billing subtask; refunds, credits and plan changes are proposed only."""
    text = task.description
    # Another language, or a repeat it cannot see: asked, not answered with a look-up of its ids
    if (question := cannot_read(text)) is not None:
        empty: dict[str, Any] = {
            "summary": "",
            "customer_id": None,
            "invoice_ids": [],
            "amount": None,
            "currency": "USD",
        }
        return asked_back(empty, task, "invoice", question)
    invoices = p.ids(p.INVOICE_ID, text)
    customer = p.find_customer(tools, text)
    out: dict[str, Any] = {
        "summary": "",
        "customer_id": customer["id"] if customer else None,
        "invoice_ids": [],
        "amount": None,
        "currency": "USD",
    }
    notes: list[str] = []

    wants_refund = p.has(text, _REFUND) and not p.has(text, _REFUND_ASKED)
    both = _split_refund_and_credit(text) if wants_refund else None
    if p.has(text, _NOTE_ASKED):
        more = wants_refund or p.has(text, _CREDIT) or bool(p.plans_in(text))
        p.ask(out, notes, "nothing was written" + (", and nothing else this asks was done" if
              more else "") + ": billing has no tool that writes a note, on an invoice or a "
              "customer (its tools look up invoices, payments and plans, and refund, credit and "
              "change a plan). Should a person write the note, or is there something to look up "
              "or change instead?")  # fmt: skip
        category = "invoice"
    elif p.has(text, _CANCEL):
        # Not a refund to make: an issued refund has no undo here, and a proposed one is
        # withdrawn in the conversation (ringmaster/withdraw.py) before it reaches billing.
        p.ask(
            out,
            notes,
            "this asks to call off a refund, not to make one, so none was "
            "proposed; an issued refund cannot be reversed here. Which refund is meant?",
        )
        category = "refund"
    elif both is not None:  # one subtask, two actions: propose both, each from its own clause
        refund_text, credit_text = both
        refund(refund_text, tools, p.ids(p.INVOICE_ID, refund_text), customer, out, notes)
        refund_amount = out["amount"]
        credit_customer = p.find_customer(tools, credit_text) or customer
        if credit_customer is None and out["customer_id"]:
            credit_customer = tools.call("get_customer", customer_id=out["customer_id"])
        credit(credit_text, tools, [credit_customer] if credit_customer else [], out, notes)
        out["amounts"] = {"refund": refund_amount, "credit": out["amount"]}
        category = "refund"
    elif wants_refund:
        category = refund(text, tools, invoices, customer, out, notes)
    elif p.has(text, _CREDIT):
        # Each customer named is credited ("credit CUS-1 and CUS-2 20 dollars"), none dropped.
        category = credit(text, tools, p.find_customers(tools, text, customer), out, notes)
    elif p.plans_in(text) and p.has(text, _PLAN_CHANGE + r"|\bonto\b"):
        category = change_plan(text, tools, customer, out, notes)
    elif (verb := _NO_TOOL.verb(text)) is not None:
        _NO_TOOL.ask(out, notes, "billing", verb, "look up invoices, payments and plans, and "
                     "refund, credit and change a plan", "look up or change")  # fmt: skip
        category = "invoice"
    elif p.has(text, _PRICING) and not invoices and not (customer and p.has(text, BALANCE)):
        # "how much does Noah owe?" asks his balance, not a price ("how much does pro cost").
        category = prices(text, tools, out, notes)
    elif invoices:
        category = explain_invoices(text, tools, invoices, out, notes)
    elif customer:
        # Each customer named is answered ("maria lopez and aisha khan - june invs paid?"),
        # so a reply about any of them ("aisha") finds her invoices in the thread.
        each = duplicates if p.has(text, CHARGED_TWICE) else account
        customers = p.find_customers(tools, text, customer)
        category = accounts(text, tools, customers, out, notes, each)
    elif p.named_customer(text):
        notes.append(f"no customer matching {p.named_customer(text)} was found; nothing to report")
        category = "invoice"
    else:
        p.ask(out, notes, "no invoice id or customer was named, so nothing was looked up. "
              "Which invoice (INV-…) or customer (id or email) is this about?")  # fmt: skip
        category = "invoice"

    out["summary"] = p.summary(notes, task.feedback)
    return AgentOutput(output=out, category=category)


def _split_refund_and_credit(text: str) -> tuple[str, str] | None:
    """A request for a refund and a credit, as its refund clause and its credit clause."""
    m = re.search(
        r"(?:,\s*|\s)(?:and|then|also|plus)\s+(?:also\s+)?(?:apply|give|add|issue|grant|put)?"
        r"[^.;]{0,40}?\bcredit\b",
        text,
        re.IGNORECASE,
    )
    if m is None or not p.has(text[: m.start()], _REFUND):
        return None
    return text[: m.start()].strip(" ,"), text[m.start() :].strip(" ,")
