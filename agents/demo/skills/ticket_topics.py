"""What a request says the tickets it asks for are about ("open tickets about 502 errors",
"any open SSO tickets?"), matched with the words of the tickets' subjects."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.paging import every
from ringmaster.stop_words import ENGLISH_STOP_WORDS
from ringmaster.tools.base import ToolBox

# Words a question about one ticket uses whatever the ticket is about.
ANY_TICKET = {"ticket", "open", "pending", "closed", "still", "status", "the", "one"}
# What a listing is said to be about: "open tickets about 502 errors", "regarding invoices".
_ABOUT = re.compile(
    r"\b(?:about|regarding|concerning|mentioning|related to|to do with)\s+(?P<topic>[^?.!;]+)",
    re.IGNORECASE,
)
# Words a request for a listing uses whatever its tickets are about.
_LISTING_WORDS = ANY_TICKET | {
    "tickets", "customer", "customers", "list", "newest", "latest", "recent", "most", "tix",
    "tkt", "case", "cases", "pull", "currently", "right", "now", "anyone", "everyone", "people",
}  # fmt: skip


# The words right before "tickets" ("any open SSO tickets", "Olivia's dashboard tickets").
_BEFORE_TICKETS = re.compile(r"((?:[\w'’-]+\s+){1,4})(?:tickets?|tix|tkts?|cases?)\b", re.I)


def _qualifiers(text: str, skip: Collection[str]) -> str:
    """The words that qualify "tickets" in `text`: back from it past the words any listing
    uses ("open", "recent"), up to a function word, a possessive or a name in `skip`."""
    said: list[str] = []
    for m in _BEFORE_TICKETS.finditer(_one_word(text)):
        words: list[str] = []
        for w in reversed(m.group(1).split()):
            if w.lower() in _LISTING_WORDS:
                continue
            if w.lower() in skip or re.search(r"['’]s?$", w):
                break
            words.insert(0, w)
        said += words
    return " ".join(said)


@dataclass(frozen=True)
class Topic:
    """What a request for a listing says its tickets are about: the stems of its describing
    words, and those words as it wrote them."""

    stems: frozenset[str]
    said: str
    # Every ticket, when `of` read them all to check the words against their subjects (None
    # when it read none): a listing takes its tickets from these rather than read them again.
    read: tuple[dict[str, Any], ...] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, text: str, tools: ToolBox, but: Collection[str] = ()) -> Topic | None:
        """The words after "about" ("about 502 errors"); else the words that say which
        tickets ("any open SSO tickets?") when some ticket's subject uses them; None when it
        has neither. Words elsewhere in the request ("… open tickets? sorry if wrong place")
        describe no ticket."""
        skip = ENGLISH_STOP_WORDS | _LISTING_WORDS | {w.lower() for w in but}
        about = _ABOUT.search(text)
        if about and (found := stems(about.group("topic"), skip)):
            return cls(frozenset(found), repr(about.group("topic").strip()))
        said = _qualifiers(p.TICKET_ID.sub(" ", p.CUSTOMER_ID.sub(" ", text)), skip)
        if not (found := stems(said, skip)):
            return None
        tickets = tuple(every(tools, "list_tickets"))
        found &= set().union(*(stems(t["subject"], ENGLISH_STOP_WORDS) for t in tickets))
        if not found:
            return None
        written = [w for w in re.findall(r"[A-Za-z0-9]+", text) if stems(w, ()) & found]
        return cls(frozenset(found), repr(" ".join(dict.fromkeys(written))), tickets)

    def pick(self, tickets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The tickets whose subjects share the most of the words, when any shares one."""
        shared = {
            t["id"]: len(self.stems & stems(t["subject"], ENGLISH_STOP_WORDS)) for t in tickets
        }
        best = max(shared.values(), default=0)
        return [t for t in tickets if best and shared[t["id"]] == best]


def stems(text: str, but: Collection[str]) -> set[str]:
    """The words of three letters or more of `text`, not those in `but`, without the endings
    that inflect them ("charged", "charges" and "charge" are one)."""
    words = set(re.findall(r"[a-z0-9]{3,}", _one_word(text).lower())) - set(but)
    return {re.sub(r"(?<=\w{4})(?:ing|ed|es|s|e)$", "", w) for w in words}


def _one_word(text: str) -> str:
    """`text` with "log in", "sign-in" and "login" one word: "login tickets" are "Cannot log in
    ..." too."""
    return re.sub(r"\b(?:log(?:ging)?|sign(?:ing)?)[\s-]?(?:in|on)\b", "login", text, flags=re.I)
