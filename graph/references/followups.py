"""Follow-ups that stand for an earlier request: a reply to the question the last turn
asked ("the SAML one", "both", "TCK-1002"), and a repeat or ellipsis for another record
("do that for CUS-1002 too", "and INV-1003?", "sorry, I meant INV-1012").
"""

from __future__ import annotations

import re

from ringmaster.graph.references.entities import Resolution, Resolved, _ids, _strip_ids
from ringmaster.graph.references.patterns import (
    _CORRECTION,
    _ELLIPSIS,
    _ELLIPSIS_MAX_WORDS,
    _REPEAT,
    _REPEAT_MAX_WORDS,
    _own_words,
)
from ringmaster.graph.references.rewrite import _rewrite
from ringmaster.graph.references.thread import _Thread

# What, in the request a question was about, stands for the records the reply picks.
_STANDS_FOR_PICKED = re.compile(r"\b(it|them|that one)\b", re.I)


def _reply(request: str, explicit: list[tuple[str, str]], thread: _Thread) -> Resolved | None:
    """An answer to the question the last turn asked: its request, run with the record picked."""
    pending = thread.pending_question()
    if pending is None:
        return None
    asked, options, turn = pending
    option_ids = [e for _, e in options]
    chosen = [e for _, e in explicit if e in option_ids]
    kinds = {k for k, _ in options}
    bare = not re.sub(r"[\W_]+", "", _strip_ids(request, thread.kinds))
    if not chosen and explicit and (bare or _CORRECTION.search(request)):
        # "sorry, I meant TCK-1003", "TCK-1003": a record that was not among the options.
        chosen = [e for k, e in explicit if k in kinds]
    if not chosen and not explicit and len(request.split()) <= 8:
        chosen = thread.pick(request, option_ids)
    if not chosen:
        return None
    if len(chosen) > 1 and _STANDS_FOR_PICKED.search(asked):
        # "both": the asked request's first "it" stands for every record picked; a later one
        # is the request's own wording ("add a note to it saying it is fixed").
        text = _STANDS_FOR_PICKED.sub(" and ".join(chosen), asked, count=1)
        kind_of = {e: k for k, e in options}
        picks = [Resolution(request, e, kind_of.get(e, ""), turn) for e in chosen]
        return Resolved(text, picks, answers=turn)
    earlier = list(thread.history[:-1])
    picked = {
        "turn": turn,
        "request": asked,
        "picked": True,  # the record the reply picked: nothing stands beside it
        "entities": {
            "named": [[k, e] for k, e in options if e in chosen]
            or [[thread.kind_of(e) or "", e] for e in chosen]
        },
    }
    again = _rewrite(
        asked, _ids(thread.kinds, asked), _Thread([*earlier, picked], thread.kinds, thread.lookup)
    )
    if again.question or not again.resolutions:
        # The question's request had no reference to put the pick into: name it.
        text = f"{asked} ({', '.join(chosen)})"
        return Resolved(
            text,
            [Resolution(request, e, thread.kind_of(e) or "", turn) for e in chosen],
            answers=turn,
        )
    resolutions = [Resolution(request, r.entity, r.kind, turn) for r in again.resolutions]
    return Resolved(again.text, resolutions, answers=turn)


def _repeat(request: str, explicit: list[tuple[str, str]], thread: _Thread) -> Resolved | None:
    """ "Do that for CUS-1002 too", "and INV-1003?": the last request about that kind, new id."""
    words = len(request.split())
    if len(explicit) == 2 and explicit[0][0] == explicit[1][0]:
        # "sorry, INV-1052 not INV-1005": the one that is not the mistake.
        wrong = re.search(r"\b(?:not|instead of|rather than)\s+([A-Z]+-\d+)", request, re.I)
        if wrong:
            explicit = [p for p in explicit if p[1].upper() != wrong.group(1).upper()]
    if len(explicit) != 1 or words > _REPEAT_MAX_WORDS:
        return None
    if not (_REPEAT.search(request) or _CORRECTION.search(request)) and not (
        _ELLIPSIS.search(request) and words <= _ELLIPSIS_MAX_WORDS
    ):
        return None
    kind, new_id = explicit[0]
    # Only the id's own nouns are filler ("and invoice INV-1003?"): "and CUS-1032's tickets?"
    # asks for other records, as "also close TCK-1005" asks for something itself.
    nouns = {n.lower() for k in thread.kinds if k.name == kind for n in k.nouns}
    if {w for w in _own_words(_strip_ids(request, thread.kinds)) if w.rstrip("s") not in nouns}:
        return None
    for turn in reversed(thread.history):
        named = [e for k, e in (turn.get("entities") or {}).get("named", []) if k == kind]
        if named and new_id not in named:
            earlier = str(turn["request"])
            for old in set(named):
                earlier = earlier.replace(old, new_id)
            if new_id not in earlier:
                return None  # the id came from a result, not the words: nothing to swap
            return Resolved(earlier, [Resolution(request, new_id, kind, int(turn["turn"]))])
    return None


# A follow-up that is a bare question word: "why?", "how come?", "since when?".
_BARE_QUESTION = re.compile(
    r"^\W*(?:and|but|ok|okay|so)?\W*(why|why not|how come|since when|how so|when|where|how)"
    r"\W*(?:exactly|though|then)?\W*$",
    re.I,
)


def _bare(request: str, explicit: list[tuple[str, str]], thread: _Thread) -> Resolved | None:
    """ "Why?" after "is CUS-1008 suspended?": a question about what the last turn asked,
    so it is asked with that request, about that turn's records."""
    if explicit or not _BARE_QUESTION.match(request) or not thread.history:
        return None
    last = thread.history[-1]
    named = [(k, e) for k, e in (last.get("entities") or {}).get("named", [])]
    if not named:
        return None
    earlier = str(last.get("request") or "").strip()
    number = int(last.get("turn", 0))
    text = f"{earlier} {request.strip()}"
    return Resolved(text, [Resolution(request.strip(), e, k, number) for k, e in named])


def _ellipsis_after(request: str, out: Resolved, thread: _Thread) -> Resolved:
    """ "and the latency alert?" became "and ALT-1042?", "no, I meant the other one" became
    "no, I meant TCK-1126": an ellipsis or a repeat for another record, so the last request
    about that kind is repeated for it, as "and ALT-1042?" would be."""
    if out.question or len(out.resolutions) != 1 or len(request.split()) > _REPEAT_MAX_WORDS:
        return out
    # "do the same for the other one", "no, I meant the other one" are repeats too.
    if not (_ELLIPSIS.search(request) or _REPEAT.search(request) or _CORRECTION.search(request)):
        return out
    again = _repeat(out.text, _ids(thread.kinds, out.text), thread)
    if again is None:
        return out
    return Resolved(again.text, out.resolutions)
