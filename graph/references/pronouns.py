"""Pronouns and plurals: "it", "that one", "they", "her account", "close them", "both" —
each replaced by the record (or every record) of the thread it stands for, with the verbs
next to a singular "they" made to agree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ringmaster.graph.references.descriptions import _top_fits
from ringmaster.graph.references.entities import RecordFacts, Resolution, _question
from ringmaster.graph.references.narrowed import narrowed_them
from ringmaster.graph.references.owned import _choose, _person
from ringmaster.graph.references.owning import owned_kinds
from ringmaster.graph.references.patterns import (
    _ASKS_WHO,
    _DUMMY_IT,
    _EACH,
    _PLURAL,
    _PLURAL_PRONOUNS,
    _POSSESSIVE,
    _PRONOUN_PERSON,
    MESSAGING,
    PAYLOAD,
    _describing_words,
    nouns_pattern,
)
from ringmaster.graph.references.thread import _Thread
from ringmaster.graph.references.unbound import acted_kinds
from ringmaster.stop_words import ENGLISH_STOP_WORDS

# Speaking to someone, right before the pronoun ("email them", "write to them", "let them
# know" reads "let" before it): what is done to a person, never to a ticket or an invoice.
_TO_PERSON = re.compile(
    rf"\b({MESSAGING}|tell|remind|inform|call|phone|contact|write to|"
    r"reach out to|let|ask)\s+$",
    re.I,
)
_BOTH_AFTER = re.compile(r"\s+(?:both|two)\b", re.I)
_OF_THEM = re.compile(r"\b(?:of|between)\s+them\b", re.I)
_NEXT_CLAUSE = re.compile(r",\s*(?:and|then)\b|;|\.(?:\s|$)|\band then\b", re.I)


_PARTICLE = r"(?:back|up|out|down|off|over)"
_AFTER_PREPOSITION = (
    "(?:"
    + "|".join(
        f"(?<=\\b{p} )" for p in ("on", "for", "of", "about", "with", "to", "from", "in", "re")
    )
    + ")"
)
_CLAUSE_END = r"(?=\s*[?.!,;]|\s*$|\s+(?:please|pls|now|too|asap|again|then)\b)"
# What may follow a demonstrative that is a verb's object ("mark this as urgent", "close
# this, wontfix", "make this urgent"), never a noun ("this week") or a verb ("this is odd").
_OBJECT_ENDS = (
    r"(?=\s+(?:as|to|for|please|pls|now|asap|too|again)\b|\s*[?.!]*\s*$|\s*[,;:]\s"
    r"|\s+(?:urgent|high|low|normal|pending|open|closed|resolved)"
    r"\s*(?:[?.!,;:]|$|(?:please|pls|now|asap)\b))"
)
_CHANGE_VERBS = {"set", "make", "move", "mark", "bump", "put", "change", "update", "raise"}


def _pronoun(
    text: str, thread: _Thread, person: bool, whose: str | None = None
) -> tuple[str, list[Resolution]] | str:
    """Pronouns → the one id of these kinds the latest turn named; a question if several.
    `whose`, the one person the request is about, narrows a record's pronoun among several
    to that person's records ("send Aisha a reminder for it" after her and Maria's invoices)."""
    # A bare "this" is a record only as an object ("mark this as urgent", "close this"),
    # never before a noun ("this week") or as a subject ("this is odd").
    this = rf"(?<=\w )this{_OBJECT_ENDS}"
    # A bare "that" is a record as the subject of a question about its state ("has that been
    # closed?", "is that still open?", "was that refunded?"), not elsewhere ("is that all?",
    # "has that changed recently?" of a plan just asked about).
    that = (
        r"(?:(?<=\bhas )|(?<=\bhave )|(?<=\bis )|(?<=\bwas )|(?<=\bwere ))"
        r"that(?=\s+(?:been|still|already|closed|resolved|paid|refunded|fixed|escalated|sent"
        r"|rolled|reopened|opened|credited|deployed|shipped|cancelled|canceled)\b)"
    )
    # And a bare "that" as an object before a verb's particle ("roll that back", "close that
    # out"), never a conjunction ("tell her that it's fixed") or a relative ("the deploy that
    # caused it"). After a preposition it is a topic as often ("what does our DPA say about
    # that?", "draft him an update with that"), so there only in a question about who a
    # record's person is ("who's the customer on that?").
    that += rf"|\bthat(?=\s+{_PARTICLE}\b)"
    # And a bare "that" right after a verb that changes a record (the team's acts', or a
    # change's: "set that to high", "close that, it's fixed", "make that urgent"), where it
    # ends its clause or comes before what it is changed to, as "it" would.
    verbs = sorted({w for a in thread.acts for w in a.words} | _CHANGE_VERBS)
    that += "|(?:" + "|".join(rf"(?<=\b{v} )" for v in verbs) + rf")that{_OBJECT_ENDS}"
    # "add a note to the above: …", "owner of ^ ?": the record just named, as "it" is (a "^"
    # that starts a request says "as above", no record: "^ same for the 502 one").
    above = r"\bthe above(?=\s*(?:[:?.!,;]|$))|(?:(?<=\bof )|(?<=\bto )|(?<=\bon ))\^(?=\s|$)"
    pattern = (
        _PRONOUN_PERSON if person else rf"\b(it|its|that one|this one)\b|{this}|{that}|{above}"
    )
    if not person and _ASKS_WHO.search(text):
        # "who is the customer on them?", "… on that?": the records
        pattern = rf"\b(it|its|them|they)\b|{_AFTER_PREPOSITION}that{_CLAUSE_END}|{above}"
    dummy = {
        (d.start() + i.start(), d.start() + i.end())
        for d in _DUMMY_IT.finditer(text)
        for i in re.finditer(r"\b(its?|them)\b", d.group(0), re.I)
    }
    spans = [m for m in re.finditer(pattern, text, re.I) if m.span() not in dummy]
    if not text.isupper():
        spans = [m for m in spans if m.group(0) != "IT"]  # "their IT team": the department
    # The words of a note ("… saying we've asked her to try again") are written as asked,
    # up to where the next clause starts ("…, and close it").
    payload = PAYLOAD.search(text)
    if payload is not None:
        end = _NEXT_CLAUSE.search(text, payload.end())
        note = (payload.start(), end.start() if end else len(text))
        spans = [m for m in spans if not note[0] <= m.start() < note[1]]
    # "all of them", "each of them": a group, resolved as one ("close both") further on.
    groups = [g.span() for g in _PLURAL.finditer(text)]
    spans = [m for m in spans if not any(a <= m.start() < b for a, b in groups)]
    if not person:
        # "their seats ticket - move it to open": "it" is the record the request just named
        # by its noun (read further on), never an earlier turn's.
        nouns = {n.lower() for k in thread.kinds if not k.person for n in k.nouns}
        # "and his june invoice? paid or in its flop era": a possessive "its" is the record
        # named so anywhere before it in the request.
        spans = [
            m
            for m in spans
            if not _noun_before(text[: m.start()], nouns, whole=m.group(0).lower() == "its")
        ]
    if not spans:
        return text, []
    if person:
        many = [m for m in spans if m.group(0).lower() in _PLURAL_PRONOUNS]
        plural = len(many) == len(spans)
        latest = thread.latest_named_any()
        if many and latest and not any(thread.by_name[k].person for k, _ in latest[0]):
            records = list(dict.fromkeys(e for _, e in latest[0]))
            owners = thread.owners(records) if len(records) > 1 else []
            owner = owners[0] if len(owners) == 1 else None
            if owner is not None and _of_person(text, many, records, thread):
                pass  # "what plan are they on" after two of her tickets: she, `_person` below
            elif owner is not None and 0 < sum(e in text for e in records) < len(records):
                # "close the SAML one, … fixed on their side": the request picked one of the
                # records, so "they" is not all of them but the one person who owns them.
                return _substitute_all(text, spans, [owner], latest[1])
            elif len(owners) > 1 and plural and _of_person(text, many, records, thread):
                if (one := _one_of_them_before(text, owners, latest[1], thread)) is not None:
                    return one
                # "email them" after two customers' tickets: each customer.
                return _substitute_all(text, spans, owners, latest[1])
            elif len(records) > 1 and plural:
                return _plural_them(text, spans, thread)  # "close them" after two tickets
            elif owner is not None:
                # "close them both, I spoke with her": the tickets, and the one who owns them.
                return _mixed(thread, text, spans, latest[0], owner, latest[1])
        if many and latest and _BOTH_AFTER.match(text, many[0].end()):
            # "close them both, I spoke with her" after a turn about her: "them both" is two
            # records (not the one person that turn named), the others are she.
            people = list(dict.fromkeys((k, e) for k, e in latest[0] if thread.by_name[k].person))
            group = both_records(thread) if len(people) == 1 else None
            if group and not any(thread.by_name[k].person for k, _ in group[0]):
                if plural:
                    return _substitute_all(text, spans, group[0], group[1])
                return _mixed(thread, text, spans, group[0], people[0], group[1])
            if group and plural and len(group[0]) == 2:
                # "credit CUS-1005 $20", "same for CUS-1003", "write them both a note": the
                # two people named one a turn.
                return _substitute_all(text, spans, group[0], group[1])
        acted_on = _listed_acted_on(text, spans, thread) if plural else None
        if acted_on is not None:
            # "close them" after "any open tickets for CUS-1024?": the tickets the answer
            # listed, never the customer (the team closes tickets, not people).
            return _substitute_all(text, spans, acted_on[0], acted_on[1])
        asked = narrowed_them(text, spans, thread) if plural else None
        if asked is not None:
            return asked  # "close them" after a turn about one of the tickets looked up
        found = _person(thread)
        if found is None:
            return _plural_them(text, spans, thread)
        entities, kind_name, turn = found
        if (
            len(entities) > 1
            and plural
            and (
                _EACH.search(text)
                or _OF_THEM.search(text)
                or (not thread.any_they(entities) and _theirs_plural(text, spans, thread))
            )
        ):
            # "give them a credit each" after two customers: each of them. A bare "they" may
            # be one person (singular they), so without "each/both/all" it is asked; "of
            # them" is never one ("which one of them has the double charge ticket?"), nor
            # "their" before records in the plural when each of them is "she" or "he" ("are
            # their latest invoices paid?"); "move their plan" of a he and a she is asked.
            pairs = [(kind_name, e) for e in entities]
            return _substitute_all(text, _each_ones(text, spans, thread, entities), pairs, turn)
    else:
        # "move that one to enterprise" after "plan for CUS-1042?": a change whose value only
        # people take is of the person the turn named, not of the invoices its answer listed.
        valued = [k.name for k in thread.kinds if k.person and thread.takes_value(text, k.name)]
        # "remind him about that one" after "is INV-1022 paid?", "and INV-1210, when is it
        # due?": the one just named, where "it" may be either.
        pointing = all(m.group(0).lower() in {"that one", "this one"} for m in spans)
        latest = thread.latest_mentioned(echo=not pointing)
        if valued and latest and not any(thread.takes_value(text, k) for k, _ in latest[0]):
            latest = thread.latest_named(person=True)
        if (owning := owned_kinds(text, spans, thread)) and latest is not None:
            # "does it have any open tickets?" after a customer whose answer listed a ticket:
            # a ticket has no tickets, nor invoices: a record a person owns owns none itself.
            kept = [(k, e) for k, e in latest[0] if k not in owning and thread.owned_by(e) is None]
            latest = (kept, latest[1]) if kept else None
        if latest is None and owning:
            # Then it is the one who owns such records: the person the thread is about.
            found = _person(thread)
            if found is None:
                return text, []
            if len(found[0]) > 1:
                return _question(thread.by_name[found[1]], found[0])
            latest = [(found[1], found[0][0])], found[2]
        if latest is None:
            return text, []
        named, turn = latest
        named = _fitting_kind(text, named, thread)
        entities = list(dict.fromkeys(e for _, e in named))
        kinds = {k for k, _ in named}
        kind_name = named[0][0]
        if len(entities) > 1 and any(m.group(0).lower() in {"them", "they"} for m in spans):
            return _plural_them(text, spans, thread)
        if whose is not None and len(entities) > 1:
            theirs = [e for e in entities if thread.owned_by(e) == whose]
            entities = theirs or _owners_own(thread, whose, kinds, turn) or entities
        if len(entities) > 1:
            kind = thread.by_name[kind_name] if len(kinds) == 1 else None
            if kind is not None and kind.name in acted_kinds(text, thread, thread.acts):
                # "close it" after a listing of open and closed tickets: which of the open ones.
                live = [e for e in entities if not (thread.facts(e) or RecordFacts(e)).done]
                entities = live if len(live) > 1 else entities
            return _question(kind, entities)
    if len(entities) > 1 and person:
        # "close his seats ticket" after two men: the one of them who has such a ticket.
        entities = _whose_records_fit(text, spans, entities, thread) or entities
    if len(entities) > 1:
        return _question(thread.by_name[kind_name], entities)
    entity = entities[0]
    pieces, resolutions, at = [], [], 0
    for m in spans:
        word = m.group(0).lower()
        possessive = word in _POSSESSIVE or (word == "her" and _her_is_possessive(text, m, thread))
        pieces += [text[at : m.start()], f"{entity}'s" if possessive else entity]
        resolutions.append(Resolution(m.group(0), entity, kind_name, turn))
        at = m.end()
    out = "".join([*pieces, text[at:]])
    if any(m.group(0).lower() == "they" for m in spans):
        out = _singular(out, entity)
    return out, resolutions


def _whose_records_fit(
    text: str, spans: list[re.Match[str]], people: list[str], thread: _Thread
) -> list[str]:
    """Of the `people` a possessive pronoun may be, the one whose records its noun phrase
    describes ("his seats ticket" after two men, one of whom has a seats ticket): that one
    when exactly one person's records fit every such phrase of the request; none otherwise."""
    kinds = [k for k in thread.kinds if not k.person and k.nouns]
    fit = set(people)
    phrases = 0
    for m in spans:
        if m.group(0).lower() not in {"his", "her", "their"}:
            continue
        for kind in kinds:
            noun = nouns_pattern(kind.nouns)
            phrase = re.match(
                rf"\s+(?!(?:a|an|the|this|that|some|any)\s)((?:[\w-]+\s+){{0,3}}?){noun}\b(?!s)",
                text[m.end() :],
                re.I,
            )
            if phrase is None:
                continue
            phrases += 1
            fit &= {
                p
                for p in people
                if (facts := thread.facts(p)) is not None
                and _choose(
                    phrase.group(1), [e for e in facts.owns if kind.pattern.fullmatch(e)], thread
                )
            }
            break
    return [p for p in people if p in fit] if phrases and len(fit) == 1 else []


def _owners_own(thread: _Thread, owner: str, kinds: set[str], turn: int) -> list[str]:
    """`owner`'s records of `kinds`, when "it" is theirs but the thread named others' ("send
    her a reminder for it", she picked after the thread listed another's invoices): those the
    words of the turn that brought the records up single out ("june invoices?"); none when they
    single out none (the thread's own records are asked among then)."""
    facts = thread.facts(owner)
    theirs = [e for e in (facts.owns if facts else ()) if thread.kind_of(e) in kinds]
    asked = next((t for t in thread.history if int(t.get("turn", 0)) == turn), {})
    words = _describing_words(str(asked.get("request") or ""))
    # "june invs paid?": the word that fits fewest of hers ("june") says which, not one most of
    # them share ("paid"), nor her name, which fits every one.
    fits = [hits for w in words if 0 < len(hits := [e for e in theirs if thread.fits({w}, e)])]
    fewest = min(fits, key=len, default=theirs)
    return fewest if len(fewest) == 1 else []


def _fitting_kind(
    text: str, named: list[tuple[str, str]], thread: _Thread
) -> list[tuple[str, str]]:
    """Of records of several kinds "it" may be, those of the one kind the request's act works
    on ("refund it" after a ticket and an invoice: the invoice), when the team acts by id on
    every other kind among them ("roll it back" after a deployment and a ticket: the
    deployment), or on none at all where only an answer brought them up ("close it" after
    the ticket and the article an answer cited: the ticket); all of them otherwise ("close it"
    after a ticket and an incident, which the team only creates, may mean either; so may
    "update it" after a ticket and an article the person named)."""
    kinds = {k for k, _ in named}
    fit = acted_kinds(text, thread, thread.acts) & kinds
    on_records = {a.kind for a in thread.acts if a.by_id}
    said = {e for t in thread.history for e in _said(t)}
    untouched = {k for k in kinds if k not in {a.kind for a in thread.acts}} - {
        k for k, e in named if e in said
    }
    # The other kinds are what must be known to the team's acts ("roll it back" after a
    # deployment and a ticket: the deployment, though a rollback takes a service, not an id).
    if len(kinds) < 2 or len(fit) != 1 or not kinds - fit <= on_records | untouched:
        return named
    return [(k, e) for k, e in named if k in fit]


def _said(turn: Mapping[str, Any]) -> set[str]:
    """The ids the person named in a turn: those of its request, less the options of the
    question it became ("Which record do you mean: TCK-1129 or DOC-1011?" is ringmaster's)."""
    entities = turn.get("entities") or {}
    options = {e for _, e in (entities.get("question") or {}).get("options", [])}
    return {e for _, e in entities.get("named", [])} - options


def _noun_before(before: str, nouns: set[str], whole: bool = False) -> bool:
    """True when the text before a pronoun names a record by its noun ("their seats ticket -
    move") in its sentence or the one before it ("… 502 ticket — bump it to urgent. Why is it
    still normal?"); anywhere before it, with `whole`."""
    clause = before if whole else "".join(re.split(r"([.!?;]+\s)", before)[-3:])
    # A record already there ("the ticket", "their seats ticket", "CUS-1042's 502 ticket"),
    # not a new one ("an incident").
    definite = (
        rf"\b(?:the|that|this|their|his|her|its|my|our|your|[\w-]+'s)\s+"
        rf"(?:[\w-]+\s+){{0,2}}?{nouns_pattern(sorted(nouns))}s?\b"
    )
    return re.search(definite, clause, re.I) is not None


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
    # "her other ticket": the noun after "other".
    nxt = re.match(r"\s+(?:other\s+)?([a-z]+)", text[m.end() :], re.I)
    # Nor a word of when ("call her tomorrow").
    return bool(nxt) and nxt.group(1).lower() not in ENGLISH_STOP_WORDS | {  # type: ignore[union-attr]
        "know",
        "up",
        "back",
        "today",
        "tomorrow",
        "tonight",
        "asap",
        "later",
        "soon",
    }


# Verbs of giving: the first object is whom the thing goes to ("give her credit").
_GIVING = re.compile(
    r"\b(?:give|gave|send|sent|e-?mail|mail|text|offer|issue|grant|owe|pay|show|lend|"
    r"forward|hand|award|quote)\s+$",
    re.I,
)
# After the noun, a second object ("give her account a credit"): the noun was hers.
_SECOND_OBJECT = re.compile(r"\s+(?:a|an|the|some|another|\d)", re.I)


def _her_is_possessive(text: str, m: re.Match[str], thread: _Thread) -> bool:
    """True when "her" owns the noun after it ("her account", "send her invoice"), False
    when it is whom a verb of giving gives to ("give her credit", "send her reset link"):
    there the noun is hers only when it names a record of hers or another object follows."""
    owned = {n.lower() for k in thread.kinds for n in k.nouns}
    # "her May invoice", "her last ticket": a word, then a record's noun ("may" and "last" are
    # stop words, so `_before_noun` alone reads "her" as whom something goes to).
    # Not a preposition then a record's id ("remind her about INV-1129": "inv" is a noun).
    described = re.match(
        r"\s+(?!(?:a|an|the|this|that|some|about|for|of|on|to|re|regarding|with|from|at|by|"
        r"in|over)\s)[a-z]+\s+([a-z]+)\b(?!-\d)",
        text[m.end() :],
        re.I,
    )
    if described and described.group(1).lower().rstrip("s") in owned:
        return True
    if not _before_noun(text, m):
        return False
    noun = re.compile(r"\s+([a-z]+)", re.I).match(text, m.end())
    if noun is None or not _GIVING.search(text[: m.start()]):
        return True
    if noun.group(1).lower().rstrip("s") in owned:
        return True
    return _SECOND_OBJECT.match(text, noun.end()) is not None


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
        said = m.group(0).lower()
        if "owned" in m.re.groupindex:
            # "their latest invoices", stretched by `_each_ones`: each one's own.
            put = " and ".join(f"{e}'s{m.group('owned')}" for e in entities)
        else:
            put = f"{joined}'s" if said == "their" else joined
        pieces += [text[at : m.start()], put]
        resolutions += [Resolution(m.group(0), e, k, turn) for k, e in named]
        at = m.end()
    return "".join([*pieces, text[at:]]), resolutions


def _theirs_plural(text: str, spans: list[re.Match[str]], thread: _Thread) -> bool:
    """True when a "their" of `spans` owns records in the plural ("their latest invoices")."""
    return any(
        "owned" in m.re.groupindex and m.group(0).lower().endswith("s")
        for m in _each_ones(text, spans, thread, [])
    )


def _each_ones(
    text: str, spans: list[re.Match[str]], thread: _Thread, people: Sequence[str]
) -> list[re.Match[str]]:
    """`spans` with each "their" before a record's noun ("their latest invoices") stretched
    over the noun and put, by `_substitute_all`, as each person's own ("CUS-1007's latest
    invoice and CUS-1023's latest invoice"), which the reading of a person's records picks
    one by one; "CUS-1007 and CUS-1023's latest invoice" was read as a person and a record."""
    nouns = sorted({n.lower() for k in thread.kinds if not k.person for n in k.nouns}, key=len)
    if not nouns:
        return spans
    alternation = "|".join(re.escape(n) for n in reversed(nouns))
    stretched: list[re.Match[str]] = []
    for m in spans:
        if m.group(0).lower() != "their":
            stretched.append(m)
            continue
        owned = re.compile(rf"their(?P<owned>(?:\s+[\w-]+){{0,3}}?\s+(?:{alternation}))s?\b", re.I)
        whole = owned.match(text, m.start())
        stretched.append(whole if whole is not None else m)
    return stretched


def _listed_acted_on(
    text: str, spans: list[re.Match[str]], thread: _Thread
) -> tuple[list[tuple[str, str]], int] | None:
    """The records of one kind the newest turn's answer listed, when that turn named only a
    person and the request does to "them" what the team does to such records ("close
    them"), not to a person ("email them")."""
    if not all(m.group(0).lower() in {"them", "em"} for m in spans):
        return None
    return listed_acted_on(text, spans, thread)


def listed_acted_on(
    text: str, objects: Sequence[re.Match[str]], thread: _Thread
) -> tuple[list[tuple[str, str]], int] | None:
    """The records of one kind the newest turn's answer listed, when that turn named only
    people and each of `objects` ("them", "all of them") is what the request does to such
    records: the object of one of their verbs ("close them"), or of a change by a value such
    records take ("set all of them to high"), never of a message ("email them"). Of a listing
    the turn asked for by description ("pull up their dashboard tickets"), the ones its words
    describe best."""
    latest = thread.latest_named_any()
    if latest is None or not all(thread.by_name[k].person for k, _ in latest[0]):
        return None
    turn = next(t for t in thread.history if int(t.get("turn", 0)) == latest[1])
    listed = list(
        dict.fromkeys(
            (k, e)
            for k, e in (turn.get("entities") or {}).get("touched", [])
            if k in thread.by_name and not thread.by_name[k].person
        )
    )
    kinds = {k for k, _ in listed}
    if len(kinds) != 1:
        return None
    kind = thread.by_name[next(iter(kinds))]
    if not _done_to(text, objects, kind.name, thread):
        return None
    request = str(turn.get("request") or "")
    fits = _top_fits([e for _, e in listed], request, kind, thread)
    return [(k, e) for k, e in listed if e in fits], latest[1]


def _done_to(text: str, objects: Sequence[re.Match[str]], kind: str, thread: _Thread) -> bool:
    """True when each of `objects` is what the request does to records of `kind`: the object
    of one of their verbs ("close them"; "close it, they rotated the key" has "they" do
    something, so they are a person), or of a change by a value such records take ("bump em
    to urgent", whatever its verb); never of a message to a person ("email them")."""
    if any(_TO_PERSON.search(text[: m.start()]) for m in objects):
        return False
    verbs = {w for a in thread.acts if a.kind == kind for w in a.words}
    valued = thread.takes_value(text, kind)
    before = [re.search(r"([a-z]+)\s+$", text[: m.start()], re.I) for m in objects]
    return all(b and (b.group(1).lower() in verbs or valued) for b in before)


def group_again(
    text: str, resolutions: list[Resolution], thread: _Thread
) -> tuple[str, list[Resolution]]:
    """ "the other two tho. set em to high": a plural object pronoun after the records of one
    kind the request itself named (now their ids) is those records, when the request does to
    it what the team does to such records (one of their verbs, or a value they take), never
    what it does to a person ("email them")."""
    records = list(dict.fromkeys((r.kind, r.entity) for r in resolutions))
    kinds = {k for k, _ in records}
    if len(records) < 2 or len(kinds) != 1 or thread.by_name[next(iter(kinds))].person:
        return text, resolutions
    kind = next(iter(kinds))
    at = max(text.find(e) for _, e in records)
    spans = [m for m in re.finditer(r"\b(?:them|em)\b", text, re.I) if m.start() > at]
    if not spans or not _done_to(text, spans, kind, thread):
        return text, resolutions
    turn = next(r.turn for r in resolutions if r.kind == kind)
    out, added = _substitute_all(text, spans, records, turn)
    return out, [*resolutions, *added]


def _one_of_them_before(
    text: str, owners: Sequence[tuple[str, str]], turn: int, thread: _Thread
) -> str | None:
    """A question among `owners` when a bare "they" over them may be the one person the
    thread spoke of before: "what plan is CUS-1012 on?", "pull up TCK-1012 and TCK-1075",
    "give them a credit" is Olivia (singular they) or both owners; "each", "both" or "of
    them" says all. The person may have come up through an answer too ("who is the customer
    on that invoice?", or a record of theirs looked up), as `_person` reads the turns before.
    None when no turn before was about one of them: "email them" after "who opened TCK-1130
    and TCK-1133?" is each customer."""
    if _EACH.search(text) or _OF_THEM.search(text):
        return None
    before = [t for t in thread.history if int(t.get("turn", 0)) < turn]
    found = _person(replace(thread, history=before, pronoun=""))
    if found is None or len(set(found[0]) & {e for _, e in owners}) != 1:
        return None
    return _question(thread.by_name[owners[0][0]], [e for _, e in owners])


def _of_person(
    text: str, spans: list[re.Match[str]], records: Sequence[str], thread: _Thread
) -> bool:
    """True when "they" after records of one owner is that person: the request speaks to
    them ("email them"), or asks what only the person's records have ("what plan are they
    on": the team changes a customer's plan) and nothing of the records themselves ("are
    they still open?" asks the tickets' status)."""
    payload = PAYLOAD.search(text)
    said = text[: payload.start()] if payload else text
    if any(_TO_PERSON.search(text[: m.start()]) for m in spans):
        return True
    words = {w.lower() for w in re.findall(r"[a-z]+", said, re.I)}
    kinds = {thread.kind_of(e) for e in records}
    if any(a.kind in kinds and words & a.words for a in thread.acts):
        return False  # "close them": the records' own action
    if any(thread.fits(words - ENGLISH_STOP_WORDS, e) for e in records):
        return False  # "are they still open?", "are they urgent?"
    people = {k.name for k in thread.kinds if k.person}
    return any(a.kind in people and words & a.words for a in thread.acts)


def _mixed(
    thread: _Thread,
    text: str,
    spans: list[re.Match[str]],
    records: Sequence[tuple[str, str]],
    owner: tuple[str, str],
    turn: int,
) -> tuple[str, list[Resolution]]:
    """ "close them both, I spoke with her": each plural pronoun is every record, each other
    pronoun the one person who owns them."""
    joined = " and ".join(dict.fromkeys(e for _, e in records))
    pieces, resolutions, at = [], [], 0
    for m in spans:
        word = m.group(0).lower()
        if word in _PLURAL_PRONOUNS:
            put = f"{joined}'s" if word == "their" else joined
            resolutions += [Resolution(m.group(0), e, k, turn) for k, e in records]
        else:
            her = word == "her" and _her_is_possessive(text, m, thread)
            put = f"{owner[1]}'s" if word in _POSSESSIVE or her else owner[1]
            resolutions.append(Resolution(m.group(0), owner[1], owner[0], turn))
        pieces += [text[at : m.start()], put]
        at = m.end()
    return "".join([*pieces, text[at:]]), resolutions


def both_records(thread: _Thread) -> tuple[list[tuple[str, str]], int] | None:
    """What "both" and "the two" stand for: `plural_records` when those are two, else the newest
    of the last three turns that named two records of a kind, so five invoices an answer listed
    are not "both" ("who opened TCK-1092 and TCK-1102?", "what plan are they on?", "set both
    to high")."""
    found = thread.plural_records()
    if found and len({e for _, e in found[0]}) == 2:
        return found
    for turn in list(reversed(thread.history))[:3]:
        named = (turn.get("entities") or {}).get("named", [])
        pairs = list(
            dict.fromkeys(
                (k, e) for k, e in named if k in thread.by_name and not thread.by_name[k].person
            )
        )
        if len(pairs) == 2 and pairs[0][0] == pairs[1][0]:
            return pairs, int(turn.get("turn", 0))
    return found
