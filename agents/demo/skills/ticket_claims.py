"""What a ticket's record says against the words of an email about it: the status the words
give it ("closed") and whose ticket it is. Support reads it when an email is asked of it;
content holds an email for a person with it. A record only shows words false, never true."""

from __future__ import annotations

import re
from typing import Any

from ringmaster.agents.demo.skills import parsing as p

# What the words may say a ticket is, by the status they would mean.
_SAYS_STATUS = {
    "open": r"\b(?:open|opened|re-?opened)\b",
    "closed": r"\b(?:closed|resolved|fixed|solved|done)\b",
    "pending": r"\bpending\b",
}


def against(ticket: dict[str, Any], said: str, request: str) -> list[str]:
    """Where `ticket`'s record differs from `said` (the email's words) or from the customers
    the request sends it to; empty when nothing differs."""
    tid, status, owner = ticket["id"], ticket["status"], ticket["customer_id"]
    found = []
    claimed = [
        m.group(0)
        for meant, pattern in _SAYS_STATUS.items()
        if meant != status and (m := re.search(pattern, said, flags=re.IGNORECASE))
    ]
    if claimed:
        found.append(f"{tid} is {status}, not {claimed[0]} as the email would say")
    others = [c for c in p.ids(p.CUSTOMER_ID, request) if c != owner]
    if others:
        found.append(f"{tid} is {owner}'s ticket, not {others[0]}'s")
    return found
