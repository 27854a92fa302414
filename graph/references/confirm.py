"""A reading the resolver guessed never drives a side effect unconfirmed.

Some readings are guesses (`Resolution.guessed`): an id mended from a slip ("INV-101" for the
INV-1001 in play), a record picked by words that fit another in play too. A read-only request
may use the guess, and its answer says what was read ("INV-101 read as INV-1001"). Any other
request — one with a side effect (an act of the team's tools, a message to a person), or one
that is not plainly a look-up ("move TCK-1510 back to open" says no tool's words) — is asked:
one line naming each guess with what it is ("Did you mean INV-1001 (99.00, March)? Reply yes
or name the invoice."), which the next turn answers with "yes" or the record meant
(`followups._reply`), or with a bare "no": then nothing runs, the confirmation is answered, and
the turn asks which record was meant ("Not INV-1001, so nothing was done. Which invoice did you
mean?"), which the record named next answers. This holds by how a reference was read and
whether the request acts, whatever its words.

A real record typed is taken as typed. A record one number on from one the thread named
("refund INV-1005 …" after INV-1004, "close TCK-1003" after TCK-1008) is the next of a run of
records worked through, not a slip. One kind of id typed right is still read as a possible
slip: a real record the thread never named whose digits are exactly one record's it did with
two adjacent ones swapped ("add a note to TCK-1143: …" after TCK-1134, "credit CUS-1072" after
CUS-1027), the commonest slip in typing a number. Read-only work reads it as typed; a side
effect on it is asked the same way ("Did you mean TCK-1134 …?"), unless the request says it
means another record ("refund INV-1189 too", "repeat for TCK-1010") or its words describe the
record typed ("Olivia Garcia, CUS-1032"). Such a guess is only ever asked about: the review
queue never holds the turn for the record guessed (`ringmaster/turn_order.py`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ringmaster.graph.references.asked import pending_question, unnamed_question
from ringmaster.graph.references.entities import (
    Resolution,
    Resolved,
    confirm_question,
    entity_ids,
    strip_ids,
)
from ringmaster.graph.references.implied import Act
from ringmaster.graph.references.mistyped import in_thread, swapped
from ringmaster.graph.references.patterns import _ASKING, _REPEAT, LOOKS_UP, _describing_words
from ringmaster.graph.references.thread import _Thread
from ringmaster.graph.references.unbound import _MESSAGES, acted_kinds


def acts_on_anything(text: str, thread: _Thread, acts: Sequence[Act]) -> bool:
    """True when `text` asks for a side effect: an act of the team's, or a message to a
    person."""
    return bool(acted_kinds(text, thread, acts)) or _MESSAGES.search(text) is not None


def read_only(text: str, thread: _Thread, acts: Sequence[Act]) -> bool:
    """True when `text` plainly only reads: a question or a look-up, with no side effect."""
    if acts_on_anything(text, thread, acts):
        return False
    asks = _ASKING.match(text) or LOOKS_UP.match(text) or text.rstrip().endswith("?")
    return bool(asks)


# The request means a record besides the one in play: "too", "also", "another", "instead".
_ANOTHER = re.compile(
    r"\b(?:too|also|as well|another|other|next|instead|rather than|not|except|same for)\b", re.I
)


# "and TCK-1144 whose is that": a record put beside the one in play, opening the request.
_BESIDE_OPENING = re.compile(r"^\W*(?:and|or|what about|how about|now)\s+#?[A-Za-z]+-?\d", re.I)


def near_ids(request: str, thread: _Thread) -> list[Resolution]:
    """Real records the request names that the thread never did, each the digits of exactly
    one record of its kind the thread named or touched with two adjacent ones swapped: that
    record, as a guess."""
    if thread.lookup is None or _ANOTHER.search(request) or _REPEAT.search(request):
        return []
    if _BESIDE_OPENING.match(request) or not re.sub(
        r"[\W_]+", "", strip_ids(request, thread.kinds)
    ):
        return []  # "CUS-1041?" typed alone after CUS-1040: that one, on purpose
    words = _describing_words(strip_ids(request, thread.kinds))
    found = []
    for kind, entity in entity_ids(thread.kinds, request):
        seen = in_thread(thread, kind)
        if entity in seen or thread.facts(entity) is None:
            continue
        if thread.fits(words, entity):
            continue  # "Olivia Garcia, CUS-1032": the words say the record typed is meant
        digits = re.sub(r"\D", "", entity)
        near = [
            e for e in seen if swapped(digits, re.sub(r"\D", "", e)) and thread.facts(e) is not None
        ]
        if len(near) == 1:
            turn = thread.turn_naming(near[0])
            found.append(Resolution(entity, near[0], kind, turn, guessed="near id"))
    return found


def confirming(request: str, out: Resolved, thread: _Thread, acts: Sequence[Act]) -> Resolved:
    """`out`, or, when it acts on a guessed reading, the question that asks to confirm it (the
    guesses stay in `resolutions`, marked, for the rationale and the audit trail)."""
    guesses = [r for r in out.resolutions if r.guessed]
    if out.question:
        return out
    if out.answers is None:
        guesses += near_ids(request, thread)
    if not guesses:
        return out
    # A reply ("the web one") is read as the request its question was about, as resolved.
    reads = out.answers is not None or read_only(request, thread, acts)
    if reads and read_only(out.text, thread, acts):
        return out
    named = dict.fromkeys((r.kind, r.entity) for r in guesses)
    question = confirm_question(
        [(thread.by_name.get(kind), entity, thread.facts(entity)) for kind, entity in named]
    )
    resolutions = [*out.resolutions, *(g for g in guesses if g not in out.resolutions)]
    # A reply's guess is confirmed for the request its question was about ("roll it back"),
    # which "yes" then runs with the record named.
    about = _answered(thread) if out.answers is not None else None
    return Resolved(about or request, resolutions, question, dropped=out.dropped)


def _answered(thread: _Thread) -> str | None:
    """The request of the question still open, which a reply answers."""
    pending = pending_question(thread.history) or unnamed_question(thread.history)
    return pending[0] if pending else None
