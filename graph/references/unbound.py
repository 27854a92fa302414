"""The last check before a turn may act: a side effect whose record the turn does not settle.

A request that asks for a side effect ("refund teh invoice", "apply a credit to the Castillo
account", "add note: …", "do the same") but names no record of the kind that side effect acts
on — no id typed, none resolved from the thread — is not passed on for an agent to pick one:
when the thread has two or more records of that kind in play (the newest turn that had any
named or listed them), the turn asks which. Whatever words the request used, an action on a
record no turn determined is never guessed. With one record in play it is left as it is (an
action typed alone acts on that record in `implied`).

Nor is a side effect acted on a record a plain reference bound by recency (`rivals`): "it", "that
one", "her", "the ticket", "the customer", "cust" — a pronoun, a definite naming only the kind, the
kind's noun typed bare, or no words at all (an act typed without its object, "close pls",
`implied`) — bound to the newest record of its kind while another of that kind is still *live*,
whether the side effect's tool takes the record's id or not ("roll it back"), and whether or not
the request settles its object at all ("add note: …" with one record found and another live beside
it). Live means named in the turn just before the one that named the bound record (turns that were
only pleasantries, "thanks", do not part them), when neither of the two turns acted on its record
(a finished record is done with; a record acted on is what the thread moved on to), the earlier
turn was no question among records (its reply picked one) and the later turn did not set the
earlier aside ("forget that one", "instead", a correction typed "no, the older one") or single one
of the earlier turn's records out ("the big one, what month is it?" after two invoices). A person
no turn named, bound as the owner of the newer record ("TCK-1133 is the app crash", "and TCK-1140
is the slow dashboard", "give the customer a credit"), is live beside the owners of that record's
live rivals; a person named beside another person's record ("pull up CUS-1002 and TCK-1008",
"give him a credit") is live beside that record's owner, who came up through its answer.
"TCK-1133 is the app crash", "and TCK-1145 is about seats", "close that one" asks which; "look at
TCK-1056", "forget that one, now TCK-1149", "close it" closes TCK-1149. A turn that named none of
the kind but whose answer brought up just one ("which deploy caused INC-1012", "and whats on api
staging", "roll it back") names that one here as if typed. A description that fits one record
("the seats one") or an id settles it. Sending a person a message ("email her", "let the
customer know") is such a side effect on the person, though the email tool takes no id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ringmaster.graph.pleasantries import only_pleasantry
from ringmaster.graph.references.entities import (
    RecordFacts,
    Resolved,
    _question,
    entity_ids,
    ids_of,
    strip_ids,
)
from ringmaster.graph.references.implied import Act, objects_of
from ringmaster.graph.references.others import _OTHER_WORDS
from ringmaster.graph.references.owned import owned_in_play
from ringmaster.graph.references.patterns import (
    _ASKING,
    _CHANGES,
    _IT,
    MESSAGING,
    PAYLOAD,
    _describing_words,
)
from ringmaster.graph.references.thread import _Thread

# "do the same", "same again", "ditto": the last side effect, on a record the request leaves out.
_SAME = re.compile(r"\b(do the same|the same again|same again|same thing|ditto|likewise)\b", re.I)

# Before an act's word, these make it a noun ("about the refund"); after a light verb, "a" and
# "an" do not ("add a note", "issue a refund").
_DETERMINERS = {"the", "a", "an", "this", "that", "its", "their", "his", "her", "my", "our",
                "your", "about", "any", "no", "of"}  # fmt: skip
_LIGHT_VERBS = {"add", "give", "issue", "process", "leave", "put", "apply", "post"}
# After an act's word, these make it the subject of what happened ("refund was issued", and
# typed fast without the verb: "refund done", "credit applied").
_SUBJECT_OF = {"was", "is", "were", "has", "had", "got", "went", "already", "done", "issued",
               "processed", "completed", "complete", "finished", "sent", "applied", "sorted",
               "approved", "received", "cleared"}  # fmt: skip

# Sending a person a message: a side effect on that person, whatever tool carries it.
_MESSAGES = re.compile(
    rf"\b({MESSAGING}|write to|reach out to|let\s+(?:[\w'-]+\s+){{1,3}}?know"
    # "send her a reminder", "remind him about it" (not "remind me", a look-up)
    r"|send\s+(?:[\w'-]+\s+){0,3}?(?:reminders?|notes?|messages?|emails?|updates?|notices?)"
    r"|remind(?!\s+me\b))\b",
    re.I,
)
# The later turn sets the earlier record aside: "forget that one", "never mind", "instead".
_ASIDE = re.compile(r"\b(forget|never ?mind|ignore|instead|scratch that|not that one)\b", re.I)
# An object between a verb and its particle: "roll it back", "back that out", and a definite
# naming its kind ("roll that deployment back", "roll the deploy back"), read in `_object`.
_OBJECTS = [["it"], ["them"], ["em"], ["that", "one"], ["this", "one"], ["that"], ["this"]]
_PRONOUNS = {"it", "its", "this", "that one", "this one", "they", "them", "their", "he", "him",
             "his", "she", "her"}  # fmt: skip
_DEFINITE = {"the", "that", "this"}


def acted_kinds(request: str, thread: _Thread, acts: Sequence[Act]) -> set[str]:
    """The kinds of record the request's side effects act on: its act words outside the words
    of a note, not used as adjectives ("open tickets"); for "do the same", the kinds the newest
    turn that acted acted on. None for a question ("what plan is she on?")."""
    payload = PAYLOAD.search(request)
    said = request[: payload.end()] if payload else request  # "add note: …" says "note"
    # Only sentences that ask for something to be done: "never mind. how many customers are on
    # the business plan?" asks nothing of a plan.
    said = " . ".join(s for s in re.split(r"[.!?\n]+", said) if not _ASKING.match(s))
    nouns = {n.lower() for k in thread.kinds for n in k.nouns}
    tokens = [w.lower() for w in re.findall(r"[a-z]+", said, re.I)]
    kinds: set[str] = set()
    for i, token in enumerate(tokens):
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if after.endswith("s") and (after.rstrip("s") in nouns or after == "ones"):
            continue  # "show open tickets": a listing, not an act
        if after in _SUBJECT_OF:
            continue  # "close them, refund was issued": what happened, not what to do
        before = tokens[i - 1] if i else ""
        if before == "still":
            continue  # "TCK-1101 still open?": a state asked about, not an act
        if before in _DETERMINERS and not (
            # "add a note", and with whom it goes to between: "give them a credit", "issue
            # Noah Schmidt a refund".
            before in {"a", "an"} and set(tokens[max(0, i - 4) : i - 1]) & _LIGHT_VERBS
        ):
            continue  # "a note about the rollback": a noun; "add a note" is the act
        pair = token + after  # "roll back": "rollback"
        # "roll it back", "roll that one back": the verb and its particle around the object.
        rest = tokens[i + 1 : i + 4]
        skipped = _object(rest, nouns)
        around = token + rest[skipped] if skipped and len(rest) > skipped else ""
        kinds |= {a.kind for a in acts if token in a.words or {pair, around} & a.words}
    if not kinds and _SAME.search(said):
        done = _last_done(thread)
        kinds = {k for k, _ in done[1]} if done else set()
    return kinds


def _object(rest: list[str], nouns: set[str]) -> int:
    """How many of the words after a verb are its object before a particle: a pronoun ("roll
    it back"), or a definite and a kind's noun ("roll that deployment back"); 0 for none."""
    if len(rest) > 1 and rest[0] in _DEFINITE and rest[1] in nouns:
        return 2
    return next((n for n in (2, 1) if rest[:n] in _OBJECTS), 0)


def _last_done(thread: _Thread) -> tuple[str, list[tuple[str, str]]] | None:
    """The request of the newest turn whose side effect ran, and the records it ran on."""
    for turn in reversed(thread.history):
        acted = [(k, e) for k, e in (turn.get("entities") or {}).get("acted") or []]
        acted = [(k, e) for k, e in acted if k in thread.by_name]
        if acted:
            return str(turn.get("request") or ""), acted
    return None


def _again(request: str, thread: _Thread) -> str:
    """ "do the same": the newest action's request with "it" for its records, so that the
    reply to the question ("the SSO one") runs that action on the record it picks."""
    done = _last_done(thread)
    if not _SAME.search(request) or done is None or len({e for _, e in done[1]}) != 1:
        return request
    earlier, [(_, entity), *_] = done
    return re.sub(rf"\b{re.escape(entity)}\b", "it", earlier, count=1)


def _plain(phrase: str, kind: str, thread: _Thread) -> bool:
    """True for a reference that says only "one of this kind": a pronoun, "the ticket", or
    nothing at all (an act typed without its object, "close pls", `implied`)."""
    words = phrase.lower().split()
    if " ".join(words) in _PRONOUNS or phrase == "(implied)":
        return True
    nouns = {n.lower() for n in thread.by_name[kind].nouns} | {"one"}
    if len(words) == 1:
        return words[0] in nouns  # "email cust a reminder": the noun typed bare
    return len(words) == 2 and words[0] in _DEFINITE and words[1] in nouns


def live(thread: _Thread, kind: str, entity: str, contrast: bool = True) -> list[str]:
    """The records of `kind` in play beside `entity`, itself first: those the newest turn that
    named `entity` named, and those named in the turn just before it, unless either turn acted
    on its record or the later one set the earlier aside (see the module's docstring). A later
    turn that only looked at "the other one" keeps the earlier in play even when it was acted
    on, unless `contrast` is false (the owners of the rivals of a record: the person that look
    asked for is the one meant)."""

    def named(turn: Mapping[str, Any]) -> list[str]:
        # "which deploy caused INC-1012" (DEP-1032 in its answer), "and whats on api staging"
        # (DEP-1033): a turn that named none of the kind but brought up one in its answer put
        # that one in play as a turn naming it does.
        ents = turn.get("entities") or {}
        touched = ids_of(ents, kind, "touched")
        return ids_of(ents, kind) or (touched if len(touched) == 1 else [])

    turns = [t for t in reversed(thread.history) if named(t)]
    if not turns or entity not in named(turns[0]):
        return _owners_live(thread, kind, entity)
    latest = turns[0]
    found = [entity, *named(latest)]
    if len(turns) > 1 and not latest.get("picked"):
        before = turns[1]
        # Turns that were only pleasantries ("thanks") between the two do not part them.
        between = [
            t
            for t in thread.history
            if int(before.get("turn", 0)) < int(t.get("turn", 0)) < int(latest.get("turn", 0))
        ]
        adjacent = all(only_pleasantry(str(t.get("request") or "")) for t in between)
        # A question's options are settled by the reply that picked one of them.
        asked = (before.get("entities") or {}).get("question")
        settled = thread.acted(before) or thread.acted(latest) or asked
        aside = _ASIDE.search(str(latest.get("request") or "")) or thread.corrects(latest)
        # "INV-1162 and INV-1209 …", "the big one, what month is it?": the later turn singled
        # one of the earlier turn's records out, and the thread moved on to it.
        narrowed = set(named(latest)) < set(named(before)) or _counted_out(thread, latest, entity)
        # "whats his other tkt abt" after "set it to high": a look at the other record set
        # that one apart and kept both in view, the one acted on too; "that one" next is
        # either of them.
        # Only for the kind the look took: "who's the customer on the other one" named a
        # ticket, and its answer the customer, who alone is "them" next.
        contrasted = (
            contrast
            and entity in ids_of(latest.get("entities") or {}, kind)
            and _set_apart(latest)
            and not thread.acted(latest)
            and not asked
        )
        if adjacent and (not settled or contrasted) and not aside and not narrowed:
            found += named(before)
    if thread.by_name[kind].person and not thread.acted(latest):
        # "pull up CUS-1002 and TCK-1008": TCK-1008's customer is in play beside CUS-1002,
        # come up through the ticket's answer rather than by name.
        records = [e for k, e in (latest.get("entities") or {}).get("named", []) if k != kind]
        found += [o for e in records if (o := thread.owner(e, kind))]
    return list(dict.fromkeys(found))


def _set_apart(turn: Mapping[str, Any]) -> bool:
    """True when `turn`'s words, as typed, took its record as the other of those before it
    ("whats his other tkt abt", "and the other one?")."""
    return _OTHER_WORDS.search(str(turn.get("typed") or turn.get("request") or "")) is not None


def _counted_out(thread: _Thread, turn: Mapping[str, Any], entity: str) -> bool:
    """True when `turn` took `entity` by an ordinal among the records before it ("the due date
    on the first invoice I mentioned" after INV-1191 and INV-1200): its words, as typed,
    singled it out, and the thread moved on to it."""
    typed = str(turn.get("typed") or "")
    return bool(typed) and entity not in typed and thread.record_ordinal(typed) is not None


def _owners_live(thread: _Thread, kind: str, entity: str) -> list[str]:
    """For a person no turn named lately but bound as the owner of the records the newest
    turn with records named ("TCK-1133 is the app crash", "and TCK-1140 is the slow
    dashboard", "give the customer a credit"): the owners of those records' live rivals, the
    person first. Two tickets in play are two customers in play."""
    if not thread.by_name[kind].person:
        return [entity]
    for turn in reversed(thread.history):
        records = [
            (k, e)
            for k, e in (turn.get("entities") or {}).get("named", [])
            if k in thread.by_name and not thread.by_name[k].person
        ]
        if not records:
            continue
        theirs = [(k, e) for k, e in records if thread.owner(e, kind) == entity]
        # "who's the customer on the other one", "email them": the customer that answer
        # named, not the other ticket's too.
        owners = [
            o
            for k, e in theirs
            for r in live(thread, k, e, contrast=False)
            if (o := thread.owner(r, kind))
        ]
        return list(dict.fromkeys([entity, *owners]))
    return [entity]


def rivals(request: str, out: Resolved, thread: _Thread, acts: Sequence[Act]) -> Resolved | None:
    """A question when a side effect of the request acts on a record a plain reference bound
    by recency while another record of its kind is live; else None. A side effect whose tool
    takes no id ("roll it back") acts on the record as much as one that does."""
    acted = acted_kinds(request, thread, acts)
    if _MESSAGES.search(request):
        acted |= {k.name for k in thread.kinds if k.person}
    if _CHANGES.search(request):
        # "set it to urgent", "upgrade them to pro": a change by the value it is to take,
        # whichever tool's words the request leaves out, is done to what it refers to.
        acted |= {r.kind for r in out.resolutions}
    for r in out.resolutions:
        if r.kind not in acted or r.kind not in thread.by_name:
            continue
        if not _plain(r.phrase, r.kind, thread):
            continue
        if len({x.entity for x in out.resolutions if x.kind == r.kind}) > 1:
            continue  # "both", "them": every record, chosen on purpose
        options = live(thread, r.kind, r.entity)
        if thread.by_name[r.kind].person:
            # "send him a reminder" while Priya is live too: "him" cannot be her.
            options = [o for o in options if o == r.entity or thread.may_be(o)]
        if len(options) > 1:
            return Resolved(request, [], _question(thread.by_name[r.kind], sorted(options)))
    return None


_IT_ALONE = re.compile(rf"\b{_IT}\b", re.I)


def _left_unbound(text: str, nouns: Sequence[str]) -> bool:
    """True when the request as resolved still holds "it" (or "that one") and never names the
    kind by a noun ("close it, … from CUS-1031"): the object of its act is a record no
    reference was bound to. "her invoice" names the kind; "draft a note to CUS-1001
    confirming the refund" has no "it" to bind."""
    words = {w.rstrip("s") for w in re.findall(r"[a-z]+", text.lower())}
    return _IT_ALONE.search(text) is not None and not words & {n.lower() for n in nouns}


def unbound(request: str, out: Resolved, thread: _Thread, acts: Sequence[Act]) -> Resolved:
    """`out`, or a question when a side effect of the request has no record of its kind in
    the request as resolved while the thread has several in play."""
    if out.question or not acts:
        return out
    if out.resolutions and out.answers is None:
        asked = rivals(request, out, thread, acts)
        if asked is not None:
            return asked
    named = {k for k, _ in entity_ids(thread.kinds, out.text)} | {r.kind for r in out.resolutions}
    owner_named = any(thread.by_name[k].person for k in named if k in thread.by_name)
    # A side effect that takes no id ("roll back the api in staging") is settled by its words.
    by_id = [a for a in acts if a.by_id]
    for name in sorted(acted_kinds(request, thread, by_id) - named):
        kind = thread.by_name[name]
        if owner_named and not kind.person and not _left_unbound(out.text, kind.nouns):
            continue  # "refund CUS-1012's invoice": one of theirs (`owned` asks among several)
        if kind.person and len(_owners_named(out, name, thread)) == 1:
            continue  # "open a ticket to track INV-1146": for the one who owns INV-1146
        # "close it, finance has what it needs from him": the person is named, but "it" was
        # bound to no record, so it is one of the records in play, asked among several.
        found = thread.find(name, echo=True) or (
            None if kind.person else owned_in_play(thread, kind)
        )
        if found is not None and len(set(found[0])) == 1:
            # One record there, another live beside it ("TCK-1133 is the app crash", "and
            # TCK-1140 is the slow dashboard", "add note: waiting on the vendor"): either.
            found = (live(thread, name, found[0][0]), found[1])
        if found is not None and len(set(found[0])) > 1:
            options = list(dict.fromkeys(found[0]))
            return Resolved(_again(request, thread), [], _question(kind, options))
    return _by_words(request, out, named, thread, acts)


def _owners_named(out: Resolved, kind: str, thread: _Thread) -> set[str]:
    """The people of `kind` who own the records the request as resolved names."""
    named = {e for _, e in entity_ids(thread.kinds, out.text)} | {r.entity for r in out.resolutions}
    return {o for e in named if (o := thread.owner(e, kind)) is not None}


def _by_words(
    request: str, out: Resolved, named: set[str], thread: _Thread, acts: Sequence[Act]
) -> Resolved:
    """`out`, or a question when a side effect whose tool takes no id ("roll back production")
    is settled by words that fit two or more records of its kind the thread has in play, each
    still live (a deployment since replaced is not): the skill would pick one of them."""
    for name in sorted(acted_kinds(request, thread, [a for a in acts if not a.by_id]) - named):
        found = thread.find(name, echo=True)
        if found is None:
            continue
        options = list(dict.fromkeys(found[0]))
        if len(options) == 1:
            options = live(thread, name, options[0])
        said = {w for a in acts if a.kind == name for w in a.words}
        # "roll back the service" names what a rollback takes, not which: no describing word.
        nouns = {n.lower() for n in thread.by_name[name].nouns} | objects_of(name, acts)
        words = {
            w
            for w in _describing_words(strip_ids(request, thread.kinds)) - nouns
            if not any(w in word for word in said)  # "roll", "back" of "rollback"
        }
        fitting = [
            e
            for e in options
            if thread.fits(words, e) == words and not (thread.facts(e) or RecordFacts(e)).done
        ]
        if len(fitting) > 1:
            return Resolved(request, [], _question(thread.by_name[name], fitting))
    return out
