"""What an email to a customer states that the records do not bear out (money, a record's state,
a commitment), each a reason a person reads it before it is sent."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills import ticket_claims
from ringmaster.agents.demo.skills.content_facts import OPEN, RESOLVED, still_open
from ringmaster.tools.base import ToolBox
from ringmaster.tools.demo.records import ANY_ID
from ringmaster.tools.errors import ToolError
from ringmaster.tools.redaction import REDACTED

# What a message to a customer may state only when the records say it: money, the state of a
# record, or a commitment made in the company's name.
_MONEY = (
    r"[$€£]\s?\d|\b\d[\d,.]*\s*(?:dollars?|usd|eur|euros?|gbp|pounds?|bucks)\b|"
    r"\b(?:refund\w*|credit\w*|charg\w*|paid|payment|reimburs\w*|compensat\w*|waiv\w*|"
    r"discount\w*|free|invoice\w*)\b"
)
_RECORD = (
    r"\b(?:INV|TCK|INC|DEP|MSG)-\d+|\b(?:fixed|resolved|corrected|closed|issued|"
    r"processed|deployed|cancell?ed|deleted|erased|restored|shipped|approved|upgraded|"
    r"downgraded|due|overdue|expir\w*|renew\w*|suspend\w*|unpaid|outstanding|balance|sent|"
    r"done|completed|finished|released|merged|live)\b|\bwent out\b|\bgone out\b|"
    r"\bworks? again\b|\bis over\b|\bback (?:up|online|to normal)\b"
)
_COMMITMENT = (
    r"\b(?:will|we'll|shall|going to|promise\w*|guarantee\w*|commit\w*)\b|"
    r"\bby (?:tomorrow|monday|tuesday|wednesday|thursday|friday|the end)\b|\bwithin \d+"
)


def unsupported(message: str, handed: list[str], facts: list[str]) -> list[str]:
    """What `message` states about money, a record or a commitment that `handed` (what the
    subtasks before this one did or found) does not bear out, or that `facts` (those and the
    live look-ups) contradict, each as a reason a person must read it first. A look-up of how
    things stand now confirms no claim of what was done; it can only show one false."""
    known = " ".join(handed)
    doubts = []
    if REDACTED in message:  # the request carried a secret, taken out at intake
        doubts.append(f"the email would tell the customer '{REDACTED}' where the request had a "
                      "secret, which was taken out")  # fmt: skip
    # A record's id names it; its digits are no amount ("INV-1007 was refunded" states none).
    amounts = re.findall(r"\d+(?:[.,]\d+)?", ANY_ID.sub(" ", message))
    if p.has(message, _MONEY):
        missing = [a for a in amounts if not _amount_in(a, known)]
        if missing or not p.has(known, r"\bUSD\b|\brefund|\bcredit"):
            what = f" ({', '.join(missing)})" if missing else ""
            doubts.append(f"the email states an amount of money or a payment{what} that no "
                          "record handed over supports")  # fmt: skip
    if p.has(message, _RECORD):
        # A customer's id names who it is to or about; it states nothing by itself.
        ids = re.findall(r"\b(?:INV|TCK|INC|DEP|MSG)-\d+", message, flags=re.IGNORECASE)
        named = [i for i in ids if i.upper() not in known.upper()]
        if named or not known:
            what = f" ({', '.join(i.upper() for i in named)})" if named else ""
            doubts.append(f"the email states what happened to a record{what} that no record "
                          "handed over supports")  # fmt: skip
        if p.has(message, RESOLVED + r"|\bis over\b|\bworks? again\b|\bback (?:up|online)\b"):
            if p.has(" ".join(facts), OPEN):
                doubts.append(f"the email says it is resolved, but {still_open(facts)}")
    if p.has(message, _COMMITMENT):
        m = re.search(_COMMITMENT, message, flags=re.IGNORECASE)
        said = m.group(0) if m else ""
        doubts.append(f"the email makes a commitment in the company's name ('{said}') that no "
                      "record supports")  # fmt: skip
    return [f"{d}: '{p.short(message, 80)}'" for d in doubts]


def against_tickets(said: str, request: str, tools: ToolBox) -> list[str]:
    """Where the records of the tickets the email's words name differ from them ("TCK-1001 is
    open, not closed as the email would say"), for the person who checks it."""
    found = []
    for tid in p.ids(p.TICKET_ID, said):
        try:
            ticket = tools.call("get_ticket", ticket_id=tid)
        except ToolError:
            continue  # no such ticket, or the requester's scopes do not reach tickets
        found += ticket_claims.against(ticket, said, request)
    return found


def _amount_in(amount: str, known: str) -> bool:
    try:
        value = Decimal(amount.replace(",", ""))
    except InvalidOperation:
        return False
    return any(Decimal(n) == value for n in re.findall(r"\d+(?:\.\d+)?", known))
