"""Follow-ups resolved against the thread: "it", "that customer", "do that for CUS-1002 too".

A team file names the kinds of record its requests talk about (`entities:` — an id pattern and
the nouns that name it). Each finished turn leaves in the thread's history the ids it named (in
the request as resolved) and touched (in its results), and which ids stood together in one
result (a ticket and its customer). A new turn's references are rewritten to concrete ids before
routing, so the planner — local or LLM — sees "close TCK-1001", never "close it". Every rewrite
says what was resolved and from which turn. A reference with more than one candidate is never
guessed: the turn becomes a question, and the next turn may answer it ("the SAML one", "both",
"TCK-1002"), which runs the question's request with the record picked.

An optional `Lookup` (the demo's is `tools/demo/lookup.py`) tells who owns a record ("its
customer", "their invoices") and which words describe it ("the June one").
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ringmaster.graph.planner.splitter import ENGLISH_STOP_WORDS

# Short follow-ups that repeat an earlier request for another record: "do that for CUS-1002
# too", "same for INV-1003", "and for TCK-1004 as well", "sorry, I meant INV-1012".
_REPEAT = re.compile(
    r"\b(too|also|as well|same|do that|do the same|likewise|meant|instead|rather|repeat|again"
    r"|ditto|actually|correction|make it|make that)\b",
    re.I,
)
_REPEAT_MAX_WORDS = 10
# Ellipsis: "and CUS-1005?", "what about INV-1183", "ok, and what about CUS-1005 then?".
_ELLIPSIS = re.compile(r"^\W*(and|or|what about|how about|now|then|ok|okay|also)\b", re.I)
_ELLIPSIS_MAX_WORDS = 8
# Words of a repeat that ask for nothing of their own ("please check CUS-1005 too"): a follow-up
# with any other word ("also close TCK-1005") is a request of its own, not a repeat.
_REPEAT_FILLER = {
    "too", "same", "likewise", "meant", "instead", "repeat", "ditto", "actually",
    "correction", "make", "sorry", "oops", "wait", "pls", "please", "ok", "okay", "thanks",
    "thank", "check", "try", "look", "goes", "one", "ones", "yes", "no", "nope",
}  # fmt: skip
# "it" that refers to nothing: "is it possible", "it's fine", "make it quick".
_DUMMY_IT = re.compile(
    r"\b(is|was) it (possible|ok|okay|fine|true|likely|worth)\b|\bit(?:'s| is) "
    r"(possible|ok|okay|fine|urgent|important|likely)\b|\bmake it (quick|fast|short|brief)\b"
    r"|\bit (would|will|might|could) (be )?(great|nice|good|helpful|ideal|appreciated|help)\b"
    r"|\bit (seems|looks|appears|sounds)\b"
    r"|\b(appreciate|love|like) it\b"
    # The draft just written, not a record: "make them shorter", "rewrite it more formally".
    r"|\bmake (it|them) (more|less|a bit|\w+er)\b"
    r"|\b(shorten|lengthen|rewrite|rephrase|reword|translate|polish|proofread|tighten|soften)"
    r" (it|them)\b|\btone (it|them) down\b",
    re.I,
)
# A question about who a record's person is refers to the record: "who is the customer on
# that ticket?", "which customer is that?".
_ASKS_WHO = re.compile(r"^\W*(who|whos|whose|which (customer|client|account|person))\b", re.I)
_PLURAL = re.compile(r"\b(both|all of them|all three|the two|each of them)\b(?!-)", re.I)
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "last": -1, "latter": -1}
_ORDINAL = re.compile(r"\bthe (first|second|third|fourth|last|latter)( one)?\b", re.I)
# "the June one", "the SAML ticket": up to three describing words before "one" or a noun.
_DESCRIBED = r"\bthe ((?:[\w-]+ ){0,2}[\w-]+) (?:one|{nouns})\b"
_NOT_DESCRIBING = {"same", "other", "that", "this", "new", "first", "second", "last", "only"}
_QUESTION_MARK = "do you mean: "
_CORRECTION = re.compile(r"^\W*(sorry|no|nope|actually|i meant|meant|rather|oops)\b", re.I)
_PRONOUN_PERSON = r"\b(they|them|their|he|him|his|she|her)\b"
_POSSESSIVE = {"its", "their", "his"}
_PLURAL_PRONOUNS = {"they", "them", "their"}
_EACH = re.compile(r"\b(each|both|all|every|everyone)\b", re.I)


@dataclass(frozen=True)
class RecordFacts:
    """What a lookup knows about a record: who owns it and the words that describe it."""

    id: str
    owner: str | None = None  # the person (customer) the record belongs to
    words: str = ""
    owns: tuple[str, ...] = ()  # for a person: the records that belong to them
    done: bool = False  # finished (a closed ticket): not what "her ticket" means


Lookup = Callable[[str], RecordFacts | None]


@dataclass(frozen=True)
class EntityKind:
    """A kind of record: how its ids look, the nouns that name it, and how it is referred to."""

    name: str
    pattern: re.Pattern[str]
    nouns: tuple[str, ...]
    person: bool = False  # referred to as "they/them", not "it"


@dataclass(frozen=True)
class Resolution:
    """One reference rewritten to a concrete id, and where the id came from."""

    phrase: str
    entity: str
    kind: str
    turn: int

    def describe(self) -> str:
        return f"{self.phrase!r} → {self.entity} (turn {self.turn})"


@dataclass(frozen=True)
class Resolved:
    """A request with its references rewritten, or the question to ask when one is ambiguous."""

    text: str
    resolutions: list[Resolution]
    question: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "resolutions": [asdict(r) for r in self.resolutions],
            "question": self.question,
        }

    def context(self) -> str:
        """The resolved records in one short line, for a planner prompt."""
        return "; ".join(
            f"{r.phrase} = {r.entity} ({r.kind}, turn {r.turn})" for r in self.resolutions
        )


def kinds_from_team(entities: Mapping[str, Any]) -> list[EntityKind]:
    """The team file's `entities` block as compiled kinds."""
    return [
        EntityKind(name, re.compile(spec.pattern), tuple(spec.nouns), spec.person)
        for name, spec in entities.items()
    ]


def _ids(kinds: Sequence[EntityKind], text: str) -> list[tuple[str, str]]:
    """(kind, id) pairs in the order they stand in the text, each id once."""
    found: list[tuple[int, str, str]] = []
    for kind in kinds:
        found += [(m.start(), kind.name, m.group(0)) for m in kind.pattern.finditer(text)]
    seen: set[str] = set()
    pairs = []
    for _, kind_name, entity in sorted(found):
        if entity not in seen:
            seen.add(entity)
            pairs.append((kind_name, entity))
    return pairs


def entity_ids(kinds: Sequence[EntityKind], text: str) -> list[tuple[str, str]]:
    """The (kind, id) pairs a text names, in order, each id once."""
    return _ids(kinds, text)


def turn_entities(
    kinds: Sequence[EntityKind], request: str, results: Mapping[str, Any]
) -> dict[str, Any]:
    """What one turn leaves for later turns: ids named, ids touched, ids seen together.

    Named ids are the request's and its subtasks' descriptions' (the request as resolved, so
    "close it" names the ticket it closed); touched ones stand only in outputs and actions.
    """
    named = _ids(kinds, request)
    for result in results.values():
        named += [p for p in _ids(kinds, str(result.get("description") or "")) if p not in named]
    touched: list[tuple[str, str]] = []
    together: list[list[str]] = []
    for result in results.values():
        text = json.dumps({k: result.get(k) for k in ("output", "actions")}, default=str)
        pairs = _ids(kinds, f"{result.get('description') or ''} {text}")
        touched += [p for p in pairs if p not in touched and p not in named]
        if len(pairs) > 1:
            together.append([entity for _, entity in pairs])
    entry: dict[str, Any] = {
        "named": [list(p) for p in named],
        "touched": [list(p) for p in touched],
        "together": together,
    }
    for result in results.values():
        description = str(result.get("description") or "")
        if _QUESTION_MARK in description:
            # The turn asked which record was meant: the next turn may answer it.
            entry["question"] = {
                "request": request,
                "options": [list(p) for p in _ids(kinds, description.split(_QUESTION_MARK)[1])],
            }
    return entry


def asks(description: str) -> bool:
    """True for the description of a subtask that asks which record a request meant."""
    return _QUESTION_MARK in description


def asking(request: str, question: str) -> str:
    """The description of a subtask that asks which record a request meant."""
    return f"{request} (asked: {question})"


def _question(kind: EntityKind | None, options: Sequence[str]) -> str:
    noun = (kind.nouns[0] if kind.nouns else kind.name) if kind else "record"
    listed = ", ".join(options[:-1]) + f" or {options[-1]}" if len(options) > 1 else options[0]
    return f"Which {noun} {_QUESTION_MARK}{listed}?"


@dataclass
class _Thread:
    """The thread's history as the resolver reads it: candidates by kind, newest turn first."""

    history: Sequence[Mapping[str, Any]]
    kinds: Sequence[EntityKind]
    lookup: Lookup | None
    by_name: dict[str, EntityKind] = field(init=False)

    def __post_init__(self) -> None:
        self.by_name = {k.name: k for k in self.kinds}

    def facts(self, entity: str) -> RecordFacts | None:
        return self.lookup(entity) if self.lookup else None

    def described_by(self, entity: str) -> set[str]:
        """The words that describe a record ("june", "saml", "open"), from the lookup."""
        facts = self.facts(entity)
        return set(re.findall(r"[a-z0-9]+", facts.words.lower())) if facts else set()

    def owner(self, entity: str, kind: str) -> str | None:
        """The record of `kind` that owns `entity` (a ticket's customer), if the lookup knows."""
        facts = self.facts(entity)
        if facts is None or facts.owner is None:
            return None
        return next((e for k, e in _ids(self.kinds, facts.owner) if k == kind), None)

    def turn_naming(self, entity: str) -> int:
        """The latest turn that named or touched `entity` (this turn's number if none did)."""
        for turn in reversed(self.history):
            ents = turn.get("entities") or {}
            if any(e == entity for _, e in ents.get("named", []) + ents.get("touched", [])):
                return int(turn.get("turn", 0))
        return int(self.history[-1].get("turn", 0)) + 1 if self.history else 1

    def owned_in_play(self, kind: EntityKind) -> tuple[list[str], int] | None:
        """The unfinished records of `kind` that belong to the one person the thread is
        about (a customer's open tickets), and the turn that named that person."""
        person = _person(self)
        if person is None or len(person[0]) != 1:
            return None
        facts = self.facts(person[0][0])
        pool = [e for e in (facts.owns if facts else ()) if kind.pattern.fullmatch(e)]
        live = [e for e in pool if not (self.facts(e) or RecordFacts(e)).done]
        return (live, person[2]) if live else None

    def mentioned(self, entity: str) -> bool:
        """True when an earlier turn named or touched `entity`."""
        return any(
            e == entity
            for turn in self.history
            for _, e in (turn.get("entities") or {}).get("named", [])
            + (turn.get("entities") or {}).get("touched", [])
        )

    def kind_of(self, entity: str) -> str | None:
        return next((k for k, _ in _ids(self.kinds, entity)), None)

    def find(self, kind: str) -> tuple[list[str], int] | None:
        """The ids of `kind` the latest turn that has any refers to, and that turn's number.

        Named ids win over touched ones (the customer a ticket belongs to is touched, the
        ticket asked about is named); then the owners of named records, then ids seen together
        with a named one, then anything touched.
        """
        for turn in reversed(self.history):
            ents = turn.get("entities") or {}
            number = int(turn.get("turn", 0))
            named_pairs = [tuple(p) for p in ents.get("named", [])]
            named = [e for k, e in named_pairs if k == kind]
            if named:
                return named, number
            owners = [o for k, e in named_pairs if (o := self.owner(e, kind))]
            if owners:
                return list(dict.fromkeys(owners)), number
            touched = [e for k, e in ents.get("touched", []) if k == kind]
            asked = {e for _, e in named_pairs}
            beside = [
                e
                for group in ents.get("together", [])
                if asked & set(group)
                for e in group
                if e in touched
            ]
            if beside:
                return self.narrow(list(dict.fromkeys(beside)), turn), number
            if touched:
                return self.narrow(touched, turn), number
        return None

    def narrow(self, listed: list[str], turn: Mapping[str, Any]) -> list[str]:
        """Of the records a turn's results listed, the one its request asked for, when its
        words single one out ("what did we charge CUS-1012 in June?", "her latest invoice");
        else all of them."""
        if len(listed) < 2:
            return listed
        text = _strip_ids(str(turn.get("request") or ""), self.kinds)
        words = set(re.findall(r"[a-z]+", text.lower()))
        if words & _NEWEST:
            return [max(listed)]  # ids are issued in order
        if words & _OLDEST:
            return [min(listed)]
        nouns = {n.lower() for k in self.kinds for n in k.nouns}
        return _best_fits(listed, _describing_words(text) - nouns, self)

    def latest_named(self, person: bool) -> tuple[list[tuple[str, str]], int] | None:
        """The latest turn's named records of person (or non-person) kinds."""
        for turn in reversed(self.history):
            named = [
                (k, e)
                for k, e in (turn.get("entities") or {}).get("named", [])
                if k in self.by_name and self.by_name[k].person == person
            ]
            if named:
                return named, int(turn.get("turn", 0))
        return None

    def plural_records(self) -> tuple[list[tuple[str, str]], int] | None:
        """What "both", "them", "all of them" stand for: the records (not people) the newest
        turn that named any named, when several; one named there and others of its kind named
        just before ("what version is DEP-1024?", "and DEP-1028?", "roll back both"); or, when
        that turn named only a person, the records of one kind its results listed."""
        latest = self.latest_named_any()
        if latest is None:
            return None
        named, number = latest
        things = list(dict.fromkeys((k, e) for k, e in named if not self.by_name[k].person))
        people = list(dict.fromkeys((k, e) for k, e in named if self.by_name[k].person))
        if len(things) > 1:
            return things, number
        if not things and len(people) > 1:
            return people, number  # "give both a credit" after two customers
        if len(things) == 1:
            kind = things[0][0]
            gathered = self.gather(kind)
            if gathered and len(gathered[0]) > 1:
                return [(kind, e) for e in gathered[0]], gathered[1]
            return None
        turn = next(t for t in self.history if int(t.get("turn", 0)) == number)
        touched = [
            (k, e)
            for k, e in (turn.get("entities") or {}).get("touched", [])
            if k in self.by_name and not self.by_name[k].person
        ]
        if len(touched) > 1 and len({k for k, _ in touched}) == 1:
            return list(dict.fromkeys(touched)), number
        return None

    def latest_named_any(self) -> tuple[list[tuple[str, str]], int] | None:
        """The newest turn's named records of any kind, and that turn's number."""
        for turn in reversed(self.history):
            named = [
                (k, e)
                for k, e in (turn.get("entities") or {}).get("named", [])
                if k in self.by_name
            ]
            if named:
                return named, int(turn.get("turn", 0))
        return None

    def latest_mentioned(self) -> tuple[list[tuple[str, str]], int] | None:
        """What "it" can be: the newest turn's named non-person records, or, when that turn
        named only a person (or nothing), the records its results listed ("close it" after
        "which tickets does she have open?" is one of those, never an older turn's)."""
        for turn in reversed(self.history):
            ents = turn.get("entities") or {}
            number = int(turn.get("turn", 0))
            named = [(k, e) for k, e in ents.get("named", []) if k in self.by_name]
            things = [(k, e) for k, e in named if not self.by_name[k].person]
            if things:
                return things, number
            touched = [
                (k, e)
                for k, e in ents.get("touched", [])
                if k in self.by_name and not self.by_name[k].person
            ]
            if touched and named:
                narrowed = self.narrow([e for _, e in touched], turn)
                return [(k, e) for k, e in touched if e in narrowed], number
            if not named and not touched and len(_own_words(str(turn.get("request", "")))) > 1:
                # "is it up on April?" after "what's our revenue for May?": not a record
                # ("thanks!" in between is no topic of its own).
                return None
        return None

    def gather(self, kind: str, at_least: int = 2, turns: int = 3) -> tuple[list[str], int] | None:
        """ "those invoices": the ids of `kind` named over the last few turns."""
        found: list[str] = []
        number = 0
        for turn in list(reversed(self.history))[:turns]:
            named = [e for k, e in (turn.get("entities") or {}).get("named", []) if k == kind]
            if named:
                found = [*dict.fromkeys([*named, *found])]
                number = int(turn.get("turn", 0))
            if len(found) >= at_least:
                break
        return (found, number) if found else None

    def pending_question(self) -> tuple[str, list[tuple[str, str]], int] | None:
        """The request, options and turn of the question the last turn asked, if it asked one."""
        if not self.history:
            return None
        last = self.history[-1]
        asked = (last.get("entities") or {}).get("question")
        if not asked or not asked.get("options"):
            return None
        options = [(str(k), str(e)) for k, e in asked["options"]]
        return str(asked["request"]), options, int(last.get("turn", 0))

    def pick(self, text: str, options: Sequence[str]) -> list[str]:
        """The options a reply or description picks: "both", "the first one", "the June one"."""
        if _PLURAL.search(text):
            return list(options)
        ordinal = _ORDINAL.search(text)
        if ordinal:
            at = _ORDINALS[ordinal.group(1).lower()]
            return [options[at]] if -len(options) <= at < len(options) else []
        words = _describing_words(text)
        if not words or not self.lookup:
            return []
        scores = {}
        for entity in options:
            facts = self.facts(entity)
            described = set(re.findall(r"[a-z0-9]+", facts.words.lower())) if facts else set()
            scores[entity] = len(words & described)
        best = max(scores.values(), default=0)
        winners = [e for e, s in scores.items() if s == best]
        return winners if best > 0 and len(winners) == 1 else []


# Words that say nothing about which record is meant ("close the ticket in the morning").
_NOT_DESCRIPTIVE = (ENGLISH_STOP_WORDS - {"may"}) | {
    "one",
    "ones",
    "meant",
    "mean",
    "sorry",
    "please",
    "thanks",
    "thank",
    "ok",
    "okay",
    "yes",
}


def _describing_words(text: str) -> set[str]:
    """The words of `text` that can describe a record ("june", "saml", "open"), no stop words."""
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 1} - _NOT_DESCRIPTIVE


def resolve(
    request: str,
    history: Sequence[Mapping[str, Any]],
    kinds: Sequence[EntityKind],
    lookup: Lookup | None = None,
) -> Resolved:
    """Rewrite the request's references to earlier turns' ids, or ask when one is ambiguous."""
    if not kinds or not history:
        return Resolved(request, [])
    thread = _Thread(history, kinds, lookup)
    explicit = _ids(kinds, request)
    for step in (_reply, _repeat):
        out = step(request, explicit, thread)
        if out is not None:
            return out
    return _rewrite(request, explicit, thread)


def _rewrite(request: str, explicit: list[tuple[str, str]], thread: _Thread) -> Resolved:
    text, resolutions = request, list[Resolution]()
    asks_who = bool(_ASKS_WHO.search(request))
    # "there account": the common slip for "their" before a record's noun.
    text = _mended(text, thread.kinds)
    for kind in thread.kinds:
        nouns = [re.escape(n) for n in kind.nouns]
        if not nouns:
            continue
        noun = "(?:" + "|".join(nouns) + ")s?"
        strong = rf"\b(?:that|this|the same|same|said|those|these)\s+{noun}\b"
        weak = rf"\bthe\s+{noun}\b(?!\s+(?:on|of|for|behind|from|who)\s+\w)(?!\s+\S*\d)"
        # "the customer" beside an explicit id is that record's customer, not an old one.
        for pattern in [strong] if explicit else [strong, weak]:
            for match in list(re.finditer(pattern, text, re.I)):
                phrase = match.group(0)
                if kind.person and asks_who and pattern == weak:
                    continue  # "who is the customer?" asks for it: the record is the reference
                if pattern == weak and not _weak_refers(text, match):
                    continue
                found = thread.find(kind.name)
                if found is None and not kind.person:
                    # "close the ticket" after "look up CUS-1024": one of that customer's.
                    found = thread.owned_in_play(kind)
                if found is None:
                    continue
                options, turn = found
                plural = phrase.lower().split()[0] in {"those", "these"} or phrase.endswith("s")
                if plural and len(options) < 2:
                    options, turn = thread.gather(kind.name) or (options, turn)
                if len(options) > 1 and not plural:
                    chosen = thread.pick(text, options)
                    if len(chosen) != 1:
                        return Resolved(request, resolutions, _question(kind, options))
                    options = chosen
                text = text.replace(phrase, " and ".join(options), 1)
                resolutions += [Resolution(phrase, e, kind.name, turn) for e in options]
    out = _owner_phrases(text, thread)
    if isinstance(out, str):
        return Resolved(request, resolutions, out)
    text, resolutions = out[0], _consumed(resolutions, out[1], thread)
    text, resolutions = _other(text, resolutions, thread)
    out = _described(text, thread)
    if isinstance(out, str):
        return Resolved(request, resolutions, out)
    text, resolutions = out[0], resolutions + out[1]
    by_name = thread.by_name

    def settled(person: bool) -> bool:
        ids = [k for k, _ in explicit] + [r.kind for r in resolutions]
        return any(by_name[k].person == person for k in ids if k in by_name)

    if not settled(person=False) and not _PLURAL.search(text):
        out = _pronoun(text, thread, person=False)
        if isinstance(out, str):
            return Resolved(request, resolutions, out)
        text, resolutions = out[0], resolutions + out[1]
    if not settled(person=True):
        out = _pronoun(text, thread, person=not asks_who)
        if isinstance(out, str):
            return Resolved(request, resolutions, out)
        text, resolutions = out[0], resolutions + out[1]
    both = _PLURAL.search(text)
    if not explicit and not resolutions and both:
        # "close both": every record the latest turn named.
        latest = thread.plural_records()
        if latest:
            named, turn = latest
            joined = " and ".join(dict.fromkeys(e for _, e in named))
            text = text[: both.start()] + joined + text[both.end() :]
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
        # "who's the customer?" after a ticket: the customer on that ticket.
        latest = thread.latest_named(person=False)
        if latest and len({e for _, e in latest[0]}) == 1:
            kind_name, entity = latest[0][0]
            text = f"{text.rstrip(' ?.')} on {entity}?"
            resolutions.append(Resolution("(implied)", entity, kind_name, latest[1]))
    return Resolved(text, resolutions)


# What opens the words of a note, a comment or a message: "add a note saying the customer
# confirmed …" — a noun in there is the note's wording, not a reference to resolve.
_PAYLOAD = re.compile(
    r"\b(?:saying|that says|to say|reading|with the text)\b|\b(?:note|comment|message)\s*:|[\"“]",
    re.I,
)
# Verbs whose object may be followed by what is said: "email the customer that it's fixed".
_TELLING = {"email", "tell", "remind", "notify", "inform", "message", "let", "ask", "write", "mail"}


_DEMONSTRATIVE = r"\b(that|this|those|these|same|their|its|his|her)\s+([a-z]{5,})\b"


def _mended(text: str, kinds: Sequence[EntityKind]) -> str:
    """`text` with the slips a reference is typed with mended: "there account" and "thier
    account" are "their account", "that custmer" is "that customer"."""
    nouns = [n.lower() for k in kinds for n in k.nouns]
    if not nouns:
        return text
    # Only a kind's first noun (and a person's every noun) is mended to: "contact" is a word
    # of its own, not a slip for "contract".
    primary = [n.lower() for k in kinds for n in (k.nouns if k.person else k.nouns[:1])]
    every_noun = "|".join(re.escape(n) for n in nouns)
    text = re.sub(rf"\b(there|thier)(?=\s+(?:{every_noun})s?\b)", "their", text, flags=re.I)
    text = re.sub(r"\bthier\b", "their", text, flags=re.I)

    def noun(m: re.Match[str]) -> str:
        word = m.group(2).lower()
        if word in nouns or word.rstrip("s") in nouns:
            return m.group(0)
        close = difflib.get_close_matches(word, primary, 1, 0.9)
        return f"{m.group(1)} {close[0]}" if close else m.group(0)

    return re.sub(_DEMONSTRATIVE, noun, text, flags=re.I)


def _weak_refers(text: str, match: re.Match[str]) -> bool:
    """False for "the customer" that is a note's wording ("… saying the customer confirmed")
    or starts a relative clause ("the customer that bought …"), true for a reference."""
    payload = _PAYLOAD.search(text)
    if payload and payload.start() < match.start():
        return False
    if re.match(r"\s+that\s+\w", text[match.end() :], re.I):
        before = re.findall(r"[a-z]+", text[: match.start()].lower())
        return bool(before) and before[-1] in _TELLING
    return True


def _consumed(
    resolutions: list[Resolution], owners: list[Resolution], thread: _Thread
) -> list[Resolution]:
    """`resolutions` and the owner phrases resolved after them: "the customer on that ticket"
    denotes the customer, so the ticket "that ticket" became is no longer a reference."""
    consumed = {e for r in owners for _, e in _ids(thread.kinds, r.phrase)}
    return [r for r in resolutions if r.entity not in consumed] + owners


def _owner_phrases(text: str, thread: _Thread) -> tuple[str, list[Resolution]] | str:
    """ "its customer", "the customer on TCK-1002", "TCK-1002's customer": the owner's id."""
    resolutions: list[Resolution] = []
    if _ASKS_WHO.search(text):
        return text, resolutions  # "who is the customer on TCK-1002?" asks for the owner
    for kind in [k for k in thread.kinds if k.person]:
        noun = "(?:" + "|".join(re.escape(n) for n in kind.nouns) + ")"
        ids = "|".join(k.pattern.pattern for k in thread.kinds if not k.person)
        if not ids:
            continue
        patterns = [
            rf"\bthe {noun} (?:on|of|for|behind|from) (?:\w+ )?(?P<id>{ids})",
            rf"\b(?P<id>{ids})'s {noun}\b",
        ]
        for pattern in patterns:
            for match in list(re.finditer(pattern, text, re.I)):
                owner = thread.owner(match.group("id"), kind.name)
                if owner is None:
                    continue
                text = text.replace(match.group(0), owner, 1)
                turn = thread.turn_naming(match.group("id"))
                resolutions.append(Resolution(match.group(0), owner, kind.name, turn))
        its = rf"\bits {noun}\b"
        if re.search(its, text, re.I):
            latest = thread.latest_named(person=False)
            if latest is None:
                continue
            owners = list(
                dict.fromkeys(o for _, e in latest[0] if (o := thread.owner(e, kind.name)))
            )
            if len(owners) > 1:
                return _question(kind, owners)
            if owners:
                text = re.sub(its, owners[0], text, count=1, flags=re.I)
                resolutions.append(
                    Resolution("its " + kind.nouns[0], owners[0], kind.name, latest[1])
                )
    return text, resolutions


def _other(
    text: str, resolutions: list[Resolution], thread: _Thread
) -> tuple[str, list[Resolution]]:
    """ "the other one": of two records named together, the one the last turn did not use."""
    match = re.search(r"\bthe other (one|[a-z]+)\b", text, re.I)
    if not match or not thread.history:
        return text, resolutions
    used = {e for _, e in (thread.history[-1].get("entities") or {}).get("named", [])}
    word = match.group(1).lower()
    for turn in reversed(thread.history[:-1]):
        named = [tuple(p) for p in (turn.get("entities") or {}).get("named", [])]
        for kind in thread.kinds:
            if word != "one" and word.rstrip("s") not in kind.nouns:
                continue
            group = list(dict.fromkeys(e for k, e in named if k == kind.name))
            rest = [e for e in group if e not in used]
            if len(group) >= 2 and len(rest) == 1 and len(rest) < len(group):
                number = int(turn.get("turn", 0))
                text = text.replace(match.group(0), rest[0], 1)
                return text, [*resolutions, Resolution(match.group(0), rest[0], kind.name, number)]
    return text, resolutions


_NEWEST = {"latest", "last", "newest", "recent", "current"}
_OLDEST = {"oldest", "earliest"}


def _owned(
    text: str, resolutions: list[Resolution], thread: _Thread
) -> tuple[str, list[Resolution]] | str:
    """ "CUS-1005's unpaid invoice", "their February invoice", "her ticket": the one record of
    theirs meant, or a question when several of theirs fit."""
    people = "|".join(k.pattern.pattern for k in thread.kinds if k.person)
    if not people or not thread.lookup:
        return text, resolutions
    for kind in [k for k in thread.kinds if not k.person and k.nouns]:
        noun = "(?:" + "|".join(re.escape(n) for n in kind.nouns) + ")"
        pattern = rf"(?P<who>{people})'s (?P<words>(?:[\w-]+ ){{0,3}}?){noun}\b(?!s)"
        for match in list(re.finditer(pattern, text, re.I)):
            facts = thread.facts(match.group("who"))
            if facts is None:
                continue
            pool = [e for e in facts.owns if kind.pattern.fullmatch(e)]
            fits = _choose(match.group("words"), pool, thread)
            if len(fits) > 1:
                return _question(kind, fits)
            if not fits:
                continue
            chosen = fits[0]
            text = text.replace(match.group(0), chosen, 1)
            person = match.group("who")
            turn = next((r.turn for r in resolutions if r.entity == person), 0)
            phrase = next((r.phrase for r in resolutions if r.entity == person), person)
            resolutions = [r for r in resolutions if r.entity != person]
            resolutions.append(Resolution(f"{phrase} … {kind.nouns[0]}", chosen, kind.name, turn))
    return text, resolutions


def _choose(described: str, pool: Sequence[str], thread: _Thread) -> list[str]:
    """The records of `pool` the words describe ("unpaid", "June", "latest"): one when the
    words single it out; with no words, the one the thread talked about or the only one not
    finished; several when the words fit several; none when they fit none."""
    words = set(re.findall(r"[a-z0-9]+", described.lower())) - {"only", "most", "the", "one"}
    newest, oldest = bool(words & _NEWEST), bool(words & _OLDEST)
    words -= _NEWEST | _OLDEST
    matching = [e for e in pool if words <= thread.described_by(e)]
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


def _described(text: str, thread: _Thread) -> tuple[str, list[Resolution]] | str:
    """ "the June one", "the SAML ticket", "the first one": one of the recent turns' records.

    The newest turn with a record the words describe decides: its one best match, or a
    question when several fit as well (named records before ones only seen in results).
    Ordinals need a list, so they read only a turn with two or more records of the kind.
    """
    if not thread.lookup or not thread.history:
        return text, []
    resolutions: list[Resolution] = []
    for kind in [k for k in thread.kinds if not k.person]:
        nouns = "|".join(re.escape(n) for n in kind.nouns) or "one"
        pattern = _DESCRIBED.replace("{nouns}", nouns)
        for match in list(re.finditer(pattern, text, re.I)):
            phrase = match.group(0)
            ordinal = _ORDINAL.search(phrase)
            if match.group(1).lower().split()[0] in _NOT_DESCRIBING and not ordinal:
                continue
            found = _described_one(phrase, kind, bool(ordinal), thread, context=text)
            if isinstance(found, str):
                return found
            if found is None:
                continue
            entity, turn = found
            text = text.replace(phrase, entity, 1)
            resolutions.append(Resolution(phrase, entity, kind.name, turn))
    return text, resolutions


def _best_fits(options: list[str], words: set[str], thread: _Thread) -> list[str]:
    """The options `words` describe best, when that is one of them; else all of them."""
    scores = {e: len(words & thread.described_by(e)) for e in options}
    best = max(scores.values(), default=0)
    top = [e for e, n in scores.items() if n == best]
    return top if best > 0 and len(top) == 1 else options


def _described_one(
    phrase: str,
    kind: EntityKind,
    ordinal: bool,
    thread: _Thread,
    context: str = "",
    turns: int = 3,
) -> tuple[str, int] | str | None:
    """The record of `kind` a describing phrase picks from the recent turns, a question when
    several fit equally (the rest of the request may still tell them apart: "the api
    deployment in production"), or None when no recent record fits."""
    words = _describing_words(phrase) - {n.lower() for n in kind.nouns}
    rest = _describing_words(context) - {n.lower() for n in kind.nouns}
    for turn in list(reversed(thread.history))[:turns]:
        ents = turn.get("entities") or {}
        named = list(dict.fromkeys(e for k, e in ents.get("named", []) if k == kind.name))
        seen = [e for k, e in ents.get("touched", []) if k == kind.name and e not in named]
        pool = list(dict.fromkeys(named + seen))
        if len(pool) >= 2 and words & (_NEWEST | _OLDEST):
            # "the oldest one", "the newest invoice": ids are issued in order.
            chosen = max(pool) if words & _NEWEST else min(pool)
            return chosen, int(turn.get("turn", 0))
        if ordinal:
            if len(pool) >= 2:
                chosen = thread.pick(phrase, pool)
                return (chosen[0], int(turn.get("turn", 0))) if len(chosen) == 1 else None
            continue
        scores = {e: len(words & thread.described_by(e)) for e in pool}
        best = max(scores.values(), default=0)
        if best == 0:
            continue
        winners = [e for e, n in scores.items() if n == best]
        if len(winners) > 1:
            winners = [e for e in winners if e in named] or winners
        if len(winners) > 1:
            winners = _best_fits(winners, rest, thread)
        if len(winners) > 1:
            return _question(kind, winners)
        return winners[0], int(turn.get("turn", 0))
    person = None if ordinal else _person(thread)
    if person is None or len(person[0]) != 1:
        return None
    # "the CSV one" after "which tickets does CUS-1004 have open?": one of that customer's.
    facts = thread.facts(person[0][0])
    pool = [e for e in (facts.owns if facts else ()) if kind.pattern.fullmatch(e)]
    scores = {e: len(words & thread.described_by(e)) for e in pool}
    best = max(scores.values(), default=0)
    winners = [e for e, n in scores.items() if n == best and best > 0]
    if len(winners) > 1:
        live = [e for e in winners if not (thread.facts(e) or RecordFacts(e)).done]
        winners = live if len(live) == 1 else winners
    if len(winners) > 1:
        return _question(kind, winners)
    return (winners[0], person[2]) if winners else None


def _pronoun(text: str, thread: _Thread, person: bool) -> tuple[str, list[Resolution]] | str:
    """Pronouns → the one id of these kinds the latest turn named; a question if several."""
    pattern = _PRONOUN_PERSON if person else r"\b(it|its|that one|this one)\b"
    if not person and _ASKS_WHO.search(text):
        pattern = r"\b(it|its|them|they)\b"  # "who is the customer on them?": the records
    dummy = {
        (d.start() + i.start(), d.start() + i.end())
        for d in _DUMMY_IT.finditer(text)
        for i in re.finditer(r"\b(it|them)\b", d.group(0), re.I)
    }
    spans = [m for m in re.finditer(pattern, text, re.I) if m.span() not in dummy]
    # "all of them", "each of them": a group, resolved as one ("close both") further on.
    groups = [g.span() for g in _PLURAL.finditer(text)]
    spans = [m for m in spans if not any(a <= m.start() < b for a, b in groups)]
    if not spans:
        return text, []
    if person:
        plural = all(m.group(0).lower() in _PLURAL_PRONOUNS for m in spans)
        latest = thread.latest_named_any()
        if plural and latest and not any(thread.by_name[k].person for k, _ in latest[0]):
            if len({e for _, e in latest[0]}) > 1:
                return _plural_them(text, spans, thread)  # "close them" after two tickets
        found = _person(thread)
        if found is None:
            return _plural_them(text, spans, thread)
        entities, kind_name, turn = found
        if len(entities) > 1 and plural and _EACH.search(text):
            # "give them a credit each" after two customers: each of them. A bare "they" may
            # be one person (singular they), so without "each/both/all" it is asked.
            pairs = [(kind_name, e) for e in entities]
            return _substitute_all(text, spans, pairs, turn)
    else:
        latest = thread.latest_mentioned()
        if latest is None:
            return text, []
        named, turn = latest
        entities = list(dict.fromkeys(e for _, e in named))
        kinds = {k for k, _ in named}
        kind_name = named[0][0]
        if len(entities) > 1 and any(m.group(0).lower() in {"them", "they"} for m in spans):
            return _plural_them(text, spans, thread)
        if len(entities) > 1:
            kind = thread.by_name[kind_name] if len(kinds) == 1 else None
            return _question(kind, entities)
    if len(entities) > 1:
        return _question(thread.by_name[kind_name], entities)
    entity = entities[0]
    pieces, resolutions, at = [], [], 0
    for m in spans:
        word = m.group(0).lower()
        possessive = word in _POSSESSIVE or (word == "her" and _before_noun(text, m))
        pieces += [text[at : m.start()], f"{entity}'s" if possessive else entity]
        resolutions.append(Resolution(m.group(0), entity, kind_name, turn))
        at = m.end()
    out = "".join([*pieces, text[at:]])
    if any(m.group(0).lower() == "they" for m in spans):
        out = _singular(out, entity)
    return out, resolutions


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
    nxt = re.match(r"\s+([a-z]+)", text[m.end() :], re.I)
    return bool(nxt) and nxt.group(1).lower() not in ENGLISH_STOP_WORDS | {  # type: ignore[union-attr]
        "know",
        "up",
        "back",
    }


def _person(thread: _Thread) -> tuple[list[str], str, int] | None:
    """The customer "they/he/she" is: named, the owner of a named record, or the one touched."""
    people = [k for k in thread.kinds if k.person]
    for turn in reversed(thread.history):
        ents = turn.get("entities") or {}
        number = int(turn.get("turn", 0))
        for kind in people:
            named = [e for k, e in ents.get("named", []) if k == kind.name]
            if named:
                return list(dict.fromkeys(named)), kind.name, number
        for kind in people:
            owners = [o for _, e in ents.get("named", []) if (o := thread.owner(e, kind.name))]
            if owners:
                return list(dict.fromkeys(owners)), kind.name, number
            touched = list(dict.fromkeys(e for k, e in ents.get("touched", []) if k == kind.name))
            if len(touched) == 1:
                return touched, kind.name, number
        if ents.get("named"):
            return None
    return None


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
        possessive = m.group(0).lower() == "their"
        pieces += [text[at : m.start()], f"{joined}'s" if possessive else joined]
        resolutions += [Resolution(m.group(0), e, k, turn) for k, e in named]
        at = m.end()
    return "".join([*pieces, text[at:]]), resolutions


def _reply(request: str, explicit: list[tuple[str, str]], thread: _Thread) -> Resolved | None:
    """An answer to the question the last turn asked: its request, run with the record picked."""
    pending = thread.pending_question()
    if pending is None:
        return None
    asked, options, turn = pending
    option_ids = [e for _, e in options]
    chosen = [e for _, e in explicit if e in option_ids]
    kinds = {k for k, _ in options}
    bare = not re.sub(r"[\W_]+", "", _strip_ids(request, thread.kinds))
    if not chosen and explicit and (bare or _CORRECTION.search(request)):
        # "sorry, I meant TCK-1003", "TCK-1003": a record that was not among the options.
        chosen = [e for k, e in explicit if k in kinds]
    if not chosen and not explicit and len(request.split()) <= 8:
        chosen = thread.pick(request, option_ids)
    if not chosen:
        return None
    if len(chosen) > 1 and re.search(r"\b(it|them|that one)\b", asked, re.I):
        # "both": the asked request's "it" stands for every record picked.
        text = re.sub(r"\b(it|them|that one)\b", " and ".join(chosen), asked, flags=re.I)
        kind_of = {e: k for k, e in options}
        return Resolved(text, [Resolution(request, e, kind_of.get(e, ""), turn) for e in chosen])
    earlier = list(thread.history[:-1])
    picked = {
        "turn": turn,
        "request": asked,
        "entities": {
            "named": [[k, e] for k, e in options if e in chosen]
            or [[thread.kind_of(e) or "", e] for e in chosen]
        },
    }
    again = _rewrite(
        asked, _ids(thread.kinds, asked), _Thread([*earlier, picked], thread.kinds, thread.lookup)
    )
    if again.question or not again.resolutions:
        # The question's request had no reference to put the pick into: name it.
        text = f"{asked} ({', '.join(chosen)})"
        return Resolved(
            text, [Resolution(request, e, thread.kind_of(e) or "", turn) for e in chosen]
        )
    resolutions = [Resolution(request, r.entity, r.kind, turn) for r in again.resolutions]
    return Resolved(again.text, resolutions)


def _own_words(text: str) -> set[str]:
    """The words of a short follow-up that ask for something (not fillers, not slips of the
    fillers: "actualy" is "actually")."""
    words = _describing_words(text) - _REPEAT_FILLER
    return {w for w in words if not difflib.get_close_matches(w, _REPEAT_FILLER, 1, 0.8)}


def _strip_ids(text: str, kinds: Sequence[EntityKind]) -> str:
    for kind in kinds:
        text = kind.pattern.sub("", text)
    return text


def _repeat(request: str, explicit: list[tuple[str, str]], thread: _Thread) -> Resolved | None:
    """ "Do that for CUS-1002 too", "and INV-1003?": the last request about that kind, new id."""
    words = len(request.split())
    if len(explicit) == 2 and explicit[0][0] == explicit[1][0]:
        # "sorry, INV-1052 not INV-1005": the one that is not the mistake.
        wrong = re.search(r"\b(?:not|instead of|rather than)\s+([A-Z]+-\d+)", request, re.I)
        if wrong:
            explicit = [p for p in explicit if p[1].upper() != wrong.group(1).upper()]
    if len(explicit) != 1 or words > _REPEAT_MAX_WORDS:
        return None
    if not (_REPEAT.search(request) or _CORRECTION.search(request)) and not (
        _ELLIPSIS.search(request) and words <= _ELLIPSIS_MAX_WORDS
    ):
        return None
    nouns = {n.lower() for k in thread.kinds for n in k.nouns}
    if {w for w in _own_words(_strip_ids(request, thread.kinds)) if w.rstrip("s") not in nouns}:
        return None  # "also close TCK-1005" asks for something itself
    kind, new_id = explicit[0]
    for turn in reversed(thread.history):
        named = [e for k, e in (turn.get("entities") or {}).get("named", []) if k == kind]
        if named and new_id not in named:
            earlier = str(turn["request"])
            for old in set(named):
                earlier = earlier.replace(old, new_id)
            if new_id not in earlier:
                return None  # the id came from a result, not the words: nothing to swap
            return Resolved(earlier, [Resolution(request, new_id, kind, int(turn["turn"]))])
    return None
