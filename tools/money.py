"""Amounts of money as a person reads them: in every message and view, two decimals.

A tool's error, an approval rule's reason and a limit's refusal are read by the requester and
the reviewer, so an amount in them is "5000.00" whether it came as 5000, 5000.0, "5000" or a
Decimal, and anything that is no amount is shown as it was typed, never as Python spells it
(`Decimal('5E+3')`, `'abc'`).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")


def money_text(value: object) -> str:
    """`value` as money with two decimals, or as typed when it is no number with at most two
    decimals (more decimals are shown as they are, never rounded)."""
    if isinstance(value, bool):
        return str(value)
    text = repr(value) if isinstance(value, float) else str(value)  # a float's shortest form
    try:
        amount = Decimal(text.strip())
        if amount.is_finite() and amount == amount.quantize(CENT):
            return str(amount.quantize(CENT))
    except (InvalidOperation, ValueError):  # not a number, or too many digits to quantize
        pass
    return text
