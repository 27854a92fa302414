"""A person's pronoun whose antecedent the same request names before it: "show CUS-1003's open
tickets and what plan they are on", "pull up Aisha Khan and check her plan". That person, by
id or full name, is who the pronoun stands for, never a person an earlier turn named, and no
question which; the rationale says the request named them.

Only when one person the request names before the pronoun agrees with it: "she" is no one
known as "he"; "they" may be one person (singular they). "They" after records in the plural
the request names between ("CUS-1003's open tickets and whether they are urgent") are those
records when the words of its clause describe such records; as typed then, as before.
A thread's first turn is left as typed (its pronouns are read there as before: rewriting
"Noah Schmidt says he paid" put him in play as what the turn was about).

A record's "it"/"its" is the one record the request names before it, the same way: "check
INV-1144 and whether it is paid", "close TCK-1030 and tell its customer" (a part cut from the
request keeps its record). Not when two records come before it, nor "it" joined to an id
("TCK-1058 and it": another record), "it's" (a verb the id could not carry), an "it" of
nothing ("make it quick", "is it possible"), or the words of a message ("tell her it is
fixed", "add a note that it was paid"): those are written as asked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ringmaster.graph.references.entities import Resolution, entity_ids
from ringmaster.graph.references.patterns import (
    _DUMMY_IT,
    _PLURAL,
    _PLURAL_PRONOUNS,
    _POSSESSIVE,
    _PRONOUN_PERSON,
    PAYLOAD,
    TELLING,
    _describing_words,
    nouns_pattern,
    unwritten,
)
from ringmaster.graph.references.pronouns import _her_is_possessive, _singular
from ringmaster.graph.references.thread import _Thread

# Why the pronoun is this person, in the rationale: no earlier turn's.
NAMED_IN_REQUEST = "named before it in this request"
_GENDER = {"she": "she", "her": "she", "he": "he", "him": "he", "his": "he"}
_GROUP_AFTER = re.compile(r"\s+(?:both|two|three|all|each)\b", re.I)
# "it's": a verb the id put in could not carry ("'s" is left as put, `contracted`).
_CONTRACTED = re.compile(r"['’][a-z]", re.I)
_CLAUSE_END = re.compile(r"[,;.?!]|\b(?:and|then|but)\b", re.I)
_IT = re.compile(r"\b(it|its)\b", re.I)
# "INV-1144 and it", "it & TCK-1058": a record beside the one typed, so not that one.
_JOINED = re.compile(r"\s*(?:and|&|or)\s*$", re.I)
_JOINED_AFTER = re.compile(r"\s*(?:and|&|or)\s+#?[A-Za-z]+-?\d", re.I)
_TELLS = re.compile(rf"\b(?:{'|'.join(sorted(TELLING))})\b", re.I)
# What someone said ("they confirmed it works", "she says it was paid"): their words.
_SAID = re.compile(
    r"\b(?:says|said|confirms|confirmed|reports|reported|mentions|mentioned|claims|claimed"
    r"|thinks|thought|told)\b",
    re.I,
)


def named_before(
    text: str, thread: _Thread, turn: int, read: Sequence[Resolution] = ()
) -> tuple[str, list[Resolution]]:
    """`text` with each person's pronoun that one person named earlier in it stands for
    written as that person's id, and the resolutions; `text` as it is otherwise. A person
    `read` already put in (by a reference: "credit elif 10, she …") is none the request typed."""
    if not re.search(_PRONOUN_PERSON, text, re.I):
        return text, []  # no catalog read for a request with no person's pronoun
    put = {r.entity for r in read}
    people = [p for p in _people_at(text, thread) if p[2] not in put]
    if not people:
        return text, []
    note = PAYLOAD.search(text)  # a message's words are written as asked
    groups = [g.span() for g in _PLURAL.finditer(text)]  # "all of them": a group
    pieces: list[str] = []
    resolutions: list[Resolution] = []
    at, singular = 0, False
    for m in re.finditer(_PRONOUN_PERSON, text, re.I):
        word = m.group(0).lower()
        if (note and m.start() >= note.start()) or any(a <= m.start() < b for a, b in groups):
            continue
        if _GROUP_AFTER.match(text, m.end()):
            continue  # "copies of them both": records, read with "both"
        # "they're", "she'd" are theirs as much: `contracted.uncontracted` writes the verb out
        # once the id is in ("CUS-1003 is"), as for a pronoun of the thread's.
        before = {(k, e) for start, k, e in people if start < m.start()}
        fits = [(k, e) for k, e in before if _agrees(word, e, thread)]
        if len(before) != 1 or len(fits) != 1:
            continue
        kind, entity = fits[0]
        start = max(s for s, _, e in people if e == entity and s < m.start())
        if word in _PLURAL_PRONOUNS and _records_between(text, start, m, thread):
            continue
        if word == "her":
            possessive = _her_is_possessive(text, m, thread)
        else:
            possessive = word in _POSSESSIVE
        pieces += [text[at : m.start()], f"{entity}'s" if possessive else entity]
        resolutions.append(Resolution(m.group(0), entity, kind, turn, tie=NAMED_IN_REQUEST))
        singular = singular or word == "they"
        at = m.end()
    if not resolutions:
        return text, []
    out = "".join([*pieces, text[at:]])
    if singular:
        out = _singular(out, resolutions[0].entity)
    return out, resolutions


def _people_at(text: str, thread: _Thread) -> list[tuple[int, str, str]]:
    """(where, kind, id) of each person `text` names, by id or by full name."""
    person = {k.name for k in thread.kinds if k.person}
    found = [
        (m.start(), kind.name, m.group(0))
        for kind in thread.kinds
        if kind.person
        for m in kind.pattern.finditer(text)
    ]
    found += [
        (m.start(), kind, entity)
        for kind, entity, pattern in thread.catalog_people()
        if kind in person and (m := pattern.search(text))
    ]
    return sorted(found)


def _agrees(word: str, entity: str, thread: _Thread) -> bool:
    """True when the pronoun may be this person: a gendered one of a person known by it."""
    facts = thread.facts(entity)
    known = facts.pronouns if facts is not None else ""
    return word not in _GENDER or not known or _GENDER[word] == known


def _records_between(text: str, start: int, m: re.Match[str], thread: _Thread) -> bool:
    """True when records in the plural stand between the person and "they", and the words
    of the pronoun's clause describe a record of their kind: "they" is those records."""
    between = text[start : m.start()]
    records = [k for k in thread.kinds if not k.person]
    ids = [e for k, e in entity_ids(thread.kinds, between) if not thread.by_name[k].person]
    plural = [
        k
        for k in records
        if k.nouns and re.search(rf"\b{nouns_pattern(k.nouns)}s\b", between, re.I)
    ]
    if len(ids) < 2 and not plural:
        return False
    end = _CLAUSE_END.search(text, m.end())
    words = _describing_words(text[m.end() : end.start() if end else len(text)])
    kinds = {thread.kind_of(e) for e in ids} | {k.name for k in plural}
    return any(w in d for k in kinds if k for d in thread.catalog_described(k) for w in words)


def record_named_before(
    text: str, thread: _Thread, turn: int, read: Sequence[Resolution] = ()
) -> tuple[str, list[Resolution]]:
    """`text` with each record's "it"/"its" that the one record named earlier in it stands
    for written as that record's id, and the resolutions; `text` as it is otherwise. A record
    `read` already put in ("and the unpaid one, when is it due?") is none the request typed."""
    if not _IT.search(text):
        return text, []
    records = {k.name for k in thread.kinds if not k.person}
    put = {r.entity for r in read}
    typed = [(m.start(), m.end(), k.name, m.group(0)) for k in thread.kinds if k.name in records
             for m in k.pattern.finditer(text) if m.group(0) not in put]  # fmt: skip
    if not typed:
        return text, []
    blank = unwritten(text)  # "add a note that it was paid": the note's words
    note = PAYLOAD.search(text)
    dummy = [d.span() for d in _DUMMY_IT.finditer(text)]
    pieces: list[str] = []
    resolutions: list[Resolution] = []
    at = 0
    for m in _IT.finditer(text):
        if blank[m.start() : m.end()] != m.group(0) or (note and m.start() >= note.start()):
            continue
        if _CONTRACTED.match(text, m.end()) or any(a <= m.start() < b for a, b in dummy):
            continue  # "it's", "make it quick": no record of its own
        if _told(text, m.start()):
            continue  # "tell her it is fixed": what the message says
        before = {(k, e) for s, end, k, e in typed if end <= m.start()}
        if len(before) != 1:
            continue
        [(kind, entity)] = before
        last = max(end for _, end, _, e in typed if e == entity and end <= m.start())
        if _JOINED.fullmatch(text[last : m.start()]) or _JOINED_AFTER.match(text, m.end()):
            continue
        word = m.group(0).lower()
        pieces += [text[at : m.start()], f"{entity}'s" if word == "its" else entity]
        resolutions.append(Resolution(m.group(0), entity, kind, turn, tie=NAMED_IN_REQUEST))
        at = m.end()
    if not resolutions:
        return text, []
    return "".join([*pieces, text[at:]]), resolutions


def _told(text: str, at: int) -> bool:
    """True when a telling verb of the pronoun's clause comes before it with words between
    ("tell her it is fixed"): the pronoun is in what the message says, not its addressee's
    ("tell its customer"); or when a verb of saying does ("they confirmed it works")."""
    clause = max((c.end() for c in _CLAUSE_END.finditer(text, 0, at)), default=0)
    if _SAID.search(text, clause, at):
        return True
    tells = list(_TELLS.finditer(text, clause, at))
    return bool(tells) and text[tells[-1].end() : at].strip() != ""
