"""The words that say yes and no, named once.

A reply to "Did you mean INV-1001 …?" is read with them (graph/references/followups.py), and
a message made only of them, with no question to answer, is told there is nothing to say yes
or no to (graph/pleasantries.py); one list, so a word cannot confirm a guess in one place and
go to a person as a request in the other.
"""

from __future__ import annotations

import re

YES: tuple[str, ...] = (
    "y", "yes", "yeah", "yea", "yep", "yup", "correct", "right", "exactly", "confirm",
    "confirmed", "that's it", "thats it", "that's right", "thats right", "that's the one",
    "thats the one", "ok", "okay", "sure",
)  # fmt: skip
NO: tuple[str, ...] = (
    "n", "no", "nope", "nah", "neither", "none", "not that", "not this", "not it", "wrong",
)  # fmt: skip


def alternation(phrases: tuple[str, ...]) -> str:
    """A regex alternation of `phrases`, longest first, so "yes" is not read as "y"."""
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


# A message that starts with a yes ("yes", "yep, that one") or a no ("no", "nope, the other").
STARTS_YES = re.compile(rf"^\W*(?:{alternation(YES)})\b", re.I)
STARTS_NO = re.compile(rf"^\W*(?:{alternation(NO)})\b", re.I)
