"""Quoted history in a pasted email or ticket: which lines are earlier messages, which the newest.

A reply quotes what came before it as "> " lines, often under an attribution ("On Tue, 2 Dec, Ana
wrote:"). Whether the quoted lines are context for the newest message (the same matter asked
again, "> The export button does nothing. / Customer followed up again today.") or an earlier ask
that has been answered ("> Can you refund INV-1176? / Thanks, that came through. Now my password
…") is not decided here: the planner asks the team's learned cutter (`graph/planner/local.py`).
This module only finds the lines.
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


def quoted_thread(text: str) -> Thread | None:
    """The quoted history and the newest message of `text`; None unless it has both."""
    lines = text.splitlines()
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
