"""Follow-ups that stand for an earlier request: a reply to the question the last turn
asked ("the SAML one", "both", "TCK-1002"), and a repeat or ellipsis for another record
("do that for CUS-1002 too", "and INV-1003?", "sorry, I meant INV-1012").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ringmaster.graph.pleasantries import only_pleasantry
from ringmaster.graph.references.asked import (
    awaiting_confirmation,
    declined,
    pending_question,
    unnamed_question,
)
from ringmaster.graph.references.confirm import acts_on_anything, read_only
from ringmaster.graph.references.entities import (
    EntityKind,
    Resolution,
    Resolved,
    _question,
    declined_question,
    entity_ids,
    records_of,
    strip_ids,
)
from ringmaster.graph.references.mistyped import in_thread, put_picked
from ringmaster.graph.references.others import instead_of_others
from ringmaster.graph.references.patterns import (
    _CHANGES,
    _CORRECTION,
    _ELLIPSIS,
    _ELLIPSIS_MAX_WORDS,
    _ORDINAL,
    _REPEAT,
    _REPEAT_MAX_WORDS,
    LOOKS_UP,
    _asks,
    _asks_otherwise,
    _describing_words,
    _own_words,
    nouns_pattern,
)
from ringmaster.graph.references.rewrite import _rewrite
from ringmaster.graph.references.swaps import Swap, swap
from ringmaster.graph.references.thread import _Thread, fits_words
from ringmaster.graph.references.unbound import acted_kinds
from ringmaster.graph.yes_no import NO, STARTS_NO, STARTS_YES, alternation

# A reply that picks none of the options offered: "neither, I meant TCK-1005".
_NONE = re.compile(
    r"\b(?:neither|none of (?:them|those|these)|not (?:either|any) of (?:them|those|these)|"
    r"i meant|i mean)\b",
    re.I,
)
# A reply that confirms the guess a question named: "yes", "y", "yes please", "yep, that one".
_YES = STARTS_YES
# A no anywhere in a short reply ("yeah nah", "yes, not that one") makes it no yes.
_NO = re.compile(rf"\b(?:{alternation((*NO, 'not'))})\b", re.I)
# A reply that declines the guess and names nothing: "no", "n", "nope", "no thanks", "neither",
# or a short reply with a no in it ("yeah nah").
_DECLINE = STARTS_NO
# What, in the request a question was about, stands for the records the reply picks.
_STANDS_FOR_PICKED = re.compile(r"\b(it|them|that one)\b", re.I)
# A person's pronoun as an object: followed by another object or nothing ("email her the
# invoice", "remind him"), not by what is theirs ("her finance team").
_OBJECT_PRONOUN = re.compile(
    r"\b(?:her|him|them)\b(?=\s*(?:$|[,.;:!?]|(?:the|a|an|this|that|these|those|its|about|for|"
    r"of|on|to|with|and)\b))",
    re.I,
)


def _reply(request: str, explicit: list[tuple[str, str]], thread: _Thread) -> Resolved | None:
    """An answer to the question still open (the last turn's, or one asked before turns that
    were only pleasantries): its request, run with the record picked."""
    pending = pending_question(thread.history)
    if pending is None:
        return _unnamed_reply(request, explicit, thread)
    asked, options, turn, at = pending
    option_ids = [e for _, e in options]
    chosen = [e for _, e in explicit if e in option_ids]
    kinds = {k for k, _ in options}
    bare = not re.sub(r"[\W_]+", "", strip_ids(request, thread.kinds))
    if not chosen and explicit and (bare or _CORRECTION.search(request) or _NONE.search(request)):
        # "sorry, I meant TCK-1003", "TCK-1003": a record that was not among the options.
        chosen = [e for k, e in explicit if k in kinds]
    if awaiting_confirmation(thread.history):
        # Only a reply is an answer to "Did you mean INV-1001 …?": "yes", "yes, INV-1001", "no,
        # INV-1010", "INV-1010"; a new request that names the record ("how much was INV-1001
        # for?") is no confirmation of the action asked about.
        said = re.sub(r"[\W_]+", " ", strip_ids(request, thread.kinds)).split()
        short = len(said) <= 4
        other = bool(_CORRECTION.search(request) or _NONE.search(request))
        if _YES.match(request) and short and not _NO.search(request):
            if declined(thread.history):
                return None  # the record named was declined: "yes" confirms nothing
            # "yes": the guess the question named; "yes, INV-1003": the record named.
            chosen = chosen or [e for k, e in explicit if k in kinds] or option_ids
        elif explicit and (bare or (short and other)):
            # "no, INV-1010": the guess was wrong, the record named is meant.
            chosen = [e for k, e in explicit if k in kinds]
        elif not explicit and short and (_DECLINE.match(request) or _NO.search(request)):
            # "no": nothing runs; the question is answered, and the turn asks which was meant.
            kind = thread.by_name.get(options[0][0]) if len(kinds) == 1 else None
            return Resolved(asked, [], declined_question(kind, option_ids), answers=turn)
        else:
            return None
    if not chosen and not explicit and _acts_elsewhere(request, asked, thread):
        return None  # "refund it full" to "add note on it: which record?": a request of its own
    guessed = False
    if not chosen and not explicit and len(request.split()) <= 8:
        chosen = thread.pick(request, option_ids)
        described = thread.described(request, option_ids)
        if _ORDINAL.search(request) and len(described) == 1:
            # "The first customer, Sofia": the ordinal counts in an order the user may not
            # share (the question lists by id; they count as they brought the records up), the
            # name or description says which.
            chosen = described
        kind = thread.by_name.get(options[0][0]) if len(kinds) == 1 else None
        narrowed = _fitting(request, option_ids, kind, thread)
        takes = acted_kinds(asked, thread, thread.acts) & kinds
        if not chosen and len(kinds) > 1 and len(takes) == 1 and narrowed:
            # "the password one" to "close it: TCK-1001 or DOC-1001?": what the act takes is
            # a ticket, so the article the words fit too is none of its options.
            kind = thread.by_name.get(next(iter(takes)))
            narrowed = [e for k, e in options if k in takes and e in narrowed]
            chosen = narrowed if len(narrowed) == 1 else []
        if not chosen and len(narrowed) > 1:
            narrowed, guessed = _closest(narrowed, kind, thread, at)
            chosen = narrowed if len(narrowed) == 1 else []
        if not chosen and 1 < len(narrowed) < len(option_ids):
            # "production" to five web deployments: still more than one, asked among those.
            return Resolved(asked, [], _question(kind, narrowed), answers=turn)
    if not chosen:
        return None
    out = _answer(request, (asked, options, turn, at), chosen, thread)
    return _guessed(out, chosen) if guessed else out


def _guessed(out: Resolved, chosen: list[str]) -> Resolved:
    """`out` with the records a reply's words fit among others marked as guessed: picked by
    what the thread said or what is still live, not by the reply, so a side effect on them is
    confirmed first (`confirm.confirming`)."""
    marked = [
        replace(r, guessed="description") if r.entity in chosen else r for r in out.resolutions
    ]
    return replace(out, resolutions=marked)


def _acts_elsewhere(request: str, asked: str, thread: _Thread) -> bool:
    """True when a request asks for a side effect on other kinds of record than the asked
    request's, or a change by the value it sets ("Upgrade Chloe Okafor to starter.") where
    the asked request set none ("Email all three about the upgrade offer."): no answer to its
    question, whatever words of an option it shares."""
    if _CHANGES.search(request) and not _CHANGES.search(asked):
        return True
    mine = acted_kinds(request, thread, thread.acts)
    return bool(mine) and not mine <= acted_kinds(asked, thread, thread.acts)


def _unnamed_reply(
    request: str, explicit: list[tuple[str, str]], thread: _Thread
) -> Resolved | None:
    """A reply to a question that listed no options ("Which deployment do you mean?"): the
    record of its kind the reply names, or the one its words describe ("the web one",
    "staging") among those the thread named or touched, else among every record of the kind;
    asked again among them when the words describe several."""
    found = unnamed_question(thread.history)
    if found is None:
        return None
    asked, noun, turn, at = found
    kind = next((k for k in thread.kinds if noun in {k.name, *map(str.lower, k.nouns)}), None)
    # "Which tickets do you mean?" (there were no others): every id the reply names answers it.
    plural = next(
        (k for k in thread.kinds if noun.removesuffix("s") in {k.name, *map(str.lower, k.nouns)}),
        None,
    )
    bare = not re.sub(r"[\W_]+", "", strip_ids(request, thread.kinds))
    listed = not re.sub(r"\band\b|[\W_]+", "", strip_ids(request, thread.kinds))
    if kind is None and plural is not None and (listed or _CORRECTION.search(request)):
        chosen = [e for k, e in explicit if k == plural.name]
        text = instead_of_others(asked, chosen) if chosen else None
        if text is not None:
            picks = [Resolution(request, e, plural.name, turn) for e in chosen]
            return Resolved(text, picks, answers=turn)
    if kind is None:
        return None
    guessed = False
    if explicit:
        # "DEP-1028" answers it; "what version is DEP-1028?" is a request of its own.
        chosen = [e for k, e in explicit if k == kind.name] if bare else []
    else:
        chosen, guessed = _described_among(request, kind, thread, at)
    if len(chosen) > 1:
        return Resolved(asked, [], _question(kind, sorted(chosen)), answers=turn)
    if not chosen:
        return None
    out = _answer(request, (asked, [(kind.name, chosen[0])], turn, at), chosen, thread)
    return _guessed(out, chosen) if guessed else out


def _described_among(
    request: str, kind: EntityKind, thread: _Thread, at: int
) -> tuple[list[str], bool]:
    """The records of `kind` that every describing word of a short reply fits: the thread's
    own first, else every record of the kind the `records` catalog knows. Of several, those
    the thread's words up to the question fit best ("staging" after "whats on web prod and
    staging" is a web one), then those still live (not superseded, closed or resolved); and
    whether one was a guess (`_closest`)."""
    if len(request.split()) > 8 or thread.lookup is None:
        return [], False

    def catalog() -> list[str]:  # read only when the thread's own records fit none
        return records_of(kind, thread.records)

    for pool in (lambda: in_thread(thread, kind.name), catalog):
        fitting, guessed = _fitting(request, pool(), kind, thread), False
        if len(fitting) > 1:
            fitting, guessed = _closest(fitting, kind, thread, at)
        if fitting:
            return fitting, guessed
    return [], False


def _closest(
    fitting: list[str], kind: EntityKind | None, thread: _Thread, at: int
) -> tuple[list[str], bool]:
    """Of several records a reply describes, those still live (not superseded, closed or
    resolved), then of those the ones the thread's words up to the question (its turn and the
    two before) describe best. Those are whole requests, verbs and all, so only whole words
    count: "close it" must not pick a closed ticket. And whether the one left is a guess: the
    reply's words fit the others too, so when the thread's words tipped it, it is confirmed
    before a side effect (`confirm.confirming`), as a description's tie-break is. The live one
    of a finished one and a live one is no guess ("production" to "roll back the deploy": the
    release running there, not the one it replaced)."""
    live = [e for e in fitting if not (facts := thread.facts(e)) or not facts.done]
    fitting = live or fitting
    said = " ".join(str(t.get("request") or "") for t in thread.history[max(0, at - 2) : at + 1])
    nouns = {n.lower() for n in kind.nouns} if kind else set()
    words = _describing_words(strip_ids(said, thread.kinds)) - nouns
    scores = {e: len(words & thread.described_by(e)) for e in fitting}
    best = max(scores.values(), default=0)
    closest = [e for e in fitting if scores[e] == best]
    return closest, len(closest) == 1 < len(fitting)


def _fitting(
    request: str, pool: Sequence[str], kind: EntityKind | None, thread: _Thread
) -> list[str]:
    """The records of `pool` that every describing word of `request` fits ("web production"),
    besides the nouns of their kind; [] when it says none."""
    nouns = {n.lower() for n in kind.nouns} if kind else set()
    words = _describing_words(request) - nouns
    if not words or thread.lookup is None:
        return []
    return [e for e in pool if thread.fits(words, e) == words]


def _answer(
    request: str,
    pending: tuple[str, list[tuple[str, str]], int, int],
    chosen: list[str],
    thread: _Thread,
) -> Resolved:
    """The open question's request, run with the records the reply `chosen`."""
    asked, options, turn, at = pending
    kinds = {k for k, _ in options}
    nouns = [n for k in thread.kinds if k.name in kinds for n in k.nouns]
    # "tell the customer …" asked "which customer?": the noun stood for the pick too.
    stands = (
        re.compile(
            rf"{_STANDS_FOR_PICKED.pattern}|\b(?:the|that|this) {nouns_pattern(nouns)}\b",
            re.I,
        )
        if nouns
        else _STANDS_FOR_PICKED
    )
    if len(chosen) > 1 and stands.search(asked):
        # "both": the asked request's first "it" stands for every record picked; a later one
        # is the request's own wording ("add a note to it saying it is fixed").
        text = stands.sub(" and ".join(chosen), asked, count=1)
        kind_of = {e: k for k, e in options}
        picks = [Resolution(request, e, kind_of.get(e, ""), turn) for e in chosen]
        return Resolved(text, picks, answers=turn)
    earlier = list(thread.history[:at])
    picked = {
        "turn": turn,
        "request": asked,
        "picked": True,  # the record the reply picked: nothing stands beside it
        "entities": {
            "named": [[k, e] for k, e in options if e in chosen]
            or [[thread.kind_of(e) or "", e] for e in chosen]
        },
    }
    again = _rewrite(
        asked,
        entity_ids(thread.kinds, asked),
        replace(thread, history=[*earlier, picked]),
    )
    # "her ticket" with her picked reads as her one ticket: a record of the pick's is the pick's.
    theirs = [
        r for r in again.resolutions if r.entity in chosen or thread.owned_by(r.entity) in chosen
    ]
    if again.question or not theirs:
        # The question's request had no reference to put the pick into, or its words read
        # beside the pick are another record ("the customer's other ticket" is then the one
        # not picked): the pick is the answer, put in place of the mistyped id the question
        # was about ("INV-118"), else named after the request.
        text = put_picked(asked, chosen, list(thread.kinds)) or f"{asked} ({', '.join(chosen)})"
        # "do the same for CUS-1002" asked which invoice of theirs it is done on: the request
        # it repeats, on the one picked ("the other one" picked is the fallback's, as ever).
        ids = entity_ids(thread.kinds, text)
        theirs_picked = _picked_of_theirs(ids, thread)
        repeated = (
            _repeat(text, ids, replace(thread, history=earlier), theirs_picked)
            if theirs_picked[1]
            else None
        )
        if repeated is not None and repeated.question is None:
            # Where each id came from: the pick from the reply to this question, the rest from
            # the request asked about (as typed, never with the pick put in) repeating its turn.
            found = [
                replace(r, phrase=request, turn=turn)
                if r.entity in chosen
                else replace(r, phrase=asked)
                for r in repeated.resolutions
            ]
            return Resolved(repeated.text, found, answers=turn)
        return Resolved(
            text,
            [Resolution(request, e, thread.kind_of(e) or "", turn) for e in chosen],
            answers=turn,
        )
    # The reply picked a record; the question's request may resolve others with it ("her
    # finance team" is the picked invoice's customer), which are no part of the answer, except
    # a record of the pick's the request referred to ("send her a reminder for it", she
    # picked): that is read through the pick.
    # So is the person an object pronoun of the request stood for, when the pick is what
    # said who ("email her the june invoice" of two women's invoices, the one picked: she is
    # its customer, whom the email goes to); when the options were all one person's, she was
    # known before the question. "her finance team" is someone else again.
    decided = len({thread.owned_by(e) for _, e in options}) > 1
    whom = [
        r
        for r in again.resolutions
        if decided
        and r not in theirs
        and thread.by_name[r.kind].person
        and any(thread.owned_by(e) == r.entity for e in chosen)
        and r.phrase.lower() in {m.group(0).lower() for m in _OBJECT_PRONOUN.finditer(asked)}
    ]
    resolutions = [Resolution(request, r.entity, r.kind, turn) for r in [*whom, *theirs]]
    return Resolved(again.text, resolutions, answers=turn)


def _repeat(
    request: str,
    explicit: list[tuple[str, str]],
    thread: _Thread,
    of_theirs: tuple[list[tuple[str, str]], str | None] | None = None,
) -> Resolved | None:
    """`_repeated`, except a look-up ("and show me CUS-1003", "also check the other two"): it
    reads, so it never repeats an earlier side effect (a credit, a message) for the record."""
    out = _repeated(request, explicit, thread, of_theirs)
    if out is None or out.question or not LOOKS_UP.match(request):
        return out
    return None if acts_on_anything(out.text, thread, thread.acts) else out


def _repeated(
    request: str,
    explicit: list[tuple[str, str]],
    thread: _Thread,
    of_theirs: tuple[list[tuple[str, str]], str | None] | None = None,
) -> Resolved | None:
    """ "Do that for CUS-1002 too", "and INV-1003?": the last request about that kind, new id.
    `of_theirs`, `_picked_of_theirs` of `explicit` when the caller has read it already."""
    words = len(request.split())
    corrected = swap(request, thread.kinds)
    if corrected is not None and corrected.correcting:
        out = _swapped(request, corrected, thread)
        if out is not None:
            return out
    if len(explicit) == 2 and explicit[0][0] == explicit[1][0]:
        # "sorry, INV-1052 not INV-1005": the one that is not the mistake.
        wrong = re.search(r"\b(?:not|instead of|rather than)\s+([A-Z]+-\d+)", request, re.I)
        if wrong:
            explicit = [p for p in explicit if p[1].upper() != wrong.group(1).upper()]
    # "do the same for CUS-1002 (INV-1049)", a guess of theirs confirmed: that one of theirs.
    explicit, picked = of_theirs or _picked_of_theirs(explicit, thread)
    if len(explicit) != 1 or words > _REPEAT_MAX_WORDS:
        return None
    if thread.history and _asks_otherwise(request, str(thread.history[-1].get("request") or "")):
        return None  # "and the unpaid one, when is it due?": a question of its own
    kind, new_id = explicit[0]
    if not (_REPEAT.search(request) or _CORRECTION.search(request)) and not (
        (_ELLIPSIS.search(request) and words <= _ELLIPSIS_MAX_WORDS)
        or _asked_again(request, kind, thread)
    ):
        return None
    # Only the id's own nouns are filler ("and invoice INV-1003?"): "and CUS-1032's tickets?"
    # asks for other records, as "also close TCK-1005" asks for something itself.
    if not _only_repeats(request, kind, thread):
        return None
    if _CORRECTION.search(request) and (through := _through_owner(request, kind, new_id, thread)):
        return through
    if (last := _last_for(request, kind, new_id, thread)) is not None:
        return last
    for turn in reversed(thread.history):
        named = [e for k, e in (turn.get("entities") or {}).get("named", []) if k == kind]
        if (
            named
            and _REPEAT.search(str(turn.get("request") or ""))
            and _only_repeats(str(turn.get("request") or ""), kind, thread)
        ):
            # "and CUS-1010?" after "do the same for CUS-1002", which stayed as typed (it asked
            # which of theirs): that repeat says nothing to do, so the request it repeated is.
            continue
        theirs_too = None if named else _for_owner(request, turn, kind, new_id, thread, picked)
        if theirs_too is not None:
            return theirs_too
        if named and new_id not in named:
            earlier = str(turn["request"])
            for old in set(named):
                earlier = earlier.replace(old, new_id)
            if new_id not in earlier:
                return None  # the id came from a result, not the words: nothing to swap
            number = int(turn["turn"])
            found = [Resolution(request, new_id, kind, number)]
            # "send CUS-1005 a reminder for INV-1146", "do the same for INV-1191": the new
            # record's customer, not the one who owned the old record.
            for person in [k for k in thread.kinds if k.person and k.name != kind]:
                new_owner = thread.owner(new_id, person.name)
                for old in set(named):
                    old_owner = thread.owner(old, person.name)
                    if new_owner and old_owner and old_owner != new_owner and old_owner in earlier:
                        earlier = earlier.replace(old_owner, new_owner)
                        found.append(Resolution(request, new_owner, person.name, number))
                    elif new_owner and new_owner == old_owner and _read_in(new_owner, turn):
                        # "remind her about the April one", "and the June one too": she is
                        # who the repeat is for, as much as "her" was in the turn it repeats.
                        found.append(Resolution(request, new_owner, person.name, number))
            if thread.by_name[kind].person:
                # "maria's too", "do the same for CUS-1024" after "send CUS-1003 a reminder for
                # INV-1191": the new person's own record in place of Aisha's, never Aisha's
                # invoice sent to another customer.
                theirs = _theirs_instead(earlier, set(named), new_id, thread, _corrects(request))
                if isinstance(theirs, _Told):
                    return Resolved(request, [], told=theirs.text)
                if isinstance(theirs, str):
                    return Resolved(request, [], theirs)
                for old, new in theirs:
                    why = _taken_for(earlier, new, new_id, thread, _corrects(request))
                    earlier = earlier.replace(old, new)
                    found.append(
                        Resolution(request, new, thread.kind_of(new) or "", number, inferred=why)
                    )
            return Resolved(earlier, found)
    return None


def _last_for(request: str, kind: str, new_id: str, thread: _Thread) -> Resolved | None:
    """ "Same for INV-1208" right after "send reminder", or "same for TCK-1005" right after
    "draft an update to the customer on that ticket": the request "same" means is the one just
    done when it fits a record of the new one's kind, though its words name none (the record
    was read in, or through another), not an older request that named one by id. It fits when
    its typed words refer to a record of the kind ("that ticket": the new record in its place)
    or it asked for something of no record at all ("send reminder": done for the new one).
    None when the last request names a record of the kind (the older rule swaps it) or is a
    question or a pleasantry of its own."""
    record = thread.by_name.get(kind)
    if record is None or record.person or not _REPEAT.search(request) or not thread.history:
        return None
    if _CORRECTION.search(request):
        return None  # a correction takes back what the turn named: `_swapped`, the loop
    last = thread.history[-1]
    earlier = str(last.get("request") or "")
    if any(k == kind for k, _ in entity_ids(thread.kinds, earlier)):
        return None
    number = int(last.get("turn", 0))
    found = [Resolution(request, new_id, kind, number)]
    typed = str(last.get("typed") or earlier)
    if record.nouns:
        said = re.compile(rf"\b(?:that|this|the)\s+{nouns_pattern(record.nouns)}\b", re.I)
        if len(said.findall(typed)) == 1:
            return Resolved(said.sub(new_id, typed, count=1), found)
    if entity_ids(thread.kinds, earlier) or _asks(earlier) or only_pleasantry(earlier):
        return None
    if not _own_words(strip_ids(earlier, thread.kinds)):
        return None
    return Resolved(f"{earlier.rstrip(' .!')} for {new_id}", found)


def _only_repeats(request: str, kind: str, thread: _Thread) -> bool:
    """True when a follow-up says nothing of its own besides its ids and the nouns of `kind`
    ("do the same for CUS-1002", "and invoice INV-1003?"): "and CUS-1032's tickets?" asks for
    other records, as "also close TCK-1005" asks for something itself."""
    nouns = {n.lower() for k in thread.kinds if k.name == kind for n in k.nouns}
    own = _own_words(strip_ids(request, thread.kinds))
    return not {w for w in own if w.rstrip("s") not in nouns}


def _picked_of_theirs(
    explicit: list[tuple[str, str]], thread: _Thread
) -> tuple[list[tuple[str, str]], str | None]:
    """`explicit` less a record its one person owns, and that record ("CUS-1002 (INV-1049)"):
    the record a repeat for that person is to be done on; `explicit` as it is otherwise."""
    people = [(k, e) for k, e in explicit if k in thread.by_name and thread.by_name[k].person]
    records = [p for p in explicit if p not in people]
    if len(people) != 1 or len(records) != 1:
        return explicit, None
    if thread.owner(records[0][1], people[0][0]) != people[0][1]:
        return explicit, None
    return people, records[0][1]


def _for_owner(
    request: str,
    turn: Mapping[str, Any],
    kind: str,
    new_id: str,
    thread: _Thread,
    picked: str | None = None,
) -> Resolved | None:
    """ "Do the same for CUS-1002" after "refund INV-1008 in full", which named no customer
    but acted on a customer's invoice: that request, the last one, on CUS-1002's invoice that
    stands for INV-1008 (the one described most like it), or a question which of theirs; one
    without such records is asked which is meant. None when `turn` named no record a person
    of `kind` owns, or one of `new_id`'s own."""
    if not thread.by_name[kind].person:
        return None
    records = [
        e
        for k, e in (turn.get("entities") or {}).get("named", [])
        if k in thread.by_name and not thread.by_name[k].person
    ]
    owners = {o for e in records if (o := thread.owner(e, kind))}
    if not owners or new_id in owners:
        return None
    earlier, number = str(turn.get("request") or ""), int(turn.get("turn", 0))
    stands = [e for e in records if thread.kind_of(e) == thread.kind_of(picked or "")]
    if picked is not None and len(set(stands)) == 1:
        # The record of theirs the person confirmed or named stands for the one before.
        found = [Resolution(request, new_id, kind, number)]
        found.append(Resolution(request, picked, thread.kind_of(picked) or "", number))
        return Resolved(earlier.replace(stands[0], picked), found)
    corrects = _corrects(request)
    theirs = _theirs_instead(earlier, owners, new_id, thread, corrects)
    if isinstance(theirs, _Told):
        return Resolved(request, [], told=theirs.text)
    if isinstance(theirs, str):
        return Resolved(request, [], theirs)
    if not theirs:
        return Resolved(
            request, [], _question(thread.by_name.get(thread.kind_of(records[0]) or ""), [])
        )
    # Of several of theirs, the one described most like the record before (the February
    # invoice for the February one), as a repeat for a person named reads it; asked on a tie.
    found = [Resolution(request, new_id, kind, number)]
    for old, new in theirs:
        why = _taken_for(earlier, new, new_id, thread, corrects)
        earlier = earlier.replace(old, new)
        found.append(Resolution(request, new, thread.kind_of(new) or "", number, inferred=why))
    return Resolved(earlier, found)


def _corrects(request: str) -> bool:
    """True when a follow-up says the record before was the wrong one ("no, I meant
    CUS-1012's"): a likeness to that record is then no reason to take one of the new one's."""
    return bool(_CORRECTION.search(request) or re.search(r"\bmeant\b", request, re.I))


def _acts_on(earlier: str, thread: _Thread) -> set[str]:
    """The kinds of record `earlier`'s side effects act on: those its act words say
    (`acted_kinds`), and a change's by the value it sets ("set TCK-1005 to urgent": some ticket
    is urgent), which no act word says."""
    changed = {k.name for k in thread.kinds if not k.person and thread.takes_value(earlier, k.name)}
    return acted_kinds(earlier, thread, thread.acts) | changed


def _done_to(earlier: str, record: str, thread: _Thread) -> str:
    """Why `earlier`'s act can no longer be done on `record` ("TCK-1111 is closed already"):
    its facts say the act was done on it already ("refunded" for a refund, "closed" for a
    close), or rule it out ("INV-1102 has not been paid" for a refund), or it is finished (a
    closed ticket); "" when it can still be done."""
    facts = thread.facts(record)
    if facts is None:
        return ""
    state = set(facts.words.lower().split())
    words = _act_words(earlier, record, thread)
    for word in words:
        if done := {f"{word}ed", f"{word}d"} & state:
            return f"{record} is {min(done)} already"
    for word, why in facts.cannot:
        if word in words:
            return f"{record} {why}"
    return f"{record} is finished" if facts.done else ""


def _act_words(earlier: str, record: str, thread: _Thread) -> list[str]:
    """The words of `earlier` that name an act on `record`'s kind ("close", "refund")."""
    kind = thread.kind_of(record)
    said = {w.lower() for w in re.findall(r"[a-z]+", earlier, re.I)}
    return sorted({a for act in thread.acts if act.kind == kind for a in act.words if a in said})


@dataclass(frozen=True)
class _Told:
    """What is true where a question would have nothing to pick (`_none_open`)."""

    text: str


def _none_open(earlier: str, person: str, kind: str, owned: list[str], thread: _Thread) -> _Told:
    """What a repeat of `earlier` for `person` tells the requester when the act can be done on
    none of their records of `kind`: there is nothing to pick, so no question ("CUS-1015 has no
    ticket that can be closed (TCK-1111 is closed already); nothing was done")."""
    noun = thread.by_name[kind].nouns[0] if thread.by_name[kind].nouns else kind
    words = _act_words(earlier, owned[0], thread)
    verb = words[0] if words else ""
    able = f"that can be {verb}{'d' if verb.endswith('e') else 'ed'}" if verb else ""
    why = "; ".join(_done_to(earlier, e, thread) for e in owned)
    return _Told(
        f"{person} has no {noun} {able or 'this can be done on'} ({why}); nothing was done"
    )


def _taken_for(
    earlier: str, record: str, person: str, thread: _Thread, corrects: bool = False
) -> str:
    """Why `record`, which the user never named, stands in a repeat of `earlier` for `person`
    ("INV-1004 was taken as CUS-1004's invoice; it was not named"), when `earlier`'s side effect
    acts on such a record itself, or the repeat `corrects` the record before ("no, I meant
    CUS-1012's": whatever is asked, it is asked of a record they did not name); "" when it only
    reads or writes about it."""
    kind = thread.kind_of(record) or ""
    if not corrects and kind not in _acts_on(earlier, thread):
        return ""
    noun = thread.by_name[kind].nouns[0] if thread.by_name[kind].nouns else kind
    return f"{record} was taken as {person}'s {noun}; it was not named"


def _read_in(entity: str, turn: Mapping[str, Any]) -> bool:
    """True when `turn`'s request names `entity` only because the resolver read it in ("send
    her a reminder" put as "send CUS-1037 a reminder"): its typed words do not spell it."""
    typed = turn.get("typed")
    request = str(turn.get("request") or "")
    return typed is not None and entity in request and entity not in str(typed).upper()


def _through_owner(request: str, kind: str, new_id: str, thread: _Thread) -> Resolved | None:
    """ "no wait wrong one, meant INV-1212" right after "send CUS-1027 a reminder", whose
    customer was read as the owner of the INV-1213 asked about before it: that last request,
    for the new record's owner. A correction is of the turn just done; a request further back
    that named the record itself ("whose is INV-1213") is not what it takes back."""
    last = thread.history[-1] if thread.history else {}
    named = [
        (k, e) for k, e in (last.get("entities") or {}).get("named", []) if k in thread.by_name
    ]
    if not named or any(k == kind for k, _ in named):
        return None
    earlier = str(last.get("request") or "")
    number = int(last.get("turn", 0))
    before = {e for t in thread.history[:-1] for k, e in (t.get("entities") or {}).get("named", [])
              if k == kind}  # fmt: skip
    # Only a person the resolver read in ("send them a reminder"), not one the user typed.
    typed = str(last.get("typed") or earlier)
    for person, entity in named:
        new_owner = thread.owner(new_id, person)
        if new_owner is None or entity not in earlier or entity in typed:
            continue
        if any(thread.owner(old, person) == entity for old in before - {new_id}):
            text = earlier.replace(entity, new_owner)
            found = [Resolution(request, new_id, kind, number)]
            if read_only(text, thread, thread.acts):
                # "what plan is that customer on?": a question of the person, whom the record
                # only led to; named beside it, the record would be what is answered.
                return Resolved(text, [*found, Resolution(request, new_owner, person, number)])
            # The record meant is named beside it, as a reply's pick is: "that" next is it.
            return Resolved(
                f"{text} ({new_id})",
                [Resolution(request, new_id, kind, number)]
                + ([Resolution(request, new_owner, person, number)] if new_owner != entity else []),
            )
    return None


def _theirs_instead(
    earlier: str, old_people: set[str], person: str, thread: _Thread, corrects: bool = False
) -> list[tuple[str, str]] | str | _Told:
    """For each record of the people `old_people` that `earlier` names, the record of
    `person`'s it stands for: of theirs of its kind, the one described most like it (the June
    invoice for the June invoice), then the thread named or listed. A question when two fit
    equally; nothing for a record that has no counterpart; what is true when the act can be
    done on none of theirs (`_none_open`).

    When `earlier`'s side effect acts on the record itself (a refund of the invoice, a close of
    the ticket), a likeness is no reason to act on one: with several of theirs it asks which,
    listing them all, unless the thread brought up exactly one of them; that one, or their
    only one, is taken (`inferred` says so). So it is when the follow-up `corrects` the person
    ("no, I meant CUS-1012's" after "is INV-1011 paid?"): the record before was the wrong one,
    so being like it says nothing of which of theirs is meant."""
    facts = thread.facts(person)
    acted = _acts_on(earlier, thread)
    swaps: list[tuple[str, str]] = []
    for kind, old in entity_ids(thread.kinds, earlier):
        if thread.by_name[kind].person or thread.owned_by(old) not in old_people:
            continue
        owned = [e for e in (facts.owns if facts else ()) if thread.kind_of(e) == kind]
        pool = owned
        if kind in acted:
            # Only those the act can still be done on: not a closed ticket for "close", not an
            # invoice already refunded for "refund". With one left, it is their only one; with
            # none, there is nothing to ask which of.
            pool = [e for e in owned if not _done_to(earlier, e, thread)]
            if owned and not pool:
                return _none_open(earlier, person, kind, owned, thread)
        seen = [e for e in pool if thread.mentioned(e)]
        if (kind in acted or corrects) and len(pool) > 1:
            if len(seen) != 1:
                return _question(thread.by_name[kind], pool)
            # "felix's too" to "Which ticket: TCK-1056 or TCK-1121?": the one of theirs the
            # thread put before the user, not one picked for them.
            pool = seen
        scores = {e: len(thread.described_by(e) & thread.described_by(old)) for e in pool}
        best = max(scores.values(), default=0)
        top = [e for e in pool if scores[e] == best]
        top = [e for e in top if thread.mentioned(e)] or top
        if len(top) > 1:
            return _question(thread.by_name[kind], top)
        swaps += [(old, top[0])] if top else []
    return swaps


def _asked_again(request: str, kind: str, thread: _Thread) -> bool:
    """True for an id typed alone as a question ("CUS-1041?") right after a question about
    another record of its kind ("plan for CUS-1040?"): the same question, for that one. Only
    after a question: a bare id after an act may be asking anything about it."""
    if "?" not in request or re.sub(r"[\W_]+", "", strip_ids(request, thread.kinds)):
        return False
    last = thread.history[-1] if thread.history else {}
    named = {k for k, _ in (last.get("entities") or {}).get("named", [])}
    return kind in named and _asks(str(last.get("request") or ""))


def _swapped(request: str, corrected: Swap, thread: _Thread) -> Resolved | None:
    """ "don't refund INV-1002, refund INV-1005 instead": the latest request that named the
    record taken back, repeated for the one meant when the correction asks for nothing that
    request did not ("refund"); else None. Its own clauses alone ("credit INV-1005 instead")
    lose what the correction's other words say ("it should have been INV-1095")."""
    if len(corrected.right) != 1:
        return None
    new_id = corrected.right[0]
    for turn in reversed(thread.history):
        named = [e for k, e in (turn.get("entities") or {}).get("named", []) if k == corrected.kind]
        if not set(named) & set(corrected.wrong):
            continue
        number = int(turn["turn"])
        earlier = str(turn["request"])
        if corrected.words(request, thread.kinds) <= _own_words(strip_ids(earlier, thread.kinds)):
            for old in corrected.wrong:
                earlier = earlier.replace(old, new_id)
            if new_id in earlier:
                return Resolved(earlier, [Resolution(request, new_id, corrected.kind, number)])
        return None  # words of its own: planned as it reads (the reviews are still withdrawn)
    return None


# A follow-up that is a bare question word: "why?", "how come?", "since when?".
_BARE_QUESTION = re.compile(
    r"^\W*(?:and|but|ok|okay|so)?\W*(why|why not|how come|since when|how so|when|where|how)"
    r"\W*(?:exactly|though|then)?\W*$",
    re.I,
)


def _bare(request: str, explicit: list[tuple[str, str]], thread: _Thread) -> Resolved | None:
    """ "Why?" after "is CUS-1008 suspended?": a question about what the last turn asked,
    so it is asked with that request, about that turn's records."""
    if explicit or not _BARE_QUESTION.match(request) or not thread.history:
        return None
    last = thread.history[-1]
    named = [(k, e) for k, e in (last.get("entities") or {}).get("named", [])]
    if not named:
        return None
    earlier = str(last.get("request") or "").strip()
    number = int(last.get("turn", 0))
    text = f"{earlier} {request.strip()}"
    return Resolved(text, [Resolution(request.strip(), e, k, number) for k, e in named])


def _ellipsis_after(request: str, out: Resolved, thread: _Thread) -> Resolved:
    """ "and the latency alert?" became "and ALT-1042?", "no, I meant the other one" became
    "no, I meant TCK-1126": an ellipsis or a repeat for another record, so the last request
    about that kind is repeated for it, as "and ALT-1042?" would be."""
    if out.question or len(out.resolutions) != 1 or len(request.split()) > _REPEAT_MAX_WORDS:
        return out
    # "do the same for the other one", "no, I meant the other one" are repeats too.
    if not (_ELLIPSIS.search(request) or _REPEAT.search(request) or _CORRECTION.search(request)):
        return out
    again = _repeat(out.text, entity_ids(thread.kinds, out.text), thread)
    if again is None:
        return out
    if again.question:
        return Resolved(request, out.resolutions, again.question)
    # "and her june one too" after "send CUS-1020 a reminder for INV-1207": the new record's
    # customer takes the old one's place, and is resolved as much as the record. "maria's
    # too": her record is what "maria's" stood for, as "maria's invoice" would be.
    added = again.resolutions[1:]
    spent = {p for r in added if (p := thread.owned_by(r.entity)) and f"{p}'s" in out.text}
    return Resolved(again.text, [r for r in out.resolutions if r.entity not in spent] + added)


# Months a follow-up may swap in for the one its last request said: "and for March?" after
# "what did CUS-1012 pay in February?".
_MONTHS = {m.lower() for m in [*calendar.month_name, *calendar.month_abbr] if m} | {"sept"}
_NEW_VALUE = re.compile(
    r"^\W*(?:and|what about|how about|same for|now)\s+(?:(?:for|in|on)\s+)?(?:the\s+)?"
    r"(?P<word>[a-z][a-z0-9]*(?:-[a-z0-9]+)*)(?:\s+(?:too|then|as well))?\W*$",
    re.I,
)
# A word of a request, hyphens and dots kept: "billing-service", "3.8.1".
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*")


def _new_value(request: str, explicit: list[tuple[str, str]], thread: _Thread) -> Resolved | None:
    """ "and for March?": the last request, about a person, asked again with the one month it
    said swapped for the new one. Only of people: a record named with its month ("refund
    INV-1153, the May one") is that month's, so "and June?" is not it again."""
    said = _NEW_VALUE.match(request)
    if explicit or said is None or not thread.history:
        return None
    word = said.group("word")
    if word.lower() not in _MONTHS:
        return _new_place(request, word, thread)
    # "What was Zoe Jansen billed in April?", "And in May?": a person named by full name is
    # named there as much as by id.
    last = thread.naming_people().history[-1]
    named = [(k, e) for k, e in (last.get("entities") or {}).get("named", [])]
    people = [k for k, _ in named if k in thread.by_name and thread.by_name[k].person]
    if not named or len(people) != len(named):
        return None
    earlier = str(last.get("request") or "")
    old = [
        m
        for m in re.finditer(r"[A-Za-z]+", earlier)
        if m.group(0).lower() in _MONTHS - {word.lower()}
    ]
    if len(old) != 1:
        return None
    new = word.capitalize() if old[0].group(0)[0].isupper() else word
    text = earlier[: old[0].start()] + new + earlier[old[0].end() :]
    number = int(last.get("turn", 0))
    return Resolved(text, [Resolution(request.strip(), e, k, number) for k, e in named])


def _new_place(request: str, word: str, thread: _Thread) -> Resolved | None:
    """ "And on staging?" after "what version of api is on production?", "same for web" after
    "latest api deploy in production": the last request, a question that named no record,
    asked again with its one word that is a rival of the new one swapped for it. Rivals are
    words that each describe records of a kind in the catalog, never the same record
    (no deployment is both in production and in staging, or of both api and web): values of
    one field, whatever the team's records are (`_rival`). A word the team's acts say ("and
    close?") is a request of its own; a last request with no rival word has nothing to swap.
    Only a question is asked again so: a side effect is not repeated from a place alone."""
    new = _describing_words(word)
    if not new or new & {w for a in thread.acts for w in a.words} or not thread.history:
        return None
    last = thread.history[-1]
    earlier = str(last.get("request") or "")
    if (last.get("entities") or {}).get("named") or not _asks(earlier):
        return None
    if _fit_all(new, _describing_words(earlier)):
        return None  # "and staging?" after a question about staging: nothing new
    rivals = [
        m
        for m in _TOKEN.finditer(earlier)
        if (own := _describing_words(m.group(0))) and _rival(new, own, _catalog_words(thread))
    ]
    if len({m.group(0).lower() for m in rivals}) != 1:
        return None
    text = earlier
    for m in reversed(rivals):
        text = text[: m.start()] + word + text[m.end() :]
    return Resolved(text, [], repeats=int(last.get("turn", 0)))


def _fit_all(words: set[str], described: set[str]) -> bool:
    """True when every one of `words` describes a record described by `described`."""
    return fits_words(words, described) == words


def _rival(new: set[str], old: set[str], catalog: list[list[set[str]]]) -> bool:
    """True when `new` and `old` each describe records of one kind (`catalog`: each kind's
    records' words) and no record of any kind is described by both."""
    both = any(
        any(_fit_all(new, d) for d in kind) and any(_fit_all(old, d) for d in kind)
        for kind in catalog
    )
    return both and not any(_fit_all(new, d) and _fit_all(old, d) for k in catalog for d in k)


def _catalog_words(thread: _Thread) -> list[list[set[str]]]:
    """For each kind of record that is no person, the words describing each of its records in
    the catalog."""
    return [thread.catalog_described(k.name) for k in thread.kinds if not k.person]
