"""An email's envelope: the courtesies that open it, and the sign-off and signature under it;
a ticket's title line.

"Kind regards," / "Thanks!" with the writer's name, title and company on the lines under it say
who wrote, never what is asked. Left in, they are cut into candidate parts that the classifier
routes by their words (a company name in a signature to legal, "Cheers / Marta" to analytics)
and that the cutter must glue back, and the request's whole-text scores carry them too. The
planner splits and routes the message without its sign-off, and the sign-off goes back on the
last subtask, so an agent still reads the name and an id in a signature ("Claire / CUS-1031").

Only lines of their own are taken, and only when they ask nothing ("Thanks, and please close
TCK-1 too" stays in the message). The greeting line ("Hi analytics folks,") is left in: taken
off the same way, it let the cutter cut a sentence of context under it into a part for a
person (demo-team-dev lost a one-part email; see `graph/planner/segmenting.py`).

An opening courtesy ("I hope this finds you well.", "Apologies for the long email, it's been a
day.", "Thanks again for the quick help last week with the SSO issue, …") is envelope too: its
words route surely to an agent ("email" and "reply" to content, "the refund on INV-1130" to
billing), so it was cut off as a subtask of its own. The first sentences of the message, under
the greeting line or after a greeting that opens the line ("Hi Priya, sorry for the slow reply,
…"), are taken off when they are such a courtesy and ask nothing, and go back on the first
subtask.

A reply under a quoted ask often opens by acknowledging it ("> Can you refund INV-1060? /
Refund went through, thanks. Now …"): `opening_statements` offers the statements that open a
message, and the planner takes them off a reply when they speak of the quoted ask or say
nothing of their own (`segmenting.Segmenter`); they go back on the first subtask.

A help desk pastes a ticket under its title line ("Ticket TCK-1112, reply from customer"), and
a pasted email keeps its subject header ("Subject: Re: Invoice question"): the line names what
the message is about, and is taken off like a courtesy and goes back on the first subtask.

Under the sign-off, mail servers and phones add notices: a confidentiality notice ("This e-mail
and any attachments are confidential …; if you have received it in error, please notify the
sender"), "Sent from my iPhone" (`notice`). They go with the sign-off block onto the last
subtask; left in, the notice's "please notify the sender" was routed to content as a part of its
own, and kept the sign-off above it in the message.
"""

from __future__ import annotations

import re

from ringmaster.graph.planner.no_ask import asks_something

_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|dear|greetings|good\s+(?:morning|afternoon|evening|day))\b[^\n]{0,60}$",
    re.IGNORECASE,
)

_CLOSING = re.compile(
    r"^\s*(?:thanks|thank\s+you|many\s+thanks|thx|cheers|best|regards|kind\s+regards|"
    r"best\s+regards|with\s+(?:best|kind|warm)\s+regards|warm\s+regards|warmest\s+regards|best\s+wishes|all\s+the\s+best|"
    r"sincerely|yours\s+(?:sincerely|faithfully|truly)|respectfully|speak\s+soon|talk\s+soon)"
    r"\b[^\n]{0,30}$",
    re.IGNORECASE,
)
# A signature is a few short lines under the closing: name, title, company, an account id or a
# phone number, a one-line notice ("This email is confidential."); blank lines between them do
# not count ("Thank you,\n\nSiobhan Kelly\nOperations Coordinator\nMerrow Ltd.").
_SIGNATURE_LINES = 4
_SIGNATURE_CHARS = 60


# What a mail client or a company's server puts under a message: a legal notice ("This e-mail and
# any attachments are confidential … If you have received it in error, please notify the
# sender …"), a virus-scan or print-the-environment line, a phone's "Sent from my iPhone". It is
# no part of what the writer asks, yet its words route ("please notify the sender and delete it"
# read as content's), and its "please" kept the sign-off above it in the message. Each is a
# paragraph of its own at the very end; several may follow one another.
_NOTICE = re.compile(
    r"^(?:\W*(?:sent\s+from\s+(?:my\s+)?\w[^\n]{0,40}|get\s+outlook\s+for\s+\w+)$"
    r"|[^\n]{0,40}\b(?:scanned\s+(?:for|by)\b[^\n]{0,40}virus|virus[^\n]{0,30}scanned)"
    r"|[^\n]{0,40}\bconsider\s+the\s+environment\b"
    r"|(?=[\s\S]*\bconfidential)(?=[\s\S]*\b(?:intended\s+(?:solely\s+|only\s+)?for|addressee"
    r"|recipient|received\s+(?:this|it)[^\n]{0,30}\bin\s+error)))",
    re.IGNORECASE,
)
_NOTICE_CHARS = 600


def notice(text: str) -> tuple[str, str]:
    """`text` without the notices under it (a confidentiality notice, "Sent from my iPhone"; see
    `_NOTICE`), and the notices ("" and `text` when there are none, or nothing above them)."""
    body, taken = text.strip(), list[str]()
    while True:
        # the last paragraph, or else the last line ("… asap\nSent from my iPhone")
        for sep in ("\n\n", "\n"):
            head, found, last = body.rpartition(sep)
            if found and head.strip() and len(last) <= _NOTICE_CHARS and _is_notice(last):
                break
        else:
            return body, "\n\n".join(taken)
        taken.insert(0, last.strip())
        body = head.rstrip().removesuffix("--").rstrip()


def _is_notice(paragraph: str) -> bool:
    return _NOTICE.match(paragraph.strip().removeprefix("--").strip()) is not None


def sign_off(text: str) -> tuple[str, str]:
    """`text` without its sign-off block and any notice under it (`notice`), and the block ("" and
    `text` when there is none)."""
    text, notes = notice(text)
    body, block = _sign_off(text)
    return body, "\n\n".join(b for b in (block, notes) if b)


def _sign_off(text: str) -> tuple[str, str]:
    lines = text.strip().splitlines()
    under = 0  # the signature's lines under the closing seen so far
    for i in range(len(lines) - 1, 0, -1):
        if _CLOSING.match(lines[i]):
            block = lines[i:]
            body = "\n".join(lines[:i]).strip()
            short = all(len(ln) <= _SIGNATURE_CHARS for ln in block)
            if body and short and not asks_something("\n".join(block)):
                return body, "\n".join(block).strip()
            break
        if not lines[i].strip():
            continue
        under += 1
        if under > _SIGNATURE_LINES or len(lines[i]) > _SIGNATURE_CHARS:
            break
    return text.strip(), ""


# A courtesy that opens a message, up to the end of its sentence.
_COURTESY = re.compile(
    r"(?:i\s+)?hope\s+(?:you|this|the|your|all|everyone)\b"
    r"|(?:many\s+)?(?:apologies|sorry)\s+(?:for|about)\s+(?:the|my|this)\b"
    # any thanks that opens the message and asks nothing: "Thanks again for …", "Thanks, that
    # worked." (the request comes after it)
    r"|thank(?:s|\s+you)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]*[.!](?=\s|$)")


def courtesy(text: str) -> tuple[str, str]:
    """`text` without the courtesies that open it (under a greeting line of its own), and the
    courtesies ("" and `text` when there are none)."""
    lines = text.strip().splitlines()
    head = lines[0] if len(lines) > 1 and _GREETING.match(lines[0]) else ""
    rest = "\n".join(lines[1:] if head else lines).lstrip()
    inline = _INLINE_GREETING.match(rest) if not head else None
    if inline is not None:  # "Hi Priya, sorry for the slow reply, …"
        head, rest = inline.group().strip(), rest[inline.end() :]
    taken: list[str] = []
    while True:
        sentence = _SENTENCE.match(rest)
        if sentence is None or not _COURTESY.match(sentence.group().strip()):
            break
        if asks_something(sentence.group()):
            break
        taken.append(sentence.group().strip())
        rest = rest[sentence.end() :].lstrip()
    if not taken or not rest:
        return text.strip(), ""
    return (f"{head}\n\n{rest}" if head else rest), " ".join(taken)


# A help desk's title line over the message it heads: "Ticket TCK-1112, reply from customer",
# "Ticket #4821 · priority high", "Case 3312". It names the ticket, not the ask; left in, its
# "ticket" routed the message to support ("Ticket TCK-1140 / Internal: pls check whether
# DEP-1055 broke the dashboard …"), or it was cut off as a support part of its own.
# An email pasted with its subject header ("Subject: Re: Invoice question", "Subject: Fwd: status
# page") is titled the same way: the subject says what the mail is about, and cut off as a part
# of its own it was routed by its words ("status page" to content).
_TITLE = re.compile(
    r"^\s*(?:(?:ticket|case|tkt)\s*[#:]?\s*[\w-]*\d[\w-]*\b[^\n?]{0,60}|subject:[^\n?]{1,80})$",
    re.I,
)


# A help desk's title line may open with the record's id instead of a word for it, set off by a
# bracket or a separator: "TCK-1118 | Priority: High", "[TCK-1139] Export stuck at 99%",
# "TCK-1126 — Marketing request", "TCK-1099 (internal)". Which ids there are is the team's
# (`Team.entities`); an id that starts a sentence ("INV-1170 wrong amount. fix pls") has no
# separator after it and is not a title.
_ID_TITLE = (
    r"^\s*(?:\[\s*(?:{ids})\s*\]|(?:{ids})(?=\s*(?:[|:(\u2014\u2013]|-\s|$)))[^\n?]{{0,80}}$"
)
# A field line under such a title ("Reported by: CUS-1008", "Priority: High"): short, one value.
_FIELD = re.compile(r"^\s*[A-Za-z][\w ]{0,20}:\s*[^\s.!?][^\n.!?]{0,39}$")


def ticket_title(text: str, ids: str | None = None) -> tuple[str, str]:
    """`text` without the ticket title line that opens it, and the line ("" and `text` when
    there is none, or nothing under it). `ids`, a pattern of the team's record ids, also reads
    a line that opens with an id and a separator as a title, with the field lines under it."""
    first, _, rest = text.strip().partition("\n")
    by_id = ids is not None and re.match(_ID_TITLE.format(ids=ids), first) is not None
    if not (_TITLE.match(first) or by_id) or not rest.strip() or asks_something(first):
        return text.strip(), ""
    title = [first.strip()]
    while by_id:
        line, _, after = rest.partition("\n")
        if not _FIELD.match(line) or not after.strip() or asks_something(line):
            break
        title.append(line.strip())
        rest = after
    return rest.strip(), "\n".join(title)


# A greeting that opens a line, the message going on after its comma: "Hi Priya, sorry …"
# (the pattern, for `segmenting`'s rules that read what follows a greeting).
INLINE_GREETING = r"(?:hi|hello|hey|dear)\b[^,\n]{0,30},\s+"
_INLINE_GREETING = re.compile(INLINE_GREETING, re.IGNORECASE)


def greeting(text: str) -> tuple[str, str]:
    """The greeting line that opens `text` on its own ("Hi,", "Dear ringmaster team,") and the
    rest; "" and `text` when there is none."""
    lines = text.strip().splitlines()
    if len(lines) > 1 and _GREETING.match(lines[0]):
        return lines[0].strip(), "\n".join(lines[1:]).lstrip()
    return "", text.strip()


def opening_statements(text: str) -> list[tuple[str, str]]:
    """The statements that open `text`, each with what follows it: (sentence, rest) for its
    first sentence, its second, … as long as each asks nothing (no question, no request word)
    and something is left after it. A reply under a quote often opens so, about the quoted ask
    ("Refund went through, thanks.", "Billing handled the cancellation yesterday.",
    "Perfect."); whether a statement is such an acknowledgement, and whether the rest stands
    without it, the planner judges (`segmenting.Segmenter`)."""
    out: list[tuple[str, str]] = []
    rest = text.strip()
    while True:
        sentence = _SENTENCE.match(rest)
        if sentence is None or asks_something(sentence.group()):
            return out
        rest = rest[sentence.end() :].strip()
        if not rest:
            return out
        out.append((sentence.group().strip(), rest))


# A part that is only a courtesy: "thx for the quick fix!", "thanks again", "much appreciated",
# or a closing that asks to hear back ("… and keep me posted."): its words route to a person, and
# cut off it escalated a part of a one-part request (demo-team-dev8).
_COURTESY_PART = re.compile(
    r"^\W*(?:(?:many\s+)?thank(?:s|\s+you)|thx|ty|tysm|much\s+appreciated|"
    r"appreciate\s+(?:it|that|this|the|your)|(?:many\s+)?apologies\s+for|sorry\s+for|"
    r"keep\s+(?:me|us)\s+(?:posted|updated|in\s+the\s+loop)(?=\W*$))\b",
    re.IGNORECASE,
)


def is_courtesy(part: str) -> bool:
    """True for a candidate part that only thanks, apologises or hopes, and asks nothing ("close
    TCK-1108 pls, customer confirmed login works. also thx for the quick fix!"): its words
    route it ("fix" to content), but it is no request; the planner glues it to its neighbour as
    it does an FYI note (`segmenting.note_cuts`)."""
    return _COURTESY_PART.match(part) is not None and not asks_something(part)
