"""The relative spans of time the demo tools take, one meaning each, by the company's clock.

Ops listings and analytics read the same words the same way (the skills parse a request with
one function, `agents/demo/skills/parsing.period_in`, into the arguments below):

    period="today", "yesterday"        a calendar day
    period="this_week", "last_week"    a calendar week, Monday to Sunday (ISO 8601)
    period="this_month", "last_month"  a calendar month
    days=N                             the last N days, ending now ("the past week" is 7)

A span is half-open, start <= t < end, except that a span containing the company's now
(today, this week, this month, the last N days) has no upper bound: nothing recorded lies
after now but what the tools themselves wrote, and that happened now (`db.written_at`).
Every span carries its words (`Span.words`), so an answer can say which span it used.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ringmaster.tools.demo import records as rec
from ringmaster.tools.demo.db import as_of, iso
from ringmaster.tools.errors import ToolArgumentError

PERIODS = ("today", "yesterday", "this_week", "last_week", "this_month", "last_month")
MAX_DAYS = 3650

_NAMES = {
    "today": "today",
    "yesterday": "yesterday",
    "this_week": "this calendar week",
    "last_week": "last calendar week",
    "this_month": "this calendar month",
    "last_month": "last calendar month",
}


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime  # the company's now, for a span that contains it
    to_now: bool  # contains the company's now: no upper bound (see the module docstring)
    words: str

    def bounds(self) -> tuple[str, str | None]:
        """The ISO bounds to select rows by: start <= t, and t < end unless it runs to now."""
        return iso(self.start), None if self.to_now else iso(self.end)

    def as_dict(self) -> dict[str, Any]:
        return {"start": iso(self.start), "end": iso(self.end), "words": self.words}


def name(period: str | None = None, days: int | None = None) -> str:
    """A span's name without its dates: "last calendar week", "the last 7 days"."""
    if days is not None:
        return "the last day" if days == 1 else f"the last {days} days"
    return _NAMES[str(period)]


def _month_start(day: datetime, months: int = 0) -> datetime:
    """The first of the month `months` after `day`'s (before it, when negative)."""
    month = day.year * 12 + day.month - 1 + months
    return day.replace(year=month // 12, month=month % 12 + 1, day=1)


def _dates(first: datetime, last: datetime) -> str:
    """ "9–15 June 2025", "16 May – 15 June 2025", "15 June 2025": the days a span covers."""
    if first.date() == last.date():
        return f"{last.day} {last:%B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%B %Y}"
    head = f"{first.day} {first:%B}" + ("" if first.year == last.year else f" {first.year}")
    return f"{head} – {last.day} {last:%B %Y}"


def days_arg(days: Any) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ToolArgumentError(f"days must be an integer from 1 to {MAX_DAYS}; got {days!r}")
    return days


def span(conn: sqlite3.Connection, period: Any = None, days: Any = None) -> Span | None:
    """The span a named `period` (`PERIODS`) or the last `days` days cover, by the company's
    clock (`db.as_of`); None when neither is given."""
    if period is not None and days is not None:
        raise ToolArgumentError("give either period or days, not both")
    if period is None and days is None:
        return None
    now = as_of(conn)
    if days is not None:
        start = now - timedelta(days=days_arg(days))
        return Span(start, now, True, f"{name(days=days)} ({_dates(start, now)})")
    period = rec.choice(period, PERIODS, "period")
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday())
    start, end = {
        "today": (today, today + timedelta(days=1)),
        "yesterday": (today - timedelta(days=1), today),
        "this_week": (monday, monday + timedelta(days=7)),
        "last_week": (monday - timedelta(days=7), monday),
        "this_month": (_month_start(today), _month_start(today, 1)),
        "last_month": (_month_start(today, -1), _month_start(today)),
    }[period]
    to_now = start <= now < end
    if to_now:
        end = now
    words = f"{name(period)} ({_dates(start, end if to_now else end - timedelta(days=1))})"
    return Span(start, end, to_now, words)
