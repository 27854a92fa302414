"""A day an earlier turn named, said again as "that day": "who deployed auth on June 11?",
"was anything else pushed to prod that day?" asks about June 11, and a planner or agent that
sees only the one request must read the date written out (the day had been lost, and every
production deployment of the month listed)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_NTH = r"\d{1,2}(?:st|nd|rd|th)?"
# A calendar day as written: "June 11", "11th of June", "2025-06-11", "the 11th", "on Tuesday".
_DAY = re.compile(
    rf"\b{_MONTH}\.?\s+{_NTH}\b(?!\s*(?:%|am|pm|:))"
    rf"|\b{_NTH}\s+(?:of\s+)?{_MONTH}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b"
    r"|\bthe\s+\d{1,2}(?:st|nd|rd|th)\b"
    r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b",
    re.IGNORECASE,
)
# "that day", "that same day" (not "the same day", often the day of something in the same
# sentence: "can refunds go out the same day?"; nor "that day as …").
_THAT_DAY = re.compile(
    r"\b(?:(?P<prep>on|from|of|since|before|after|for|until|till)\s+)?"
    r"that(?:\s+same)?\s+day\b(?!\s+as\b)",
    re.IGNORECASE,
)


def that_day(request: str, history: Sequence[Mapping[str, Any]]) -> str:
    """`request` with "that day" written as the day the newest earlier request that wrote a
    day named ("on June 11" for "that day", "from June 11" for "from that day"); as typed
    when no earlier request wrote one, when that request wrote two different days (either
    may be meant), or when the request writes a day of its own."""
    if _THAT_DAY.search(request) is None or _DAY.search(_THAT_DAY.sub(" ", request)):
        return request
    days: set[str] = set()
    for entry in reversed(history):
        days = {_spoken(d) for d in _DAY.findall(str(entry.get("request") or ""))}
        if days:
            break
    if len(days) != 1:
        return request
    [day] = days
    return _THAT_DAY.sub(lambda m: f"{m['prep'] or 'on'} {day}", request)


def _spoken(day: str) -> str:
    """A day as written, its spaces made one ("June  11" and "June 11" are one day)."""
    return " ".join(day.split())
