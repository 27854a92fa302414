"""An email's envelope: the courtesies that open it, and the sign-off and signature under it;
a ticket's title line.

"Kind regards," / "Thanks!" with the writer's name, title and company on the lines under it say
who wrote, never what is asked. Left in, they are cut into candidate parts that the classifier
routes by their words (a company name in a signature to legal, "Cheers / Marta" to analytics)
and that the cutter must glue back, and the request's whole-text scores carry them too. The
planner splits and routes the message without its sign-off, and the sign-off goes back on the
last subtask, so an agent still reads the name and an id in a signature ("Claire / CUS-1031").

Only lines of their own are taken, and only when they ask nothing ("Thanks, and please close
TCK-1 too" stays in the message). A greeting line that names an agent ("Hi analytics folks,")
is left in, as it addresses the ask; one that names none ("Good morning,") is taken off by the
planner (`graph/planner/local.py`) and goes back on the first subtask, as its words routed
("morning" to a person; the envelope_mutations benchmark's `email` kind). Once, taken off
every request, it let the cutter cut a sentence of context under it into a part for a person
(demo-team-dev lost a one-part email); routing_seeds held with it taken off (route36).

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
from dataclasses import dataclass

from ringmaster.graph.planner.no_ask import asks_something
from ringmaster.graph.planner.splitter import is_list_item
from ringmaster.graph.pleasantries import THANKS
from ringmaster.stop_words import ENGLISH_STOP_WORDS

# Greetings and closings in the languages a customer abroad opens and signs an English mail with
# ("Hallo Team,", "Bonjour,", "Viele Grüße,", "Cordialement,", "Saludos,"): they say who wrote,
# as "Hi," and "Regards," do.
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|dear|greetings|good\s+(?:morning|afternoon|evening|day)"
    r"|hallo|guten\s+(?:tag|morgen|abend)|liebe[rs]?|sehr\s+geehrte[rs]?|moin|servus"
    r"|bonjour|bonsoir|salut|cher|ch[eè]re|hola|buen[oa]s\s+(?:d[ií]as|tardes)|estimad[oa]s?"
    r"|ciao|buongiorno|gentil[ei]|ol[aá]|bom\s+dia|hoi|goedemorgen)\b[^\n]{0,60}$",
    re.IGNORECASE,
)

_CLOSING = re.compile(
    rf"^\s*(?:{THANKS}|best|regards|kind\s+regards|"
    r"best\s+regards|with\s+(?:best|kind|warm)\s+regards|warm\s+regards|warmest\s+regards|best\s+wishes|all\s+the\s+best|"
    r"sincerely|yours\s+(?:sincerely|faithfully|truly)|respectfully|speak\s+soon|talk\s+soon|"
    r"(?:mit\s+)?(?:freundlichen|besten|herzlichen|viele|liebe|beste)\s+gr(?:ü|ue)(?:ß|ss)en?|"
    r"gr(?:ü|ue)(?:ß|ss)e|(?:lg|mfg)(?=\s*,?\s*$)|danke(?:\s+schön)?|vielen\s+dank|cordialement|"
    r"bien\s+(?:cordialement|à\s+vous)|merci(?:\s+beaucoup)?|bonne\s+journée|saludos|"
    r"un\s+saludo|atentamente|(?:muchas\s+)?gracias|cordiali\s+saluti|saluti|grazie|"
    r"met\s+vriendelijke\s+groet|groeten|bedankt|atenciosamente|obrigad[oa])"
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
    # a legal notice speaks of the message's sender or recipient, or forbids its use, however
    # it words it ("Disclaimer: this message may contain confidential information. If you
    # received it by mistake, please let the sender know …")
    r"|(?=[\s\S]*\b(?:confidential|privileged|disclaimer))(?=[\s\S]*\b(?:intended\s+"
    r"(?:solely\s+|only\s+)?for|addressee|recipient|sender|received\s+(?:this|it)\b"
    r"|prohibited)))",
    re.IGNORECASE,
)
# A paragraph in another language under an English message: a company's notice in its own
# language ("Diese E-Mail enthält vertrauliche Informationen …", "Ce message et ses pièces
# jointes sont confidentiels …"): one of many words whose function words are another
# language's more than English's (English prose is a third to a half English stop words).
# Few English stop words alone do not make one: chat shorthand has neither kind ("INV-1150
# wrong amount customer charged twice pls refund asap escalate billing dispute urgent thx" is
# an ask, not a notice).
_FOREIGN_WORDS = 12
_FOREIGN_SHARE = 0.1
# The commonest function words of the languages whose greetings and closings `_GREETING` and
# `_CLOSING` read (German, French, Spanish, Italian, Dutch, Portuguese), none of them an English
# word a shorthand line would use ("die", "do", "no", "um", "met", "per", "non" left out).
_FOREIGN_STOP_WORDS = frozenset(
    """der das und ist nicht sie ich es den dem des ein eine einer zu mit auf für von sich wenn
    auch oder aber wir ihr dieser diese bitte le la les du et une pour que qui dans vous nous
    sur avec ce cette sont ou leur el los las del y una para en por su sus este esta usted
    il di che è della sono questo gli het een en dat voor zijn niet deze uw os uma não seu sua
    com da""".split()
)


def _foreign(paragraph: str) -> bool:
    words = re.findall(r"[^\W\d_]+", paragraph.lower())
    if len(words) < _FOREIGN_WORDS:
        return False
    english = sum(w in ENGLISH_STOP_WORDS for w in words)
    other = sum(w in _FOREIGN_STOP_WORDS for w in words)
    return other >= _FOREIGN_SHARE * len(words) and other > english


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
    text = paragraph.strip().removeprefix("--").strip()
    return _NOTICE.match(text) is not None or _foreign(text)


def sign_off(text: str) -> tuple[str, str]:
    """`text` without its sign-off block and any notice under it (`notice`), and the block ("" and
    `text` when there is none); a closing courtesy over the sign-off goes with it
    (`closing_courtesy`)."""
    text, notes = notice(text)
    body, block = _sign_off(text)
    body, closing = closing_courtesy(body)
    return body, "\n\n".join(b for b in (closing, block, notes) if b)


# The courtesies that close a mail and ask nothing: thanks, an offer to explain or to talk, a
# wish for the weekend ("Appreciate the help, shout if you have any questions!", "Thanks so
# much, and let me know if you need anything else from me.", "Happy to jump on a call if that's
# easier."). "Let me know if …" and "shout if …" invite a reply; they ask for no work. Each
# clause of the closing paragraph must be one of them.
# What thanks are for: a thing ("your help", "the quick turnaround"), or a doing said with no
# more than a pronoun ("looking into this", "checking"); "thanks in advance for pulling the
# churn numbers for last quarter too" thanks for work it asks, and is an ask.
_THANKED_FOR = (
    r"(?!\w+ing\b)[^,.!?;]{1,60}"
    r"|\w+ing(?:\s+(?:into|on|at|over|up))?(?:\s+(?:this|it|that|them|these|those))?"
    r"(?:\s+(?:so\s+)?(?:quickly|fast|promptly))?(?:\s+for\s+(?:me|us))?"
)
_CLOSING_CLAUSE = re.compile(
    r"(?:and\s+|but\s+)?(?:"
    rf"(?:{THANKS})(?:\s+(?:so|very)\s+much|\s+a\s+lot|\s+again"
    rf"|\s+(?:all\s+)?in\s+advance|\s+(?:for|with)\s+(?:{_THANKED_FOR}))*"
    r"|(?:(?:much|really|greatly)\s+)?appreciated?(?:\s+(?:it|this|that|all|any|the|your)"
    r"\b[^,.!?;]{0,50})?"
    r"|(?:please\s+)?(?:let\s+(?:me|us)\s+know|shout|ping\s+(?:me|us)|give\s+(?:me|us)\s+a\s+shout"
    r"|reach\s+out|get\s+in\s+touch|drop\s+(?:me|us)\s+a\s+line)\s+if\s+"
    # "if you need anything", "if anything is unclear", not "if you can refund …" or "if the
    # refund went through", which ask
    r"(?:you\b(?!\s+(?:can|could|will|would)\b)|anything\b|there(?:'s|\s+is)\s+anything"
    r"|i\s+can\b|we\s+can\b|that(?:'s|\s+is|\s+works)\b|this\s+(?:is|isn't|works)\b"
    r"|any\s+(?:questions|issues|problems)|(?:more|further)\s+info)[^,.!?;]{0,50}"
    r"|(?:please\s+)?(?:feel\s+free|do\s+not\s+hesitate|don'?t\s+hesitate)\s+to\s+"
    r"(?:reach\s+out|ask|contact|get\s+in\s+touch|call|ping|shout)\b[^,.!?;]{0,50}"
    r"|(?:i'?m\s+|i\s+am\s+|we'?re\s+)?happy\s+to\s+(?:jump|hop|get)\s+on\s+a\s+call\b[^,.!?;]{0,50}"
    r"|(?:i'?m\s+|i\s+am\s+|we'?re\s+)?happy\s+to\s+(?:help|chat|explain|clarify|discuss)"
    r"(?:\s+(?:further|more|it|this))?"
    r"|(?:have\s+a\s+|enjoy\s+the\s+)(?:good|nice|great|lovely|wonderful)?\s*(?:day|weekend|week|evening)"
    r"|(?:i'?m\s+|we'?re\s+)?looking\s+forward\s+to\s+[^,.!?;]{1,50}"
    r")",
    re.IGNORECASE,
)


def closing_courtesy(text: str) -> tuple[str, str]:
    """`text` without the courtesy paragraph that closes it (`_CLOSING_CLAUSE`), and the
    paragraph ("" and `text` when there is none, or nothing above it)."""
    head, found, last = text.strip().rpartition("\n\n")
    if not found or not head.strip() or re.search(r"[?\d]", last):
        return text.strip(), ""
    clauses = [c for c in re.split(r"[,.!;:]+|\s+-\s+|\s+—\s+", last) if c.strip()]
    if not clauses or not all(_CLOSING_CLAUSE.fullmatch(c.strip()) for c in clauses):
        return text.strip(), ""
    return head.strip(), last.strip()


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
    rf"|(?:{THANKS})\b",
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
# A field line under a title ("Reported by: CUS-1008", "Priority: High", "Requester:
# ana@example.com"): short, one value, no sentence in it (a full stop only inside a word).
_FIELD = re.compile(r"^\s*[A-Za-z][\w ]{0,20}:\s*[^\s.!?](?:[^\n.!?]|\.(?=\w)){0,39}$")


def ticket_title(text: str, ids: str | None = None) -> tuple[str, str]:
    """`text` without the ticket title line that opens it, and the line ("" and `text` when
    there is none, or nothing under it), with the field lines under the title ("Priority:
    High", "Requester: …"). `ids`, a pattern of the team's record ids, also reads a line that
    opens with an id and a separator as a title."""
    first, _, rest = text.strip().partition("\n")
    by_id = ids is not None and re.match(_ID_TITLE.format(ids=ids), first) is not None
    if not (_TITLE.match(first) or by_id) or not rest.strip() or asks_something(first):
        return text.strip(), ""
    title = [first.strip()]
    while True:
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
    rf"^\W*(?:{THANKS}|much\s+appreciated|"
    r"appreciate\s+(?:it|that|this|the|your)|(?:many\s+)?apologies\s+for|sorry\s+for|"
    r"keep\s+(?:me|us)\s+(?:posted|updated|in\s+the\s+loop)(?=\W*$))\b",
    re.IGNORECASE,
)


def is_courtesy(part: str) -> bool:
    """True for a candidate part that only thanks, apologises or hopes, and asks nothing ("close
    TCK-1108 pls, customer confirmed login works. also thx for the quick fix!"): its words
    route it ("fix" to content), but it is no request; the planner glues it to its neighbour as
    it does an FYI note (`note_cuts.note_cuts`)."""
    return _COURTESY_PART.match(part) is not None and not asks_something(part)


# A heading over a list ("Two things for today", "Hi, a few things:", "When you get a chance:")
# announces the items and asks nothing; the items are the asks. Left in, it was cut off as a
# part for a person, or glued to the first item it took that item's words to another agent
# ("Two things for today: What was MRR …?" routed to content, then merged with the next item).
# A line that asks ("Could you:") or names a record stays: the items lean on it.
_HEADING_WORDS = 10
# The words of a heading that only announces its list: what it says of the items is that they
# follow ("a few things", "quick list", "when you get a chance", "for today").
_ANNOUNCING = frozenset(
    """thing things item items question questions request requests task tasks ask asks bit
    bits point points couple list todo todos stuff today tonight tomorrow morning afternoon
    evening chance moment minute minutes sec second time""".split()
)
_GREETING_WORDS = frozenset("hi hey hello hiya yo team all folks everyone guys please pls".split())


@dataclass(frozen=True)
class ListHeading:
    """The line that headed a list, and the first and last item lines under it as written: a
    heading that names something ("For ACME:", "Re the Jones account:") is context of every
    item it heads (`governs`); one that only announces the list ("Two things for today", "Hi,
    a few things:") says nothing an item needs."""

    text: str
    first: str
    last: str

    @property
    def governs(self) -> bool:
        words = set(re.findall(r"[a-z]+", self.text.lower()))
        return bool(words - ENGLISH_STOP_WORDS - _GREETING_WORDS - _ANNOUNCING)


def list_heading(text: str) -> tuple[str, ListHeading | None]:
    """`text` without the line that heads its list, and the line with its list (`text` and
    None when there is no list of two or more items, or the line over it asks something, names
    a record or ends a sentence)."""
    lines = text.strip().splitlines()
    items = [i for i, ln in enumerate(lines) if is_list_item(ln)]
    if len(items) < 2:
        return text.strip(), None
    above = [i for i in range(items[0]) if lines[i].strip()]
    if not above:
        return text.strip(), None
    head = lines[above[-1]].strip()
    if (
        len(head.split()) > _HEADING_WORDS
        or re.search(r"[.!?]$|\d", head)
        or asks_something(head)
        or (len(above) == 1 and _GREETING.match(head) and not head.endswith(":"))
    ):
        return text.strip(), None
    rest = lines[: above[-1]] + lines[above[-1] + 1 :]
    heading = ListHeading(head, lines[items[0]].strip(), lines[items[-1]].strip())
    return "\n".join(rest).strip(), heading
