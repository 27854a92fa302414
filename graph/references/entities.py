"""The resolver's public types and the ids a turn names.

Entity kinds (from the team file), what a lookup knows about a record, a resolution and a
resolved request; the ids a text names, what one finished turn leaves in the history for
later turns, and the question a turn asks when a reference is ambiguous.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from ringmaster.graph.references.patterns import _BESIDE, _QUESTION_MARK


@dataclass(frozen=True)
class RecordFacts:
    """What a lookup knows about a record: who owns it and the words that describe it."""

    id: str
    owner: str | None = None  # the person (customer) the record belongs to
    words: str = ""
    owns: tuple[str, ...] = ()  # for a person: the records that belong to them
    done: bool = False  # finished (a closed ticket): not what "her ticket" means
    amount: Decimal | None = None  # what the record is for: "the bigger invoice"
    title: str = ""  # what a person calls it: a ticket's subject, a customer's name
    pronouns: str = ""  # for a person: "she", "he", "they"; "" when unknown
    # what the record is tied to: the deployment that was running when an incident began ("roll
    # back the deploy that caused it"), as the ops skill answers "which deploy caused INC-…?"
    behind: tuple[str, ...] = ()
    # acts that cannot be done on it now, each with why ("refund", "has not been paid"): it is
    # not offered for such an act
    cannot: tuple[tuple[str, str], ...] = ()


Lookup = Callable[[str], RecordFacts | None]
# Every record whose id starts with a prefix ("DEP"): what a reply to "Which deployment do you
# mean?" is read against when the thread named none.
Records = Callable[[str], Sequence[str]]


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
    # How the resolver guessed this reading, when it did: "typo" (an id mended from a slip),
    # "description" (a record picked by words that fit another in play too). "" when the
    # request determined it. A guess never drives a side effect unconfirmed (`confirming`).
    guessed: str = ""
    # What ties the record to the one the words named, when the lookup did ("the deploy that
    # caused it"): "running when INC-1012 began". "" for a record the words themselves pick.
    tie: str = ""
    # Why a record the request never named was taken for a side effect on it: "INV-1004 was
    # taken as CUS-1004's invoice; it was not named" ("do the same for CUS-1004" after a refund
    # of another customer's invoice). Such a call always waits for a person (validate's
    # `review_blocker`), whatever its tool's limits say. "" for a record the words named.
    inferred: str = ""

    def describe(self) -> str:
        return f"{self.phrase!r} → {self.entity} (turn {self.turn}{self.how()})"

    def how(self) -> str:
        """How the record was found, when not by the words alone: ", guessed from a typo",
        ", running when INC-1012 began"."""
        guess = f", {_GUESSES.get(self.guessed, 'guessed')}" if self.guessed else ""
        inferred = f", {self.inferred}" if self.inferred else ""
        return guess + (f", {self.tie}" if self.tie else "") + inferred


# How each kind of guess reads in a rationale.
_GUESSES = {
    "typo": "guessed from a typo",
    "near id": "guessed: two digits swapped from a record in play",
    "description": "guessed: the words fit another record too",
    "fewer": "guessed: the only other one there is, fewer than the request counted",
}


@dataclass(frozen=True)
class Resolved:
    """A request with its references rewritten, or the question to ask when one is ambiguous."""

    text: str
    resolutions: list[Resolution]
    question: str | None = None
    answers: int | None = None  # the turn whose question this request answers
    # Clauses the request took back and `text` leaves out: "don't refund INV-1144" of "don't
    # refund INV-1144, give her a credit instead".
    dropped: tuple[str, ...] = ()
    # The turn whose request `text` asks again with another value in it, no record named:
    # "And on staging?" after "what version of api is on production?".
    repeats: int | None = None
    # What is true instead of a question that would have nothing to pick ("CUS-1015 has no
    # ticket that can be closed …; nothing was done"): the supervisor says it, nothing is
    # routed or raised.
    told: str | None = None

    @property
    def changed(self) -> bool:
        """True when the request is not planned as typed: references, a question, a clause
        taken back, a reply planned as the request it answers ("June 11" to "Which day do
        you mean: …?"), or a follow-up planned as the request it repeats elsewhere."""
        return bool(
            self.resolutions
            or self.question
            or self.told
            or self.dropped
            or self.answers is not None
            or self.repeats is not None
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "resolutions": [asdict(r) for r in self.resolutions],
            "question": self.question,
            "answers": self.answers,
            "dropped": list(self.dropped),
            "repeats": self.repeats,
            "told": self.told,
        }

    def read_as(self) -> list[str]:
        """What the request was read as where the resolver guessed ("INV-101 read as INV-1001"),
        or took a record it never named for a side effect ("INV-1004 was taken as …")."""
        guessed = [f"{r.phrase} read as {r.entity}" for r in self.resolutions if r.guessed]
        return guessed + list(dict.fromkeys(r.inferred for r in self.resolutions if r.inferred))

    def inferred(self) -> dict[str, str]:
        """The records a side effect is to act on that the request never named, each with why
        it was taken ("INV-1004": "INV-1004 was taken as CUS-1004's invoice; …")."""
        return {r.entity: r.inferred for r in self.resolutions if r.inferred}

    def context(self) -> str:
        """What the request's references resolved to, a line each, for a planner prompt: the
        id, its kind, the turn it came from, and whether it was guessed; and any clause the
        request took back. "" when nothing was resolved."""
        lines = []
        for r in self.resolutions:
            lines.append(f"- {r.phrase!r} is {r.entity} ({r.kind}, from turn {r.turn}{r.how()})")
        lines += [f"- taken back, not to be done: {c!r}" for c in self.dropped]
        return "\n".join(lines)


def kinds_from_team(entities: Mapping[str, Any]) -> list[EntityKind]:
    """The team file's `entities` block as compiled kinds."""
    return [
        EntityKind(name, re.compile(spec.pattern), tuple(spec.nouns), spec.person)
        for name, spec in entities.items()
    ]


def id_prefix(kind: EntityKind) -> tuple[str, str] | None:
    """The letters an id of `kind` starts with and the separator after them ("TCK", "-")."""
    found = re.match(r"([A-Za-z]+)(-?)", kind.pattern.pattern)
    return (found.group(1), found.group(2)) if found else None


def records_of(kind: EntityKind, records: Records | None) -> list[str]:
    """Every record of `kind` the catalog `records` holds, found by its ids' prefix ("TCK");
    none without a catalog."""
    prefix = id_prefix(kind)
    return list(records(prefix[0])) if records is not None and prefix else []


def entity_ids(kinds: Sequence[EntityKind], text: str) -> list[tuple[str, str]]:
    """The (kind, id) pairs a text names, in the order they stand in it, each id once."""
    found: list[tuple[int, str, str]] = []
    for kind in kinds:
        found += [(m.start(), kind.name, m.group(0)) for m in kind.pattern.finditer(text)]
        found += [
            (m.start(), kind.name, m.group(0).upper())
            for m in _loose(kind.pattern).finditer(text)
            if not kind.pattern.fullmatch(m.group(0)) and _cased_id(kind.pattern, m.group(0))
        ]
    seen: set[str] = set()
    pairs = []
    for _, kind_name, entity in sorted(found):
        if entity not in seen:
            seen.add(entity)
            pairs.append((kind_name, entity))
    return pairs


def ids_of(entities: Mapping[str, Any], kind: str, key: str = "named") -> list[str]:
    """The ids of `kind` in a turn's `entities` (`turn_entities`) under `key` ("named", or
    "touched": those its answers listed), in order, each once."""
    return list(dict.fromkeys(e for k, e in entities.get(key, []) if k == kind))


def _loose(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """`pattern` read in any case: "tck-1022" typed in lower case is TCK-1022, as the skills
    read it."""
    return re.compile(pattern.pattern, pattern.flags | re.IGNORECASE)


def _cased_id(pattern: re.Pattern[str], word: str) -> bool:
    """Whether `word`, a match of `_loose(pattern)`, is an id of `pattern`'s however cased
    (not another word the loose pattern also takes)."""
    return pattern.fullmatch(word.upper()) is not None


def turn_entities(
    kinds: Sequence[EntityKind], request: str, results: Mapping[str, Any]
) -> dict[str, Any]:
    """What one turn leaves for later turns: ids named, ids touched, ids seen together, and
    ids a side effect ran on (`acted`: the work on them is done; `called`: those its calls'
    arguments named).

    Named ids are the request's and its subtasks' descriptions' (the request as resolved, so
    "close it" names the ticket it closed); touched ones stand only in outputs and actions.
    """
    withdrawn = _withdrawn(kinds, request)
    named = [p for p in entity_ids(kinds, request) if p[1] not in withdrawn]
    for result in results.values():
        named += [
            p
            for p in entity_ids(kinds, str(result.get("description") or ""))
            if p not in named and p[1] not in withdrawn
        ]
    touched: list[tuple[str, str]] = []
    together: list[list[str]] = []
    acted: list[tuple[str, str]] = []
    # Of those, the ones the calls themselves were given ("close Freya's" of a request naming
    # two tickets: the one closed, not the other its sentence named).
    called: list[tuple[str, str]] = []
    for result in results.values():
        done = [a for a in result.get("actions") or [] if a.get("status") == "executed"]
        if done:
            # What a side effect ran on: its subtask's records and its calls' arguments.
            args = json.dumps([a.get("args") for a in done])
            text = f"{result.get('description') or ''} {args}"
            acted += [p for p in entity_ids(kinds, text) if p not in acted]
            called += [p for p in entity_ids(kinds, args) if p not in called]
    for result in results.values():
        text = json.dumps({k: result.get(k) for k in ("output", "actions")}, default=str)
        pairs = entity_ids(kinds, f"{result.get('description') or ''} {text}")
        touched += [
            p for p in pairs if p not in touched and p not in named and p[1] not in withdrawn
        ]
        if len(pairs) > 1:
            together.append([entity for _, entity in pairs])
    entry: dict[str, Any] = {
        "named": [list(p) for p in named],
        "touched": [list(p) for p in touched],
        "together": together,
        "acted": [list(p) for p in acted],
        "called": [list(p) for p in called],
    }
    for result in results.values():
        description = str(result.get("description") or "")
        if _QUESTION_MARK in description:
            # The turn asked which record was meant: the next turn may answer it.
            entry["question"] = {
                "request": request,
                "options": [
                    list(p) for p in entity_ids(kinds, description.split(_QUESTION_MARK)[1])
                ],
                "asked": _asked_words(description),
            }
        elif _ASKED in description and _CONFIRM_MARK in description:
            # The turn asked to confirm a guess: "yes" (or another id) answers it.
            guessed = description.split(_CONFIRM_MARK)[1].split("?")[0]
            entry["question"] = {
                "request": request,
                "options": [list(p) for p in entity_ids(kinds, guessed)],
                "confirm": True,
                "asked": _asked_words(description),
            }
        elif _ASKED in description and _DECLINED_MARK in description:
            # The requester said no to a guess: nothing ran, and the next turn may name the
            # record meant ("yes" confirms nothing: the guess named was declined).
            declined = description.split(_ASKED)[-1].split(_DECLINED_MARK)[0]
            entry["question"] = {
                "request": request,
                "options": [list(p) for p in entity_ids(kinds, declined)],
                "confirm": True,
                "declined": True,
                "asked": _asked_words(description),
            }
        elif _ASKED in description and (unnamed := _UNNAMED.search(description)):
            # "Which deployment do you mean?" with no options: a reply may describe one.
            entry["question"] = {
                "request": request,
                "options": [],
                "noun": unnamed.group(1).lower(),
                "asked": _asked_words(description),
            }
    if "question" not in entry:
        entry.update(_agent_question(kinds, results))
    return entry


def _agent_question(kinds: Sequence[EntityKind], results: Mapping[str, Any]) -> dict[str, Any]:
    """The question an agent asked back listing the records it could not choose among
    ("Tariq Castillo has 3 unfinished tickets: TCK-1019 …, TCK-1133 …. Which one is it?"): the
    next turn may answer it, and its subtask then runs with the record picked."""
    for result in results.values():
        asked = str((result.get("output") or {}).get("question") or "")
        if result.get("status") != "needs_input" or not asked:
            continue
        description = str(result.get("description") or "")
        own = {e for _, e in entity_ids(kinds, description)}
        options = [p for p in entity_ids(kinds, asked) if p[1] not in own]
        if len(options) > 1 and len({k for k, _ in options}) == 1:
            return {
                "question": {
                    "request": description,
                    "options": [list(p) for p in options],
                    "asked": asked,
                }
            }
    return {}


# The question that lists no options: "Which deployment do you mean?" (`_question`), or
# "There are no other tickets …: it has named TCK-1001 and TCK-1002 only. Which tickets do you
# mean?" (`others._none_other`), whose plural noun a reply of several ids answers.
_UNNAMED = re.compile(r"\(asked: (?:[^()]*? )?Which ([\w-]+) do you mean\?\)$")


def _asked_words(description: str) -> str:
    """The question a subtask's description asks (`asking`), as the requester was asked it."""
    return description.rsplit(_ASKED, 1)[-1].removesuffix(")").strip()


_ASKED = " (asked: "
# A question that names a guess for the requester to confirm ("Did you mean INV-1001 (99.00,
# March)? Reply yes or name the invoice.").
_CONFIRM_MARK = "Did you mean "
# The question a "no" to that confirmation leaves ("Not INV-1001, so nothing was done. Which
# invoice did you mean?").
_DECLINED_MARK = ", so nothing was done. "

# What takes back an id typed a moment earlier in the same message: "is TCK-1005 still open? no
# wait I mean TCK-1037", "what plan is CUS-1011 on, no sorry, CUS-1012".
_TAKEN_BACK = re.compile(
    r"\b(?:no wait|wait no|no sorry|sorry|i mean|i meant|actually|correction|oops|scratch that"
    r"|make that|rather)\b",
    re.I,
)
# Between the correction and the id that replaces the one taken back, nothing else is said
# ("sorry for the delay, and TCK-1002" takes nothing back).
# Where the clause an id goes on in ends.
_CLAUSE_END = re.compile(r"[.!?;]")
_LEADS_TO_ID = re.compile(
    r"(?:[\s,:;.!-]|\b(?:i mean|i meant|it'?s|it is|make it|that is)\b)*", re.I
)


def _id_spans(kinds: Sequence[EntityKind], request: str) -> list[tuple[int, int, str, str]]:
    """Each id the request names: (start, end, kind, id), in order."""
    return sorted(
        (m.start(), m.end(), kind.name, m.group(0))
        for kind in kinds
        for m in kind.pattern.finditer(request)
    )


def corrections(kinds: Sequence[EntityKind], request: str) -> list[tuple[int, int, int, int]]:
    """Where a request takes back an id it typed a moment before: for each, the spans of the id
    taken back and of the id that replaces it, (start, end, start, end); the correction stands
    between them ("close TCK-1137 no wait sorry TCK-1078", "TCK-1005? no wait I mean
    TCK-1037")."""
    spans = _id_spans(kinds, request)
    out = []
    for i, (start, end, kind, entity) in enumerate(spans):
        later = [s for s in spans[i + 1 :] if s[2] == kind and s[3] != entity]
        if (
            later
            and any(
                _LEADS_TO_ID.fullmatch(request, m.end(), later[0][0])
                for m in _TAKEN_BACK.finditer(request, end, later[0][0])
            )
            and not _adds_beside(request, later[0][1])
        ):
            out.append((start, end, later[0][0], later[0][1]))
    return out


def _adds_beside(request: str, at: int) -> bool:
    """Whether the clause going on from `at` adds the id before it to the one said earlier
    ("close TCK-1005, actually TCK-1037 as well", "sorry, INV-1003 also needs it"): then
    "actually" or "sorry" opens a second record, not a correction of the first."""
    clause = _CLAUSE_END.split(request[at:], maxsplit=1)[0]
    return _BESIDE.search(clause) is not None


def _withdrawn(kinds: Sequence[EntityKind], request: str) -> set[str]:
    """The ids a request takes back itself: one followed by a correction and another id of its
    kind ("TCK-1005? no wait I mean TCK-1037"), or one after "not" beside another of its kind
    ("INV-1095, not INV-1142"). The thread goes on with the other one only."""
    spans = _id_spans(kinds, request)
    out = {request[start:end] for start, end, _, _ in corrections(kinds, request)}
    for start, _, kind, entity in spans:
        others = [s for s in spans if s[2] == kind and s[3] != entity]
        if others and re.search(r"\b(?:not|instead of|rather than)\s+$", request[:start], re.I):
            out.add(entity)
    return out


def asks(description: str) -> bool:
    """True for the description of a subtask that asks which record a request meant (with
    the candidates listed, or without: "Which ticket do you mean?")."""
    return _ASKED in description


def asking(request: str, question: str) -> str:
    """The description of a subtask that asks which record a request meant."""
    return f"{request}{_ASKED}{question})"


def asked_request(description: str) -> str | None:
    """The request a subtask that asks (`asking`) was about; None for any other subtask."""
    return description.rsplit(_ASKED, 1)[0] if asks(description) else None


def _question(kind: EntityKind | None, options: Sequence[str]) -> str:
    """The question that asks which record a request meant, among `options` ("Which ticket do
    you mean: TCK-1001 or TCK-1003?"), or with none to offer ("Which deployment do you mean?":
    `_UNNAMED` reads its noun back from a turn's results)."""
    noun = (kind.nouns[0] if kind.nouns else kind.name) if kind else "record"
    if not options:
        return f"Which {noun} do you mean?"
    listed = ", ".join(options[:-1]) + f" or {options[-1]}" if len(options) > 1 else options[0]
    return f"Which {noun} {_QUESTION_MARK}{listed}?"


def confirm_question(guesses: Sequence[tuple[EntityKind | None, str, RecordFacts | None]]) -> str:
    """The one-line question that names the records a turn guessed, each with what it is, for
    the requester to confirm before a side effect runs on them."""
    named = " and ".join(f"{entity}{_detail(facts)}" for _, entity, facts in guesses)
    kinds = {kind.name: kind for kind, _, _ in guesses if kind is not None}
    if len(guesses) == 1 and len(kinds) == 1:
        [kind] = kinds.values()
        what = f"the {kind.nouns[0] if kind.nouns else kind.name}"
    else:
        what = "the records"
    return f"{_CONFIRM_MARK}{named}? Reply yes or name {what}."


def declined_question(kind: EntityKind | None, entities: Sequence[str]) -> str:
    """The one line that answers a "no" to a confirmation: nothing ran, and which record was
    meant."""
    noun = (kind.nouns[0] if kind.nouns else kind.name) if kind else "record"
    return f"Not {' or '.join(entities)}{_DECLINED_MARK}Which {noun} did you mean?"


_MONTHS = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November"
    r"|December)\b"
)


def _detail(facts: RecordFacts | None) -> str:
    """What a record is, in a few words, from what the lookup knows: "(99.00, March)"."""
    if facts is None:
        return ""
    parts = [f"{facts.amount:.2f}"] if facts.amount is not None else []
    month = _MONTHS.search(facts.words)
    if month:
        parts.append(month.group(1))
    if not parts and facts.title:
        parts.append(facts.title)
    return f" ({', '.join(parts)})" if parts else ""


def strip_ids(text: str, kinds: Sequence[EntityKind]) -> str:
    """`text` without its record ids, however cased (as `entity_ids` reads "cus-1004"): the
    words said about them."""
    for kind in kinds:
        text = _loose(kind.pattern).sub(partial(_unless_other, kind.pattern), text)
    return text


def _unless_other(pattern: re.Pattern[str], m: re.Match[str]) -> str:
    """ "" for an id of `pattern`'s however cased; the text as it was for another word."""
    return "" if _cased_id(pattern, m.group(0)) else m.group(0)
