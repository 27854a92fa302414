"""A correction that names the record it takes back and the one it means instead.

"don't refund INV-1002, refund INV-1005 instead", "not INV-1002, INV-1005 instead",
"instead of INV-1002, INV-1005", "INV-1005 not INV-1002", "INV-1005 rather than INV-1002":
an id after a negation in its own clause is the mistake; the ids of the same kind outside
such a clause are what is meant. A clause runs from a comma, a semicolon or "but" to the
next id, so "refund INV-1005, not INV-1002" negates only INV-1002.

`taken_back` reads the same correction when its two sides are different actions ("don't refund
INV-1144, give her a credit instead", "credit CUS-1001 instead of refunding it"): the clause it
takes back is left out of the request, so that no agent reads "refund INV-1144" in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ringmaster.graph.references.entities import (
    _TAKEN_BACK,
    EntityKind,
    corrections,
    entity_ids,
    strip_ids,
)
from ringmaster.graph.references.patterns import _CORRECTION, _own_words

# What, before an id in its clause, takes the id back.
_NEGATION = re.compile(
    r"\b(?:not|never|no longer|instead of|rather than|(?:do|does|did|is|was|should|could|"
    r"would|ca|wo)n'?t|cannot)\b",
    re.I,
)
# Where a clause begins: what an id's negation may not reach past.
_CLAUSE = re.compile(r"[,;:.!?]|\s[-–—]\s|\bbut\b|\band\b", re.I)
# Words that mark a request as correcting one already made.
_CORRECTING = re.compile(r"\b(?:instead|rather than|i meant|meant|should have been)\b", re.I)
# Words of a correction that ask for nothing of their own: the negations and the markers.
_NOT_OWN = {"not", "never", "don", "doesn", "didn", "isn", "wasn", "shouldn", "instead",
            "rather", "than", "meant", "mean", "but", "longer", "cannot", "can"}  # fmt: skip


@dataclass(frozen=True)
class Swap:
    """The records a correction takes back (`wrong`) and those it means (`right`), one kind."""

    kind: str
    wrong: tuple[str, ...]
    right: tuple[str, ...]
    correcting: bool  # worded as a correction ("instead", "sorry", "I meant"), or nothing more

    def words(self, request: str, kinds: Sequence[EntityKind]) -> set[str]:
        """The request's own words besides its ids, negations and correction markers: what it
        asks for ("refund"), to be found in the request it corrects for a plain repeat."""
        return _own_words(strip_ids(request, kinds)) - _NOT_OWN


def swap(request: str, kinds: Sequence[EntityKind]) -> Swap | None:
    """The correction in `request`, or None when it takes back no record of a kind it also
    names. `correcting` is False for "close TCK-1001 but not TCK-1003" (an ordinary request
    that leaves a record out) and True when it says so or asks for nothing else."""
    found = entity_ids(kinds, request)
    upper = request.upper()
    wrong: list[tuple[str, str]] = []
    right: list[tuple[str, str]] = []
    end = 0
    for kind, entity in found:
        at = upper.find(entity.upper(), end)
        if at < 0:
            return None
        before = request[end:at]
        clause = _CLAUSE.split(before)[-1] if _CLAUSE.search(before) else before
        (wrong if _NEGATION.search(clause) else right).append((kind, entity))
        end = at + len(entity)
    kinds_both = {k for k, _ in wrong} & {k for k, _ in right}
    if len(kinds_both) != 1:
        return None
    kind = kinds_both.pop()
    out = Swap(
        kind,
        tuple(e for k, e in wrong if k == kind),
        tuple(e for k, e in right if k == kind),
        correcting=False,
    )
    said = bool(_CORRECTION.search(request) or _CORRECTING.search(request))
    return Swap(out.kind, out.wrong, out.right, said or not out.words(request, kinds))


# A clause that asks for an action not to be done: "don't refund INV-1144", "do not close it".
_NOT_DOING = re.compile(
    r"^\W*(?:(?:no|nope|wait|ok|okay|actually|sorry|so|and|but)\W+)*(?:please\s+)?"
    r"(?:don'?t|do not|dont|never|no need to|not)\s+\w",
    re.I,
)
# What says another clause is asked for in its place.
_IN_PLACE = re.compile(r"\b(?:instead|rather)\b", re.I)
# "instead of refunding it", "rather than a refund": what follows is taken back, to the
# clause's end.
_INSTEAD_OF = re.compile(r"\s*,?\s*\b(?:instead of|rather than)\b[^,;.!?]*", re.I)
_LEADING = re.compile(r"^\W*(?:instead of|rather than)\b", re.I)
_CLAUSES = re.compile(r"(?<=[,;])\s*|(?<=[.!?])\s+")


def taken_back(text: str) -> tuple[str, tuple[str, ...]]:
    """`text` without the clauses a correction in it takes back, and those clauses: "don't
    refund INV-1144, give her a $29 credit instead" is "give her a $29 credit"; unchanged,
    with none, when it says nothing is to be done in place of something else."""
    if not _IN_PLACE.search(text):
        return text, ()
    dropped: list[str] = []
    for match in list(_INSTEAD_OF.finditer(text)):
        before = text[: match.start()]
        clause_start = max(before.rfind(c) for c in ",;.!?")
        if re.search(r"[a-z]{2,}", before[clause_start + 1 :], re.I):
            dropped.append(match.group(0).strip(" ,"))
    kept = _INSTEAD_OF.sub("", text) if dropped else text
    clauses = [c for c in _CLAUSES.split(kept) if c.strip()]
    leading = [c for c in clauses if _LEADING.match(c)]  # "Instead of a refund, …"
    negated = [c for c in clauses if _NOT_DOING.match(c)]
    rest = [c for c in clauses if c not in negated and c not in leading]
    wording = any(re.search(r"[a-z]{3,}", c, re.I) for c in rest)
    if wording and (leading or (negated and any(_IN_PLACE.search(c) for c in rest))):
        negated = leading + negated
        dropped += [c.strip(" ,;") for c in negated]
        kept = " ".join(c.strip() for c in rest)
    if not dropped:
        return text, ()
    kept = re.sub(r"\s*,?\s*\binstead\b", "", kept, flags=re.I).strip(" ,;")
    return kept, tuple(dropped)


# What may stand between two correction markers of one breath ("no wait, sorry, TCK-1078").
_BETWEEN_MARKERS = re.compile(r"[\s,:;.!?–—-]*")


def retracted(text: str, kinds: Sequence[EntityKind]) -> tuple[str, tuple[str, ...]]:
    """`text` with each id it takes back in the same breath replaced by the id that corrects
    it, the correction left out, and the ids taken back: "close TCK-1137 no wait sorry
    TCK-1078" is "close TCK-1078", "is TCK-1005 still open? no wait I mean TCK-1037" is "is
    TCK-1037 still open?". Unchanged, with none, when it takes nothing back. No agent reads the
    id taken back, so none acts on it."""
    out, gone = text, []
    for start, end, right, right_end in reversed(corrections(kinds, text)):
        markers = list(_TAKEN_BACK.finditer(text, end, right))
        cut = markers[-1].start()
        for before, after in zip(reversed(markers[:-1]), reversed(markers[1:]), strict=True):
            if not _BETWEEN_MARKERS.fullmatch(text, before.end(), after.start()):
                break
            cut = before.start()
        kept = text[end:cut].rstrip(" ,;:–—-")
        out = out[:start] + text[right:right_end] + kept + out[right_end:]
        gone.append(text[start:end])
    return out, tuple(reversed(gone))
