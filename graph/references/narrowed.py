"""'Close them' right after a turn about one of several records looked up together: asked.

"pull up TCK-1003, TCK-1008 and TCK-1043", "what's the status of TCK-1003?", "close them":
the verb is one the team does to tickets, never to the person who owns them, so "them" is no
customer; and the turn before narrowed to one of the tickets, so whether "them" is every one
looked up, or which, is not said. A side effect on a guess is never made: it is asked.
"""

from __future__ import annotations

import re

from ringmaster.graph.references.entities import _question
from ringmaster.graph.references.thread import _Thread

# The word right before the pronoun, its verb ("close them"): asked only when the team does that
# verb to records of one kind and never to people ("email them" is people).
_OBJECT_VERB = re.compile(r"([a-z]+)\s+$", re.I)


def narrowed_them(text: str, spans: list[re.Match[str]], thread: _Thread) -> str | None:
    """The question "close them" (each plural pronoun in `spans` the object of a verb the
    team does only to records of one kind) asks when the newest turn that named a record
    named one of that kind, and the turns just before named others of it; else None."""
    latest = thread.latest_named_any()
    if latest is None:
        return None
    things = list(dict.fromkeys((k, e) for k, e in latest[0] if not thread.by_name[k].person))
    if len(things) != 1 or len(things) != len(latest[0]):
        return None
    kind = things[0][0]
    verbs = {w for a in thread.acts if a.kind == kind for w in a.words}
    people = {k.name for k in thread.kinds if k.person}
    verbs -= {w for a in thread.acts if a.kind in people for w in a.words}
    for m in spans:
        verb = _OBJECT_VERB.search(text[: m.start()])
        if (
            m.group(0).lower() not in {"them", "em"}
            or not verb
            or verb.group(1).lower() not in verbs
        ):
            return None
    gathered = thread.gather(kind)
    if gathered is None or len(gathered[0]) < 2:
        return None
    return _question(thread.by_name[kind], gathered[0])
