"""`limits_passed`: the running-total limits a call would pass, read before a review is raised;
a total that cannot be read is said so, never taken as within the limit."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from ringmaster.tools.base import CallContext, CumulativeLimit, Earlier, Tool, limits_passed

LIMIT = CumulativeLimit(
    tools=frozenset({"pay"}), per="requester", window=timedelta(hours=24), over=Decimal("100")
)
CTX = CallContext(requester="ann", agent="billing", limits=(LIMIT,))
UNREADABLE = "its running totals could not be checked (database is locked)"


def locked(*_: Any) -> list[str]:
    raise sqlite3.OperationalError("database is locked")


class LockedLedger:
    """A ledger whose totals cannot be read: every read fails as a locked database does."""

    def reserve(self, tool: str, key: str, args: Mapping[str, Any], ctx: CallContext) -> None:
        locked()

    def passed(
        self, tool: str, args: Mapping[str, Any], ctx: CallContext, earlier: Earlier = ()
    ) -> list[str]:
        return locked()

    def release(self, key: str) -> None:
        locked()


def pay(**_: Any) -> dict[str, Any]:
    return {}


def test_totals_a_tool_keeps_that_cannot_be_read_are_said_so() -> None:
    tool = Tool("pay", "", pay, side_effect=True, limits=(LIMIT,), keeps_totals=True,
                would_pass=locked)  # fmt: skip
    assert limits_passed(tool, {"amount": 5}, CTX, None) == [UNREADABLE]


def test_totals_the_ledger_keeps_that_cannot_be_read_are_said_so() -> None:
    tool = Tool("pay", "", pay, side_effect=True, limits=(LIMIT,))
    assert limits_passed(tool, {"amount": 5}, CTX, LockedLedger()) == [UNREADABLE]


def test_a_tool_with_no_limits_reads_no_totals() -> None:
    tool = Tool("pay", "", pay, side_effect=True, would_pass=locked, keeps_totals=True)
    assert limits_passed(tool, {"amount": 5}, CTX, LockedLedger()) == []
