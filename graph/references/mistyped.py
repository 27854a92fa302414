"""Ids typed wrong: "INV-102" or "TCK-1510" for the INV-1002 or TCK-1150 the thread is about,
"tck1058" for TCK-1058.

An id of a kind's prefix whose digits are one slip (a digit left out, added, changed or two
swapped) from exactly one record of that kind the thread named or touched stands for that
record; when it is one slip from several ("INV-118" after INV-1188 and INV-1189) the turn asks
which, never guessing. One slip from none of the thread's, it stands for the one record of its
kind one slip away when the `records` catalog holds exactly one, and is asked among two or
three. An id typed without its dash that is a real record ("tck1058") is that record. A
well-formed id is taken as typed unless the lookup says no such record exists; with no lookup,
it always is. A slip mended is a guess (`Resolution.guessed`): read-only work may use it, a
side effect asks first (`confirm.confirming`).
"""

from __future__ import annotations

import re

from ringmaster.graph.references.entities import (
    EntityKind,
    Resolution,
    _question,
    entity_ids,
    id_prefix,
)
from ringmaster.graph.references.thread import _Thread

# At most this many records of the catalog one slip from an unknown id are offered in a question.
_NEAR_ASKED = 3


def one_slip(typed: str, meant: str) -> bool:
    """True when `typed` is `meant` with one digit left out, added, changed or two adjacent
    ones swapped."""
    if typed == meant or abs(len(typed) - len(meant)) > 1:
        return False
    if len(typed) == len(meant):
        diff = [i for i, (a, b) in enumerate(zip(typed, meant, strict=True)) if a != b]
        return len(diff) == 1 or swapped(typed, meant)
    short, long = sorted((typed, meant), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def swapped(typed: str, meant: str) -> bool:
    """True when `typed` is `meant` with two adjacent digits swapped ("1072" for "1027")."""
    if len(typed) != len(meant):
        return False
    diff = [i for i, (a, b) in enumerate(zip(typed, meant, strict=True)) if a != b]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and typed[diff[0]] == meant[diff[1]]
        and typed[diff[1]] == meant[diff[0]]
    )


def in_thread(thread: _Thread, kind: str) -> list[str]:
    """The ids of `kind` earlier turns named or touched, newest turn first."""
    seen: list[str] = []
    for turn in reversed(thread.history):
        ents = turn.get("entities") or {}
        for k, e in [*ents.get("named", []), *ents.get("touched", [])]:
            if k == kind and e not in seen:
                seen.append(e)
    return seen


def mend_ids(request: str, thread: _Thread) -> tuple[str, list[Resolution]] | str:
    """`request` with its mistyped ids written as the records they stand for, and what was
    mended; or the question to ask when a mistyped id fits several of the thread's records."""
    text, mended = request, list[Resolution]()
    for kind in thread.kinds:
        prefix = id_prefix(kind)
        if prefix is None:
            continue
        letters, dash = prefix
        loose = re.compile(rf"(?<![\w-]){letters}[-\s#]?(\d{{2,}})(?!\w)", re.I)
        seen = in_thread(thread, kind.name)
        for match in reversed(list(loose.finditer(text))):
            typed, digits = match.group(0), match.group(1)
            as_id = f"{letters.upper()}{dash}{digits}"
            well_formed = typed.upper() == as_id and bool(kind.pattern.fullmatch(as_id))
            if well_formed and (
                thread.lookup is None or as_id in seen or thread.facts(as_id) is not None
            ):
                # Well formed ("TCK-1058", or "tck-1058", read as typed elsewhere): a slip
                # only when the lookup knows no such record.
                continue
            elif kind.pattern.fullmatch(as_id) and (
                thread.lookup is None or thread.facts(as_id) is not None
            ):
                # "tck1058": the record, typed without its dash.
                text = text[: match.start()] + as_id + text[match.end() :]
                mended.append(Resolution(typed, as_id, kind.name, thread.turn_naming(as_id)))
                continue
            meant = [
                e
                for e in seen
                if one_slip(digits, e[len(letters) :].lstrip("-"))
                # A well-formed id is a slip only where the lookup knows this kind's records
                # (one it knows nothing of may simply not cover them).
                and (not well_formed or thread.facts(e) is not None)
            ]
            if len(meant) > 1:
                return _question(kind, meant)
            if not meant and thread.records is not None and thread.lookup is not None:
                # "Roll DEP-1303 back" when the thread holds no deployment near it: the one
                # record of the kind one slip away, a guess; two or three are asked among (more
                # are left for the skill to report the id unknown).
                near = [
                    e
                    for e in thread.records(letters.upper())
                    if one_slip(digits, e[len(letters) :].lstrip("-"))
                ]
                if 1 < len(near) <= _NEAR_ASKED:
                    return _question(kind, near)
                meant = near if len(near) == 1 else []
            if meant:
                text = text[: match.start()] + meant[0] + text[match.end() :]
                turn = thread.turn_naming(meant[0])
                # A guess: the requester confirms it before a side effect runs on it.
                mended.append(Resolution(typed, meant[0], kind.name, turn, guessed="typo"))
    return text, mended


def by_noun(request: str, thread: _Thread) -> tuple[str, list[Resolution]]:
    """`request` with ids typed as a kind's noun and the digits ("ticket 1037", "invoice #1149",
    "tickets 1022 and 1136", "inv no. 1191") written as the records they are, and what was
    written; digits that make no record of the kind (a year, an amount) are left as typed."""
    text, found = request, list[Resolution]()
    for kind in thread.kinds:
        prefix = id_prefix(kind)
        if prefix is None or not kind.nouns:
            continue
        letters, dash = prefix
        nouns = "|".join(re.escape(n) for n in kind.nouns)
        number = r"(?:#|no\.?\s*|number\s+)?\d{2,}\b"
        typed = re.compile(
            rf"(?<![\w-])(?:{nouns})s?\s*(?P<ids>{number}(?:\s*(?:,|and|&|/)\s*{number})*)",
            re.I,
        )
        for match in reversed(list(typed.finditer(text))):
            ids = match.group("ids")
            written = ids
            for digits in reversed(list(re.finditer(r"\d{2,}", ids))):
                as_id = f"{letters.upper()}{dash}{digits.group(0)}"
                real = thread.facts(as_id) is not None if thread.lookup else True
                if not kind.pattern.fullmatch(as_id) or not real:
                    continue
                # "#1037", "no. 1037": the mark goes with the number.
                start = re.search(r"(?:#|no\.?\s*|number\s+)?$", ids[: digits.start()], re.I)
                begin = start.start() if start else digits.start()
                written = written[:begin] + as_id + written[digits.end() :]
                phrase = match.group(0)
                found.append(Resolution(phrase, as_id, kind.name, thread.turn_naming(as_id)))
            if written != ids:
                text = text[: match.start("ids")] + written + text[match.end("ids") :]
    return text, found


def put_picked(asked: str, picked: list[str], kinds: list[EntityKind]) -> str | None:
    """`asked` with the mistyped id its question was about ("INV-118") written as the one
    record the reply picked ("INV-1188", or "INV-1003" when it is the only id of its kind in
    `asked`); `asked` as it is when it names the record picked already (the guess a "no"
    declined was another record); None when it has no such id."""
    if len(picked) != 1:
        return None
    if any(e == picked[0] for _, e in entity_ids(kinds, asked)):
        return asked
    for kind in kinds:
        prefix = id_prefix(kind)
        if prefix is None or not kind.pattern.fullmatch(picked[0]):
            continue
        letters = prefix[0]
        loose = re.compile(rf"(?<![\w-]){letters}[-\s#]?(\d{{2,}})(?!\w)", re.I)
        digits = picked[0][len(letters) :].lstrip("-")
        found = list(loose.finditer(asked))
        for match in found:
            if one_slip(match.group(1), digits):
                return asked[: match.start()] + picked[0] + asked[match.end() :]
        # "no, INV-1003" to "Did you mean INV-1001?" about "INV-101": the record named
        # replaces the one id of this kind that is no record's ("INV-101"), however far off.
        mistyped = [m for m in found if not kind.pattern.fullmatch(m.group(0))]
        if len(mistyped) == 1 and len(found) == 1:
            match = mistyped[0]
            return asked[: match.start()] + picked[0] + asked[match.end() :]
    return None
