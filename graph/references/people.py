"""A person of the thread picked by the words of their own record: "the bakery one", "the
suspended customer", "the churned one" (company, plan, status), and a first name alone ("give
Sofia a credit", "do the same for Ben.") for a customer the thread named or touched.

Only people the thread has already brought up are candidates, and only when the words single
out one of them; otherwise the phrase is left as typed (a record's description is read in
`descriptions`), except a name that fits several of them ("greta" after Greta Yilmaz and
Greta Fischer), which is asked. A name typed in lower case ("email freya") counts by the words
of the people's names only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ringmaster.graph.references.entities import (
    EntityKind,
    Resolution,
    _question,
    entity_ids,
    ids_of,
)
from ringmaster.graph.references.patterns import (
    _DESCRIBED,
    _NOT_DESCRIBING,
    _ORDINAL,
    _PERSON_WORDS,
    _describing_words,
    possessed,
)
from ringmaster.graph.references.pronouns import _TO_PERSON, _of_person
from ringmaster.graph.references.thread import _Thread

# A name as people type it: capitalised words ("Sofia", "Olivia Garcia"); the first word of a
# sentence is capitalised whatever it is, so it is no part of one.
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)*\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:\n])\W*$")


def _people(text: str, thread: _Thread) -> tuple[str, list[Resolution], str | None]:
    """`text` with the people its descriptions and first names pick replaced by their ids,
    and the question to ask when a name fits several people of the thread."""
    if not thread.lookup:
        return text, [], None
    resolutions: list[Resolution] = []
    for kind in [k for k in thread.kinds if k.person]:
        text, found, asked = _described_person(text, kind, thread)
        resolutions += found
        if asked is not None:
            return text, resolutions, asked
        text, found, asked = _named_person(text, kind, thread)
        resolutions += found
        if asked is not None:
            return text, resolutions, asked
    return text, resolutions, None


def _described_person(
    text: str, kind: EntityKind, thread: _Thread, turns: int = 3
) -> tuple[str, list[Resolution], str | None]:
    """ "the bakery one" after two customers were named: the one whose record the words fit.

    The newest of the recent turns that named a person the words fit decides, and only when no
    record (a ticket, an invoice) named there fits them as well: "the Lopez one" after two
    invoices is an invoice. Words that fit several of them as well, said with the kind's noun
    ("the Garcia account" after Ben and Olivia Garcia), are asked."""
    nouns = "|".join(re.escape(n) for n in (*kind.nouns, *_PERSON_WORDS))
    resolutions: list[Resolution] = []
    for match in list(re.finditer(_DESCRIBED.replace("{nouns}", nouns), text, re.I)):
        if match.group(1).lower().split()[0] in _NOT_DESCRIBING or _ORDINAL.search(match[0]):
            continue
        words = _describing_words(match.group(1)) - {n.lower() for n in kind.nouns}
        if not words:
            continue
        last = match.group(0).lower().rsplit(" ", 1)[-1]
        # "the Varga guy('s)", "the Varga one's ticket", "email the bakery one": a person,
        # never a record of theirs, though the record's words fit as well.
        personal = (
            last in _PERSON_WORDS
            or _TO_PERSON.search(text[: match.start()]) is not None
            or (last == "one" and _owns_a_record(text, match.end(), thread))
        )
        # "the Ito account" names the kind; "the Lopez one" may be a record of theirs.
        by_noun = last != "one" and last not in _PERSON_WORDS
        # "look up Tariq Larsen and Tariq Varga", "the Varga one": the people a request named
        # by full name are named as their ids are.
        history = thread.history if by_noun else thread.naming_people().history
        for turn, typed in list(zip(reversed(history), reversed(thread.history), strict=True))[
            :turns
        ]:
            ents = turn.get("entities") or {}
            named = ents.get("named", [])
            people = ids_of(ents, kind.name)
            scores = {e: len(thread.fits(words, e)) for e in people}
            if not any(scores.values()):
                # "who are INV-1207 and INV-1216 billed to?" then "the Ito account"; "are the
                # customers on them active?", "the suspended one": the people the answer listed.
                listed = ids_of(ents, kind.name, "touched")
                scores = {e: len(thread.fits(words, e)) for e in listed}
            best = max(scores.values(), default=0)
            if best == 0:
                continue
            winners = [e for e, n in scores.items() if n == best]
            records = [e for k, e in named if k != kind.name and thread.fits(words, e)]
            if len(winners) > 1 and (by_noun or last in _PERSON_WORDS):
                return text, resolutions, _question(kind, winners)
            records = [] if personal else records
            # "the … one" of a person no id of the turn named (a full name, or an answer's):
            # theirs only when no other record of the turn fits the words, or the request asks
            # what only the person has ("what plan is the Varga one on?" after their invoices,
            # which carry the name, were listed; "refund the Lopez one" is her invoice).
            brought = not by_noun and not set(winners) & set(
                ids_of(typed.get("entities") or {}, kind.name)
            )
            if (
                brought
                and not personal
                and not _of_the_person(text, match.group(0), words, ents, thread)
            ):
                continue
            if len(winners) == 1 and (by_noun or not records):
                text = text.replace(match.group(0), winners[0], 1)
                number = int(turn.get("turn", 0))
                resolutions.append(Resolution(match.group(0), winners[0], kind.name, number))
            break
    return text, resolutions, None


def _owns_a_record(text: str, end: int, thread: _Thread) -> bool:
    """True when "the … one" ending at `end` owns a record the request names by its noun
    ("the Varga one's 502 ticket"): only a person owns one."""
    return re.match(possessed(thread.kinds), text[end:], re.I) is not None


def _of_the_person(
    text: str, phrase: str, words: set[str], ents: Mapping[str, Any], thread: _Thread
) -> bool:
    """True when "the … one" (`phrase`) is a person of a turn (`ents`) rather than a record of
    theirs: no other record of the turn, named or listed, fits its `words` ("the suspended
    one" after two tickets' customers were listed), or the rest of the request asks what only
    a person has (`_of_person`: "what plan is the Varga one on?")."""
    people = {k.name for k in thread.kinds if k.person}
    pairs = [*ents.get("named", []), *ents.get("touched", [])]
    rivals = list(dict.fromkeys(e for k, e in pairs if k not in people and thread.fits(words, e)))
    return not rivals or _of_person(text.replace(phrase, " ", 1), [], rivals, thread)


def _named_person(
    text: str, kind: EntityKind, thread: _Thread
) -> tuple[str, list[Resolution], str | None]:
    """ "give Sofia a $20 credit" after her invoice was looked up: the one person of the thread
    whose record holds every word of the name. A name that fits several people of the thread
    ("give greta a credit" after Greta Yilmaz and Greta Fischer) is asked, unless an id of
    theirs is typed beside it. A name that fits none of them may be the owner of a record the
    thread named ("whats the total zoe owes" after a reminder for her invoice): that record
    brought her up, so she is read as its turn's."""
    people = list(
        dict.fromkeys(
            e
            for turn in thread.history
            for k, e in (turn.get("entities") or {}).get("named", [])
            + (turn.get("entities") or {}).get("touched", [])
            if k == kind.name
        )
    )
    owners = {
        o: int(turn.get("turn", 0))
        for turn in thread.history
        for k, e in (turn.get("entities") or {}).get("named", [])
        if k != kind.name and (o := thread.owner(e, kind.name)) and o not in people
    }
    if not people and not owners:
        return text, [], None
    explicit = {e for _, e in entity_ids(thread.kinds, text)}
    typed = {e for k, e in entity_ids(thread.kinds, text) if k == kind.name}
    every_noun = {n.lower() for k in thread.kinds for n in k.nouns}
    resolutions: list[Resolution] = []
    # "and greta fischer CUS-1037": a name typed beside a person's id in lower case is theirs,
    # and its words cannot be told from other words, so it is not read as a name.
    lower = [] if typed else _lower_case(text, people, thread)
    lower = lower or ([] if typed else _lower_case(text, list(owners), thread))
    for name, start in [*_capitalised(text), *lower]:
        if not name or re.search(r"\bthe\s+$", text[:start], re.I):
            continue  # "the Lopez one" describes a record (`descriptions`)
        words = {w.lower() for w in name.split()}
        if words & every_noun or words != _describing_words(name):
            continue  # "Customer", or a word that describes nothing ("The", "Please")
        fit = [e for e in people if all(thread.described_by(e) & {w} for w in words)]
        fit = fit or [e for e in owners if all(thread.described_by(e) & {w} for w in words)]
        if fit and _begins_another(text, start, name, fit, thread):
            continue  # "n elif torres" after Elif Yilmaz: Elif Torres, named in full
        if len(fit) > 1 and not typed:
            return text, resolutions, _question(kind, fit)
        if len(fit) != 1 or fit[0] in explicit:
            continue  # no one of that name, or the id is typed beside it
        turn = owners[fit[0]] if fit[0] in owners else thread.turn_naming(fit[0])
        text = text.replace(name, fit[0], 1)
        resolutions.append(Resolution(name, fit[0], kind.name, turn))
    return text, resolutions, None


def _begins_another(text: str, start: int, name: str, fit: list[str], thread: _Thread) -> bool:
    """True when the name typed at `start` is part of the full name of a person of the catalog
    other than those it fits in the thread ("n elif torres" after Elif Yilmaz): that full name
    says who is meant, and a first name read alone would put the wrong person in its place."""
    end = start + len(name)
    for _, entity, pattern in thread.catalog_people():
        if entity in fit:
            continue
        for match in pattern.finditer(text):
            if match.start() <= start and end <= match.end() and match[0] != name:
                return True
    return False


def _capitalised(text: str) -> list[tuple[str, int]]:
    """Names as people type them ("Sofia", "Olivia Garcia"), and where each starts."""
    found = []
    for match in _NAME.finditer(text):
        name = match.group(0)
        if _SENTENCE_START.search(text[: match.start()]):
            name = name.partition(" ")[2].strip()  # "Give Olivia": "Olivia"
        found.append((name, match.start()))
    return found


def _lower_case(text: str, people: list[str], thread: _Thread) -> list[tuple[str, int]]:
    """Names typed in lower case ("give greta a credit", "email freya"): runs of words that are
    words of the names of the thread's people. Only a name's words count here, never the rest
    of a record ("pro", "active" describe a customer, but typed in lower case they are words)."""
    named = {
        w.lower()
        for e in people
        if (facts := thread.facts(e)) is not None
        for w in re.findall(r"[A-Za-z]+", facts.title)
        if len(w) > 2
    }
    runs = re.finditer(r"\b[a-z]+(?:[ \t]+[a-z]+)*\b", text)
    found = []
    for run in runs:
        words = list(re.finditer(r"[a-z]+", run.group(0)))
        i = 0
        while i < len(words):
            j = i
            while j < len(words) and words[j].group(0) in named:
                j += 1
            if j > i:
                start, end = run.start() + words[i].start(), run.start() + words[j - 1].end()
                found.append((text[start:end], start))
            i = max(j, i + 1)
    return found
