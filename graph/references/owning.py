"""A pronoun that owns records of a kind ("does it have any open tickets?", "its invoices",
"what tickets has it got?") is never a record of that kind: a ticket has no tickets. After
"who is customer CUS-1004?", whose answer listed TCK-1008, "does it have any open tickets?"
is the customer's, not TCK-1008's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ringmaster.graph.references.patterns import nouns_pattern
from ringmaster.graph.references.thread import _Thread

# Where the pronoun's clause ends; what it owns is said before that: "does it have any open
# tickets, and close TCK-1001" owns tickets; "close it, and list CUS-1004's tickets" does not.
_CLAUSE_END = re.compile(r"[?.!;,]")
_HAVE = r"(?:has|have|had|got|owns?|owes?|holds?)"


def owned_kinds(text: str, spans: Sequence[re.Match[str]], thread: _Thread) -> set[str]:
    """The record kinds one of the pronouns of `spans` is the owner of in `text`: "its
    <words> invoices", "it has/have … tickets", "what tickets does it have"."""
    kinds: set[str] = set()
    for kind in thread.kinds:
        if kind.person or not kind.nouns:
            continue
        noun = rf"{nouns_pattern(kind.nouns)}s?\b"
        for m in spans:
            word = m.group(0).lower()
            after = _CLAUSE_END.split(text[m.end() :], maxsplit=1)[0]
            before = text[: m.start()]
            if word == "its":
                # "its latest invoices"
                owns = re.match(rf"(?:\s+[\w-]+){{0,3}}?\s+{noun}", after, re.I) is not None
            else:
                # "does it have any open tickets", "what tickets has it got"
                has = re.match(rf"\s+(?:\w+\s+)?{_HAVE}\b", after, re.I)
                owns = has is not None and (
                    re.match(rf"(?:\s+[\w-]+){{0,4}}?\s+{noun}", after[has.end() :], re.I)
                    is not None
                    or re.search(rf"\b{noun}\s+(?:does|do|did|has|had)\s+$", before, re.I)
                    is not None
                )
            if owns:
                kinds.add(kind.name)
    return kinds
