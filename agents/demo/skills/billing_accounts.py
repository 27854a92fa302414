"""Billing's look-ups: a customer's balance, payments and invoices (of the months asked),
invoices charged more than once, and invoices by id."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.paging import every
from ringmaster.tools.base import ToolBox
from ringmaster.tools.errors import ToolError

BALANCE = r"\b(ow(?:e|es|ed|ing)|outstanding|balance|unpaid|overdue)\b"
PAYMENT = r"\b(payment|paid|go through|went through|charged)\b"
# The request says a payment was taken more than once: "double charged", "charged twice",
# "charged 2 times", "billed two times", "a duplicate charge", "charged again".
CHARGED_TWICE = (
    r"double|twice|duplicat|\b(?:2|two|multiple)\s*(?:times|x)\b|\b2x\b"
    r"|\b(?:charged|billed|taken)\s+(?:us\s+|them\s+|me\s+)?again\b"
)

# The one newest invoice asked for: "the latest invoice", "her most recent bill".
LATEST = r"\b(?:latest|most recent|newest|last|current)\b"
# A listing of invoices shows this many.
_LISTED = 12

_LookUp = Callable[[str, ToolBox, dict[str, Any], dict[str, Any], list[str]], str]


def accounts(
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


def account(
    text: str, tools: ToolBox, customer: dict[str, Any], out: dict[str, Any], notes: list[str]
) -> str:
    """One customer's balance, last payment, invoices of the months named, or invoices."""
    if p.has(text, BALANCE):
        unpaid = every(tools, "list_invoices", customer_id=customer["id"], status="unpaid")
        unpaid = _of_months(unpaid, text)
        total = sum((Decimal(i["amount"]) for i in unpaid), Decimal("0.00"))
        out.update(invoices=unpaid, invoice_ids=[i["id"] for i in unpaid], amount=str(total))
        when = _month_words(text)
        notes.append(
            f"{customer['name']} ({customer['id']}) has {len(unpaid)} unpaid invoice(s)"
            f"{' for ' + when if when else ''} totalling {total} USD"
        )
        return "invoice"
    if p.has(text, PAYMENT) and not p.dates_in(text)[0]:
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
    found = every(tools, "list_invoices", customer_id=customer["id"])
    refunded = sum(
        (Decimal(tools.call("get_invoice", invoice_id=i["id"])["refunded"]) for i in found),
        Decimal("0.00"),
    ) if p.has(text, r"\brefunded\b") else None  # fmt: skip
    who = f"{customer['name']} ({customer['id']})"
    if found and p.has(text, LATEST):
        # "what's the latest invoice for CUS-1001?": that invoice, so "refund it" next acts on
        # the one shown; a count of them all had named no invoice at all.
        out.update(invoices=found[:1], invoice_ids=[found[0]["id"]], amount=found[0]["amount"])
        notes.append(f"the latest invoice of {who} is {_invoice_line(found[0])}")
        return "invoice"
    out.update(invoices=found, invoice_ids=[i["id"] for i in found])
    notes.append(
        f"{who} has {len(found)} invoice(s) on the {customer['plan']} plan"
        + (": " + "; ".join(_invoice_line(i) for i in found[:_LISTED]) if found else "")
        + (f" (the {_LISTED} newest shown)" if len(found) > _LISTED else "")
    )
    if refunded is not None:
        out["amount"] = str(refunded)
        notes.append(f"{refunded} USD refunded in total")
    return "invoice"


def invoices_in_months(tools: ToolBox, customer: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """The customer's invoices, only those of the months the text names when it names any."""
    found = every(tools, "list_invoices", customer_id=customer["id"])
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
    found = invoices_in_months(tools, customer, text)
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


def duplicates(
    text: str, tools: ToolBox, customer: dict[str, Any], out: dict[str, Any], notes: list[str]
) -> str:
    """The customer's invoices (of the months asked) charged more than once, the first told."""
    doubled = charged_more_than_once(tools, invoices_in_months(tools, customer, text))
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


def charged_more_than_once(
    tools: ToolBox, invoices: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Each of `invoices` with more than one successful charge, with those charges: every
    charge, past a page of failed retries (the newest 50 had hidden a charge twice)."""
    doubled = []
    for i in invoices:
        charges = every(tools, "list_payments", invoice_id=i["id"])
        ok = [c for c in charges if c["status"] == "succeeded"]
        if len(ok) > 1:
            doubled.append((i, ok))
    return doubled


def explain_invoices(
    text: str, tools: ToolBox, invoices: list[str], out: dict[str, Any], notes: list[str]
) -> str:
    """Each invoice named: its amount, status, what was paid and refunded, and more than one
    charge when it had them."""
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
    return "payment" if p.has(text, PAYMENT) else "invoice"


def _invoice_line(invoice: dict[str, Any]) -> str:
    """An invoice as a look-up names it: id, month, amount and status."""
    return f"{invoice['id']} ({invoice['period']}) {invoice['amount']} USD, {invoice['status']}"
