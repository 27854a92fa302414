"""Pronouns and plurals: "it", "that one", "they", "her account", "close them", "both" —
each replaced by the record (or every record) of the thread it stands for, with the verbs
next to a singular "they" made to agree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ringmaster.graph.planner.splitter import ENGLISH_STOP_WORDS
from ringmaster.graph.references.descriptions import _PAYLOAD
from ringmaster.graph.references.entities import Resolution, _question
from ringmaster.graph.references.owned import _person
from ringmaster.graph.references.patterns import (
    _ASKS_WHO,
    _DUMMY_IT,
    _EACH,
    _PLURAL,
    _PLURAL_PRONOUNS,
    _POSSESSIVE,
    _PRONOUN_PERSON,
)
from ringmaster.graph.references.thread import _Thread

_NEXT_CLAUSE = re.compile(r",\s*(?:and|then)\b|;|\.(?:\s|$)|\band then\b", re.I)


def _pronoun(text: str, thread: _Thread, person: bool) -> tuple[str, list[Resolution]] | str:
    """Pronouns → the one id of these kinds the latest turn named; a question if several."""
    # A bare "this" is a record only as an object ("mark this as urgent", "close this"),
    # never before a noun ("this week") or as a subject ("this is odd").
    this = r"(?<=\w )this(?=\s+(?:as|to|for|please|now|asap)\b|\s*[?.!]*\s*$)"
    pattern = _PRONOUN_PERSON if person else rf"\b(it|its|that one|this one)\b|{this}"
    if not person and _ASKS_WHO.search(text):
        pattern = r"\b(it|its|them|they)\b"  # "who is the customer on them?": the records
    dummy = {
        (d.start() + i.start(), d.start() + i.end())
        for d in _DUMMY_IT.finditer(text)
        for i in re.finditer(r"\b(it|them)\b", d.group(0), re.I)
    }
    spans = [m for m in re.finditer(pattern, text, re.I) if m.span() not in dummy]
    # The words of a note ("… saying we've asked her to try again") are written as asked,
    # up to where the next clause starts ("…, and close it").
    payload = _PAYLOAD.search(text)
    if payload is not None:
        end = _NEXT_CLAUSE.search(text, payload.end())
        note = (payload.start(), end.start() if end else len(text))
        spans = [m for m in spans if not note[0] <= m.start() < note[1]]
    # "all of them", "each of them": a group, resolved as one ("close both") further on.
    groups = [g.span() for g in _PLURAL.finditer(text)]
    spans = [m for m in spans if not any(a <= m.start() < b for a, b in groups)]
    if not spans:
        return text, []
    if person:
        plural = all(m.group(0).lower() in _PLURAL_PRONOUNS for m in spans)
        latest = thread.latest_named_any()
        if plural and latest and not any(thread.by_name[k].person for k, _ in latest[0]):
            if len({e for _, e in latest[0]}) > 1:
                return _plural_them(text, spans, thread)  # "close them" after two tickets
        found = _person(thread)
        if found is None:
            return _plural_them(text, spans, thread)
        entities, kind_name, turn = found
        if len(entities) > 1 and plural and _EACH.search(text):
            # "give them a credit each" after two customers: each of them. A bare "they" may
            # be one person (singular they), so without "each/both/all" it is asked.
            pairs = [(kind_name, e) for e in entities]
            return _substitute_all(text, spans, pairs, turn)
    else:
        latest = thread.latest_mentioned()
        if latest is None:
            return text, []
        named, turn = latest
        entities = list(dict.fromkeys(e for _, e in named))
        kinds = {k for k, _ in named}
        kind_name = named[0][0]
        if len(entities) > 1 and any(m.group(0).lower() in {"them", "they"} for m in spans):
            return _plural_them(text, spans, thread)
        if len(entities) > 1:
            kind = thread.by_name[kind_name] if len(kinds) == 1 else None
            return _question(kind, entities)
    if len(entities) > 1:
        return _question(thread.by_name[kind_name], entities)
    entity = entities[0]
    pieces, resolutions, at = [], [], 0
    for m in spans:
        word = m.group(0).lower()
        possessive = word in _POSSESSIVE or (word == "her" and _before_noun(text, m))
        pieces += [text[at : m.start()], f"{entity}'s" if possessive else entity]
        resolutions.append(Resolution(m.group(0), entity, kind_name, turn))
        at = m.end()
    out = "".join([*pieces, text[at:]])
    if any(m.group(0).lower() == "they" for m in spans):
        out = _singular(out, entity)
    return out, resolutions


# "they are" for one customer reads "CUS-1024 is": the verb agrees with the id put in.
_AGREE = {
    "are": "is",
    "were": "was",
    "have": "has",
    "do": "does",
    "don't": "doesn't",
    "aren't": "isn't",
    "weren't": "wasn't",
    "haven't": "hasn't",
}


def _singular(text: str, entity: str) -> str:
    """`text` with the verbs next to `entity` (which stood for "they") made singular."""
    verbs = "|".join(re.escape(v) for v in _AGREE)
    e = re.escape(entity)

    def swap(m: re.Match[str]) -> str:
        verb = m.group("verb")
        return m.group(0).replace(verb, _AGREE[verb.lower()], 1)

    text = re.sub(rf"\b(?P<verb>{verbs}) {e}\b", swap, text, flags=re.I)
    return re.sub(rf"\b{e} (?P<verb>{verbs})\b", swap, text, flags=re.I)


def _before_noun(text: str, m: re.Match[str]) -> bool:
    """True when a noun follows ("her account"), not a function word ("tell her that")."""
    nxt = re.match(r"\s+([a-z]+)", text[m.end() :], re.I)
    return bool(nxt) and nxt.group(1).lower() not in ENGLISH_STOP_WORDS | {  # type: ignore[union-attr]
        "know",
        "up",
        "back",
    }


def _plural_them(
    text: str, spans: list[re.Match[str]], thread: _Thread
) -> tuple[str, list[Resolution]] | str:
    """ "close them" after two tickets: every record the latest turn named."""
    found = thread.plural_records()
    if found is None:
        return text, []
    return _substitute_all(text, spans, found[0], found[1])


def _substitute_all(
    text: str, spans: list[re.Match[str]], named: Sequence[tuple[str, str]], turn: int
) -> tuple[str, list[Resolution]]:
    """Each plural pronoun in `spans` replaced by every record of `named`."""
    entities = list(dict.fromkeys(e for _, e in named))
    joined = " and ".join(entities)
    pieces, resolutions, at = [], [], 0
    for m in spans:
        possessive = m.group(0).lower() == "their"
        pieces += [text[at : m.start()], f"{joined}'s" if possessive else joined]
        resolutions += [Resolution(m.group(0), e, k, turn) for k, e in named]
        at = m.end()
    return "".join([*pieces, text[at:]]), resolutions
