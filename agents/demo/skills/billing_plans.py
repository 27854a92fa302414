"""Plans: their prices, and a move to another plan, proposed for a person to decide."""

from __future__ import annotations

import re
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.tools.base import ToolBox


def prices(text: str, tools: ToolBox, out: dict[str, Any], notes: list[str]) -> str:
    """The prices of the plans the text names, or of every plan."""
    plans = tools.call("list_plans")
    out["plans"] = plans
    named = [pl for pl in plans if pl["name"] in p.plans_in(text)] or plans
    notes.append("prices: " + ", ".join(f"{pl['name']} {pl['price']}/month" for pl in named))
    if p.has(text, r"\bdiscount\b"):
        notes.append("a discount is a pricing decision for a person to make")
    return "pricing"


def change_plan(
    text: str,
    tools: ToolBox,
    customer: dict[str, Any] | None,
    out: dict[str, Any],
    notes: list[str],
) -> str:
    """Propose moving the customer to the plan the text names, with both prices."""
    if customer is None:
        p.ask(out, notes, "a plan change needs a customer (id, email or name), and none was "
              "found; nothing was proposed. Whose plan should change?")  # fmt: skip
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
