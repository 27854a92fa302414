"""A person's records: "CUS-1005's unpaid invoice", "their February invoice", "her ticket",
and, from a customer who said who they are, "my ticket", "my june bill", "my account".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ringmaster.graph.references.entities import (
    EntityKind,
    RecordFacts,
    Resolution,
    _question,
    entity_ids,
    ids_of,
)
from ringmaster.graph.references.patterns import (
    _CHANGES,
    _ELLIPSIS_MAX_WORDS,
    _NEWEST,
    _OLDEST,
    _asks,
    _describing_words,
    nouns_pattern,
)
from ringmaster.graph.references.thread import _Thread

# How a customer says who they are: "I'm Maria Lopez (CUS-1001)", "it's Priya from Nakamura
# Systems (CUS-1027)", "Emma Dubois here (CUS-1009)": between the introduction and the id
# only a name (capitalised words) and a few linking words, so "I'm looking at CUS-1027's
# account" introduces nobody.
_INTRODUCES = (
    r"(?i:\b(?:i'?m|i am|this is|it'?s|my name is)\b)"
    r"(?:[\s,(:-]+(?:[A-Z][\w&'.-]*|from|at|with|of|customer|account|id))*[\s,(:-]+{id}\b(?!')"
    r"|(?i:\bhere\s*\(\s*{id}\b)"
)


def speaker(thread: _Thread) -> tuple[str, str, int] | None:
    """The customer who is speaking, as (kind, id, turn), when a turn's request introduced
    them and named no other customer; the newest such turn wins."""
    for turn in reversed(thread.history):
        request = str(turn.get("request") or "")
        for kind in [k for k in thread.kinds if k.person]:
            named = {e for k, e in (turn.get("entities") or {}).get("named", []) if k == kind.name}
            if len(named) != 1:
                continue
            entity = next(iter(named))
            if re.search(_INTRODUCES.format(id=re.escape(entity)), request):
                return kind.name, entity, int(turn.get("turn", 0))
    return None


def _mine(text: str, thread: _Thread) -> tuple[str, list[Resolution]]:
    """ "my ticket" from a customer who said who they are: "CUS-1001's ticket" (a record of
    theirs, chosen further on), and "my account" is that customer."""
    if not re.search(r"\bmy\b", text, re.I):
        return text, []
    who = speaker(thread)
    if who is None:
        return text, []
    kind_name, entity, turn = who
    resolutions = []
    for kind in thread.kinds:
        noun = nouns_pattern(kind.nouns)
        if kind.name == kind_name:
            pattern = rf"\bmy {noun}\b(?!s)"
            if re.search(pattern, text, re.I):
                text = re.sub(pattern, entity, text, flags=re.I)
                resolutions.append(Resolution("my " + kind.nouns[0], entity, kind_name, turn))
        elif not kind.person:
            mine = rf"\bmy(?=\s+(?:[\w-]+\s+){{0,3}}?{noun}\b)"
            if re.search(mine, text, re.I):
                text = re.sub(mine, f"{entity}'s", text, flags=re.I)
                resolutions.append(Resolution("my", entity, kind_name, turn))
    return text, list(dict.fromkeys(resolutions))


def _owned(
    text: str, resolutions: list[Resolution], thread: _Thread
) -> tuple[str, list[Resolution]] | str:
    """ "CUS-1005's unpaid invoice", "their February invoice", "her ticket": the one record of
    theirs meant, or a question when several of theirs fit."""
    people = "|".join(k.pattern.pattern for k in thread.kinds if k.person)
    if not people or not thread.lookup:
        return text, resolutions
    text = _theirs_named(text, thread)
    for kind in [k for k in thread.kinds if not k.person and k.nouns]:
        noun = nouns_pattern(kind.nouns)
        pattern = (
            # Not "CUS-1003's ticket TCK-1002": the id after the noun says which.
            rf"(?P<head>(?P<who>{people})'s (?P<words>(?:[\w-]+ ){{0,3}}?){noun}\b(?!s))"
            rf"(?![\s#(]+{kind.pattern.pattern})"
            r"(?:\s+(?:for|from|of|in)\s+(?P<after>[a-z0-9]+))?"
        )
        for match in list(re.finditer(pattern, text, re.I)):
            facts = thread.facts(match.group("who"))
            if facts is None:
                continue
            pool = [e for e in facts.owns if kind.pattern.fullmatch(e)]
            words, after = match.group("words"), match.group("after") or ""
            # "her bill for June": a word after the noun describes it when it fits one of hers.
            if after and any(thread.fits({after.lower()}, e) for e in pool):
                words = f"{words} {after}"
            else:
                after = ""
            fits = _choose(words, pool, thread)
            if len(fits) > 1 and (thread.acts_on_live(text, kind.name) or _CHANGES.search(text)):
                # "close her charged-twice ticket", "set her charged-twice ticket to urgent":
                # the open one; a change by the value it sets is not made to a finished one.
                fits = thread.live(fits)
            if len(fits) > 1:
                return _question(kind, fits)
            if not fits:
                continue
            chosen = fits[0]
            used = match.group(0) if after else match.group("head")
            text = text.replace(used, chosen, 1)
            person = match.group("who")
            # A person typed in this request (no resolution of theirs) is this turn's.
            turn = next((r.turn for r in resolutions if r.entity == person), thread.this_turn)
            phrase = next((r.phrase for r in resolutions if r.entity == person), person)
            # The one resolution that became "CUS-1004's" is now the record; another "him"
            # in the request still stands for the person.
            spent = next((r for r in resolutions if r.entity == person), None)
            resolutions = [r for r in resolutions if r is not spent]
            resolutions.append(Resolution(f"{phrase} … {kind.nouns[0]}", chosen, kind.name, turn))
    return _theirs_described(text, resolutions, people, thread)


def _theirs_described(
    text: str, resolutions: list[Resolution], people: str, thread: _Thread
) -> tuple[str, list[Resolution]]:
    """ "her feb one" (now "CUS-1027's feb one"): the one record of theirs, of any kind, the
    words describe; as typed when they describe none or several."""
    pattern = rf"(?P<who>{people})'s (?P<words>(?:[\w-]+ ){{1,3}}?)one\b(?!s)"
    for match in list(re.finditer(pattern, text, re.I)):
        facts = thread.facts(match.group("who"))
        if facts is None or not _describing_words(match.group("words")):
            continue
        fits = _choose(match.group("words"), facts.owns, thread)
        kind = thread.kind_of(fits[0]) if len(fits) == 1 else None
        if kind is None:
            continue
        person = match.group("who")
        spent = next((r for r in resolutions if r.entity == person), None)
        turn = spent.turn if spent else 0
        phrase = f"{spent.phrase if spent else person} … one"
        resolutions = [r for r in resolutions if r is not spent]
        text = text.replace(match.group(0), fits[0], 1)
        resolutions.append(Resolution(phrase, fits[0], kind, turn))
    return text, resolutions


def theirs_typed(
    text: str, resolutions: list[Resolution], thread: _Thread
) -> tuple[str, list[Resolution]] | str:
    """ "Send Elif Torres a reminder about her June invoice": "her" before a record's noun is
    the one person the request names in full, when the pronoun fits them, never a person of
    the thread's ("Send one to Olivia Novak about her June invoice too" after a reminder to
    Maria Lopez is Olivia's June invoice). The name stays as typed; only the record is read
    in (a question when several of theirs fit). As typed when no record of theirs fits."""
    nouns = nouns_pattern([n for k in thread.kinds if not k.person for n in k.nouns])
    before_noun = re.compile(
        rf"\b(?P<pronoun>her|his|their)(?=\s+(?:[\w-]+\s+){{0,3}}?{nouns}\b)", re.I
    )
    if not nouns or before_noun.search(text) is None:
        return text, resolutions
    if any(thread.by_name[k].person for k, _ in entity_ids(thread.kinds, text)):
        return text, resolutions  # an id typed: `_theirs_named` reads it
    named = {e for _, e, pattern in thread.catalog_people() if pattern.search(text)}
    if len(named) != 1:
        return text, resolutions
    person = named.pop()
    said = {m.group("pronoun").lower() for m in before_noun.finditer(text)}
    facts = thread.facts(person)
    pronoun = facts.pronouns if facts else ""
    gender = {"her": "she", "his": "he"}
    if any(gender.get(w, pronoun) != pronoun for w in said if pronoun in ("she", "he")):
        return text, resolutions  # "Tell Tom Becker her ticket is closed": not Tom's
    read = _owned(before_noun.sub(f"{person}'s", text), [], thread)
    if isinstance(read, str):
        return read
    found = [r for r in read[1] if r.entity != person]
    if not found:
        return text, resolutions
    return read[0], [*resolutions, *found]


def _theirs_named(text: str, thread: _Thread) -> str:
    """ "CUS-1037 rang about her unpaid invoice": "her" before a record's noun is the one
    person the request names ("CUS-1037's unpaid invoice"), never a record of the thread's."""
    named = {e for k, e in entity_ids(thread.kinds, text) if thread.by_name[k].person}
    nouns = nouns_pattern([n for k in thread.kinds if not k.person for n in k.nouns])
    if len(named) != 1:
        return text
    before_noun = rf"\b(?:her|his|their)(?=\s+(?:[\w-]+\s+){{0,3}}?{nouns}\b)"
    return re.sub(before_noun, f"{named.pop()}'s", text, flags=re.I)


# What says a record is not finished ("her open ticket"), whatever its status is called.
_UNFINISHED = {"open", "unresolved", "unfinished"}


def _choose(described: str, pool: Sequence[str], thread: _Thread) -> list[str]:
    """The records of `pool` the words describe ("unpaid", "June", "latest"): one when the
    words single it out; with no words, the one the thread talked about or the only one not
    finished; several when the words fit several; none when they fit none."""
    words = set(re.findall(r"[a-z0-9]+", described.lower())) - {"only", "most", "the", "one"}
    if "other" in words:
        # "their other unpaid invoice": not one the thread has named.
        words.discard("other")
        named = {e for t in thread.history for _, e in (t.get("entities") or {}).get("named", [])}
        pool = [e for e in pool if e not in named]
    newest, oldest = bool(words & _NEWEST), bool(words & _OLDEST)
    words -= _NEWEST | _OLDEST
    matching = [e for e in pool if thread.fits(words, e) == words]
    finished = {e for e in pool if (thread.facts(e) or RecordFacts(e)).done}
    if not matching and words & _UNFINISHED and finished:
        # "their open ticket" when hers is pending: open is any not finished, when no record
        # of theirs is called so in its own words. Of records never finished (an invoice is
        # paid, not closed), "open" tells none apart: "her open invoice" is left as typed.
        words -= _UNFINISHED
        matching = [e for e in pool if thread.fits(words, e) == words and e not in finished]
    if newest and matching:
        return [max(matching)]  # ids are issued in order: the highest is the latest
    if oldest and matching:
        return [min(matching)]
    if len(matching) <= 1 or words:
        return matching
    talked = [e for e in matching if thread.mentioned(e)]
    if len(talked) == 1:
        return talked  # "her ticket" after the thread named one of hers
    live = [e for e in matching if not (thread.facts(e) or RecordFacts(e)).done]
    return live if live else matching


def _person(thread: _Thread) -> tuple[list[str], str, int] | None:
    """The customer "they/he/she" is: named, the owner of a named record, or the one touched.

    "she" and "he" pass over the people whose records say otherwise ("send him a reminder"
    after Priya's invoice, when Rafael was named before it): the newest turn with someone
    they may be decides. With no one they may be, the pronoun tells nothing ("her" of a
    customer known only by id, whose record says "he"): read as if it were "they"."""
    found = _person_as(thread, thread.may_be)
    if found is None and thread.pronoun:
        return _person_as(thread, lambda _: True)
    return found


def _person_as(thread: _Thread, may_be: Callable[[str], bool]) -> tuple[list[str], str, int] | None:
    """`_person`, of the people `may_be` allows."""
    people = [k for k in thread.kinds if k.person]
    for turn in reversed(thread.history):
        ents = turn.get("entities") or {}
        number = int(turn.get("turn", 0))
        passed = False  # someone of this turn whom the pronoun cannot be
        for kind in people:
            named = [e for k, e in ents.get("named", []) if k == kind.name]
            if named:
                named += [e for k, e in thread.echo(number) if k == kind.name]
                fit = [e for e in dict.fromkeys(named) if may_be(e)]
                if fit:
                    return fit, kind.name, number
                passed = True
        if passed:
            continue
        # "TCK-1150", then "and TCK-1142 too": the owners of both tickets, side by side.
        side = [*ents.get("named", []), *thread.echo(number)]
        for kind in people:
            owners = [o for _, e in side if (o := thread.owner(e, kind.name))]
            fit = [o for o in dict.fromkeys(owners) if may_be(o)]
            if fit:
                return fit, kind.name, number
            touched = ids_of(ents, kind.name, "touched")
            if len(touched) == 1 and may_be(touched[0]):
                return touched, kind.name, number
            passed = passed or bool(owners) or len(touched) == 1  # each of them passed over
        if ents.get("named") and not passed:
            return None
    return None


def owned_in_play(thread: _Thread, kind: EntityKind) -> tuple[list[str], int] | None:
    """The unfinished records of `kind` that belong to the one person the thread is
    about (a customer's open tickets), and the turn that named that person."""
    person = _person(thread)
    if person is None or len(person[0]) != 1:
        return None
    facts = thread.facts(person[0][0])
    pool = [e for e in (facts.owns if facts else ()) if kind.pattern.fullmatch(e)]
    live = [e for e in pool if not (thread.facts(e) or RecordFacts(e)).done]
    return (live, person[2]) if live else None


# Records of a kind asked for with their owner left out, closing a short question: "any open
# tickets?", "unpaid invoices?" ("any" before the noun, or the noun plural).
_ASKED_FOR = r"\b(any\s+)?(?:[a-z]+\s+){{0,2}}?{noun}(s?)\W*$"


def theirs_asked(text: str, thread: _Thread) -> tuple[str, Resolution] | None:
    """ "any open tickets?" after a turn about one customer: the question asked of theirs, as
    "any open tickets for CUS-1010?" (the customer left out, as an ellipsis leaves it out);
    None when the request is no such question, the last turn was about no one person, or that
    person owns no record of the kind (nothing says the kind is one of theirs)."""
    if not thread.history or not _asks(text) or len(text.split()) > _ELLIPSIS_MAX_WORDS:
        return None
    asked = [
        kind
        for kind in thread.kinds
        if not kind.person
        and kind.nouns
        and (m := re.search(_ASKED_FOR.format(noun=nouns_pattern(kind.nouns)), text, re.I))
        and (m.group(1) or m.group(2))
    ]
    if len(asked) != 1:
        return None
    last = int(thread.history[-1].get("turn", 0))
    found = _person(thread.naming_people())
    if found is None or len(found[0]) != 1 or found[2] != last:
        return None
    person = found[0][0]
    facts = thread.facts(person)
    if not any(asked[0].pattern.fullmatch(e) for e in (facts.owns if facts else ())):
        return None
    return f"{text.rstrip(' ?.!')} for {person}?", Resolution("(implied)", person, found[1], last)
