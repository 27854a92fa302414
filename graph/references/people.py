"""A person of the thread picked by the words of their own record: "the bakery one", "the
suspended customer", "the churned one" (company, plan, status), and a first name alone ("give
Sofia a credit", "do the same for Ben.") for a customer the thread named or touched.

Only people the thread has already brought up are candidates, and only when the words single
out one of them; otherwise the phrase is left as typed (a record's description is read in
`descriptions`).
"""

from __future__ import annotations

import re

from ringmaster.graph.references.entities import EntityKind, Resolution, _ids
from ringmaster.graph.references.patterns import (
    _DESCRIBED,
    _NOT_DESCRIBING,
    _ORDINAL,
    _describing_words,
)
from ringmaster.graph.references.thread import _Thread

# A name as people type it: capitalised words ("Sofia", "Olivia Garcia"); the first word of a
# sentence is capitalised whatever it is, so it is no part of one.
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)*\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:\n])\W*$")


def _people(text: str, thread: _Thread) -> tuple[str, list[Resolution]]:
    """`text` with the people its descriptions and first names pick replaced by their ids."""
    if not thread.lookup:
        return text, []
    resolutions: list[Resolution] = []
    for kind in [k for k in thread.kinds if k.person]:
        text, found = _described_person(text, kind, thread)
        resolutions += found
        text, found = _named_person(text, kind, thread)
        resolutions += found
    return text, resolutions


def _described_person(
    text: str, kind: EntityKind, thread: _Thread, turns: int = 3
) -> tuple[str, list[Resolution]]:
    """ "the bakery one" after two customers were named: the one whose record the words fit.

    The newest of the recent turns that named a person the words fit decides, and only when no
    record (a ticket, an invoice) named there fits them as well: "the Lopez one" after two
    invoices is an invoice."""
    nouns = "|".join(re.escape(n) for n in kind.nouns) or "one"
    resolutions: list[Resolution] = []
    for match in list(re.finditer(_DESCRIBED.replace("{nouns}", nouns), text, re.I)):
        if match.group(1).lower().split()[0] in _NOT_DESCRIBING or _ORDINAL.search(match[0]):
            continue
        words = _describing_words(match.group(1)) - {n.lower() for n in kind.nouns}
        if not words:
            continue
        # "the Ito account" names the kind; "the Lopez one" may be a record of theirs.
        by_noun = not match.group(0).lower().endswith(" one")
        for turn in list(reversed(thread.history))[:turns]:
            ents = turn.get("entities") or {}
            named = ents.get("named", [])
            people = list(dict.fromkeys(e for k, e in named if k == kind.name))
            scores = {e: len(thread.fits(words, e)) for e in people}
            if not any(scores.values()) and by_noun:
                # "who are INV-1207 and INV-1216 billed to?" then "the Ito account": the
                # people the answer listed.
                listed = dict.fromkeys(e for k, e in ents.get("touched", []) if k == kind.name)
                scores = {e: len(thread.fits(words, e)) for e in listed}
            best = max(scores.values(), default=0)
            if best == 0:
                continue
            winners = [e for e, n in scores.items() if n == best]
            records = [e for k, e in named if k != kind.name and thread.fits(words, e)]
            if len(winners) == 1 and (by_noun or not records):
                text = text.replace(match.group(0), winners[0], 1)
                number = int(turn.get("turn", 0))
                resolutions.append(Resolution(match.group(0), winners[0], kind.name, number))
            break
    return text, resolutions


def _named_person(text: str, kind: EntityKind, thread: _Thread) -> tuple[str, list[Resolution]]:
    """ "give Sofia a $20 credit" after her invoice was looked up: the one person of the thread
    whose record holds every word of the name; a name that fits several is left as typed."""
    people = list(
        dict.fromkeys(
            e
            for turn in thread.history
            for k, e in (turn.get("entities") or {}).get("named", [])
            + (turn.get("entities") or {}).get("touched", [])
            if k == kind.name
        )
    )
    if not people:
        return text, []
    explicit = {e for _, e in _ids(thread.kinds, text)}
    every_noun = {n.lower() for k in thread.kinds for n in k.nouns}
    resolutions: list[Resolution] = []
    for match in list(_NAME.finditer(text)):
        name = match.group(0)
        if _SENTENCE_START.search(text[: match.start()]):
            name = name.partition(" ")[2].strip()  # "Give Olivia": "Olivia"
        if not name or re.search(r"\bthe\s+$", text[: match.start()], re.I):
            continue  # "the Lopez one" describes a record (`descriptions`)
        words = {w.lower() for w in name.split()}
        if words & every_noun or words != _describing_words(name):
            continue  # "Customer", or a word that describes nothing ("The", "Please")
        fit = [e for e in people if all(thread.described_by(e) & {w} for w in words)]
        if len(fit) != 1 or fit[0] in explicit:
            continue  # several people of that name, or the id is typed beside it
        turn = thread.turn_naming(fit[0])
        text = text.replace(name, fit[0], 1)
        resolutions.append(Resolution(name, fit[0], kind.name, turn))
    return text, resolutions
