"""One pass that rewrites a request's references to ids, in order: noun phrases ("that
ticket"), owners, "the other one", descriptions, pronouns, plurals and a person's records;
or the question to ask when one of them is ambiguous.
"""

from __future__ import annotations

import re

from ringmaster.graph.references.descriptions import (
    _consumed,
    _described,
    _former_latter,
    _mended,
    _owner_phrases,
    _weak_refers,
    release_term_at,
)
from ringmaster.graph.references.done import _done, _done_acts
from ringmaster.graph.references.entities import (
    EntityKind,
    RecordFacts,
    Resolution,
    Resolved,
    _question,
    entity_ids,
)
from ringmaster.graph.references.hers import _hers
from ringmaster.graph.references.implied import caused
from ringmaster.graph.references.others import _other
from ringmaster.graph.references.owned import (
    _mine,
    _owned,
    owned_in_play,
    theirs_asked,
    theirs_typed,
)
from ringmaster.graph.references.patterns import (
    _ASKS_WHO,
    _IT,
    _PLURAL,
    _SET_TO,
    _TWO,
    MESSAGING,
    PAYLOAD,
    TELLING,
    _describing_words,
    nouns_pattern,
    plural_count,
    unwritten,
)
from ringmaster.graph.references.people import _people
from ringmaster.graph.references.pronouns import (
    _TO_PERSON,
    _pronoun,
    both_records,
    group_again,
    listed_acted_on,
)
from ringmaster.graph.references.same_request import named_before, record_named_before
from ringmaster.graph.references.thread import _Thread
from ringmaster.graph.references.unbound import acted_kinds
from ringmaster.stop_words import ENGLISH_STOP_WORDS

# A telling verb: after it, a clause is what the message says ("email her we closed both").
_TELLS = re.compile(rf"\b(?:{'|'.join(sorted(TELLING))})\b", re.I)
# What puts records into a message rather than says something of them: "listing all of
# them", "about both", "covering both".
_LISTS = re.compile(
    r"\b(?:about|for|on|with|of|regarding|re|listing|covering|including|attaching)\s+$", re.I
)

_ONES = re.compile(r"\s+ones?\b", re.I)
_THEM_BEFORE = re.compile(r"\b(?:them|those|these)\s+$", re.I)


# What goes on with a noun phrase: "with the duplicate charges" of "the incident with the
# duplicate charges", up to the end of its clause.
_GOES_ON = re.compile(
    r"\s+(?:with|about|from|for|of|in|on|at|whose|that|which|where)\s+([^,.;!?]*)", re.I
)


def _own_clause(text: str, end: int) -> str:
    """The words that go on with the noun phrase ending at `end` ("" when none do)."""
    found = _GOES_ON.match(text, end)
    return found.group(1) if found else ""


def _rewrite(request: str, explicit: list[tuple[str, str]], thread: _Thread) -> Resolved:
    text, resolutions = request, list[Resolution]()
    asks_who = bool(_ASKS_WHO.search(request))
    # "there account": the common slip for "their" before a record's noun.
    text = _mended(text, thread.kinds)
    # "my ticket" from a customer who said who they are: that customer's.
    text, resolutions = _mine(text, thread)
    # "Send Elif Torres a reminder about her June invoice": hers, the person typed in full.
    typed = theirs_typed(text, resolutions, thread)
    if isinstance(typed, str):
        return Resolved(request, resolutions, typed)
    text, resolutions = typed
    # "the bakery one", "give Sofia a credit": a person of the thread by their record's words.
    text, people, asked = _people(text, thread)
    resolutions += people
    if asked is not None:  # "give greta a credit" after two Gretas
        return Resolved(request, resolutions, asked)
    # "the one you just closed": the records a side effect of the thread ran on; "a status
    # update about both rollbacks": the records the thread's rollbacks ran on; "roll back the
    # deploy that caused it": the deployment the lookup ties the incident to; "close hers"
    # after her ticket and his: her record of those in play. Each asks, or reads on.
    for step in (_done, _done_acts, caused, _hers):
        read = step(text, thread)
        if isinstance(read, str):
            return Resolved(request, resolutions, read)
        text, resolutions = read[0], resolutions + read[1]
    text = _elided_noun(text, thread)
    # "the customer on the former": the record first, before the phrases around it are read.
    text, former = _former_latter(text, thread)
    resolutions += former
    for kind in thread.kinds:
        if not kind.nouns:
            continue
        noun = nouns_pattern(kind.nouns) + "s?"
        strong = rf"\b(?:that|this|the same|same|said|those|these)\s+{noun}\b"
        # Not "the customer CUS-1002" or "the ticket #1005" (an id follows), but "credit the
        # customer $10" is a reference.
        weak = rf"\bthe\s+{noun}\b(?!\s+(?:on|of|for|behind|from|who)\s+\w)(?!\s+[#\w-]*\d)"
        # "the customer" beside an explicit id is that record's customer, not an old one.
        for pattern in [strong] if explicit else [strong, weak]:
            for match in list(re.finditer(pattern, text, re.I)):
                phrase = match.group(0)
                if release_term_at(text, match):
                    continue  # "that release candidate", "the release notes": no deployment
                if kind.person and asks_who and pattern == weak:
                    continue  # "who is the customer?" asks for it: the record is the reference
                if pattern == weak and not _weak_refers(text, match):
                    continue
                # "the customer" after "… CUS-1011?", "and CUS-1012?": either; "that customer"
                # points at the one just named.
                found = thread.find(kind.name, echo=pattern == weak)
                if found is None and not kind.person and not _ONES.match(text, match.end()):
                    # "close the ticket" after "look up CUS-1024": one of that customer's. Not
                    # "the invoice one" with no invoice in play: a record the noun describes
                    # (the ticket about an invoice, beside "the dashboard one").
                    found = owned_in_play(thread, kind)
                if found is None:
                    continue
                options, turn = found
                plural = phrase.lower().split()[0] in {"those", "these"} or phrase.endswith("s")
                if plural and len(options) < 2:
                    options, turn = thread.gather(kind.name) or (options, turn)
                guessed = ""
                if len(options) > 1 and not plural:
                    # The value a change sets ("bump the ticket to urgent") says nothing of
                    # which record is meant, though a record may already have it.
                    chosen, by_words = thread.picking(_SET_TO.sub(" ", text), options)
                    if len(chosen) != 1:
                        return Resolved(request, resolutions, _question(kind, options))
                    # "the ticket" names no record: the request's other words ("close the
                    # ticket, customer is happy") that fit one of several better are a guess,
                    # asked before a side effect runs on it (`confirming`); the phrase's own
                    # ("the incident with the duplicate charges") say which.
                    own = thread.pick(_own_clause(unwritten(text), match.end()), options)
                    guessed = "description" if by_words and own != chosen else ""
                    options = chosen
                text = text.replace(phrase, " and ".join(options), 1)
                resolutions += [
                    Resolution(phrase, e, kind.name, turn, guessed=guessed) for e in options
                ]
    if not any(by_kind.person for k, _ in explicit if (by_kind := thread.by_name.get(k))):
        addressed = _addressed(text, thread, resolutions)
        if isinstance(addressed, str):
            return Resolved(request, resolutions, addressed)
        text, resolutions = addressed
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
    if out[1]:
        # "the customer of the smaller one": now "… of INV-1208", that invoice's customer,
        # before a "he" later in the request is read as anyone else.
        owners = _owner_phrases(text, thread)
        if not isinstance(owners, str) and owners[1]:
            text, resolutions = owners[0], _consumed(resolutions, owners[1], thread)
    by_name = thread.by_name

    def settled(person: bool) -> bool:
        ids = [k for k, _ in explicit] + [r.kind for r in resolutions]
        return any(by_name[k].person == person for k in ids if k in by_name)

    beside = _beside_id(text, explicit, thread)
    if (not settled(person=False) or beside) and not _PLURAL.search(text):
        out = _pronoun(text, thread, person=False)
        if isinstance(out, str):
            # "send her a reminder for it" after two women's invoices: "it" is hers, so who
            # she is comes first; a person the request names settles it.
            whose = _person_first(text, explicit, resolutions, thread, settled(person=True))
            if whose is not None:
                if whose[1]:
                    return Resolved(request, resolutions, whose[1])
                out = _pronoun(text, thread, person=False, whose=whose[0])
        if isinstance(out, str):
            return Resolved(request, resolutions, out)
        if beside and {r.entity for r in out[1]} & {e for _, e in explicit}:
            out = text, []  # "close it and TCK-1058" after TCK-1058: not two records
        asked = _someone_elses(request, explicit, out[1], thread)
        if asked is not None:
            return Resolved(request, resolutions, asked)
        text, resolutions = out[0], resolutions + out[1]
    # "refund INV-1001, they cancelled": "they" is that invoice's customer, never an earlier
    # turn's other customer (read as "CUS-1002 cancelled", which became the refund's reason).
    own = [e for k, e in explicit if k in by_name and not by_name[k].person]
    owners_named = {e for _, e in thread.owners(own)} if own else set()
    # "notify both customers that their tickets …": "their" is the two, read with "both".
    many = _PLURAL.search(text)
    kind_of_many = _noun_after(text, many.end(), thread) if many else None
    group = kind_of_many is not None and kind_of_many.person
    # "the other two tho. set em to high": "em" is the two just read.
    text, resolutions = group_again(text, resolutions, thread)
    # "show CUS-1003's open tickets and what plan they are on": the person named before it.
    this_turn = thread.this_turn
    text, own_people = named_before(text, thread, this_turn, resolutions)
    resolutions += own_people
    # "check INV-1144 and whether it is paid": the record named before it.
    text, own_records = record_named_before(text, thread, this_turn, resolutions)
    resolutions += own_records
    if not settled(person=True) and not owners_named and not group:
        out = _pronoun(text, thread, person=not asks_who)
        if isinstance(out, str):
            return Resolved(request, resolutions, out)
        text, resolutions = out[0], resolutions + out[1]
    both = _PLURAL.search(text)
    # "copies of them both": the pronoun before the plural is part of it.
    lead = _THEM_BEFORE.search(text[: both.start()]) if both else None
    start = lead.start() if lead else both.start() if both else 0
    # "close both": every record the latest turn named; beside a person the request names or
    # refers to ("email him a list of all of them"), the records only.
    beside_person = (
        settled(person=True)
        and not settled(person=False)
        and both is not None
        # "email them that both are being worked on", "email them we closed both": what the
        # message says, not a reference; "write him an email listing all of them" is one.
        and not PAYLOAD.search(text[:start])
        and not (_TELLS.search(text[:start]) and not _LISTS.search(text[:start]))
    )
    if both and (beside_person or (not explicit and not resolutions)):
        two = _TWO.match(both.group(0)) is not None
        latest = both_records(thread) if two else thread.plural_records()
        count = plural_count(both.group(0))
        of = _noun_after(text, both.end(), thread)
        if of is not None:
            # "close both tickets": the tickets the last turns named, one at a time or together.
            gathered = thread.gather(of.name, at_least=count or 2)
            latest = ([(of.name, e) for e in gathered[0]], gathered[1]) if gathered else None
            records = both_records(thread) if of.person and not latest else None
            if records and not any(by_name[k].person for k, _ in records[0]):
                # "email both custs" after a ticket per turn: the records' customers.
                theirs = thread.owners([e for _, e in records[0]])
                latest = ([o for o in theirs if o[0] == of.name], records[1]) if theirs else None
        if of is None and latest and all(by_name[k].person for k, _ in latest[0]):
            # "set all of them to high" after "pull up their dashboard tickets": the tickets
            # the answer listed, not the people (the team sets a ticket's priority).
            latest = listed_acted_on(text, [both], thread) or latest
        if of is None and latest and _TO_PERSON.search(text[:start]):
            # "email both of them" after "who are the customers on TCK-1101 and TCK-1030?": a
            # message goes to the records' people, never to the tickets.
            things = [e for k, e in latest[0] if not by_name[k].person]
            theirs = thread.owners(things) if len(things) == len(latest[0]) else []
            latest = (theirs, latest[1]) if len(theirs) > 1 else latest
        if latest and beside_person and any(by_name[k].person for k, _ in latest[0]):
            latest = None
        ids = list(dict.fromkeys(e for _, e in latest[0])) if latest else []
        if latest and count is not None and len(ids) > count:
            # "close the two about an invoice question" of four tickets: the two its words fit.
            said = _SET_TO.sub(" ", _own_clause(text, both.end()))  # not the value "to high"
            fit = _counted(said, ids, count, thread)
            if fit:
                latest, ids = ([(k, e) for k, e in latest[0] if e in fit], latest[1]), fit
        if latest and count is not None and len(ids) != count:
            # "all three" when five records are in play: which three is asked, never all five.
            kinds = {k for k, _ in latest[0]}
            one = by_name.get(kinds.pop()) if len(kinds) == 1 else None
            return Resolved(request, resolutions, _question(one, ids))
        if latest:
            named, turn = latest
            joined = " and ".join(dict.fromkeys(e for _, e in named))
            text = text[:start] + joined + text[both.end() :]
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
        # "whose is that", "who is that billed to" after two invoices side by side (or a
        # customer's invoices listed): which of them, asked as "whose is it" is.
        several = _several(thread) if _refers(request, thread) else None
        if several is not None:
            return Resolved(request, [], several)
        # "who's the customer?" after a ticket: the customer on that ticket.
        latest = thread.latest_named(person=False)
        if latest and len({e for _, e in latest[0]}) == 1:
            kind_name, entity = latest[0][0]
            text = f"{text.rstrip(' ?.')} on {entity}?"
            resolutions.append(Resolution("(implied)", entity, kind_name, latest[1]))
    # "any open tickets?" after a turn about one customer: theirs.
    if not resolutions and not explicit and (of_theirs := theirs_asked(text, thread)):
        text, resolutions = of_theirs[0], [of_theirs[1]]
    return Resolved(text, resolutions)


def _counted(words: str, ids: list[str], count: int, thread: _Thread) -> list[str]:
    """The `count` records of `ids` the words after a counted plural describe best ("the two
    about an invoice question"), when exactly that many do; else []."""
    nouns = {n.lower() for k in thread.kinds for n in k.nouns}
    said = {w for w in _describing_words(words) if w.rstrip("s") not in nouns}
    scores = {e: len(thread.fits(said, e)) for e in ids}
    best = max(scores.values(), default=0)
    top = [e for e in ids if scores[e] == best]
    return top if best > 0 and len(top) == count else []


def _refers(request: str, thread: _Thread) -> bool:
    """True when a request says "it", a kind's noun ("who's the customer") or a "that" or
    "this" of its own ("whose is that", "who is that billed to"), so it is about a record of
    the thread; "who is on call this week?" is not."""
    nouns = {n.lower() for k in thread.kinds for n in k.nouns} | {"one"}
    words = re.findall(r"[a-z]+", request.lower())
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else ""
        if word in {"it", "its"} or word.rstrip("s") in nouns:
            return True
        alone = not after or after in ENGLISH_STOP_WORDS or after.endswith("ed")
        if word in {"that", "this"} and (alone or after.rstrip("s") in nouns):
            return True
    return False


def _several(thread: _Thread) -> str | None:
    """For a "who" question about a record it does not name: a question among the records
    the newest turn that had any named or listed together, as "whose is it" asks (the
    records `latest_mentioned` gives "it"), when there are several; else None. A follow-up's
    earlier record ("pull up INV-1196", "and INV-1102?") is not among them: "that" is the
    newer, as "that customer" is."""
    latest = thread.latest_mentioned(echo=False)
    records = list(dict.fromkeys(latest[0])) if latest else []
    if len(records) < 2:
        return None
    kinds = {k for k, _ in records}
    one = thread.by_name.get(kinds.pop()) if len(kinds) == 1 else None
    return _question(one, [e for _, e in records])


# A person's possessive with its noun left out: "close Chloe's", "and Ben's too".
_ELIDED = r"\b({ids})'s(?=\s*(?:$|[,.!?;]|\b(?:too|as well|also|and|then|please|pls)\b))"


def _elided_noun(text: str, thread: _Thread) -> str:
    """`text` with the noun a person's possessive leaves out put back ("close CUS-1049's" is
    her ticket): the one kind of record the request's side effect acts on."""
    people = [e for k, e in entity_ids(thread.kinds, text) if thread.by_name[k].person]
    acted = [k for k in acted_kinds(text, thread, thread.acts) if not thread.by_name[k].person]
    if not people or len(acted) != 1 or not thread.by_name[acted[0]].nouns:
        return text
    noun = thread.by_name[acted[0]].nouns[0]
    ids = "|".join(re.escape(e) for e in people)
    return re.sub(_ELIDED.replace("{ids}", ids), rf"\1's {noun}", text, flags=re.I)


def _candidates(thread: _Thread) -> list[str]:
    """The records a record's pronoun may stand for: those the latest turn mentioned."""
    latest = thread.latest_mentioned()
    return [e for k, e in latest[0] if not thread.by_name[k].person] if latest else []


def _person_first(
    text: str,
    explicit: list[tuple[str, str]],
    resolutions: list[Resolution],
    thread: _Thread,
    settled: bool,
) -> tuple[str, str] | None:
    """Who the request is about when a record's pronoun has several candidates: (the one
    person, "") when it refers to one by a pronoun, or names one who owns some of them; ("",
    the question) when its pronoun for a person is ambiguous too (asked first: which record
    follows from whom, and a reply naming the person answers it); else None."""
    candidates = _candidates(thread)
    owners = {o for e in candidates if (o := thread.owned_by(e))}
    if not candidates or any(thread.owned_by(e) is None for e in candidates):
        return None  # "it" may be a record nobody owns (a deployment): no person narrows it
    people = list(
        dict.fromkeys(e for k, e in explicit if thread.by_name.get(k) and thread.by_name[k].person)
        or dict.fromkeys(r.entity for r in resolutions if thread.by_name[r.kind].person)
    )
    if len(people) == 1:
        return (people[0], "") if people[0] in owners else None
    if people or settled:
        return None
    found = _pronoun(text, thread, person=True)
    if isinstance(found, str):
        return "", found
    one = {r.entity for r in found[1]}
    return (one.pop(), "") if len(one) == 1 else None


def _beside_id(text: str, explicit: list[tuple[str, str]], thread: _Thread) -> bool:
    """True when "it" is joined to a record the request names ("close it and TCK-1058 too",
    "TCK-1058 and that one"): another record than that one, so one of the thread's."""
    ids = "|".join(re.escape(e) for k, e in explicit if not thread.by_name[k].person)
    joined = rf"\b{_IT}\s+(?:and|&)\s+(?:{ids})\b|\b(?:{ids})\s+(?:and|&)\s+{_IT}\b"
    return bool(ids) and re.search(joined, text, re.I) is not None


def _someone_elses(
    request: str, explicit: list[tuple[str, str]], found: list[Resolution], thread: _Thread
) -> str | None:
    """The question to ask when a pronoun the request acts on was read as a record of another
    person than the one it names ("CUS-1005 had the same issue, close it too" after Maria's
    TCK-1001): which of the named person's records is meant, never the earlier one's."""
    typed = {e for k, e in explicit if k in thread.by_name and thread.by_name[k].person}
    acted = acted_kinds(request, thread, thread.acts) if typed and found else set()
    for r in [r for r in found if r.kind in acted]:
        owners = {o for k in thread.kinds if k.person and (o := thread.owner(r.entity, k.name))}
        if not owners or owners & typed:
            continue
        kind = thread.by_name[r.kind]
        facts = [thread.facts(e) for e in typed]
        theirs = [
            e
            for f in facts
            for e in (f.owns if f else ())
            if kind.pattern.fullmatch(e) and not (thread.facts(e) or RecordFacts(e)).done
        ]
        noun = kind.nouns[0] if kind.nouns else kind.name
        return _question(kind, theirs) if theirs else f"Which {noun} do you mean?"
    return None


def _noun_after(text: str, at: int, thread: _Thread) -> EntityKind | None:
    """The kind whose noun follows a plural at `at` ("both tickets", "all three invoices")."""
    word = re.match(r"\s+([a-z]+)", text[at:], re.I)
    noun = word.group(1).lower() if word else ""
    return next((k for k in thread.kinds if noun.rstrip("s") in {n.lower() for n in k.nouns}), None)


# A person's noun typed bare as the one a message goes to ("email cust a reminder", "tell
# customer we fixed it"), followed by what the message is, never by another noun ("tell
# customer support", "email client services").
_ADDRESSED = (
    rf"\b(?:{MESSAGING}|tell|remind|text)\s+({{noun}})\b"
    r"(?=\s+(?:a|an|the|that|about|re|we|saying|asking|to|and|pls|please|it|its)\b|\s*[,.!?:;]|\s*$)"
)


def _addressed(
    text: str, thread: _Thread, resolutions: list[Resolution]
) -> tuple[str, list[Resolution]] | str:
    """`text` with a bare person's noun a message is sent to ("email cust a reminder for it")
    read as the person of the thread, as "the customer" is; a question when several are."""
    for kind in [k for k in thread.kinds if k.person and k.nouns]:
        if any(r.kind == kind.name for r in resolutions):
            continue
        noun = nouns_pattern(kind.nouns)
        match = re.search(_ADDRESSED.replace("{noun}", noun), text, re.I)
        if match is None:
            continue
        found = thread.find(kind.name, echo=True)
        if found is None:
            continue
        options, turn = found
        if len(options) > 1:
            return _question(kind, options)
        text = text[: match.start(1)] + options[0] + text[match.end(1) :]
        resolutions = [*resolutions, Resolution(match.group(1), options[0], kind.name, turn)]
    return text, resolutions
