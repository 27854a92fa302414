"""A reading the resolver guessed never drives a side effect unconfirmed.

Some readings are guesses (`Resolution.guessed`): an id mended from a slip ("INV-101" for the
INV-1001 in play), a record picked by words that fit another in play too. A read-only request
may use the guess, and its answer says what was read ("INV-101 read as INV-1001"). Any other
request — one with a side effect (an act of the team's tools, a message to a person), or one
that is not plainly a look-up ("move TCK-1510 back to open" says no tool's words) — is asked:
one line naming each guess with what it is ("Did you mean INV-1001 (99.00, March)? Reply yes
or name the invoice."), which the next turn answers with "yes" or the record meant
(`followups._reply`). This holds by how a reference was read and whether the request acts,
whatever its words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ringmaster.graph.references.entities import Resolved, confirm_question
from ringmaster.graph.references.implied import Act
from ringmaster.graph.references.patterns import _ASKING
from ringmaster.graph.references.thread import _Thread
from ringmaster.graph.references.unbound import _MESSAGES, acted_kinds


def acts_on_anything(text: str, thread: _Thread, acts: Sequence[Act]) -> bool:
    """True when `text` asks for a side effect: an act of the team's, or a message to a
    person."""
    return bool(acted_kinds(text, thread, acts)) or _MESSAGES.search(text) is not None


# A look-up: "show me …", "check …", "pull up …", "how much was …", "… ?".
_LOOKS_UP = re.compile(
    r"^\W*(?:(?:can|could|would) you\s+|please\s+)?(?:show|check|look|pull|find|get|list|see"
    r"|tell me|give me the|remind me|how)\b",
    re.I,
)


def read_only(text: str, thread: _Thread, acts: Sequence[Act]) -> bool:
    """True when `text` plainly only reads: a question or a look-up, with no side effect."""
    if acts_on_anything(text, thread, acts):
        return False
    asks = _ASKING.match(text) or _LOOKS_UP.match(text) or text.rstrip().endswith("?")
    return bool(asks)


def confirming(request: str, out: Resolved, thread: _Thread, acts: Sequence[Act]) -> Resolved:
    """`out`, or, when it acts on a guessed reading, the question that asks to confirm it (the
    guesses stay in `resolutions`, marked, for the rationale and the audit trail)."""
    guesses = [r for r in out.resolutions if r.guessed]
    if out.question or not guesses:
        return out
    if read_only(request, thread, acts) and read_only(out.text, thread, acts):
        return out
    named = dict.fromkeys((r.kind, r.entity) for r in guesses)
    question = confirm_question(
        [(thread.by_name.get(kind), entity, thread.facts(entity)) for kind, entity in named]
    )
    return Resolved(request, out.resolutions, question, dropped=out.dropped)
