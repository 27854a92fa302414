"""Quoted history in a pasted email or ticket: which lines are earlier messages, which the newest.

A reply quotes what came before it as "> " lines, often under an attribution ("On Tue, 2 Dec, Ana
wrote:"). Whether the quoted lines are context for the newest message (the same matter asked
again, "> The export button does nothing. / Customer followed up again today.") or an earlier ask
that has been answered ("> Can you refund INV-1176? / Thanks, that came through. Now my password
…") is not decided here: the planner asks the team's learned cutter (`graph/planner/local.py`).
This module only finds the lines. A ticket system's transcript marks its messages with header
lines instead ("--- Customer, 3 Dec 09:12 ---" … "--- Internal note ---"): the last message is
the newest, the ones above it the history. A mail client's reply or forward puts the earlier
mail under a header block instead ("-----Original Message-----" / "From: …" / "Sent: …", "----------
Forwarded message ---------"): the newest message is the text above the block, the mail under it
the history, whatever the block's dashes look like (they are not a transcript's header lines).
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
    # the first), or the earlier mail under a mail header without its header fields: what is
    # read when the newest message asks nothing of its own.
    body: str = ""
    # An earlier mail under a mail client's header block, below the newest message.
    mail: bool = False


# The line a mail client writes above a forwarded or replied-to mail: everything from it down is
# what is passed on ("---------- Forwarded message ---------", "-----Original Message-----",
# "Begin forwarded message:").
FORWARD_SEPARATOR = re.compile(
    r"^\s*(?:-{2,}\s*(?:forwarded\s+message|original\s+message)\s*-{2,}"
    r"|begin\s+forwarded\s+message:)",
    re.IGNORECASE,
)
# A header field of the earlier mail ("From: Ana <ana@…>", "Sent: Monday, …", "Subject: …").
_HEADER_FIELD = re.compile(r"^\s*(?:from|sent|date|to|cc|subject):\s", re.IGNORECASE)
_FROM = re.compile(r"^\s*from:\s", re.IGNORECASE)


def mail_header(lines: list[str]) -> int | None:
    """The index of the line that opens an earlier mail's header block: a forward or reply
    separator, or a "From:" field with another header field under it (Outlook writes "From:" /
    "Sent:" with no separator); None when there is none."""
    for i, ln in enumerate(lines):
        if FORWARD_SEPARATOR.match(ln):
            return i
        if _FROM.match(ln) and any(_HEADER_FIELD.match(n) for n in lines[i + 1 : i + 3]):
            return i
    return None


def mail(text: str) -> Thread | None:
    """The newest message above an earlier mail's header block and the mail under it; None
    unless there is a header block with text above it and under it."""
    lines = text.splitlines()
    start = mail_header(lines)
    if start is None:
        return None
    newest = "\n".join(lines[:start]).strip()
    history = "\n".join(lines[start:]).strip()
    rest = lines[start + 1 :] if FORWARD_SEPARATOR.match(lines[start]) else lines[start:]
    while rest and (_HEADER_FIELD.match(rest[0]) or not rest[0].strip()):
        rest = rest[1:]
    body = "\n".join(rest).strip()
    if not newest or not body:
        return None
    return Thread(history, newest, newest_first=True, body=body, mail=True)


# A message's header line in a ticket system's transcript: "--- Customer, 3 Dec 09:12 ---",
# "=== Internal note ===", "----- Agent (Lina) -----".
_BLOCK_HEADER = re.compile(r"^\s*(?:-{3,}|={3,})\s*\S.{0,80}?\s*(?:-{3,}|={3,})\s*$")


def transcript(text: str) -> Thread | None:
    """A ticket's transcript, its messages under header lines: the last message is the newest,
    the ones above it (with their headers and the ticket's title) its history; None unless there
    is a header line with a message under it and something above it."""
    lines = text.splitlines()
    headers = [
        i
        for i, ln in enumerate(lines)
        if _BLOCK_HEADER.match(ln) and not FORWARD_SEPARATOR.match(ln)
    ]
    if not headers or not any(ln.strip() for ln in lines[: headers[-1]]):
        return None
    last = headers[-1]
    newest = "\n".join(lines[last + 1 :]).strip()
    history = "\n".join(lines[:last]).strip()
    if not newest:
        return None
    body = "\n".join(ln for ln in lines[headers[0] + 1 :] if not _BLOCK_HEADER.match(ln)).strip()
    return Thread(history, newest, transcript=True, body=body)


def quoted_lines(lines: list[str]) -> list[bool]:
    """Which of `lines` are quoted history: "> " lines, the attribution line above a quote
    ("On Tue, Ana wrote:"), and a transcript's header lines. A help desk that quotes its
    transcript with "> " still heads each message with a header line ("--- Customer wrote (Dec
    3) ---" / "> …" / "--- Internal note ---" / the note): a header says who wrote when, never
    what is asked."""
    quoted = [bool(_QUOTED_LINE.match(ln)) for ln in lines]
    for i, ln in enumerate(lines):
        # An attribution belongs to the quote it introduces.
        if not quoted[i] and i + 1 < len(lines) and quoted[i + 1] and _ATTRIBUTION.match(ln):
            quoted[i] = True
        elif _BLOCK_HEADER.match(ln) and not FORWARD_SEPARATOR.match(ln):
            quoted[i] = True
    return quoted


def has_quoted_line(text: str) -> bool:
    """Whether a line of `text` is quoted ("> …")."""
    return any(_QUOTED_LINE.match(ln) for ln in text.splitlines())


def quoted_thread(text: str) -> Thread | None:
    """The quoted history and the newest message of `text` (a reply under "> " lines, a reply or
    forward above an earlier mail's header block, or a ticket's transcript); None unless it has
    both."""
    above = mail(text)
    if above is not None:
        return above
    if not has_quoted_line(text):
        return transcript(text)
    lines = text.splitlines()
    quoted = quoted_lines(lines)
    history = "\n".join(ln for ln, q in zip(lines, quoted, strict=True) if q).strip()
    newest = "\n".join(ln for ln, q in zip(lines, quoted, strict=True) if not q).strip()
    if not history or not newest:
        return None
    first_new = next(i for i, q in enumerate(quoted) if not q and lines[i].strip())
    return Thread(history, newest, newest_first=first_new < quoted.index(True))


@dataclass(frozen=True)
class InlineReply:
    """A reply written inline: the writer answers each quoted paragraph under it ("Hi Tomas,
    answers inline." / "> Is auth back to normal?" / "No idea yet, can ops check its health
    now?" / "> The customer on TCK-1 wants a refund." / "Fine by me. Please refund …")."""

    opening: str  # the writer's lines above the first quote ("Hi Tomas, answers inline.")
    # Each quoted paragraph (its "> " markers and attribution line kept) and the answer under it.
    answers: tuple[tuple[str, str], ...]


def inline_reply(text: str) -> InlineReply | None:
    """`text` as an inline reply: two or more quoted paragraphs, each with the writer's answer
    under it; None otherwise (a quote with one message under or above it is `quoted_thread`'s).
    An answer leans on the paragraph it answers, not on the answer before it: "can ops check its
    health now?" is about the auth service quoted above it."""
    lines = text.splitlines()
    if any(_BLOCK_HEADER.match(ln) and not FORWARD_SEPARATOR.match(ln) for ln in lines):
        return None  # a ticket's transcript: its messages under header lines answer nothing
    quoted = quoted_lines(lines)
    runs: list[tuple[bool, list[str]]] = []  # blank lines never start a run of their own
    for ln, q in zip(lines, quoted, strict=True):
        if not ln.strip():
            if runs:
                runs[-1][1].append(ln)
        elif runs and runs[-1][0] == q:
            runs[-1][1].append(ln)
        else:
            runs.append((q, [ln]))
    opening = "\n".join(runs[0][1]).strip() if runs and not runs[0][0] else ""
    answers = tuple(
        ("\n".join(quote).strip(), "\n".join(answer).strip())
        for (q, quote), (a, answer) in zip(runs, runs[1:], strict=False)
        if q and not a
    )
    if len(answers) < 2:
        return None
    return InlineReply(opening, answers)


def unquoted(quote: str) -> str:
    """A quoted paragraph's words without its "> " markers and attribution line."""
    kept = [re.sub(r"^(?:\s*>)+", "", ln).strip() for ln in quote.splitlines()]
    return " ".join(ln for ln in kept if ln and not _ATTRIBUTION.match(ln))
