"""People a request named by their full name: "plan of Maria Lopez and Aisha Khan", "what plan
is james chen on".

An agent's answer may look up only one of them (or none: a name typed in lower case), yet the
person who typed both has both in mind, so "give her a credit" next has two candidates. A full
name (two words or more) of a person record in the catalog, typed in any case, is read as
naming that person in the turn, beside the ids the turn named, unless a record the turn named
is theirs ("check INV-1102 and INV-1149, Noah Schmidt says he paid": the invoices are what the
turn is about, their owner is in play through them already).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ringmaster.graph.references.entities import (
    EntityKind,
    Lookup,
    Records,
    _question,
    records_of,
    strip_ids,
)
from ringmaster.graph.references.patterns import (
    _CORRECTION,
    _ELLIPSIS,
    _PRONOUN_PERSON,
    _REPEAT,
    _REPEAT_MAX_WORDS,
    _own_words,
    nouns_pattern,
)

# "Ben Garcia's 502 one": a possessive of a record called by "one", as "'s 502 ticket" is.
_THEIR_ONE = re.compile(r"'s\s+(?:[\w-]+\s+){0,3}?ones?\b", re.I)


def speaks_of_people(request: str, kinds: Sequence[EntityKind]) -> bool:
    """True when a request refers to a person: "her", "they", "the account", "both", "hers"."""
    nouns = [n for k in kinds if k.person for n in k.nouns]
    people = rf"{_PRONOUN_PERSON}|\b(?:both|each|hers|theirs)\b"
    if nouns:
        people += rf"|\b{nouns_pattern(nouns)}s?\b"
    return re.search(people, request, re.I) is not None


def describes_a_record(request: str, kinds: Sequence[EntityKind]) -> bool:
    """True when a request points at a record by a definite description with its noun
    ("close the charged twice ticket", "the june invoice"): that record may be any of the
    people's the thread named, not only of the one an answer looked up. ("the web one" is
    left out: a short reply is read against the thread's own records, no catalog.)"""
    nouns = [n for k in kinds if not k.person for n in k.nouns]
    # Not patterns._DESCRIBED, on purpose: "that"/"this" too, a plural, and the noun alone
    # ("the invoice" may be any person's), where that one wants a describing word or "one".
    described = rf"\b(?:the|that|this)\s+(?:[\w-]+\s+){{0,3}}?{nouns_pattern(nouns)}s?\b"
    return re.search(described, request, re.I) is not None


def people_by_name(
    kinds: Sequence[EntityKind], lookup: Lookup | None, records: Records | None
) -> list[tuple[str, str, re.Pattern[str]]]:
    """(kind, id, pattern of the full name) for every person record the catalog holds."""
    if lookup is None or records is None:
        return []
    out = []
    for kind in [k for k in kinds if k.person]:
        for entity in records_of(kind, records):
            facts = lookup(entity)
            words = (facts.title if facts else "").split()
            if len(words) < 2:
                continue  # a first name alone is read among the thread's people (`people`)
            name = r"\s+".join(re.escape(w) for w in words)
            out.append((kind.name, entity, re.compile(rf"(?<![\w-]){name}(?![\w-])", re.I)))
    return out


def routing_names(
    request: str,
    kinds: Sequence[EntityKind],
    lookup: Lookup | None,
    records: Records | None,
    follows: bool,
) -> tuple[str, dict[str, str], bool]:
    """The text to route, what each id in it stands for, and whether the request only swaps
    the person of the last ask (then routed as typed), reading the catalog's people once.

    The text is `request` with each person it names in full written as their id, for routing
    only. A name says who, not what is asked: the team's examples name people mostly by id,
    and the few names they type tie a name's letters to whichever agent that example was for
    ("Could you check on Yuki Tanaka?" read as billing's, as an example credits her by
    e-mail), while "check on CUS-1007" reads by its verb. Only when the person is what the
    turn asks about: a turn that also speaks of a record of another kind (`_of_a_record`:
    "Lena Ortiz says her March invoice is wrong") asks about that record, the name says
    whose, and an id beside it reads as whoever's examples write customer ids.

    When the request `follows` a turn, names a person in full and besides only leans on or
    corrects the last ask ("and Felix Rahman?", "sorry, I meant Felix Rahman"), it swaps the
    person: that ask of this person, which "and CUS-1040?" alone would not say."""
    text, stood = _as_ids(request, kinds, lookup, records)
    if follows and _swaps(text, stood, kinds):
        return request, {}, True
    return *_routed(request, text, stood, kinds), False


def _routed(
    request: str, text: str, stood: dict[str, str], kinds: Sequence[EntityKind]
) -> tuple[str, dict[str, str]]:
    if not stood or _of_a_record(request, kinds):
        return request, {}
    return text, stood


def _swaps(text: str, stood: dict[str, str], kinds: Sequence[EntityKind]) -> bool:
    if not stood or len(text.split()) > _REPEAT_MAX_WORDS:
        return False
    if not (_ELLIPSIS.search(text) or _REPEAT.search(text) or _CORRECTION.search(text)):
        return False
    return not _own_words(strip_ids(text, kinds))


def _as_ids(
    request: str, kinds: Sequence[EntityKind], lookup: Lookup | None, records: Records | None
) -> tuple[str, dict[str, str]]:
    """`request` with each person it names in full, and whose id it does not write, written as
    their id; and the name each id stands for."""
    stood: dict[str, str] = {}
    text = request
    for _, entity, pattern in people_by_name(kinds, lookup, records):
        found = pattern.search(text)
        if found is None or entity in request:
            continue
        stood[entity] = found.group(0)
        text = pattern.sub(entity, text, count=1)
    return text, stood


def _of_a_record(request: str, kinds: Sequence[EntityKind]) -> bool:
    """True when `request` speaks of a record of a kind no person is: by its noun ("their
    invoices", "a ticket for that") or as someone's "one" ("Ben Garcia's 502 one")."""
    nouns = [n for k in kinds if not k.person for n in k.nouns]
    if nouns and re.search(rf"\b{nouns_pattern(nouns)}s?\b", request, re.I):
        return True
    return _THEIR_ONE.search(request) is not None


def in_catalog(
    request: str, kinds: Sequence[EntityKind], lookup: Lookup | None, records: Records | None
) -> tuple[str, str | None]:
    """`request` with each person it names in full ("Tariq Castillo's ticket") put as their
    id, and the question to ask when it names, by one word of a name alone ("give Ben a
    credit", "the Castillo account"), a person the catalog holds several of."""
    people = people_by_name(kinds, lookup, records)
    text = request
    for _, entity, pattern in people:
        text = pattern.sub(entity, text, count=1)
    if text != request or lookup is None:
        return text, None
    by_word: dict[str, list[tuple[str, str]]] = {}
    for kind, entity, _ in people:
        facts = lookup(entity)
        for word in (facts.title if facts else "").split():
            # As typed: capitalised, a word of its own ("Ben", "Castillo's").
            if re.search(rf"(?<![\w-]){re.escape(word)}(?:'s)?(?![\w-])", text):
                by_word.setdefault(word, []).append((kind, entity))
    for found in by_word.values():
        if len(found) > 1:
            of = next(k for k in kinds if k.name == found[0][0])
            return text, _question(of, [e for _, e in found])
    return text, None


def with_named_people(
    history: Sequence[Mapping[str, Any]],
    people: Sequence[tuple[str, str, re.Pattern[str]]],
    owner: Callable[[str], str | None],
) -> list[Mapping[str, Any]]:
    """`history` with each turn's `named` holding, besides its ids, the people its request
    named by full name who own none of its named records, in the order the request typed
    them."""
    out: list[Mapping[str, Any]] = []
    for turn in history:
        request = str(turn.get("request") or "")
        ents = turn.get("entities") or {}
        named = [tuple(p) for p in ents.get("named", [])]
        owners = {owner(e) for _, e in named}
        found = sorted(
            (m.start(), kind, entity)
            for kind, entity, pattern in people
            if (kind, entity) not in named
            and entity not in owners
            and (m := pattern.search(request))
        )
        if not found:
            out.append(turn)
            continue
        added = [[kind, entity] for _, kind, entity in found]
        out.append({**turn, "entities": {**ents, "named": [*ents.get("named", []), *added]}})
    return out
