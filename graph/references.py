"""Follow-ups resolved against the thread: "it", "that customer", "do that for CUS-1002 too".

A team file names the kinds of record its requests talk about (`entities:` — an id pattern and
the nouns that name it). Each finished turn leaves in the thread's history the ids it named (in
the request) and touched (in its results), and which ids stood together in one result (a ticket
and its customer). A new turn's references are rewritten to concrete ids before routing, so the
planner — local or LLM — sees "close ticket TCK-1001", never "close it". Every rewrite says what
was resolved and from which turn. A reference with more than one candidate is never guessed: the
turn becomes a question instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

# Short follow-ups that repeat an earlier request for another record: "do that for CUS-1002
# too", "same for INV-1003", "and for TCK-1004 as well".
_REPEAT = re.compile(r"\b(too|also|as well|same|do that|do the same|likewise)\b", re.I)
_REPEAT_MAX_WORDS = 10
# "it" that refers to nothing: "is it possible", "it's fine", "make it quick".
_DUMMY_IT = re.compile(
    r"\b(is|was) it (possible|ok|okay|fine|true|likely|worth)\b|\bit(?:'s| is) "
    r"(possible|ok|okay|fine|urgent|important|likely)\b|\bmake it (quick|fast|short|brief)\b",
    re.I,
)


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


def turn_entities(
    kinds: Sequence[EntityKind], request: str, results: Mapping[str, Any]
) -> dict[str, Any]:
    """What one turn leaves for later turns: ids named, ids touched, ids seen together."""
    named = _ids(kinds, request)
    touched: list[tuple[str, str]] = []
    together: list[list[str]] = []
    for result in results.values():
        text = json.dumps(
            {k: result.get(k) for k in ("description", "output", "actions")}, default=str
        )
        pairs = _ids(kinds, text)
        touched += [p for p in pairs if p not in touched and p not in named]
        if len(pairs) > 1:
            together.append([entity for _, entity in pairs])
    return {
        "named": [list(p) for p in named],
        "touched": [list(p) for p in touched],
        "together": together,
    }


def _candidates(turn: Mapping[str, Any], kind: str) -> tuple[list[str], list[str]]:
    named = [e for k, e in turn.get("named", []) if k == kind]
    touched = [e for k, e in turn.get("touched", []) if k == kind]
    return named, touched


def _find(history: Sequence[Mapping[str, Any]], kind: str) -> tuple[list[str], int] | None:
    """The ids of `kind` the latest turn that has any refers to, and that turn's number.

    Named ids win over touched ones (the customer a ticket belongs to is touched, the ticket
    asked about is named); ids seen together with a named one come next.
    """
    for turn in reversed(history):
        ents = turn.get("entities") or {}
        named, touched = _candidates(ents, kind)
        number = int(turn.get("turn", 0))
        if named:
            return named, number
        asked = {e for _, e in ents.get("named", [])}
        beside = [
            e
            for group in ents.get("together", [])
            if asked & set(group)
            for e in group
            if e in touched
        ]
        if beside:
            return list(dict.fromkeys(beside)), number
        if touched:
            return touched, number
    return None


def _question(kind: EntityKind, options: Sequence[str]) -> str:
    return f"Which {kind.nouns[0] if kind.nouns else kind.name} do you mean: " + (
        ", ".join(options[:-1]) + f" or {options[-1]}?"
    )


def resolve(
    request: str, history: Sequence[Mapping[str, Any]], kinds: Sequence[EntityKind]
) -> Resolved:
    """Rewrite the request's references to earlier turns' ids, or ask when one is ambiguous."""
    if not kinds or not history:
        return Resolved(request, [])
    explicit = _ids(kinds, request)
    by_name = {k.name: k for k in kinds}
    repeated = _repeat(request, explicit, history)
    if repeated is not None:
        return repeated
    text, resolutions = request, list[Resolution]()
    for kind in kinds:
        for noun in kind.nouns:
            strong = rf"\b(?:that|this|the same|same|said)\s+{re.escape(noun)}\b"
            weak = rf"\bthe\s+{re.escape(noun)}\b(?!\s+\S*\d)"
            # "the customer" beside an explicit id is that record's customer, not an old one.
            for pattern in [strong] if explicit else [strong, weak]:
                for match in list(re.finditer(pattern, text, re.I)):
                    found = _find(history, kind.name)
                    if found is None:
                        continue
                    options, turn = found
                    if len(options) > 1:
                        return Resolved(request, resolutions, _question(kind, options))
                    phrase = match.group(0)
                    text = text.replace(phrase, f"{noun} {options[0]}", 1)
                    resolutions.append(Resolution(phrase, options[0], kind.name, turn))
    if not any(not by_name[k].person for k, _ in explicit) and not resolutions:
        out = _pronoun(text, history, [k for k in kinds if not k.person], r"\b(it|its)\b")
        if isinstance(out, str):
            return Resolved(request, resolutions, out)
        text, resolutions = out[0], resolutions + out[1]
    if not any(by_name[k].person for k, _ in explicit) and not resolutions:
        people = [k for k in kinds if k.person]
        out = _pronoun(text, history, people, r"\b(they|them|their)\b")
        if isinstance(out, str):
            return Resolved(request, resolutions, out)
        text, resolutions = out[0], resolutions + out[1]
    return Resolved(text, resolutions)


def _pronoun(
    text: str, history: Sequence[Mapping[str, Any]], kinds: Sequence[EntityKind], pattern: str
) -> tuple[str, list[Resolution]] | str:
    """Pronouns → the one id of these kinds the latest turn named; a question if several."""
    dummy = {
        (d.start() + i.start(), d.start() + i.end())
        for d in _DUMMY_IT.finditer(text)
        for i in re.finditer(r"\bit\b", d.group(0), re.I)
    }
    spans = [m for m in re.finditer(pattern, text, re.I) if m.span() not in dummy]
    if not kinds or not spans:
        return text, []
    names = {k.name: k for k in kinds}
    for turn in reversed(history):
        named = [(k, e) for k, e in (turn.get("entities") or {}).get("named", []) if k in names]
        if named:
            break
    else:
        return text, []
    if len({e for _, e in named}) > 1:
        if all(k == named[0][0] for k, _ in named):
            return _question(names[named[0][0]], [e for _, e in named])
        return "Which do you mean: " + " or ".join(e for _, e in named) + "?"
    kind_name, entity = named[0]
    kind = names[kind_name]
    noun = kind.nouns[0] if kind.nouns else kind.name
    pieces, resolutions, at = [], [], 0
    for m in spans:
        possessive = m.group(0).lower() in {"its", "their"}
        pieces += [text[at : m.start()], f"{noun} {entity}'s" if possessive else entity]
        resolutions.append(Resolution(m.group(0), entity, kind_name, int(turn["turn"])))
        at = m.end()
    return "".join([*pieces, text[at:]]), resolutions


def _repeat(
    request: str, explicit: list[tuple[str, str]], history: Sequence[Mapping[str, Any]]
) -> Resolved | None:
    """ "Do that for CUS-1002 too": the last request about that kind, with the new id."""
    if len(explicit) != 1 or len(request.split()) > _REPEAT_MAX_WORDS:
        return None
    if not _REPEAT.search(request):
        return None
    kind, new_id = explicit[0]
    for turn in reversed(history):
        named = [e for k, e in (turn.get("entities") or {}).get("named", []) if k == kind]
        if named and new_id not in named:
            earlier = str(turn["request"])
            for old in set(named):
                earlier = earlier.replace(old, new_id)
            return Resolved(earlier, [Resolution(request, new_id, kind, int(turn["turn"]))])
    return None
