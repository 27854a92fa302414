"""Quoted history in a pasted email or ticket: which lines are earlier messages, which the newest.

A reply quotes what came before it as "> " lines, often under an attribution ("On Tue, 2 Dec, Ana
wrote:"). Whether the quoted lines are context for the newest message (the same matter asked
again, "> The export button does nothing. / Customer followed up again today.") or an earlier ask
that has been answered ("> Can you refund INV-1176? / Thanks, that came through. Now my password
…") is not decided here: the planner asks the team's learned cutter (`graph/planner/local.py`).
This module only finds the lines. A ticket system's transcript marks its messages with header
lines instead ("--- Customer, 3 Dec 09:12 ---" … "--- Internal note ---"): the last message is
the newest, the ones above it the history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTED_LINE = re.compile(r"^\s*>")
# The line a mail client writes above the quote: "On Tue, 2 Dec, Ana wrote:", "Ana wrote:".
_ATTRIBUTION = re.compile(r"^\s*(?:on\s.{0,120})?\S.{0,80}\swrote:\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Thread:
    """A request split into its quoted history and the newest message, in text order."""

    history: str
    newest: str
    # The newest message is above the quote (a top-posted reply, "FYI, see below"), not under it.
    newest_first: bool = False
    # A ticket system's transcript: messages under header lines ("--- Customer, 3 Dec 09:12 ---"),
    # the history every message but the last, which is the newest (often an internal note).
    transcript: bool = False
    # The transcript's messages without their header lines (and the ticket's title line above
    # the first): what is read when the newest message asks nothing of its own.
    body: str = ""


# A message's header line in a ticket system's transcript: "--- Customer, 3 Dec 09:12 ---",
# "=== Internal note ===", "----- Agent (Lina) -----".
_BLOCK_HEADER = re.compile(r"^\s*(?:-{3,}|={3,})\s*\S.{0,80}?\s*(?:-{3,}|={3,})\s*$")


def transcript(text: str) -> Thread | None:
    """A ticket's transcript, its messages under header lines: the last message is the newest,
    the ones above it (with their headers and the ticket's title) its history; None unless there
    is a header line with a message under it and something above it."""
    lines = text.splitlines()
    headers = [i for i, ln in enumerate(lines) if _BLOCK_HEADER.match(ln)]
    if not headers or not any(ln.strip() for ln in lines[: headers[-1]]):
        return None
    last = headers[-1]
    newest = "\n".join(lines[last + 1 :]).strip()
    history = "\n".join(lines[:last]).strip()
    if not newest:
        return None
    body = "\n".join(ln for ln in lines[headers[0] + 1 :] if not _BLOCK_HEADER.match(ln)).strip()
    return Thread(history, newest, transcript=True, body=body)


def quoted_thread(text: str) -> Thread | None:
    """The quoted history and the newest message of `text` (a reply under "> " lines, or a
    ticket's transcript); None unless it has both."""
    lines = text.splitlines()
    if not any(_QUOTED_LINE.match(ln) for ln in lines):
        return transcript(text)
    quoted = [bool(_QUOTED_LINE.match(ln)) for ln in lines]
    for i, ln in enumerate(lines):
        # An attribution belongs to the quote it introduces.
        if not quoted[i] and i + 1 < len(lines) and quoted[i + 1] and _ATTRIBUTION.match(ln):
            quoted[i] = True
    history = "\n".join(ln for ln, q in zip(lines, quoted, strict=True) if q).strip()
    newest = "\n".join(ln for ln, q in zip(lines, quoted, strict=True) if not q).strip()
    if not history or not newest:
        return None
    first_new = next(i for i, q in enumerate(quoted) if not q and lines[i].strip())
    return Thread(history, newest, newest_first=first_new < quoted.index(True))
