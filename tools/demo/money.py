"""Money for the demo tools: Decimal in Python, integer cents in SQLite, strings in JSON."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator

from ringmaster.tools.errors import ToolArgumentError
from ringmaster.tools.money import money_text

CENT = Decimal("0.01")
# Far above any demo invoice, and far inside Decimal's 28 digits, so quantizing cannot fail.
MOST = Decimal("999999999999.99")
# Digits with a point for decimals; a comma only between groups of three (1,299.00). A comma
# anywhere else ("1,50") is a decimal comma in much of the world: reading it as a thousands
# separator would make 1,50 into 150.00, so it is refused rather than guessed.
_WRITTEN = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def parse_amount(value: object, *, field: str = "amount") -> Decimal:
    """A positive amount with at most two decimals; floats are refused so no rounding sneaks in."""
    if isinstance(value, bool):
        raise ToolArgumentError(
            f'{field} must be a decimal string such as "29.00", not {str(value).lower()}'
        )
    if isinstance(value, float):  # shown as the money it would be, never as Python's 5000.0
        example = money_text(value)
        example = example if example != repr(value) else "29.00"
        raise ToolArgumentError(
            f'{field} must be a decimal string such as "{example}", not a number with a point'
        )
    if isinstance(value, str):
        written = value.strip().lstrip("$€£").strip()
        if any(c.isdigit() and not c.isascii() for c in written):  # "١٠", "1০.00": Decimal
            # reads them, a reviewer may not (a Bengali zero looks like an o)
            raise ToolArgumentError(f'{field} "{value}": write it with the digits 0-9')
        if not _WRITTEN.fullmatch(written):
            hint = " (write decimals with a point: 1.50)" if "," in written else ""
            raise ToolArgumentError(f'{field} "{value}" is not an amount of money{hint}')
        value = written.replace(",", "")
    typed = money_text(value)  # as the error shows it: "5000.00", or the text as typed
    try:
        amount = Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        raise ToolArgumentError(f"{field} {typed} is not an amount of money") from None
    if not amount.is_finite():
        raise ToolArgumentError(f"{field} {typed} is not an amount of money")
    if amount <= 0:
        raise ToolArgumentError(f"{field} must be positive, got {typed}")
    if amount > MOST:
        raise ToolArgumentError(f"{field} {typed} is too large: at most {MOST:,}")
    if amount != amount.quantize(CENT):
        raise ToolArgumentError(f"{field} {typed} has more than two decimals")
    return amount.quantize(CENT)


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def fmt(cents: int) -> str:
    """Cents as the string a JSON output carries, e.g. 2900 -> '29.00'."""
    return str(from_cents(cents))


def _checked(value: Any) -> str:
    try:
        return str(parse_amount(value))  # the form the tool records and answers with
    except ToolArgumentError as exc:
        raise ValueError(str(exc)) from None


# An amount argument as the tool takes it (a decimal string or an integer), checked by the same
# parser when a reviewer's edit is checked against the tool's schema (tools/base.py), which
# gives it back as the tool records it: 5000 as "5000.00".
Amount = Annotated[Any, AfterValidator(_checked)]
