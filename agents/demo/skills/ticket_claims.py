"""What a ticket's record says against the words of an email about it: the status the words
give it ("closed") and whose ticket it is. Support reads it when an email is asked of it;
content holds an email for a person with it. send_email's approval rule reads the same check
(ringmaster/tools/demo/claims.py) for any email, whoever wrote it. A record only shows words
false, never true."""

from __future__ import annotations

from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.tools.demo.claims import ticket_against


def against(ticket: dict[str, Any], said: str, request: str) -> list[str]:
    """Where `ticket`'s record differs from `said` (the email's words) or from the customers
    the request sends it to; empty when nothing differs."""
    return ticket_against(ticket, said, p.ids(p.CUSTOMER_ID, request))
