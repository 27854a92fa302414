"""One pass that rewrites a request's references to ids, in order: noun phrases ("that
ticket"), owners, "the other one", descriptions, pronouns, plurals and a person's records;
or the question to ask when one of them is ambiguous.
"""

from __future__ import annotations

import re

from ringmaster.graph.references.descriptions import (
    _consumed,
    _described,
    _mended,
    _other,
    _owner_phrases,
    _weak_refers,
)
from ringmaster.graph.references.entities import Resolution, Resolved, _question
from ringmaster.graph.references.owned import _mine, _owned, owned_in_play
from ringmaster.graph.references.patterns import _ASKS_WHO, _PLURAL
from ringmaster.graph.references.pronouns import _pronoun
from ringmaster.graph.references.thread import _Thread


def _rewrite(request: str, explicit: list[tuple[str, str]], thread: _Thread) -> Resolved:
    text, resolutions = request, list[Resolution]()
    asks_who = bool(_ASKS_WHO.search(request))
    # "there account": the common slip for "their" before a record's noun.
    text = _mended(text, thread.kinds)
    # "my ticket" from a customer who said who they are: that customer's.
    text, resolutions = _mine(text, thread)
    for kind in thread.kinds:
        nouns = [re.escape(n) for n in kind.nouns]
        if not nouns:
            continue
        noun = "(?:" + "|".join(nouns) + ")s?"
        strong = rf"\b(?:that|this|the same|same|said|those|these)\s+{noun}\b"
        # Not "the customer CUS-1002" or "the ticket #1005" (an id follows), but "credit the
        # customer $10" is a reference.
        weak = rf"\bthe\s+{noun}\b(?!\s+(?:on|of|for|behind|from|who)\s+\w)(?!\s+[#\w-]*\d)"
        # "the customer" beside an explicit id is that record's customer, not an old one.
        for pattern in [strong] if explicit else [strong, weak]:
            for match in list(re.finditer(pattern, text, re.I)):
                phrase = match.group(0)
                if kind.person and asks_who and pattern == weak:
                    continue  # "who is the customer?" asks for it: the record is the reference
                if pattern == weak and not _weak_refers(text, match):
                    continue
                # "the customer" after "… CUS-1011?", "and CUS-1012?": either; "that customer"
                # points at the one just named.
                found = thread.find(kind.name, echo=pattern == weak)
                if found is None and not kind.person:
                    # "close the ticket" after "look up CUS-1024": one of that customer's.
                    found = owned_in_play(thread, kind)
                if found is None:
                    continue
                options, turn = found
                plural = phrase.lower().split()[0] in {"those", "these"} or phrase.endswith("s")
                if plural and len(options) < 2:
                    options, turn = thread.gather(kind.name) or (options, turn)
                if len(options) > 1 and not plural:
                    chosen = thread.pick(text, options)
                    if len(chosen) != 1:
                        return Resolved(request, resolutions, _question(kind, options))
                    options = chosen
                text = text.replace(phrase, " and ".join(options), 1)
                resolutions += [Resolution(phrase, e, kind.name, turn) for e in options]
    out = _owner_phrases(text, thread)
    if isinstance(out, str):
        return Resolved(request, resolutions, out)
    text, resolutions = out[0], _consumed(resolutions, out[1], thread)
    other = _other(text, resolutions, thread)
    if isinstance(other, str):
        return Resolved(request, resolutions, other)
    text, resolutions = other
    out = _described(text, thread)
    if isinstance(out, str):
        return Resolved(request, resolutions, out)
    text, resolutions = out[0], resolutions + out[1]
    by_name = thread.by_name

    def settled(person: bool) -> bool:
        ids = [k for k, _ in explicit] + [r.kind for r in resolutions]
        return any(by_name[k].person == person for k in ids if k in by_name)

    if not settled(person=False) and not _PLURAL.search(text):
        out = _pronoun(text, thread, person=False)
        if isinstance(out, str):
            return Resolved(request, resolutions, out)
        text, resolutions = out[0], resolutions + out[1]
    if not settled(person=True):
        out = _pronoun(text, thread, person=not asks_who)
        if isinstance(out, str):
            return Resolved(request, resolutions, out)
        text, resolutions = out[0], resolutions + out[1]
    both = _PLURAL.search(text)
    if not explicit and not resolutions and both:
        # "close both": every record the latest turn named.
        latest = thread.plural_records()
        if latest:
            named, turn = latest
            joined = " and ".join(dict.fromkeys(e for _, e in named))
            text = text[: both.start()] + joined + text[both.end() :]
            resolutions += [Resolution(both.group(0), e, k, turn) for k, e in named]
    owned = _owned(text, resolutions, thread)
    if isinstance(owned, str):
        return Resolved(request, resolutions, owned)
    text, resolutions = owned
    if resolutions:
        # "the customer on it": "it" is now an id, and the phrase denotes that record's owner.
        out = _owner_phrases(text, thread)
        if not isinstance(out, str) and out[1]:
            text, resolutions = out[0], _consumed(resolutions, out[1], thread)
    if asks_who and not resolutions and not explicit:
        # "who's the customer?" after a ticket: the customer on that ticket.
        latest = thread.latest_named(person=False)
        if latest and len({e for _, e in latest[0]}) == 1:
            kind_name, entity = latest[0][0]
            text = f"{text.rstrip(' ?.')} on {entity}?"
            resolutions.append(Resolution("(implied)", entity, kind_name, latest[1]))
    return Resolved(text, resolutions)
