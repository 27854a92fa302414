"""Records picked by what the assistant did to them: "the one you just closed", "the ticket
you opened", "the invoices we refunded".

The records are those of the latest turn whose side effect ran and whose request says the same
verb ("close TCK-1008 and TCK-1140" for "the one you closed"); with no such turn, the latest
turn whose side effect ran. A singular phrase with several such records is asked, never
guessed: "email the customer on the one you closed" after two tickets were closed together.

A side effect named by its noun ("that rollback", "both rollbacks") is the records
the thread's side effects of that act ran on (what the turns did, not what they said): the
latest such turn's for one, the latest two for "both", every one for "the rollbacks".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ringmaster.graph.references.entities import Resolution, _question
from ringmaster.graph.references.implied import Act
from ringmaster.graph.references.patterns import NUMBER_WORDS, nouns_pattern
from ringmaster.graph.references.thread import _Thread


def _done_phrase(thread: _Thread) -> re.Pattern[str]:
    nouns = [n for k in thread.kinds for n in k.nouns]
    head = "ones?" + (f"|{nouns_pattern(nouns)}s?" if nouns else "")
    return re.compile(
        rf"\b(?:the|that|those)\s+(?P<head>{head})\s+(?:that\s+|which\s+)?(?:you|we)"
        r"(?:'ve|\s+have)?\s+(?:just\s+|already\s+)?(?P<verb>[a-z]+ed)\b",
        re.I,
    )


def _stem(verb: str) -> str:
    """ "closed" -> "clos", "opened" -> "open", "bumped" -> "bump": what the request said."""
    return verb.lower().removesuffix("ed").removesuffix("e")


def _acting_turn(thread: _Thread, verb: str) -> Mapping[str, Any] | None:
    acting = [t for t in reversed(thread.history) if t.get("entities", {}).get("acted")]
    said = re.compile(rf"\b{re.escape(_stem(verb))}", re.I)
    return next((t for t in acting if said.search(str(t.get("request", "")))), None) or (
        acting[0] if acting else None
    )


def _records(thread: _Thread, turn: Mapping[str, Any], head: str) -> list[tuple[str, str]]:
    """The records `turn` did its work on that `head` ("one", "ticket") may be: of the noun's
    kind; for "one", the records acted on that are no person, else those it made (an opened
    ticket stands in its result), else the people acted on."""
    ents = turn.get("entities", {})
    acted = [(k, e) for k, e in ents.get("acted", [])]
    touched = [(k, e) for k, e in ents.get("touched", [])]
    singular = head.lower().removesuffix("s")
    if singular != "one":
        kind = next((k for k in thread.kinds if {head.lower(), singular} & set(k.nouns)), None)
        if kind is None:
            return []
        of_kind = [p for p in acted if p[0] == kind.name]
        return of_kind or [p for p in touched if p[0] == kind.name]

    def things(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [p for p in pairs if (k := thread.by_name.get(p[0])) and not k.person]

    return things(acted) or things(touched) or acted


def _done(text: str, thread: _Thread) -> tuple[str, list[Resolution]] | str:
    """`text` with "the one you closed" and its like replaced by the records they stand for,
    or the question to ask when a singular one stands for several."""
    resolutions: list[Resolution] = []
    for match in list(_done_phrase(thread).finditer(text)):
        turn = _acting_turn(thread, match.group("verb"))
        if turn is None:
            continue
        records = _records(thread, turn, match.group("head"))
        if not records:
            continue
        plural = match.group("head").lower().endswith("s") or match.group(0).lower().startswith(
            "those"
        )
        records = list(dict.fromkeys(records))
        if len(records) > 1 and not plural:
            return _question(thread.by_name.get(records[0][0]), [e for _, e in records])
        phrase = match.group(0)
        text = text.replace(phrase, " and ".join(e for _, e in records), 1)
        number = int(turn.get("turn", 0))
        resolutions += [Resolution(phrase, e, k, number) for k, e in records]
    return text, resolutions


# The acts whose word also names what was done: "that rollback", "both rollbacks". Not
# "refund" or "credit": "email her about the refund" is about her, and "the refund landed" a
# fact she reports (reading the invoice into either made "her" its owner's), nor "note",
# "plan" or "update", a noun of their own ("a status update") more often than the act.
_DONE_NOUNS = frozenset({"rollback", "revert"})
_HOW_MANY = {"both": 2, **NUMBER_WORDS}


def _act_phrase(acts: list[Act]) -> re.Pattern[str] | None:
    words = sorted({w for a in acts for w in a.words} & _DONE_NOUNS)
    if not words:
        return None
    return re.compile(
        r"\b(?P<det>the|that|this|those|these|both(?:\s+the|\s+of\s+the)?"
        rf"|the\s+(?:{'|'.join(NUMBER_WORDS)})|all\s+the)\s+(?:last\s+|recent\s+)?"
        rf"(?P<noun>{'|'.join(words)})(?P<plural>s)?\b(?!\s*of\b)",
        re.I,
    )


def _acted_by(thread: _Thread, act: Act) -> list[tuple[int, list[str]]]:
    """The records each turn's side effect of `act` ran on, latest turn first: a turn that
    acted on `act`'s kind, and, when the team has other acts on that kind, whose request says
    one of `act`'s words."""
    others = any(a.kind == act.kind and a.words != act.words for a in thread.acts)
    said = re.compile(rf"\b(?:{'|'.join(sorted(act.words))})", re.I)
    found = []
    for turn in reversed(thread.history):
        acted = [e for k, e in turn.get("entities", {}).get("acted", []) if k == act.kind]
        if acted and (not others or said.search(str(turn.get("request", "")).replace(" ", ""))):
            found.append((int(turn.get("turn", 0)), list(dict.fromkeys(acted))))
    return found


def _done_acts(text: str, thread: _Thread) -> tuple[str, list[Resolution]] | str:
    """`text` with "that rollback", "both rollbacks" and their like replaced by the records the
    thread's side effects of that act ran on, or the question when "that rollback" stands
    for several. A request that itself does the act ("undo the rollback") is left as typed,
    and so is a phrase no turn's side effect stands for."""
    acts = [a for a in thread.acts if isinstance(a, Act)]
    phrase = _act_phrase(acts)
    if phrase is None:
        return text, []
    resolutions: list[Resolution] = []
    for match in list(phrase.finditer(text)):
        noun = match.group("noun").lower()
        act = next(a for a in acts if noun in a.words)
        rest = (text[: match.start()] + " " + text[match.end() :]).lower().replace(" ", "")
        if any(w in rest for a in acts if a.kind == act.kind for w in a.words):
            continue
        turns = _acted_by(thread, act)
        if not turns:
            continue
        kind = thread.by_name[act.kind]
        det = " ".join(match.group("det").lower().split())
        count = next((n for w, n in _HOW_MANY.items() if w in det.split()), None)
        if count is not None:
            records = [e for _, acted in turns for e in acted][:count]
            if len(records) < count:
                continue
        elif match.group("plural"):
            records = [e for _, acted in turns for e in acted]
        else:
            records = turns[0][1]
            if len(records) > 1:
                return _question(kind, records)
        records = list(dict.fromkeys(records))
        number = next(n for n, acted in turns if records[0] in acted)
        text = text.replace(match.group(0), " and ".join(records), 1)
        resolutions += [Resolution(match.group(0), e, kind.name, number) for e in records]
    return text, resolutions
