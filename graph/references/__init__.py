"""Follow-ups resolved against the thread: "it", "that customer", "do that for CUS-1002 too".

A team file names the kinds of record its requests talk about (`entities:` — an id pattern and
the nouns that name it). Each finished turn leaves in the thread's history the ids it named (in
the request as resolved) and touched (in its results), and which ids stood together in one
result (a ticket and its customer). A new turn's references are rewritten to concrete ids before
routing, so the planner — local or LLM — sees "close TCK-1001", never "close it". Every rewrite
says what was resolved and from which turn; the LLM planner gets that too, a line a reference
after the request (`Resolved.context`: the id, its kind, its turn, and whether it was guessed),
never the conversation. A guess with a side effect never reaches a planner: it is asked. A
reference with more than one candidate is never guessed: the turn becomes a question, and the
next turn may answer it ("the SAML one", "both", "TCK-1002"), which runs the question's request
with the record picked.

An optional `Lookup` (the demo's is `tools/demo/lookup.py`) tells who owns a record ("its
customer", "their invoices") and which words describe it ("the June one").

The package's modules, each with one job: `entities` (the public types, and what a turn leaves
in the history), `thread` (the history as the resolver reads it), `asked` (the question still
open, past pleasantries), `rewrite` (one pass over a request's references), `descriptions`
(noun phrases, owners, descriptions, ordinals), `others` ("the other one", "the other two"),
`narrowed` ("close them" after a turn about one of the tickets looked up), `owned` (a
person's records: "her ticket", and "my ticket" from a customer who said who they are),
`names` (people a request named by full name, whoever an answer looked up), `pronouns`
(pronouns and plurals), `days` ("that day": the day an earlier request wrote, or asked), `followups`
(replies to a question, repeats and ellipsis, "and for March?"), `swaps` (a correction that
takes a record or an action back: "not INV-1002, INV-1005", "don't refund it, credit her
instead"), `implied` (an action typed without its object: "roll back"), `mistyped` (an id
typed wrong: "INV-102" for the INV-1002 in play),
`unbound` (a side effect on a record the turn leaves out is asked when several are in play),
`confirm` (a guessed reading is confirmed before a side effect runs on it), `choices` ("refund
one of them" is asked, "all except the seats one" leaves it out) and `patterns` (the phrase
patterns and word sets).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from ringmaster.graph.references.asked import open_question, still_waiting
from ringmaster.graph.references.choices import open_choice, without_excepted
from ringmaster.graph.references.confirm import acts_on_anything, confirming, read_only
from ringmaster.graph.references.contracted import uncontracted
from ringmaster.graph.references.days import day_answered, that_day
from ringmaster.graph.references.entities import (
    EntityKind,
    Lookup,
    RecordFacts,
    Records,
    Resolution,
    Resolved,
    _question,
    asked_request,
    asking,
    asks,
    entity_ids,
    kinds_from_team,
    strip_ids,
    turn_entities,
)
from ringmaster.graph.references.followups import (
    _bare,
    _ellipsis_after,
    _new_value,
    _repeat,
    _reply,
)
from ringmaster.graph.references.implied import Act, _implied, acts_from_tools, behind, misfit
from ringmaster.graph.references.mistyped import by_noun, mend_ids
from ringmaster.graph.references.names import describes_a_record, in_catalog, speaks_of_people
from ringmaster.graph.references.owned import _owned
from ringmaster.graph.references.patterns import _CHANGES, _DESCRIBED, _own_words, unspoken
from ringmaster.graph.references.pronouns import _noun_before
from ringmaster.graph.references.rewrite import _rewrite
from ringmaster.graph.references.swaps import retracted, taken_back
from ringmaster.graph.references.thread import _Thread
from ringmaster.graph.references.unbound import acted_kinds, rivals, unbound

__all__ = [
    "Act",
    "EntityKind",
    "Lookup",
    "RecordFacts",
    "Records",
    "Resolution",
    "Resolved",
    "asked_request",
    "asking",
    "acts_from_tools",
    "asks",
    "entity_ids",
    "kinds_from_team",
    "reads_only",
    "resolve",
    "still_waiting",
    "strip_ids",
    "turn_entities",
]


def reads_only(
    text: str,
    history: Sequence[Mapping[str, Any]],
    kinds: Sequence[EntityKind],
    lookup: Lookup | None = None,
    acts: Sequence[Act] = (),
) -> bool:
    """True when `text` (a request as resolved) plainly only reads: a question or a look-up,
    asking no side effect of the team's and no message (`confirm.read_only`)."""
    return read_only(text, _Thread(history, kinds, lookup, acts), acts)


def resolve(
    request: str,
    history: Sequence[Mapping[str, Any]],
    kinds: Sequence[EntityKind],
    lookup: Lookup | None = None,
    acts: Sequence[Act] = (),
    records: Records | None = None,
) -> Resolved:
    """Rewrite the request's references to earlier turns' ids, or ask when one is ambiguous.

    `acts` (the team's side effects, `acts_from_tools`) let an action typed without its
    object ("roll back") act on the thread's one record of its kind, or ask among several;
    `records` (every record of an id prefix) let a reply describe a record the thread never
    named, to a question that listed none ("Which deployment do you mean?", "the web one").
    A clause the request takes back ("don't refund INV-1144, credit her instead") is left out
    of the text to plan, and said in `dropped`."""

    def read(turns: Sequence[Mapping[str, Any]]) -> Resolved:
        return _resolve(request, turns, kinds, lookup, acts, records)

    out = _older_answer(request, history, kinds, read) or read(history)
    if out.question:
        return out
    # "If they're really unpaid": "If INV-1102 and INV-1149 are …", never "…'re".
    out = replace(out, text=uncontracted(out.text, out.resolutions, request))
    # "close TCK-1137 no wait sorry TCK-1078": the id taken back is no part of the request.
    text, ids = retracted(out.text, kinds)
    if ids:
        kept = [r for r in out.resolutions if r.entity not in ids]
        out = replace(out, text=text, resolutions=kept, dropped=(*out.dropped, *ids))
    text, dropped = taken_back(out.text)
    return replace(out, text=text, dropped=(*out.dropped, *dropped)) if dropped else out


# What a reply that only picks among a question's options says besides the pick: "the first
# one", "the second", "INV-1052", "oh, the last one please".
_PICK_WORDS = {"the", "one", "first", "second", "third", "fourth", "fifth", "last", "latter",
               "former", "please", "yes", "i", "mean", "meant", "that", "oh", "ok", "okay",
               "sorry", "and", "both"}  # fmt: skip


def _older_answer(
    request: str,
    history: Sequence[Mapping[str, Any]],
    kinds: Sequence[EntityKind],
    read: Callable[[Sequence[Mapping[str, Any]]], Resolved],
) -> Resolved | None:
    """A reply that only picks ("the first one", "INV-1052") when no question is open at the
    latest turn, but an earlier turn still waits on its question ("Which invoice do you
    mean: …?", its turn not finished) behind requests made since: the answer to the latest
    such question it fits, read as if it followed that question; when it fits more than one,
    which is asked. None otherwise (read as usual against the latest turn). `read` resolves
    `request` against a history."""
    if not kinds or not history or open_question(history) is not None:
        return None
    words = re.findall(r"[a-z]+", strip_ids(request, kinds).lower())
    if len(words) > 5 or set(words) - _PICK_WORDS:
        return None
    fits: list[tuple[Mapping[str, Any], Resolved]] = []
    for at in range(len(history) - 2, -1, -1):
        entry = history[at]
        if not entry.get("pending") or not (entry.get("entities") or {}).get("question"):
            continue
        out = read(history[: at + 1])
        if out.answers == entry.get("turn"):
            fits.append((entry, out))
    if len(fits) > 1:
        asked = " or ".join(
            f"turn {e.get('turn')}'s ({(e.get('entities') or {})['question'].get('asked')})"
            for e, _ in fits
        )
        return Resolved(request, [], f"Which question are you answering: {asked}?")
    return fits[0][1] if fits else None


def _resolve(
    request: str,
    history: Sequence[Mapping[str, Any]],
    kinds: Sequence[EntityKind],
    lookup: Lookup | None,
    acts: Sequence[Act],
    records: Records | None,
) -> Resolved:
    if not kinds:
        return Resolved(request, [])
    thread = _Thread(history, kinds, lookup, acts, records)
    # "ok so like is his is his june invoice paid", "and um also for maria": as if said once.
    request = unspoken(request)
    # "was anything else pushed to prod that day?": the day an earlier request wrote.
    # "June 11" to "Which day do you mean: June 10 or June 11?": the request asked about.
    answered = day_answered(request, history)
    if answered is not None:
        return answered
    request, which_day = that_day(request, history)
    if which_day is not None:  # two days in play, or none: asked, nothing acted on
        return Resolved(request, [], which_day)
    # "ticket 1037", "invoice #1149": the records, from the first turn on.
    request, spelled = by_noun(request, thread)
    out = _resolve_in(request, thread, acts)
    if spelled and not out.question:
        out = replace(out, resolutions=[*spelled, *out.resolutions])
    return out


def _resolve_in(request: str, thread: _Thread, acts: Sequence[Act]) -> Resolved:
    history, kinds = thread.history, thread.kinds
    if not history:
        return _first_turn(request, thread, acts)
    if (
        speaks_of_people(request, kinds)
        or describes_a_record(request, kinds)
        or _acts_on_one_described(request, thread, acts)
    ):
        thread = thread.naming_people().hearing(request)
    typed = request
    mended = mend_ids(request, thread)
    if isinstance(mended, str):
        return Resolved(request, [], mended)
    request, slips = mended
    # "refund INV-102" for the INV-1002 in play: the rest reads the id as meant.
    out = _references(request, thread, acts)
    # "refund one of them" is asked; "close them all except the seats one" leaves it out.
    out = without_excepted(open_choice(request, out, thread, acts), thread, acts)
    if slips:
        out = replace(out, resolutions=[*slips, *out.resolutions])
    # A guessed reading (a mended id, a record a loose description picked) is asked before a
    # side effect runs on it.
    return _another_persons(confirming(typed, out, thread, acts), request, thread)


def _another_persons(out: Resolved, request: str, thread: _Thread) -> Resolved:
    """A reply that picks a person ("aisha" to "Which customer do you mean?") for a request
    whose record ("send her a reminder for it") is another person's: asked which of hers,
    never acted on the other person's (the reply had sent Aisha a reminder for Maria's June
    invoice, the one invoice the thread held)."""
    if out.answers is None or out.question:
        return out
    typed = {e for _, e in entity_ids(thread.kinds, request)}
    named = [
        (thread.by_name[k], e) for k, e in entity_ids(thread.kinds, out.text) if e not in typed
    ]
    people = {e for k, e in named if k.person} | {
        r.entity for r in out.resolutions if thread.by_name[r.kind].person
    }
    if len(people) != 1:
        return out
    [person] = people
    for kind, entity in named:
        if kind.person:
            continue
        owners = {thread.owner(entity, k.name) for k in thread.kinds if k.person} - {None}
        if owners and person not in owners:
            return Resolved(request, [], _question(kind, []))
    return out


def _acts_on_one_described(request: str, thread: _Thread, acts: Sequence[Act]) -> bool:
    """True when a change is asked of "the … one" ("bump the starter one to pro", "change the
    starter one's plan"): the one may be any of the people the thread named, not only those an
    answer looked up (a record of theirs is read as before)."""
    if re.search(_DESCRIBED.replace("{nouns}", "one"), request, re.I) is None:
        return False
    acted = acted_kinds(request, thread, acts)
    return _CHANGES.search(request) is not None or any(thread.by_name[k].person for k in acted)


_FIRST_PRONOUN = re.compile(r"\b(?:it|that|this|them)\b", re.I)
# A pronoun object of its own ("TCK-1001 is solved, close it"), read below.
_FIRST_OBJECT = re.compile(r"\b(?:it|them|em)\b", re.I)


def _first_turn(request: str, thread: _Thread, acts: Sequence[Act]) -> Resolved:
    """A thread's first turn, which nothing before it can refer to: as typed, except an act on
    a pronoun no record of the request stands for ("close it", "refund it please"), which asks
    which record (never left for the planner to send to a person or an agent to pick one).
    Words of its own before the pronoun, besides its verb and a filler ("hey", "kindly"), may
    say what it is ("I changed my work email, how do I update it?"): as typed too."""
    nouns = {n.lower() for k in thread.kinds if not k.person for n in k.nouns}
    acting = acts_on_anything(request, thread, acts) or _CHANGES.search(request) is not None
    if acting and not entity_ids(thread.kinds, request):
        # "give Ben a credit" with two Bens in the catalog asks which; "set Tariq Castillo's
        # ticket to urgent" with two of his open asks which ticket, as for his id.
        named, which = in_catalog(request, thread.kinds, thread.lookup, thread.records)
        theirs = _owned(named, [], thread) if which is None and named != request else None
        which = which or (theirs if isinstance(theirs, str) else None)
        if which is not None:
            return Resolved(request, [], which)
    if acting and not entity_ids(thread.kinds, request) and not _FIRST_OBJECT.search(request):
        # "close the ticket", "roll back the service": an act on a record only its kind's
        # noun names (or what its tool takes, by name), with no thread to say which: asked.
        implied = _implied(request, thread, acts)
        if implied is not None and implied.question:
            return implied
    if entity_ids(thread.kinds, request) or _noun_before(request, nouns):
        # "TCK-1001 is solved, close it", "her ticket …, close it"; but "close CUS-1001's
        # ticket" for a customer with two unfinished tickets asks which, before any agent acts.
        whose = _owned(request, [], thread) if acts_on_anything(request, thread, acts) else None
        return Resolved(request, [], whose) if isinstance(whose, str) else Resolved(request, [])
    if len(_own_words(_FIRST_PRONOUN.split(request, maxsplit=1)[0])) > 2:
        return Resolved(request, [])
    asked = _implied(request, thread, acts)
    return asked if asked is not None and asked.question else Resolved(request, [])


def _references(request: str, thread: _Thread, acts: Sequence[Act]) -> Resolved:
    kinds = thread.kinds
    explicit = entity_ids(kinds, request)
    for step in (_reply, _repeat, _bare, _new_value):
        out = step(request, explicit, thread)
        if out is not None:
            return out
    out = _ellipsis_after(request, _rewrite(request, explicit, thread), thread)
    kind = misfit(request, out, acts, kinds, lambda e, k: thread.owner(e, k) is not None)
    if kind is not None:  # "close it" whose "it" is an invoice: a ticket of the thread's, or ask
        # "roll it back" of an incident: the deployment behind it, when the records say one.
        tied = behind(out, kind, thread)
        if tied is not None:
            return unbound(request, tied, thread, acts)
        asked = _question(thread.by_name[kind], [])
        return _implied_or_rival(request, thread, acts) or Resolved(request, [], asked)
    if out.question or out.resolutions or explicit:
        return unbound(request, out, thread, acts)
    return _implied_or_rival(request, thread, acts) or unbound(request, out, thread, acts)


def _implied_or_rival(request: str, thread: _Thread, acts: Sequence[Act]) -> Resolved | None:
    """`_implied`, asked as "close it" is when the record it took by recency has a live rival
    ("TCK-1133 is the app crash", "and TCK-1145 is about seats", "close pls")."""
    out = _implied(request, thread, acts)
    if out is None or out.question:
        return out
    return rivals(request, out, thread, acts) or out
