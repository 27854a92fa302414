"""The thread's history as the resolver reads it (`_Thread`): which records earlier turns
named, touched or listed, newest turn first; who owns them and which words describe them.
The one person ("they", "her") the thread is about is read in `owned`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ringmaster.graph.references.entities import (
    EntityKind,
    Lookup,
    RecordFacts,
    Records,
    entity_ids,
    ids_of,
    records_of,
    strip_ids,
)
from ringmaster.graph.references.names import people_by_name, with_named_people
from ringmaster.graph.references.patterns import (
    _BARE,
    _BESIDE,
    _CHANGES,
    _CORRECTION,
    _DOTTED,
    _ELLIPSIS,
    _NEWEST,
    _OLDEST,
    _ORDINAL,
    _ORDINALS,
    _PLURAL,
    _REPEAT_MAX_WORDS,
    _asks,
    _describing_words,
    _own_words,
    plural_count,
)
from ringmaster.stop_words import ENGLISH_STOP_WORDS


def fits_words(words: set[str], described: set[str]) -> set[str]:
    """The `words` a record's describing words `described` fit (`_Thread.fits`)."""
    return {
        w
        for w in words
        if w in described or (len(w) >= 4 and any(d.startswith(w) for d in described))
    }


@dataclass
class _Thread:
    """The thread's history as the resolver reads it: candidates by kind, newest turn first."""

    history: Sequence[Mapping[str, Any]]
    kinds: Sequence[EntityKind]
    lookup: Lookup | None
    # The team's side effects (`implied.Act`), whose words tell what kind a verb acts on.
    acts: Sequence[Any] = ()
    # Every record of a kind, for a reply that describes one the thread never named.
    records: Records | None = None
    # "she" or "he" when the request speaks of a person only so ("send him a reminder"):
    # the people whose records say they are referred to otherwise are not meant.
    pronoun: str = ""
    # What this turn read of the catalog once, shared by every view of the thread (`replace`
    # passes it on): `catalog_people`, `catalog_described`.
    catalog: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    by_name: dict[str, EntityKind] = field(init=False)

    def __post_init__(self) -> None:
        self.by_name = {k.name: k for k in self.kinds}

    @property
    def this_turn(self) -> int:
        """The number of the turn being read."""
        if not self.history:
            return 1
        return int(self.history[-1].get("turn", len(self.history))) + 1

    def catalog_people(self) -> list[tuple[str, str, re.Pattern[str]]]:
        """`people_by_name` of the catalog, read once a turn: it looks up every person record."""
        if "people" not in self.catalog:
            self.catalog["people"] = people_by_name(self.kinds, self.lookup, self.records)
        people: list[tuple[str, str, re.Pattern[str]]] = self.catalog["people"]
        return people

    def takes_value(self, request: str, kind: str) -> bool:
        """True when the request changes something by the value it is to take ("bump em to
        urgent", "move that one to enterprise") and that value describes a record of `kind`
        in the catalog (some ticket is urgent; some customer is on the enterprise plan): the
        value says what kind of record the change is of, where the verb ("bump", "move") is
        none of the team's. Each kind's words are read once a turn."""
        change = _CHANGES.search(request)
        if change is None:
            return False
        value = change.group(0).split()[-1].lower()
        return any(value in words for words in self.catalog_described(kind))

    def catalog_facts(self, kind: str) -> dict[str, RecordFacts]:
        """Each record of `kind` in the catalog by id, with its facts, looked up once a turn;
        none without the catalog."""
        if self.records is None:
            return {}
        read: dict[str, dict[str, RecordFacts]] = self.catalog.setdefault("facts", {})
        if kind not in read:
            found = records_of(self.by_name[kind], self.records)
            read[kind] = {e: f for e in found if (f := self.facts(e)) is not None}
        return read[kind]

    def catalog_described(self, kind: str) -> list[set[str]]:
        """The words that describe each record of `kind` in the catalog (`described_by`), read
        once a turn; none without the catalog."""
        described: dict[str, list[set[str]]] = self.catalog.setdefault("described", {})
        if kind not in described:
            described[kind] = [_words_of(f) for f in self.catalog_facts(kind).values()]
        return described[kind]

    def naming_people(self) -> _Thread:
        """This thread with the people its requests named by full name in play ("plan of
        Maria Lopez and Aisha Khan": both, whoever the answer looked up). It reads every
        person record, so only a request that speaks of a person, or describes a record by
        its noun ("the charged twice ticket"), asks for it."""
        people = self.catalog_people()
        if not people:
            return self
        history = with_named_people(self.history, people, self.owned_by)
        return replace(self, history=history)

    def hearing(self, request: str) -> _Thread:
        """This thread read for `request`: with the one gendered pronoun it uses of a person
        ("she" for "her June invoice"), none when it uses both or neither."""
        # Not patterns._PRONOUN_PERSON, on purpose: a gender each, "hers" and "herself" too,
        # and no "they", which says none.
        she = re.search(r"\b(?:she|her|hers|herself)\b", request, re.I)
        he = re.search(r"\b(?:he|him|his|himself)\b", request, re.I)
        pronoun = "she" if she and not he else "he" if he and not she else ""
        return replace(self, pronoun=pronoun) if pronoun != self.pronoun else self

    def may_be(self, person: str) -> bool:
        """False when the request's "she"/"he" cannot be `person`: their record says they are
        referred to otherwise. A record that says nothing may be anyone."""
        facts = self.facts(person) if self.pronoun else None
        return facts is None or facts.pronouns in ("", self.pronoun)

    def any_they(self, people: Sequence[str]) -> bool:
        """True when a singular "they" may be one of `people`: one whose record says "they",
        or says nothing, or is not known."""
        for person in people:
            facts = self.facts(person)
            if facts is None or facts.pronouns not in ("she", "he"):
                return True
        return False

    def acts_on_live(self, request: str, kind: str) -> bool:
        """True when the request does to a record of `kind` what the team does to such
        records, as asked ("close her charged-twice ticket") or as to be done ("the SAML one
        can be closed"): a record finished already is not the one meant."""
        for word in {w for a in self.acts if a.kind == kind for w in a.words}:
            stem = re.escape(word.rstrip("e"))
            if re.search(
                rf"\b{re.escape(word)}\b(?!\s+(?:was|is|were|has|had|done)\b)", request, re.I
            ):
                return True
            if re.search(rf"\b(?:be|get)\s+{stem}e?d\b", request, re.I):
                return True
        return False

    def live(self, entities: list[str]) -> list[str]:
        """Of several records, the one unfinished when there is exactly one; else all."""
        live = [e for e in entities if not (f := self.facts(e)) or not f.done]
        return live if len(live) == 1 else entities

    def owned_by(self, entity: str) -> str | None:
        """The person a record belongs to (its whole id, whatever kind), if the lookup knows."""
        facts = self.facts(entity)
        return facts.owner if facts else None

    def facts(self, entity: str) -> RecordFacts | None:
        return self.lookup(entity) if self.lookup else None

    def described_by(self, entity: str) -> set[str]:
        """The words that describe a record ("june", "saml", "open"), from the lookup."""
        facts = self.facts(entity)
        return set() if facts is None else _words_of(facts)

    def fits(self, words: set[str], entity: str) -> set[str]:
        """The `words` that describe a record: a word of its own, or a shortening of one
        ("prod" for "production", "auth" for "authentication"; four letters at least, so
        "in" or "on" never fits "invoice" or "online")."""
        return fits_words(words, self.described_by(entity))

    def owner(self, entity: str, kind: str) -> str | None:
        """The record of `kind` that owns `entity` (a ticket's customer), if the lookup knows."""
        facts = self.facts(entity)
        if facts is None or facts.owner is None:
            return None
        return next((e for k, e in entity_ids(self.kinds, facts.owner) if k == kind), None)

    def turn_naming(self, entity: str) -> int:
        """The latest turn that named or touched `entity` (this turn's number if none did)."""
        for turn in reversed(self.history):
            ents = turn.get("entities") or {}
            if any(e == entity for _, e in ents.get("named", []) + ents.get("touched", [])):
                return int(turn.get("turn", 0))
        return int(self.history[-1].get("turn", 0)) + 1 if self.history else 1

    def mentioned(self, entity: str) -> bool:
        """True when an earlier turn named or touched `entity`."""
        return any(
            e == entity
            for turn in self.history
            for _, e in (turn.get("entities") or {}).get("named", [])
            + (turn.get("entities") or {}).get("touched", [])
        )

    def owners(self, entities: Sequence[str]) -> list[tuple[str, str]]:
        """(kind, id) of the people who own the records of `entities` (one for two tickets of
        one customer), when the lookup knows an owner for every one of them; else []."""
        for kind in [k for k in self.kinds if k.person]:
            owners = [self.owner(e, kind.name) for e in entities]
            if owners and None not in owners:
                return [(kind.name, str(o)) for o in dict.fromkeys(owners)]
        return []

    def kind_of(self, entity: str) -> str | None:
        return next((k for k, _ in entity_ids(self.kinds, entity)), None)

    def echo(self, number: int) -> list[tuple[str, str]]:
        """The records of the turn just before turn `number` when that turn asked the very same
        thing of other records ("what plan is CUS-1011 on?", "and CUS-1012?"): both stand in
        the thread side by side, so "the customer" or "it" after them has two candidates."""
        turns = [t for t in self.history if int(t.get("turn", 0)) <= number]
        if len(turns) < 2 or int(turns[-1].get("turn", 0)) != number:
            return []
        later, earlier = turns[-1], turns[-2]
        if later.get("picked") or self.corrects(later):
            return []

        def bare(turn: Mapping[str, Any]) -> str:
            return " ".join(strip_ids(str(turn.get("request") or ""), self.kinds).lower().split())

        # The same request of another record ("and CUS-1012?", rewritten or left bare) puts
        # the two side by side, unless it was the same *action* done again: a credit that ran
        # for CUS-1006 and then ran for CUS-1037 ("same for CUS-1037") finishes the earlier
        # record, and the thread moves on to the new one. A question ("whats TCK-1110 about",
        # typed any way) or a report ("also Aisha says the same") does nothing to its record,
        # so both stay in play.
        said = str(later.get("request") or "")
        echoed = (
            bare(later) == bare(earlier)
            or bool("?" in said and _BARE.fullmatch(bare(later)))
            # "also Aisha at CUS-1003 says the same": a short follow-up adding a record.
            or bool(
                _BESIDE.search(said)
                and not _CORRECTION.search(said)
                and len(said.split()) <= _REPEAT_MAX_WORDS
            )
            # "ok. and INV-1212, is that one paid?" after a question about INV-1024: a short
            # question opened as an ellipsis asks about another record beside the first.
            or bool(
                "?" in said
                and _ELLIPSIS.search(said)
                and _asks(str(earlier.get("request") or ""))
                and len(said.split()) <= _REPEAT_MAX_WORDS
            )
        )
        if not echoed or (self.acted(earlier) and self.acted(later)):
            return []
        mine = {e for _, e in (later.get("entities") or {}).get("named", [])}
        return [
            (k, e)
            for k, e in (earlier.get("entities") or {}).get("named", [])
            if k in self.by_name and e not in mine
        ]

    @staticmethod
    def corrects(turn: Mapping[str, Any]) -> bool:
        """True when the turn was typed as a correction ("no, the older invoice, sorry"),
        rewritten to the request it corrects or not ("Sorry, I want say INV-1142"): the
        record it replaced is set aside. A turn keeps the words typed only when it was
        rewritten; else its request is those words."""
        typed = turn.get("typed") or turn.get("request") or ""
        return _CORRECTION.match(str(typed)) is not None

    def acted(self, turn: Mapping[str, Any]) -> bool:
        """True when a side effect of the turn ran on a record it named (for a history
        written before turns kept `acted`, and a request re-read with a reply's pick: when its
        request is no question)."""
        ents = turn.get("entities") or {}
        if "acted" not in ents:
            return not _asks(str(turn.get("request") or ""))
        acted = {e for _, e in ents["acted"]}
        return any(e in acted for _, e in ents.get("named", []))

    def find(self, kind: str, echo: bool = False) -> tuple[list[str], int] | None:
        """The ids of `kind` the latest turn that has any refers to, and that turn's number.

        Named ids win over touched ones (the customer a ticket belongs to is touched, the
        ticket asked about is named); then the owners of named records, then ids seen together
        with a named one, then anything touched.
        """
        incidental: tuple[list[str], int] | None = None
        for turn in reversed(self.history):
            ents = turn.get("entities") or {}
            number = int(turn.get("turn", 0))
            named_pairs = [tuple(p) for p in ents.get("named", [])]
            named = [e for k, e in named_pairs if k == kind]
            if named and echo:
                named += [e for k, e in self.echo(number) if k == kind and e not in named]
            if named:
                return named, number
            # The owners of the records a follow-up put side by side ("who is TCK-1092 from?",
            # "and TCK-1043?") are both "the customer".
            side = self.echo(number) if echo else []
            owners = [o for k, e in named_pairs + side if (o := self.owner(e, kind))]
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
            listed = list(dict.fromkeys(beside)) or touched
            if listed and named_pairs and not self.asked_for(kind, turn):
                # Invoices an answer about a customer's plan happened to list: an earlier
                # turn's invoice is still "that invoice" ("it" is read in `latest_mentioned`).
                incidental = incidental or (self.narrow(listed, turn), number)
                continue
            if listed:
                return self.narrow(listed, turn), number
        return incidental

    def answer(
        self, turn: Mapping[str, Any], things: list[tuple[str, str]]
    ) -> list[tuple[str, str]]:
        """The one record a "which …?" question about a named record was answered with ("which
        deploy is behind INC-1012?": the deployment the answer named), which is what "it"
        points at next; [] when the turn asked no such thing or its answer named several."""
        asked = re.match(r"\W*(?:and\s+)?(?:which|what)\s+([a-z]+)", str(turn.get("request")), re.I)
        if not things or asked is None:
            return []
        word = asked.group(1).lower().rstrip("s")
        kind = next((k for k in self.kinds if word in {n.lower() for n in k.nouns}), None)
        if kind is None or kind.person or any(k == kind.name for k, _ in things):
            return []
        ents = turn.get("entities") or {}
        found = list(dict.fromkeys((k, e) for k, e in ents.get("touched", []) if k == kind.name))
        return found if len(found) == 1 else []

    def asked_for(self, kind: str, turn: Mapping[str, Any]) -> bool:
        """True when the turn's request names `kind` by one of its nouns ("her invoices")."""
        words = {w.rstrip("s") for w in re.findall(r"[a-z]+", str(turn.get("request")).lower())}
        return bool(words & {n.lower() for n in self.by_name[kind].nouns})

    def asked_kinds(self, pairs: list[tuple[str, str]], request: str) -> list[tuple[str, str]]:
        """Of the records a result listed, those of the kinds the request named by noun ("any
        update on my ticket?" is about tickets, not the help article the answer cited); all of
        them when it named no kind."""
        words = {w.rstrip("s") for w in re.findall(r"[a-z]+", request.lower())}
        asked = {k.name for k in self.kinds if words & {n.lower() for n in k.nouns}}
        return [(k, e) for k, e in pairs if k in asked] if asked else pairs

    def narrow(self, listed: list[str], turn: Mapping[str, Any]) -> list[str]:
        """Of the records a turn's results listed, the one its request asked for, when its
        words single one out ("what did we charge CUS-1012 in June?", "her latest invoice");
        else all of them."""
        if len(listed) < 2:
            return listed
        text = strip_ids(str(turn.get("request") or ""), self.kinds)
        words = set(re.findall(r"[a-z]+", text.lower()))
        if words & (_NEWEST | _OLDEST) and self._apart(text, listed):
            return listed  # "web and auth prod releases, latest": the latest of each
        if words & _NEWEST:
            return [max(listed)]  # ids are issued in order
        if words & _OLDEST:
            return [min(listed)]
        if self._apart(text, listed):
            return listed  # "whats on web prod and staging": both, not the one "staging" fits
        nouns = {n.lower() for k in self.kinds for n in k.nouns}
        return _best_fits(listed, _describing_words(text) - nouns, self)

    def _apart(self, text: str, listed: list[str]) -> bool:
        """True when a request asks about several things at once: two of its words joined
        ("web and auth", "api/web", "prod and staging") each describe records listed, and no
        record both."""
        for m in _JOINED.finditer(text):
            fit = [{e for e in listed if self.fits({w.lower()}, e)} for w in m.groups()]
            if all(fit) and not fit[0] & fit[1]:
                return True
        return False

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
        listing = self._latest_listing()
        if listing is not None and (latest is None or latest[1] < listing[1]):
            # "any firing alerts on api?", "are they related to INC-1012?": what the newest
            # turn listed without naming any record, newer than any turn that named one.
            return listing
        if latest is None:
            return None
        named, number = latest
        things = list(dict.fromkeys((k, e) for k, e in named if not self.by_name[k].person))
        people = list(dict.fromkeys((k, e) for k, e in named if self.by_name[k].person))
        if len(things) > 1:
            return self._read_in_group(things, number), number
        if not things and len(people) > 1:
            return people, number  # "give both a credit" after two customers
        if not things and people:
            # "email both" after "the bakery one, what plan?", "and the design studio one?":
            # the people the last few turns named one at a time.
            gathered = self.gather(people[0][0])
            if gathered and len(gathered[0]) > 1:
                return [(people[0][0], e) for e in gathered[0]], gathered[1]
        if len(things) == 1:
            kind = things[0][0]
            gathered = self.gather(kind)
            if gathered and len(gathered[0]) > 1 and not self.read_in(number, things[0][1], people):
                return [(kind, e) for e in gathered[0]], gathered[1]
            if people:
                # "remind CUS-1020 about INV-1207", "same for CUS-1024", "how much do those
                # two owe?": one invoice is never "those two"; the people named one a turn are.
                gathered = self.gather(people[0][0])
                if gathered and len(gathered[0]) > 1:
                    return [(people[0][0], e) for e in gathered[0]], gathered[1]
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

    def _read_in_group(self, things: list[tuple[str, str]], number: int) -> list[tuple[str, str]]:
        """Of records of several kinds turn `number` named, the ones of one kind the resolver
        read in for its words, not those it typed ("are they related to INC-1012?", then
        "how long have they been firing?": the alerts "they" stood for, not the incident)."""
        turn = next((t for t in self.history if int(t.get("turn", 0)) == number), {})
        typed = str(turn.get("typed") or "")
        read = [(k, e) for k, e in things if e not in typed]
        if typed and len(read) > 1 and len({k for k, _ in read}) == 1 < len({k for k, _ in things}):
            return read
        return things

    def _latest_listing(self) -> tuple[list[tuple[str, str]], int] | None:
        """The records (not people) of one kind the newest turn with any record listed, when
        it named none and listed several; None otherwise."""
        for turn in reversed(self.history):
            ents = turn.get("entities") or {}
            if ents.get("named"):
                return None
            touched = list(
                dict.fromkeys(
                    (k, e)
                    for k, e in ents.get("touched", [])
                    if k in self.by_name and not self.by_name[k].person
                )
            )
            if touched:
                if len(touched) > 1 and len({k for k, _ in touched}) == 1:
                    return touched, int(turn.get("turn", 0))
                return None
        return None

    def read_in(self, number: int, entity: str, people: list[tuple[str, str]]) -> bool:
        """True when turn `number` typed a person but not `entity`, a record the resolver read
        in for them ("do the same for CUS-1024": CUS-1024's invoice). The person is what the
        user's words were about there, so "those two" next gathers people, not such records."""
        turn = next((t for t in self.history if int(t.get("turn", 0)) == number), {})
        typed = str(turn.get("typed") or "")
        return bool(typed) and entity not in typed and any(e in typed for _, e in people)

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

    def latest_mentioned(self, echo: bool = True) -> tuple[list[tuple[str, str]], int] | None:
        """What "it" can be: the newest turn's named non-person records, or, when that turn
        named only a person (or nothing), the records its results listed ("close it" after
        "which tickets does she have open?" or "any alerts firing?" is one of those, never an
        older turn's). With `echo` false, a turn that asked the same of another record does not
        put the one before beside it: "that one" points at the one just named, as "that
        customer" does, where "it" is either."""
        incidental: tuple[list[tuple[str, str]], int] | None = None
        for turn in reversed(self.history):
            ents = turn.get("entities") or {}
            number = int(turn.get("turn", 0))
            named = [(k, e) for k, e in ents.get("named", []) if k in self.by_name]
            things = [(k, e) for k, e in named if not self.by_name[k].person]
            answer = self.answer(turn, things)
            if answer:
                return answer, number
            if things:
                echoed = [(k, e) for k, e in self.echo(number) if not self.by_name[k].person]
                return things + (echoed if echo else []), number
            touched = [
                (k, e)
                for k, e in ents.get("touched", [])
                if k in self.by_name and not self.by_name[k].person
            ]
            if touched and not named:
                touched = self.asked_kinds(touched, str(turn.get("request") or ""))
            if touched:
                # A turn that named no record but listed some ("any alerts firing on api?",
                # "check the latest web deployment") is what "it" points at: its one record,
                # or a question among them, never a pass-through for a skill to guess.
                narrowed = self.narrow([e for _, e in touched], turn)
                found = [(k, e) for k, e in touched if e in narrowed], number
                # "what else does he owe?" asks for more of his records: what it listed is
                # what the turn was about, as much as "his invoices" would be.
                said = str(turn.get("request") or "")
                more = re.search(r"\b(?:what|anything|who|which)\s+else\b", said, re.I)
                if named and not more and not any(self.asked_for(k, turn) for k, _ in touched):
                    # "reactivate CUS-1008": what its answer listed in passing is not "it"
                    # while an earlier turn named a record ("TCK-1130 is from CUS-1008").
                    incidental = incidental or found
                    continue
                return found
            if not named and not touched and len(_own_words(str(turn.get("request", "")))) > 1:
                # "is it up on April?" after "what's our revenue for May?": not a record
                # ("thanks!" in between is no topic of its own).
                return incidental
        return incidental

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

    def one_at_a_time(self, kind: str, turns: int = 3) -> tuple[list[str], int] | None:
        """The records of `kind` the last few turns named one per turn ("whats going on with
        TCK-1140", "and TCK-1144?"), in the order they were named, and the newest of those
        turns: the list "the first one", "the second one", "the former" and "the latter"
        count when no turn named or listed two. None when fewer than two, or when the newest
        turn with a record of the kind has two or more (that turn is the list)."""
        found: list[str] = []
        number = 0
        for turn in list(reversed(self.history))[:turns]:
            ents = turn.get("entities") or {}
            named = ids_of(ents, kind)
            pool = set(named) | {e for k, e in ents.get("touched", []) if k == kind}
            if len(named) > 1 or (len(pool) > 1 and not found):
                return None
            if len(pool) > 1 or not named:
                # A listing the user did not name from ends the series; a turn about
                # something else ("thanks", another kind) does not.
                if pool:
                    break
                continue
            # A record named again goes where it was first named.
            found = [named[0], *(e for e in found if e != named[0])]
            number = number or int(turn.get("turn", 0))
        return (found, number) if len(found) > 1 else None

    def pick(self, text: str, options: Sequence[str]) -> list[str]:
        """The options a reply or description picks: "both", "the first one", "the June one"."""
        return self.picking(text, options)[0]

    def picking(self, text: str, options: Sequence[str]) -> tuple[list[str], bool]:
        """`pick`, and whether describing words picked it ("the June one"): words that fit
        one record better than another, where a count, an ordinal, an order or an id's number
        says which for certain."""
        plural = _PLURAL.search(text)
        if plural:
            # "all three" among five options picks none of them: the reply is asked again.
            count = plural_count(plural.group(0))
            return (list(options) if count is None or count == len(options) else []), False
        ordinal = self.record_ordinal(text)
        if ordinal:
            at = _ORDINALS[ordinal.group(1).lower()]
            return ([options[at]] if -len(options) <= at < len(options) else []), False
        # "the oldest", "the newest one": by when they were made (ids are issued in order);
        # only a reply that says nothing else ("the saml one, the rest later" is no order).
        nouns = {n.lower() for k in self.kinds for n in k.nouns}
        words = set(re.findall(r"[a-z]+", text.lower())) - {"the", "one", "most"} - nouns
        newest, oldest = words <= _IN_ORDER_NEWEST, words <= _IN_ORDER_OLDEST
        if options and words and newest != oldest:
            return [max(options) if newest else min(options)], False
        numbered = self.numbered(text, options)
        if numbered:
            return numbered, False
        chosen = self.described(text, options)
        return chosen, bool(chosen)

    @staticmethod
    def numbered(text: str, options: Sequence[str]) -> list[str]:
        """The one option whose id's number the text types without its prefix ("1148" for
        TCK-1148), else []."""
        numbers = set(re.findall(r"(?<![\w.$-])\d{3,}(?![\w.])", text))
        by_number = [e for e in options if e.rsplit("-", 1)[-1] in numbers]
        return by_number if len(by_number) == 1 else []

    def record_ordinal(self, text: str) -> re.Match[str] | None:
        """The first ordinal of `text` that counts records: "the first one", "the second",
        "the first of them", "the last unpaid invoice"; not one that counts something else,
        a word other than a record's noun after it ("draft the first reminder", "the last
        time"): that picks no record."""
        nouns = {n.lower() for k in self.kinds for n in k.nouns}
        for match in _ORDINAL.finditer(text):
            after = re.split(r"[,.;:!?]", text[match.end() :], maxsplit=1)[0]
            words = re.findall(r"[a-z]+", after.lower())[:3]
            if (
                match.group(2)
                or not words
                or words[0] in ENGLISH_STOP_WORDS
                or any(w.rstrip("s") in nouns for w in words)
            ):
                return match
        return None

    def described(self, text: str, options: Sequence[str]) -> list[str]:
        """The one option a reply's id number or describing words pick ("1148", "the SAML
        one"), else []."""
        # "1148" for TCK-1148: an id's number typed without its prefix.
        by_number = self.numbered(text, options)
        if by_number:
            return by_number
        words = _describing_words(text)
        if not words or not self.lookup:
            return []
        scores = {e: len(self.fits(words, e)) for e in options}
        best = max(scores.values(), default=0)
        winners = [e for e, s in scores.items() if s == best]
        return winners if best > 0 and len(winners) == 1 else []


# The words of `_NEWEST`/`_OLDEST` that put records in the order they were made, for a reply
# that picks one ("the oldest"): not "last" (an ordinal, read as one) or "current".
_IN_ORDER_NEWEST = _NEWEST - {"last", "current"}
_IN_ORDER_OLDEST = _OLDEST


# Two words a request joins: "web and auth", "api or web", "prod/staging", "web & auth".
_JOINED = re.compile(
    r"\b([a-z][\w-]*)\s*(?:,|&|/|\band\b|\bor\b|\bvs\b|\bn\b)\s*([a-z][\w-]*)", re.I
)


def _words_of(facts: RecordFacts) -> set[str]:
    """The words that describe a record ("june", "saml", "open", "3.8.1")."""
    return set(re.findall(r"[a-z0-9]+", facts.words.lower())) | set(_DOTTED.findall(facts.words))


def _best_fits(options: list[str], words: set[str], thread: _Thread) -> list[str]:
    """The options `words` describe best, when that is one of them; else all of them.

    The words here are a whole request's, verbs and all, so only whole words count: "roll"
    in "roll back the api one" must not pick a deployment of kind "rollback", nor the day in
    "what went out on June 10" a deployment of version 1.10.0."""
    scores = {e: len(words & _whole_words(thread, e)) for e in options}
    best = max(scores.values(), default=0)
    top = [e for e, n in scores.items() if n == best]
    return top if best > 0 and len(top) == 1 else options


def _whole_words(thread: _Thread, entity: str) -> set[str]:
    """The words that describe a record, without the parts of its dotted numbers ("10" of a
    version 1.10.0) that stand nowhere alone."""
    described = thread.described_by(entity)
    parts = {p for d in described if "." in d for p in d.split(".")}
    alone = set(
        re.findall(
            r"(?<![\w.])[a-z0-9]+(?![\w.])",
            (f.words if (f := thread.facts(entity)) else "").lower(),
        )
    )
    return described - (parts - alone)
