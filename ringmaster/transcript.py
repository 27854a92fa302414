"""The words a requester typed on each turn, and what the turn was read as where it differs.

A turn works on its request as resolved ("sorry, I meant INV-1012" becomes "Refund invoice
INV-1012 in full, …"; "close it" becomes "close TCK-1001"), and the thread's history keeps
that resolved text for the next turn's references. A person reading the conversation (thread
show, the web thread page) is shown what they typed, from the turn's `request_received` audit
event, and the resolved text labelled as what it was read as (the `references` event's text).
A turn the references answered with a question ("Did you mean INV-1004 …?", "Not INV-1004, so
nothing was done. Which invoice did you mean?") ran nothing: it is shown with what it asked,
not with the request the question is about as if that had been read and run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ringmaster.runner import Runner


@dataclass(frozen=True)
class Said:
    """One turn's request: as typed, and as read (None when it was read as typed), or the
    question the turn asked instead (None when it asked none)."""

    typed: str
    read_as: str | None = None
    asked: str | None = None


def said(runner: Runner, thread_id: str) -> dict[int, Said]:
    """Each turn's request as typed and, where references were resolved, as read."""
    typed: dict[int, str] = {}
    read: dict[int, str] = {}
    asked: dict[int, str] = {}
    for e in runner.audit.for_thread(thread_id):
        turn = e.data.get("turn")
        if not isinstance(turn, int):
            continue
        if e.kind == "request_received":
            typed[turn] = str(e.data.get("request") or "")
        elif e.kind == "references" and e.data.get("question"):
            asked[turn] = str(e.data["question"])
        elif e.kind == "references" and e.data.get("text"):
            read[turn] = str(e.data["text"])
    return {
        k: Said(text, read[k] if read.get(k, text) != text else None, asked.get(k))
        for k, text in typed.items()
    }


def request_line(entry: Said | None, fallback: str) -> str:
    """A turn's request for a reader: the typed words, then `(asked: …)` where the turn asked
    a question, else `(read as: …)` where it differs."""
    if entry is None:
        return fallback
    if entry.asked:
        return f"{entry.typed} (asked: {entry.asked})"
    return entry.typed + (f" (read as: {entry.read_as})" if entry.read_as else "")
