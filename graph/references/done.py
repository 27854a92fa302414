"""Records picked by what the assistant did to them: "the one you just closed", "the ticket
you opened", "the invoices we refunded".

The records are those of the latest turn whose side effect ran and whose request says the same
verb ("close TCK-1008 and TCK-1140" for "the one you closed"); with no such turn, the latest
turn whose side effect ran. A singular phrase with several such records is asked, never
guessed: "email the customer on the one you closed" after two tickets were closed together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ringmaster.graph.references.entities import Resolution, _question
from ringmaster.graph.references.patterns import nouns_pattern
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
