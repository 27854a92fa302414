"""A day an earlier turn named, said again as "that day": "who deployed auth on June 11?",
"was anything else pushed to prod that day?" asks about June 11, and a planner or agent that
sees only the one request must read the date written out (the day had been lost, and every
production deployment of the month listed). A day said relative to today ("yesterday") is that
request's day too, written as it was said (the skills read it on the company's clock). When
the day cannot be told (the request before wrote two, or no earlier request wrote one), the
turn asks which day, acting on nothing: as typed, the words were dropped and every record of
the month listed."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ringmaster.graph.references.asked import open_question
from ringmaster.graph.references.entities import Resolved
from ringmaster.graph.references.patterns import _QUESTION_MARK

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_NTH = r"\d{1,2}(?:st|nd|rd|th)?"
# A day said relative to today: "yesterday", "the day before yesterday", "today".
_RELATIVE = re.compile(
    r"\bthe\s+day\s+(?:before\s+yesterday|after\s+tomorrow)\b|\b(?:yesterday|today|tomorrow)\b",
    re.IGNORECASE,
)
# What may not follow "the 11th" for it to be a day: a record's noun ("the 2nd one", "the 3rd
# ticket" count records, as the demo skills' `parsing._DAY` reads them).
_NOT_OF_RECORDS = (
    r"(?!\s+(?:ones?|deploy\w*|release\w*|ticket\w*|invoice\w*|incident\w*|alert\w*)\b)"
)
# A calendar day as written: "June 11", "11th of June", "2025-06-11", "the 11th", "on Tuesday",
# or one said relative to today.
_DAY = re.compile(
    rf"\b{_MONTH}\.?\s+{_NTH}\b(?!\s*(?:%|am|pm|:))"
    rf"|\b{_NTH}\s+(?:of\s+)?{_MONTH}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b"
    rf"|\bthe\s+\d{{1,2}}(?:st|nd|rd|th)\b{_NOT_OF_RECORDS}"
    r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
    rf"|{_RELATIVE.pattern}",
    re.IGNORECASE,
)
# "that day", "that same day" (not "the same day", often the day of something in the same
# sentence: "can refunds go out the same day?"; nor "that day as …").
_THAT_DAY = re.compile(
    r"\b(?:(?P<prep>on|from|of|since|before|after|for|until|till)\s+)?"
    r"that(?:\s+same)?\s+day\b(?!\s+as\b)",
    re.IGNORECASE,
)

# Asked when no earlier request wrote a day: what could not be told, and the question.
_NO_DAY = (
    'No earlier request named a day, so I could not tell which day "that day" is. '
    "Which day do you mean?"
)

# Both questions `that_day` asks end so; a reply to one may name the day.
_ASKED_DAY = re.compile(r"\bWhich day do you mean\b")
# Words besides the day a reply that only names it may have: "I meant June 11", "on the
# 11th please".
_REPLY_WORDS = 3


def that_day(request: str, history: Sequence[Mapping[str, Any]]) -> tuple[str, str | None]:
    """`request` with "that day" written as the day the newest earlier request that wrote a
    day named ("on June 11" for "that day", "from June 11" for "from that day", "yesterday"
    for "on that day" after "who deployed api yesterday?"), and None; or, when that request
    wrote two different days (either may be meant) or no earlier request wrote one, the
    request as typed and the question to ask which day. As typed, asking nothing, in a
    thread's first turn (nothing before it to refer to) or when the request writes a day of
    its own."""
    if not history or _THAT_DAY.search(request) is None or _DAY.search(_THAT_DAY.sub(" ", request)):
        return request, None
    days: list[str] = []
    for entry in reversed(history):
        written = [_spoken(d) for d in _DAY.findall(str(entry.get("request") or ""))]
        days = list(dict.fromkeys(written))
        if days:
            break
    if len(days) != 1:
        return request, _which_day(days)
    return _written(request, days[0]), None


def day_answered(request: str, history: Sequence[Mapping[str, Any]]) -> Resolved | None:
    """A reply that names the day to the question `that_day` asked ("June 11", "the 11th
    please" to "Which day do you mean: June 10 or June 11?"): the request asked about, with
    that day written for "that day", answering the question's turn; None for any other
    request (one that names no day, or two, or says more than a day: a request of its own)."""
    found = open_question(history)
    if found is None or not _ASKED_DAY.search(str(found[0].get("asked") or "")):
        return None
    days = list(dict.fromkeys(_spoken(d) for d in _DAY.findall(request)))
    rest = _DAY.sub(" ", request)
    if len(days) != 1 or len(re.findall(r"[a-z']+", rest, re.I)) > _REPLY_WORDS:
        return None
    asked, at = found
    text = _written(str(asked.get("request") or ""), days[0])
    return Resolved(text, [], answers=int(history[at].get("turn", 0)))


def _written(request: str, day: str) -> str:
    """`request` with each "that day" written as `day`: "on June 11", "from June 11";
    "yesterday", not "on yesterday"."""

    def spelled(m: re.Match[str]) -> str:
        prep = m["prep"] or "on"
        return day if prep.lower() == "on" and _RELATIVE.fullmatch(day) else f"{prep} {day}"

    return _THAT_DAY.sub(spelled, request)


def _which_day(days: Sequence[str]) -> str:
    """The question that asks which day "that day" is: among the days the request before wrote
    ("Which day do you mean: June 10 or June 11?"), or saying none was written."""
    if not days:
        return _NO_DAY
    listed = ", ".join(days[:-1]) + f" or {days[-1]}"
    return f"Which day {_QUESTION_MARK}{listed}?"


def _spoken(day: str) -> str:
    """A day as written, its spaces made one ("June  11" and "June 11" are one day); a day said
    relative to today in lower case ("Yesterday" and "yesterday" are one day)."""
    spoken = " ".join(day.split())
    return spoken.lower() if _RELATIVE.fullmatch(spoken) else spoken
