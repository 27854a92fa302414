"""The billing skill: invoices, payments, plans, refunds and credits."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.amounts import Reading, read_amount, read_amounts_each
from ringmaster.agents.demo.skills.language import asked_back, cannot_read
from ringmaster.agents.runtime import AgentOutput, AgentTask
from ringmaster.tools.base import ToolBox
from ringmaster.tools.errors import ToolError

_REFUND = r"\b(refund(?!ed)|reimburse|money back|pay (?:it |them )?back)"
_CREDIT = r"\bcredit\b"
_PLAN_CHANGE = r"\b(upgrade|downgrade|switch|move|change|migrate)\b"
_PRICING = r"\b(cost|price|pricing|cheaper|discount|how much does|tier)\b"
_BALANCE = r"\b(ow(?:e|es|ed|ing)|outstanding|balance|unpaid|overdue)\b"
_PAYMENT = r"\b(payment|paid|go through|went through|charged)\b"
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
# The request says a payment was taken more than once: "double charged", "charged twice",
# "charged 2 times", "billed two times", "a duplicate charge", "charged again".
CHARGED_TWICE = (
    r"double|twice|duplicat|\b(?:2|two|multiple)\s*(?:times|x)\b|\b2x\b"
    r"|\b(?:charged|billed|taken)\s+(?:us\s+|them\s+|me\s+)?again\b"
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
        _refund(refund_text, tools, p.ids(p.INVOICE_ID, refund_text), customer, out, notes)
        refund_amount = out["amount"]
        credit_customer = p.find_customer(tools, credit_text) or customer
        if credit_customer is None and out["customer_id"]:
            credit_customer = tools.call("get_customer", customer_id=out["customer_id"])
        _credit(credit_text, tools, [credit_customer] if credit_customer else [], out, notes)
        out["amounts"] = {"refund": refund_amount, "credit": out["amount"]}
        category = "refund"
    elif wants_refund:
        category = _refund(text, tools, invoices, customer, out, notes)
    elif p.has(text, _CREDIT):
        # Each customer named is credited ("credit CUS-1 and CUS-2 20 dollars"), none dropped.
        category = _credit(text, tools, p.find_customers(tools, text, customer), out, notes)
    elif p.plans_in(text) and p.has(text, _PLAN_CHANGE + r"|\bonto\b"):
        category = _change_plan(text, tools, customer, out, notes)
    elif (verb := _NO_TOOL.verb(text)) is not None:
        _NO_TOOL.ask(out, notes, "billing", verb, "look up invoices, payments and plans, and "
                     "refund, credit and change a plan", "look up or change")  # fmt: skip
        category = "invoice"
    elif p.has(text, _PRICING) and not invoices and not (customer and p.has(text, _BALANCE)):
        # "how much does Noah owe?" asks his balance, not a price ("how much does pro cost").
        plans = tools.call("list_plans")
        out["plans"] = plans
        named = [pl for pl in plans if pl["name"] in p.plans_in(text)] or plans
        notes.append("prices: " + ", ".join(f"{pl['name']} {pl['price']}/month" for pl in named))
        if p.has(text, r"\bdiscount\b"):
            notes.append("a discount is a pricing decision for a person to make")
        category = "pricing"
    elif invoices:
        category = _explain_invoices(text, tools, invoices, out, notes)
    elif customer:
        # Each customer named is answered ("maria lopez and aisha khan - june invs paid?"),
        # so a reply about any of them ("aisha") finds her invoices in the thread.
        each = _duplicates if p.has(text, CHARGED_TWICE) else _account
        customers = p.find_customers(tools, text, customer)
        category = _accounts(text, tools, customers, out, notes, each)
    elif p.named_customer(text):
        notes.append(f"no customer matching {p.named_customer(text)} was found; nothing to report")
        category = "invoice"
    else:
        p.ask(out, notes, "no invoice id or customer was named, so nothing was looked up. "
              "Which invoice (INV-…) or customer (id or email) is this about?")  # fmt: skip
        category = "invoice"

    out["summary"] = p.summary(notes, task.feedback)
    return AgentOutput(output=out, category=category)


_LookUp = Callable[[str, ToolBox, dict[str, Any], dict[str, Any], list[str]], str]


def _accounts(
    text: str,
    tools: ToolBox,
    customers: list[dict[str, Any]],
    out: dict[str, Any],
    notes: list[str],
    each: _LookUp,
) -> str:
    """A look-up (`each`) of each customer's account, their invoices and payments listed
    together; with several, the amount is each one's, in their own note, not one figure for
    all."""
    if len(customers) == 1:
        return each(text, tools, customers[0], out, notes)
    category = "invoice"
    for customer in customers:
        own: dict[str, Any] = {"invoice_ids": [], "amount": None}
        category = each(text, tools, customer, own, notes)
        out["invoice_ids"] += [i for i in own["invoice_ids"] if i not in out["invoice_ids"]]
        for key in ("invoices", "payments"):
            out.setdefault(key, []).extend(own.get(key, []))
    out["customer_ids"] = [c["id"] for c in customers]
    return category


def _account(
    text: str, tools: ToolBox, customer: dict[str, Any], out: dict[str, Any], notes: list[str]
) -> str:
    """One customer's balance, last payment, invoices of the months named, or invoices."""
    if p.has(text, _BALANCE):
        unpaid = tools.call("list_invoices", customer_id=customer["id"], status="unpaid")
        unpaid = _of_months(unpaid, text)
        total = sum((Decimal(i["amount"]) for i in unpaid), Decimal("0.00"))
        out.update(invoices=unpaid, invoice_ids=[i["id"] for i in unpaid], amount=str(total))
        when = _month_words(text)
        notes.append(
            f"{customer['name']} ({customer['id']}) has {len(unpaid)} unpaid invoice(s)"
            f"{' for ' + when if when else ''} totalling {total} USD"
        )
        return "invoice"
    if p.has(text, _PAYMENT) and not p.dates_in(text)[0]:
        # (With a month named, "is her June invoice paid?" is that month's invoice, below: her
        # latest payments never named an unpaid one.)
        payments = tools.call("list_payments", customer_id=customer["id"], limit=5)
        out["payments"] = payments
        if payments:
            last = payments[0]
            notes.append(
                f"last payment from {customer['name']}: {last['id']} of {last['amount']} on "
                f"{last['paid_at'][:10]} for {last['invoice_id']}, {last['status']}"
            )
            out["invoice_ids"] = [last["invoice_id"]]
            out["amount"] = last["amount"]
        else:
            notes.append(f"no payments found for {customer['name']}")
        return "payment"
    if p.dates_in(text)[0]:
        # "What was Zoe Jansen billed in April?": that month's invoices, not all of them.
        return _billed_in_months(text, tools, customer, out, notes)
    found = tools.call("list_invoices", customer_id=customer["id"])
    refunded = sum(
        (Decimal(tools.call("get_invoice", invoice_id=i["id"])["refunded"]) for i in found),
        Decimal("0.00"),
    ) if p.has(text, r"\brefunded\b") else None  # fmt: skip
    out.update(invoices=found, invoice_ids=[i["id"] for i in found])
    notes.append(
        f"{customer['name']} ({customer['id']}) has {len(found)} invoice(s) on the "
        f"{customer['plan']} plan"
    )
    if refunded is not None:
        out["amount"] = str(refunded)
        notes.append(f"{refunded} USD refunded in total")
    return "invoice"


def _invoices_in_month(tools: ToolBox, customer: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """The customer's invoices, only those of the months the text names when it names any."""
    found: list[dict[str, Any]] = tools.call("list_invoices", customer_id=customer["id"])
    return _of_months(found, text)


def _of_months(invoices: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """The invoices of the months the text names ("in April", "for jun"), all when none."""
    months, _ = p.dates_in(text)
    return [i for i in invoices if int(i["period"][5:7]) in months] if months else invoices


def _month_words(text: str) -> str:
    """The months the text names, as words: "April", "April and May"."""
    return " and ".join(p.MONTHS[m - 1].title() for m in sorted(p.dates_in(text)[0]))


def _billed_in_months(
    text: str, tools: ToolBox, customer: dict[str, Any], out: dict[str, Any], notes: list[str]
) -> str:
    found = _invoices_in_month(tools, customer, text)
    total = sum((Decimal(i["amount"]) for i in found), Decimal("0.00"))
    out.update(invoices=found, invoice_ids=[i["id"] for i in found])
    who, when = f"{customer['name']} ({customer['id']})", _month_words(text)
    if not found:
        notes.append(f"{who} has no invoice for {when}")
        return "invoice"
    out["amount"] = str(total)
    notes.append(
        f"{who} was billed {total} USD for {when}: "
        + "; ".join(f"{i['id']} ({i['period']}) {i['amount']} USD, {i['status']}" for i in found)
    )
    return "invoice"


def _refund(
    text: str,
    tools: ToolBox,
    invoices: list[str],
    customer: dict[str, Any] | None,
    out: dict[str, Any],
    notes: list[str],
) -> str:
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
        notes.append(str(exc))
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
    question = _amount_question(reading, currency, what)
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
        notes.append(f"{invoice_id} ({inv['period']}) has not been paid; no refund proposed")
        return "refund"
    if refundable <= 0:
        notes.append(
            f"{invoice_id} is already fully refunded ({inv['refunded']}); no refund proposed"
        )
        return "refund"

    limit = min(invoice_amount, refundable)
    if value > limit:
        notes.append(
            f"{value} is more than can be refunded on {invoice_id}: at most {limit} (the "
            f"invoice is {inv['amount']}, {inv['paid']} was paid, {inv['refunded']} refunded); "
            "no refund proposed"
        )
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


def _amount_question(reading: Reading, currency: str, what: str) -> str | None:
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


def _credit(
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
        question = _amount_question(r, "USD", f"credited to {who}")
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


def _change_plan(
    text: str,
    tools: ToolBox,
    customer: dict[str, Any] | None,
    out: dict[str, Any],
    notes: list[str],
) -> str:
    if customer is None:
        notes.append("a plan change needs a customer (id, email or name); none was found")
        return "pricing"
    if p.several_asked(out, notes, p.who(p.find_customers(tools, text, customer)), "plan change"):
        return "pricing"
    m = re.search(r"\b(?:to|onto)\s+(?:the\s+)?(free|starter|pro|business|enterprise)\b", text,
                  re.IGNORECASE)  # fmt: skip
    named = [pl for pl in p.plans_in(text) if pl != customer["plan"]]
    target = m.group(1).lower() if m else (named[-1] if named else None)
    if target is None or target == customer["plan"]:
        notes.append(f"{customer['name']} is already on the {customer['plan']} plan")
        return "pricing"
    prices = {pl["name"]: pl["price"] for pl in tools.call("list_plans")}
    tools.propose(
        "change_plan",
        description=f"Move {customer['name']} from {customer['plan']} to {target}",
        customer_id=customer["id"],
        plan=target,
    )
    out["amount"] = prices[target]
    notes.append(
        f"proposed moving {customer['name']} ({customer['id']}) from {customer['plan']} "
        f"({prices[customer['plan']]}/month) to {target} ({prices[target]}/month); "
        "a plan change is a pricing decision and waits for a person"
    )
    if p.has(text, r"end of the (month|period)"):
        notes.append("the request asks for the end of the period: the reviewer should time it")
    return "pricing"


def _duplicates(
    text: str, tools: ToolBox, customer: dict[str, Any], out: dict[str, Any], notes: list[str]
) -> str:
    doubled = []
    for i in _invoices_in_month(tools, customer, text):
        charges = tools.call("list_payments", invoice_id=i["id"])
        ok = [c for c in charges if c["status"] == "succeeded"]
        if len(ok) > 1:
            doubled.append((i, ok))
    out["invoice_ids"] = [i["id"] for i, _ in doubled]
    if not doubled:
        notes.append(f"no invoice of {customer['name']} was charged more than once")
        return "payment"
    inv, ok = doubled[0]
    out["amount"] = inv["amount"]
    out["payments"] = ok
    notes.append(
        f"{inv['id']} ({inv['period']}, {inv['amount']} USD) for {customer['name']} was charged "
        f"{len(ok)} times ({', '.join(c['id'] for c in ok)}); the extra charge can be refunded"
    )
    return "payment"


def _explain_invoices(
    text: str, tools: ToolBox, invoices: list[str], out: dict[str, Any], notes: list[str]
) -> str:
    for invoice_id in invoices:
        try:
            inv = tools.call("get_invoice", invoice_id=invoice_id)
        except ToolError as exc:
            notes.append(str(exc))
            continue
        out["invoice_ids"].append(invoice_id)
        out["customer_id"] = out["customer_id"] or inv["customer_id"]
        out["amount"] = inv["amount"]
        out.setdefault("invoices", []).append(
            {k: inv[k] for k in ("id", "amount", "status", "paid", "refunded", "period")}
        )
        out["payments"] = inv["payments"]
        line = (
            f"{invoice_id} ({inv['period']}) for {inv['customer_id']}: {inv['amount']} USD, "
            f"{inv['status']}, paid {inv['paid']}, refunded {inv['refunded']}"
        )
        if len([x for x in inv["payments"] if x["status"] == "succeeded"]) > 1:
            line += "; it was charged more than once"
        notes.append(line)
    return "payment" if p.has(text, _PAYMENT) else "invoice"


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


def _refund_target(
    tools: ToolBox, customer: dict[str, Any], text: str, duplicate: bool, notes: list[str]
) -> str | None:
    """The invoice a refund without an invoice id is for, when the data settles it; else a
    question in `notes` and None."""
    found = _invoices_in_month(tools, customer, text)
    if duplicate:
        doubled = []
        for i in found:
            ok = [
                c
                for c in tools.call("list_payments", invoice_id=i["id"])
                if c["status"] == "succeeded"
            ]
            if len(ok) > 1:
                doubled.append(i["id"])
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
