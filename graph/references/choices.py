"""A group the request narrows: "refund one of them" leaves the choice open, so it is asked;
"close them all except the seats one" acts on the group without the record it excepts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ringmaster.graph.references.entities import Resolved, _question, entity_ids
from ringmaster.graph.references.implied import Act
from ringmaster.graph.references.patterns import _asks
from ringmaster.graph.references.thread import _Thread
from ringmaster.graph.references.unbound import acted_kinds

# The user leaves the pick open: "one of them", "either one", "any of those".
OPEN_CHOICE = re.compile(
    r"\b(?:(?:one|any|either|some)\s+of\s+(?:them|those|these|the two|both)|either\s+one"
    r"|any\s+one\s+of\s+(?:them|those|these))\b",
    re.I,
)
# "… except TCK-1145", "all but INV-1102", "other than CUS-1003": a record left out.
_EXCEPT = re.compile(
    r"\s*,?\s*\b(?:all\s+)?(?:except(?:\s+for)?|but\s+not|but|other\s+than|apart\s+from|"
    r"save\s+for)\s+(?P<id>[A-Z]+-\d+)\b",
    re.I,
)


def open_choice(request: str, out: Resolved, thread: _Thread, acts: Sequence[Act]) -> Resolved:
    """`out`, or, when a side effect is asked of "one of them", a question among the records
    it leaves open (those its plural stands for, or the thread's latest records when it stood
    for a person). A question ("is either of them paid?") asks about them all."""
    said = OPEN_CHOICE.search(request)
    if said is None or out.question:
        return out
    # "either of them" reads as both in a question; asked of anything else ("give either of
    # them a credit"), it leaves the pick open whether or not its act words were read.
    either = said[0].lower().startswith("either") and not _asks(request)
    if not either and not acted_kinds(request, thread, acts):
        return out
    kinds = thread.by_name
    records = list(
        dict.fromkeys(
            r.entity for r in out.resolutions if r.kind in kinds and not kinds[r.kind].person
        )
    )
    if len(records) < 2:  # "give either of them a credit" after two customers: the two
        records = list(dict.fromkeys(r.entity for r in out.resolutions if r.kind in kinds))
    if len(records) < 2:
        latest = thread.latest_mentioned()
        records = list(dict.fromkeys(e for _, e in latest[0])) if latest else []
    if len(records) < 2:
        return out
    kind = kinds.get(thread.kind_of(records[0]) or "")
    same = [e for e in records if thread.kind_of(e) == (kind.name if kind else None)]
    options = same if len(same) >= 2 else records
    return Resolved(request, [], _question(kind if len(same) >= 2 else None, options))


def without_excepted(out: Resolved, thread: _Thread, acts: Sequence[Act]) -> Resolved:
    """`out` with a record the request excepts taken out of the group it acts on: "close
    TCK-1019 and TCK-1133 and TCK-1145 all except TCK-1145" is "close TCK-1019 and TCK-1133".
    When the excepted record is the only one the request names ("close all of them but
    TCK-1133") and the group is not spelled out, a side effect is asked, never run on it."""
    found = _EXCEPT.search(out.text)
    if found is None or out.question:
        return out
    left_out = found.group("id").upper()
    before = out.text[: found.start()]
    group = re.search(r"((?:[A-Z]+-\d+\s+and\s+)+[A-Z]+-\d+)(?:\s+all)?\s*$", before)
    if group is None or left_out not in group.group(1).split():
        named = {e for _, e in entity_ids(thread.kinds, out.text)}
        if named == {left_out} and acted_kinds(out.text, thread, acts):
            kind = thread.by_name.get(thread.kind_of(left_out) or "")
            noun = kind.nouns[0] if kind and kind.nouns else "record"
            return Resolved(out.text, [], f"Which {noun}s do you mean, besides {left_out}?")
        return out
    kept = [e for e in group.group(1).split() if e not in {"and", left_out}]
    if not kept or not all(entity_ids(thread.kinds, e) for e in kept):
        return out
    text = before[: group.start()] + " and ".join(kept) + out.text[found.end() :]
    # The excepted record is still what "the seats one" referred to, but it is no longer
    # among the records the plural stands for.
    plural = {r.phrase for r in out.resolutions if r.entity in kept}
    resolutions = [r for r in out.resolutions if not (r.entity == left_out and r.phrase in plural)]
    return Resolved(text, resolutions, answers=out.answers, dropped=out.dropped)
