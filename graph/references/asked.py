"""The question the thread still waits on: the latest turn's, or an earlier turn's when every
turn since asked nothing ("thanks", a stray "yes"). A question stays open until a reply answers
it or a new request supersedes it; what a reply picks among its options is read in `followups`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ringmaster.graph.pleasantries import only_pleasantry


def open_question(history: Sequence[Mapping[str, Any]]) -> tuple[Mapping[str, Any], int] | None:
    """The question still open and the index in `history` of the turn that asked it: the
    newest turn that asked one, looking past turns that were only pleasantries; None when a
    turn since made a request of its own (which answered or superseded it)."""
    for at in range(len(history) - 1, -1, -1):
        turn = history[at]
        asked = (turn.get("entities") or {}).get("question")
        if asked:
            return asked, at
        if not only_pleasantry(str(turn.get("request") or "")):
            return None
    return None


def pending_question(
    history: Sequence[Mapping[str, Any]],
) -> tuple[str, list[tuple[str, str]], int, int] | None:
    """The request, options and turn number of the open question that offered options, and
    the index of its turn in `history`."""
    found = open_question(history)
    if found is None or not found[0].get("options"):
        return None
    asked, at = found
    options = [(str(k), str(e)) for k, e in asked["options"]]
    return str(asked["request"]), options, int(history[at].get("turn", 0)), at


def awaiting_confirmation(history: Sequence[Mapping[str, Any]]) -> bool:
    """True when the open question asks the requester to confirm a guess ("Did you mean
    INV-1001 …? Reply yes …"), which "yes" answers."""
    found = open_question(history)
    return bool(found and found[0].get("confirm"))


def declined(history: Sequence[Mapping[str, Any]]) -> bool:
    """True when the open question followed a "no" to a confirmation: its record was
    declined, so "yes" confirms nothing."""
    found = open_question(history)
    return bool(found and found[0].get("declined"))


def still_waiting(history: Sequence[Mapping[str, Any]]) -> str | None:
    """The words of the question still open ("Which ticket do you mean: TCK-1001 or
    TCK-1003?"), for a reply that answers nothing to point back to; None when none is, or a
    history written before turns kept them."""
    found = open_question(history)
    return str(found[0].get("asked") or "") or None if found else None


def unnamed_question(history: Sequence[Mapping[str, Any]]) -> tuple[str, str, int, int] | None:
    """The request, the noun ("deployment") and turn number of the open question that listed
    no options ("Which deployment do you mean?"), and the index of its turn in `history`."""
    found = open_question(history)
    if found is None or found[0].get("options") or not found[0].get("noun"):
        return None
    asked, at = found
    return str(asked["request"]), str(asked["noun"]), int(history[at].get("turn", 0)), at
