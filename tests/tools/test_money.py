"""Amounts in what a person is told read as money ("5000.00") or as typed, never as Python
spells them (`Decimal('5E+3')`, `5000.0`, `'abc'`): tools/money.py and its users."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from ringmaster.agents.policy import ApprovalWhen, approval_rule
from ringmaster.tools.base import CumulativeLimit
from ringmaster.tools.demo.money import parse_amount
from ringmaster.tools.demo.tools import amount_above
from ringmaster.tools.errors import ToolArgumentError
from ringmaster.tools.money import money_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (5000, "5000.00"),
        (5000.0, "5000.00"),
        ("5000", "5000.00"),
        (Decimal("5E+3"), "5000.00"),
        (Decimal("1.5"), "1.50"),
        ("1.005", "1.005"),  # more decimals: as it is, never rounded
        ("abc", "abc"),
        (True, "True"),
    ],
)
def test_money_text(value: Any, text: str) -> None:
    assert money_text(value) == text


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (5000.0, 'amount must be a decimal string such as "5000.00", not a number with a point'),
        (True, 'amount must be a decimal string such as "29.00", not true'),
        (Decimal("-5E+3"), "amount must be positive, got -5000.00"),
        (-40, "amount must be positive, got -40.00"),
        ("abc", 'amount "abc" is not an amount of money'),
        (Decimal("1E+20"), "amount 100000000000000000000.00 is too large"),
    ],
)
def test_an_amount_error_reads_as_money_or_as_typed(value: Any, said: str) -> None:
    with pytest.raises(ToolArgumentError) as exc:
        parse_amount(value)
    assert said in str(exc.value)
    assert "Decimal(" not in str(exc.value) and "5000.0 " not in str(exc.value) + " "


def test_approval_reasons_read_as_money() -> None:
    assert amount_above(Decimal("100"), "credit")({"amount": 5000}) == (
        "credit of 5000.00 is above the 100.00 limit"
    )
    rule = approval_rule("issue_refund", ApprovalWhen(when={"amount_over": 100}))
    assert rule({"amount": 5000.0}) == "policy: amount 5000.00 is over 100.00"
    assert rule({"amount": "lots"}) == "policy: amount lots is not a number"


def test_a_cumulative_limits_refusal_reads_as_money() -> None:
    limit = CumulativeLimit(
        tools=frozenset({"apply_credit"}), per="customer", window=timedelta(hours=24), over=250
    )
    said = limit.passed("CUS-1002", Decimal("0"), Decimal("5000"))
    assert "would reach 5000.00 for customer CUS-1002 within 24 h (0.00 before this)" in said
    assert "over the limit of 250.00" in said
    assert limit.describe() == "more than 250.00 in total per customer in 24 h"
