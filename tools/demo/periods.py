"""The relative spans of time the demo tools take, one meaning each, by the company's clock.

Ops listings and analytics read the same words the same way (the skills parse a request with
one function, `agents/demo/skills/parsing.period_in`, into the arguments below):

    period="today", "yesterday"        a calendar day
    period="this_week", "last_week"    a calendar week, Monday to Sunday (ISO 8601)
    period="this_month", "last_month"  a calendar month
    period="this_quarter", "last_quarter"  a calendar quarter (January, April, July, October)
    period="this_year", "last_year"    a calendar year
    days=N                             the last N days, ending now ("the past week" is 7)
    since="last_month" (any period)    from the start of that period to now

A span is half-open, start <= t < end, except that a span containing the company's now
(today, this week, this month, the last N days, since a period) has no upper bound: nothing
recorded lies after now but what the tools themselves wrote, and that happened now
(`db.written_at`).
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

PERIODS = (
    "today",
    "yesterday",
    "this_week",
    "last_week",
    "this_month",
    "last_month",
    "this_quarter",
    "last_quarter",
    "this_year",
    "last_year",
)
MAX_DAYS = 3650

_NAMES = {
    "today": "today",
    "yesterday": "yesterday",
    "this_week": "this calendar week",
    "last_week": "last calendar week",
    "this_month": "this calendar month",
    "last_month": "last calendar month",
    "this_quarter": "this calendar quarter",
    "last_quarter": "last calendar quarter",
    "this_year": "this calendar year",
    "last_year": "last calendar year",
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


def name(period: str | None = None, days: int | None = None, since: str | None = None) -> str:
    """A span's name without its dates: "last calendar week", "the last 7 days", "since the
    start of last calendar month"."""
    if days is not None:
        return "the last day" if days == 1 else f"the last {days} days"
    if since is not None:
        return f"since the start of {_NAMES[since]}"
    return _NAMES[str(period)]


def _month_start(day: datetime, months: int = 0) -> datetime:
    """The first of the month `months` after `day`'s (before it, when negative)."""
    month = day.year * 12 + day.month - 1 + months
    return day.replace(year=month // 12, month=month % 12 + 1, day=1)


def dates(first: datetime, last: datetime) -> str:
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


def span(
    conn: sqlite3.Connection, period: Any = None, days: Any = None, since: Any = None
) -> Span | None:
    """The span a named `period` (`PERIODS`), the last `days` days, or the time `since` the
    start of a named period cover, by the company's clock (`db.as_of`); None when none is
    given."""
    if sum(arg is not None for arg in (period, days, since)) > 1:
        raise ToolArgumentError("give one of period, days and since, not two of them")
    if period is None and days is None and since is None:
        return None
    now = as_of(conn)
    if days is not None:
        start = now - timedelta(days=days_arg(days))
        return Span(start, now, True, f"{name(days=days)} ({dates(start, now)})")
    field = "period" if since is None else "since"
    period = rec.choice(period if since is None else since, PERIODS, field)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday())
    quarter = _month_start(today, -((today.month - 1) % 3))
    january = today.replace(month=1, day=1)
    start, end = {
        "today": (today, today + timedelta(days=1)),
        "yesterday": (today - timedelta(days=1), today),
        "this_week": (monday, monday + timedelta(days=7)),
        "last_week": (monday - timedelta(days=7), monday),
        "this_month": (_month_start(today), _month_start(today, 1)),
        "last_month": (_month_start(today, -1), _month_start(today)),
        "this_quarter": (quarter, _month_start(quarter, 3)),
        "last_quarter": (_month_start(quarter, -3), quarter),
        "this_year": (january, january.replace(year=january.year + 1)),
        "last_year": (january.replace(year=january.year - 1), january),
    }[period]
    if since is not None:
        # "since last month": from that period's start to now, with no upper bound.
        return Span(start, now, True, f"{name(since=period)} ({dates(start, start)})")
    to_now = start <= now < end
    if to_now:
        end = now
    words = f"{name(period)} ({dates(start, end if to_now else end - timedelta(days=1))})"
    return Span(start, end, to_now, words)
