"""Synthetic requests from a team's own examples, to learn where one request ends and the next
begins (`graph/planner/cutter.py`).

Multi-part requests are made the way multi-intent benchmarks are built: two or three examples of
different labels joined with varied connectors ("and", "then", ". Also,", ";", a new line, ", but
first", ". Before that,", " -> " …), the later ones often opening with a sequence word ("after
that", "once that's done") or referring back to the earlier part ("it", "that one", "that
customer"). One-part requests are the examples as they are, and some with conversational padding
around them ("Hi, quick question.", "Can you help me with that?"), so sentences that say nothing
new stay with the request they belong to.

Requests do not all come in the examples' voice, so a share of both kinds is recast (`voice`):
as an email (a greeting line, sometimes an opening courtesy or a sentence of context, a sign-off
and a name on lines of their own), as a chat message (lower case, a support desk's shorthand,
"tix", "inv", "acct", "n" for "and"; its asks joined by "n", "&", "+" or a bare "pls", a third
typed as one run with no full stop anywhere), or
as a ticket (quoted history: "> " lines of an earlier message about the same thing, then a note),
or as a reply under an earlier ask of another label, quoted ("> On Tue, … wrote:") and answered
already ("Thanks, that worked. Now …"). The envelope belongs to the request next to it, so the
cutter learns to keep greetings, sign-offs, context and quoted history about the same thing with
it, and to cut an answered ask from the newest message (the planner then routes only that: see
`graph/planner/quoting.py`); a request quoted whole under a note that asks nothing new
("Forwarding this to the right team.") is one request; several sentences about one thing (two
examples of the same label in a row) are one request too.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ringmaster.graph.planner.scoring import HUMAN

# Between two requests; `{}` is where the later request goes. Sentence-level joins keep the later
# request's capital letter, the rest lower-case its first letter.
_JOINS: tuple[tuple[str, bool], ...] = (
    (" and {}", False),
    (", and {}", False),
    (" and also {}", False),
    (", then {}", False),
    (" then {}", False),
    (" and then {}", False),
    ("; {}", False),
    (", {}", False),
    (" & {}", False),
    (", plus {}", False),
    (". {}", True),
    (". Also, {}", False),
    (". Then {}", False),
    (". After that, {}", False),
    (". Once that's done, {}", False),
    (". Oh and {}", False),
    (". Next, {}", False),
    ("\n{}", True),
    (". Another thing: {}", False),
    ("! {}", True),
    (". Separately, {}", False),
    (". In addition, {}", False),
    (". Second, {}", False),
    (". One more thing: {}", False),
    (". Unrelated, but {}", False),
    (". While you're at it, {}", False),
    (" and while you're at it, {}", False),
    ("; after that, {}", False),
    (", and once that's done, {}", False),
    (". Additionally, {}", False),
    ("\n\nAlso, {}", False),
    (" / {}", False),
    ("; also {}", False),
    # Order words that put the later request first ("…, but first …"), and shorthand arrows.
    (", but first {}", False),
    (" but first {}", False),
    ("; before that, {}", False),
    (". Before that, {}", False),
    (", but before that {}", False),
    (" -> {}", False),
    # Chat asides and line breaks without a full stop ("… btw whats …", "…\noh and …").
    (" btw {}", False),
    (". btw {}", False),
    (", oh and {}", False),
    ("? oh and {}", False),
    ("\noh and {}", False),
    ("\nalso {}", False),
    ("\n{}", False),
)
# Shares of chat messages with @mentions, and of tickets forwarded under a header block instead
# of quoted history.
MENTION_SHARE = 0.15
# Share of one-part requests and of joins given a sentence of a manager's context first.
CONTEXT_SHARE = 0.15
FORWARD_SHARE = 0.2
_PREFIXES = ("Hi, ", "Hey, ", "Hello. ", "Quick question. ", "I need some help. ", "Hi there! ")
_SUFFIXES = (
    " Thanks!",
    " Can you help me with that?",
    " Please let me know.",
    " Thank you.",
    " Any ideas?",
    " Can you check on this for me?",
)
_NOUN_PHRASE = re.compile(r"\b(?:the|my|our|your|this|that|a|an) ([a-z][a-z'-]+)\b", re.IGNORECASE)
_REFERENCES = ("it", "that", "that one", "them", "that {}", "the same {}", "this {}")


@dataclass(frozen=True)
class Synthetic:
    """A synthetic request: its text, the span of each piece, and each piece's label."""

    text: str
    spans: tuple[tuple[int, int], ...]
    labels: tuple[str, ...]

    def real_cut(self, i: int, j: int) -> bool:
        """Whether pieces i and j are different requests (routed to different labels)."""
        return self.labels[i] != self.labels[j]


_GREETINGS = (
    "Hi,",
    "Hello,",
    "Hi team,",
    "Hello all,",
    "Dear team,",
    "Good morning,",
    "Hey there,",
    "Hi {name},",
    "Dear colleagues,",
)
_COURTESIES = (
    "I hope you're well.",
    "Hope all is good on your side.",
    "I hope this is the right place to ask.",
    "Sorry to bother you again.",
    "Writing on behalf of my team.",
)
_CONTEXT = (
    "I've copied my manager on this.",
    "My colleague in finance is in cc.",
    "We're a team of about twenty people.",
    "I'm covering for a colleague this week.",
    "This is for a client call tomorrow.",
    "A rough figure is enough for now.",
    "Bullet points are fine.",
    "No need for anything polished.",
    "Keep it brief, please.",
    "No rush, end of the week is fine.",
    "Happy to jump on a call if that helps.",
    "Our renewal is coming up soon.",
    "This came up in our weekly meeting.",
    "The details are in the thread below.",
    "This started this morning.",
    "It has been like this since Monday.",
    "We haven't changed anything on our side.",
    "It's fairly urgent for us.",
    "The customer followed up again today.",
    "Nothing fancy.",
    "Same format as last time is fine.",
    "I'd like this before Friday if possible.",
    "Let me know if you need anything else from me.",
    "More details below if needed.",
)
_SIGNOFFS = (
    "Thanks,",
    "Thank you,",
    "Best,",
    "Best regards,",
    "Kind regards,",
    "Cheers,",
    "Many thanks,",
    "Regards,",
    "Thanks in advance,",
    "All the best,",
)
_NAMES = ("Anna", "Ben Carter", "Chloe", "Dev Patel", "Elena M.", "Farid", "Grace Liu", "Hugo")
# A line under the name: a role, a company, or both.
_TITLES = (
    "Office Manager",
    "Head of Operations, Kestrel Labs",
    "Northwind Traders",
    "Finance Team",
    "CTO | Bluefin Analytics",
    "Customer Success, Orbit Inc.",
)
# Greetings that name the team the writer thinks they are writing to.
_TEAM_GREETINGS = ("Hi {} team,", "Hello {},", "Dear {} team,", "Hi {} folks,")
_NOTES = (
    "Customer followed up again today.",
    "Agent note: still waiting on this.",
    "Forwarding this to the right team.",
    "Bumping this, no answer yet.",
    "Re: the thread above.",
    "",
)
_CHAT_TAILS = (
    "ty",
    "no rush",
    "rough numbers ok",
    "lmk",
    "asap if u can",
    "thx in advance",
    "need it for a meeting",
    "same as usual",
    "cc my manager",
    "short pls",
    "🙏",
    "thx 👍",
)
_SHORTHAND = (
    (r"\byou\b", "u"),
    (r"\bplease\b", "pls"),
    (r"\bthanks\b", "thx"),
    ("'", ""),
    # A support desk's shorthand ("chk the tix abt CUS-1 n refund the inv"): "n" for "and"
    # inside one ask, so the cutter also learns the "n" that joins nothing.
    (r"\btickets?\b", "tix"),
    (r"\binvoice\b", "inv"),
    (r"\baccount\b", "acct"),
    (r"\bcustomers\b", "custs"),
    (r"\bcustomer\b", "cust"),
    (r"\bcheck\b", "chk"),
    (r"\babout\b", "abt"),
    (r"\bwith\b", "w/"),
    (r"\band\b", "n"),
    (r"\bright now\b", "rn"),
    (r"\bversion\b", "ver"),
    (r"\bthe ", ""),
)
# What joins two asks in chat, in place of the join's connector: "n", "&", "+", a bare "pls"
# that opens the next ask, a comma, a slash, a new line.
CHAT_JOIN_SHARE = 0.5
_CHAT_JOINS = (
    " n ",
    " n ",
    " & ",
    " + ",
    " pls ",
    " n pls ",
    " n also ",
    " also pls ",
    ", ",
    " / ",
    "\n",
)
# Share of chat messages typed as one run: no full stop or question mark anywhere.
RUN_ON_SHARE = 0.3
_STOPS = re.compile(r"[.?!]+(?=\s|$)")


def _refer(text: str, rng: random.Random) -> str:
    """The later request leaning on the earlier one: a noun phrase becomes a reference."""
    m = _NOUN_PHRASE.search(text)
    if m is None:
        return text
    ref = rng.choice(_REFERENCES).format(m.group(1))
    return text[: m.start()] + ref + text[m.end() :]


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


_ORDINALS = (". Second, {}", ". Third, {}", ". Finally, {}")
# Three or more requests in one sentence usually come as a list: "A, B, and C" / "A, B and C".
_SERIES = ((", {}", ", and {}"), (", {}", " and {}"), (", {}", ", then {}"))


def join(pieces: Sequence[tuple[str, str]], rng: random.Random) -> Synthetic:
    """Join (text, label) pieces into one request with varied connectors and references."""
    series = rng.choice(_SERIES) if len(pieces) > 2 and rng.random() < 0.3 else None
    # "First, … Second, … Third, …": the ordinals say where each request starts.
    ordinal = series is None and rng.random() < 0.08
    text = ""
    spans: list[tuple[int, int]] = []
    for k, (raw, _) in enumerate(pieces):
        piece = raw.strip()
        if k == 0:
            text = "First, " + _lower_first(piece) if ordinal else piece
            spans = [(0, len(text))]
            continue
        if rng.random() < 0.35:
            piece = _refer(piece, rng)
        if ordinal:
            template, sentence = _ORDINALS[min(k, len(_ORDINALS)) - 1], False
        elif series is not None:
            template, sentence = series[0] if k < len(pieces) - 1 else series[1], False
        else:
            template, sentence = rng.choice(_JOINS)
        if not sentence:
            piece = _lower_first(piece)
        if template[0] in ".!" and text.endswith(("?", ".", "!")):
            template = " " + template[2:]  # the earlier request brings its own full stop
            head = text
        elif template[0] in ".!\n":
            head = text
        else:  # inside one sentence: no full stop before "and …"
            head = text.rstrip(".!?")
        spans = [(s, min(e, len(head))) for s, e in spans]
        before, after = template.split("{}")
        start = len(head) + len(before)
        text = head + before + piece + after
        spans.append((start, start + len(piece)))
    return Synthetic(text, tuple(spans), tuple(label for _, label in pieces))


_LEADS = (
    "",
    "",
    "A few things:",
    "Two things:",
    "pls:",
    "Todo for today:",
    "Could you:",
    "Quick list",
)
_BULLETS = ("- {}", "* {}", "{n}. {}", "{n}) {}", "• {}", "👉 {}", "- [ ] {}", "({a}) {}")


def listed(pieces: Sequence[tuple[str, str]], rng: random.Random) -> Synthetic:
    """Pieces as a list: one item a line ("- …", "1. …") or numbered inline ("1) … 2) …"),
    maybe after a lead-in, which belongs to the first item."""
    lead = rng.choice(_LEADS)
    bullet = rng.choice(_BULLETS)
    inline = ("{n}" in bullet or "{a}" in bullet) and rng.random() < 0.4
    text = lead
    spans: list[tuple[int, int]] = []
    for k, (raw, _) in enumerate(pieces):
        item = raw.strip()
        sep = (" " if text else "") if inline else ("\n" if text else "")
        start = 0 if k == 0 else len(text) + len(sep)
        marked = bullet.format(item, n=k + 1, a="abcdefgh"[k])
        text += sep + marked
        spans.append((start, len(text)))
    return Synthetic(text, tuple(spans), tuple(label for _, label in pieces))


def pad(text: str, label: str, rng: random.Random) -> Synthetic:
    """One request with conversational padding before or after it."""
    text = text.strip()
    if rng.random() < 0.5:
        full = rng.choice(_PREFIXES) + text
    else:
        full = (text if text.endswith(("?", ".", "!")) else text + ".") + rng.choice(_SUFFIXES)
    return Synthetic(full, ((0, len(full)),), (label,))


def _shift(spans: Sequence[tuple[int, int]], by: int) -> list[tuple[int, int]]:
    return [(s + by, e + by) for s, e in spans]


def email(row: Synthetic, rng: random.Random) -> Synthetic:
    """`row` as an email: greeting, maybe a courtesy or context, the body, sign-off and name.
    The greeting and courtesy belong to the first piece, context and sign-off to the last."""
    greeting = rng.choice(_GREETINGS).format(name=rng.choice(_NAMES).split()[0])
    if row.labels[0] != HUMAN and rng.random() < 0.2:
        greeting = rng.choice(_TEAM_GREETINGS).format(row.labels[0])
    head = greeting + "\n\n"
    if rng.random() < 0.4:
        head += rng.choice(_COURTESIES) + " "
    if rng.random() < 0.2:
        head += rng.choice(_CONTEXT) + " "
    body = row.text if row.text.endswith((".", "?", "!")) else row.text + "."
    tail = ""
    if rng.random() < 0.4:
        tail += " " + rng.choice(_CONTEXT)
    tail += "\n\n" + rng.choice(_SIGNOFFS) + "\n" + rng.choice(_NAMES)
    if rng.random() < 0.25:
        tail += "\n" + rng.choice(_TITLES)
    text = head + body + tail
    spans = _shift(row.spans, len(head))
    spans[0] = (0, spans[0][1])
    spans[-1] = (spans[-1][0], len(text))
    return Synthetic(text, tuple(spans), row.labels)


def chat(row: Synthetic, rng: random.Random) -> Synthetic:
    """`row` as a chat message: lower case, shorthand, no closing full stop. Each piece is
    recast on its own so the spans stay where they are (up to the shortening)."""
    text, pos = "", 0
    spans: list[tuple[int, int]] = []
    # Addressed the way chat tools do it ("@billing refund …"), now and then: the mention
    # belongs to the piece it opens.
    mention = rng.random() < MENTION_SHARE
    rejoin = rng.random() < CHAT_JOIN_SHARE
    run_on = rng.random() < RUN_ON_SHARE
    for (s, e), label in zip(row.spans, row.labels, strict=True):
        between = row.text[pos:s].lower()
        if rejoin and spans and "\n" not in between:  # a join's connector, not a list's
            between = rng.choice(_CHAT_JOINS)
        text += _STOPS.sub("", between) if run_on else between
        piece = row.text[s:e].lower()
        if run_on:
            piece = _STOPS.sub("", piece)
        if mention and label != HUMAN:
            piece = "@" + label.lower().replace(" ", "-") + " " + piece
        for pattern, short in _SHORTHAND:
            if rng.random() < 0.5:
                piece = re.sub(pattern, short, piece)
        spans.append((len(text), len(text) + len(piece)))
        text += piece
        pos = e
    text += row.text[pos:].lower()
    stripped = text.rstrip(".!")
    if rng.random() < 0.2:  # an afterthought about the last request, which it belongs to
        stripped += rng.choice((". ", " ", ", ")) + rng.choice(_CHAT_TAILS)
        spans[-1] = (spans[-1][0], len(stripped))
    spans[-1] = (spans[-1][0], min(spans[-1][1], len(stripped)))
    return Synthetic(stripped, tuple(spans), row.labels)


def ticket(row: Synthetic, quoted: Sequence[str], rng: random.Random) -> Synthetic:
    """`row` under quoted history: earlier messages (about the first piece's subject) as "> "
    lines, maybe a note, then the request. All of it belongs to the first piece."""
    lines = "\n".join("> " + q.strip() for q in quoted)
    note = rng.choice(_NOTES)
    head = lines + "\n\n" + (note + " " if note else "")
    spans = _shift(row.spans, len(head))
    spans[0] = (0, spans[0][1])
    return Synthetic(head + row.text, tuple(spans), row.labels)


_WROTE = (
    "On Tue, 2 Dec, {} wrote:",
    "On Mon, 1 Dec 2026 at 09:14, {} wrote:",
    "{} wrote:",
    "-----Original Message-----\n> From: {}",
    "On Friday, {} wrote:",
)
# The newest message opens by closing the earlier ask ("thanks, that worked"), then asks anew.
_ANSWERED = (
    "Thanks, that worked.",
    "Great, thanks.",
    "Perfect, thank you.",
    "That's sorted now, thanks.",
    "Thanks, all done on that one.",
    "Got it, thanks.",
    "",
    "",
)
# … or by naming what it was about ("Thanks, the refund came through.").
_ANSWERED_ABOUT = (
    "Thanks, the {} came through.",
    "The {} is sorted, thank you.",
    "Thanks for the {}.",
    "{} done, thanks.",
    "Great, the {} looks right now.",
)
_ANEW = ("One last thing: ", "Now ", "Next: ", "Another question: ", "Also, ", "", "", "")
# A note that forwards the quoted ask without asking anything of its own.
_FORWARDS = (
    "Forwarding this to the right team.",
    "Bumping this, still no answer.",
    "Any update on this?",
    "Customer asked again today.",
    "Still waiting on this one.",
    "Re: the thread above, please pick this up.",
    "FYI, see above.",
)
# A forwarded mail's header block, unquoted, under a note ("FYI, see below.").
_FORWARD_HEADERS = (
    "---------- Forwarded message ----------\nFrom: {name}\nSubject: {subject}",
    "-----Original Message-----\nFrom: {name}\nSubject: {subject}",
    "Begin forwarded message:\n\nFrom: {name}\nSubject: {subject}",
)
_FYI = (
    "FYI, see below.",
    "FYI",
    "FYI, forwarding from the customer:",
    "Forwarding, see below.",
    "",
)


def _quoted(texts: Sequence[str], rng: random.Random) -> str:
    """Earlier messages as quoted lines under an attribution ("On Tue, … wrote:")."""
    head = rng.choice(_WROTE).format(rng.choice(_NAMES))
    lines = [head, *(q.strip() for q in texts)]
    return "\n".join("> " + ln for ln in lines)


def reply(row: Synthetic, earlier: tuple[str, str], rng: random.Random) -> Synthetic:
    """`row` as a reply under the quoted history of an earlier ask (another label's, answered
    already): a piece of its own, a different request from the newest message's, which is
    what is asked now."""
    head = _quoted([earlier[0]], rng) + "\n\n"
    about = _NOUN_PHRASE.search(earlier[0])
    if about is not None and rng.random() < 0.5:
        opener = rng.choice(_ANSWERED_ABOUT).format(about.group(1))
        opener = opener[0].upper() + opener[1:]
    else:
        opener = rng.choice(_ANSWERED)
    opener = opener + " " if opener else ""
    anew = rng.choice(_ANEW)
    body = row.text
    if anew:
        body = anew + _lower_first(body)
    start = len(head)
    shift = start + len(opener) + len(anew)
    spans = [(start, shift + row.spans[0][1]), *_shift(row.spans[1:], shift)]
    text = head + opener + body
    if rng.random() < 0.4:  # the newest message alone, as the planner sees it once it is cut
        return Synthetic(text[start:], tuple(_shift(spans, -start)), row.labels)
    return Synthetic(text, ((0, len(head.rstrip())), *spans), (earlier[1], *row.labels))


def forwarded(text: str, label: str, rng: random.Random) -> Synthetic:
    """A request quoted whole under a note that asks nothing new: one request, the quoted one."""
    full = _quoted([text], rng) + "\n\n" + rng.choice(_FORWARDS)
    return Synthetic(full, ((0, len(full)),), (label,))


def _forward_header(text: str, rng: random.Random) -> str:
    """An "FYI" note and a forwarded mail's header block for `text` (its subject from it)."""
    about = _NOUN_PHRASE.search(text)
    subject = about.group(1).capitalize() if about else "Quick question"
    fyi = rng.choice(_FYI)
    header = rng.choice(_FORWARD_HEADERS).format(name=rng.choice(_NAMES), subject=subject)
    return (fyi + "\n\n" if fyi else "") + header


def forward_note(row: Synthetic, rng: random.Random) -> Synthetic:
    """`row` forwarded under an "FYI" and a header block: the envelope belongs to the first
    piece, the asks are the row's own."""
    head = _forward_header(row.text, rng) + "\n\n"
    spans = _shift(row.spans, len(head))
    spans[0] = (0, spans[0][1])
    return Synthetic(head + row.text, tuple(spans), row.labels)


# A manager's context before the ask: a sentence about another agent's matter that asks nothing
# ("The api had an outage at noon, INC-1012. Please write a status page update about it."). The
# matter is a phrase of one of that agent's examples ("the api deployment in production", an id).
_BACKGROUND = (
    "We had some trouble with {} this week.",
    "{} came up in this morning's meeting.",
    "Some background: the customer brought up {} on our call.",
    "There has been a lot of back and forth about {}.",
    "Our biggest customer was unhappy about {} yesterday.",
    "{} has been a problem since Monday.",
    "Their team noticed something odd with {} last week.",
    "Last month we sorted out {} for them.",
)
_MATTER = re.compile(r"\b(?:the|my|our|your|their|this|that) ((?:[\w'-]+ ?){1,5})", re.IGNORECASE)
_ID = re.compile(r"\b[A-Z]{2,4}-\d{3,5}\b")


def _matter(text: str) -> str | None:
    """What an example is about, as a phrase to tell as context: "the …" or the id it names."""
    found = _MATTER.search(text)
    if found is not None and len(found.group(1).split()) >= 2:
        return "the " + found.group(1).strip()
    named = _ID.search(text)
    return named.group() if named is not None else None


def with_context(
    row: Synthetic, by_label: Mapping[str, Sequence[str]], rng: random.Random
) -> Synthetic:
    """`row` after a sentence of context about another label's matter, which asks nothing and
    belongs to the first piece: the cutter learns that a manager's background is no request."""
    others = [lab for lab in sorted(by_label) if lab not in row.labels and lab != HUMAN]
    if not others:
        return row
    matter = _matter(rng.choice(list(by_label[rng.choice(others)])))
    if matter is None:
        return row
    context = rng.choice(_BACKGROUND).format(matter)
    head = context[0].upper() + context[1:] + rng.choice((" ", " ", "\n\n"))
    spans = _shift(row.spans, len(head))
    spans[0] = (0, spans[0][1])
    return Synthetic(head + row.text, tuple(spans), row.labels)


def same_subject(texts: Sequence[str], label: str) -> Synthetic:
    """Several sentences about one thing: examples of one label in a row, one request."""
    pieces = [t.strip() for t in texts]
    text = " ".join(p if p.endswith((".", "?", "!")) else p + "." for p in pieces)
    return Synthetic(text, ((0, len(text)),), (label,))


def _single(
    text: str, label: str, by_label: Mapping[str, Sequence[str]], rng: random.Random
) -> Synthetic:
    """One request: the example, or it and another of its label as sentences about one thing."""
    if rng.random() < 0.3 and len(by_label[label]) > 1:
        return same_subject([text, rng.choice(list(by_label[label]))], label)
    return Synthetic(text.strip(), ((0, len(text.strip())),), (label,))


def voice(
    row: Synthetic,
    by_label: Mapping[str, Sequence[str]],
    rng: random.Random,
    *,
    always: bool = False,
) -> Synthetic:
    """`row` recast as an email, a chat message or a ticket, or (unless `always`: a repeat of
    a one-part request stays one) as a reply under another label's answered ask, or left as it
    is."""
    r = rng.random() * (0.65 if always else 1.0)
    if r < 0.3:
        return email(row, rng)
    if r < 0.5:
        return chat(row, rng)
    if r < 0.65:
        pool = [t for t in by_label.get(row.labels[0], ()) if t.strip()]
        if pool and rng.random() < FORWARD_SHARE:
            return forward_note(row, rng)
        if pool:
            return ticket(row, rng.sample(pool, min(len(pool), rng.choice((1, 1, 2)))), rng)
    if r < 0.8:
        others = [lab for lab in by_label if lab not in row.labels and by_label[lab]]
        if others:
            lab = rng.choice(others)
            return reply(row, (rng.choice(list(by_label[lab])), lab), rng)
    return row


def synthesise(
    by_label: Mapping[str, Sequence[str]],
    *,
    singles: int,
    pairs: int,
    triples: int,
    rng: random.Random,
    human_share: float = 1 / 3,
) -> list[Synthetic]:
    """One-part requests (as written and padded) and joins of two and three labels' examples."""
    labels = sorted(lab for lab, texts in by_label.items() if texts)
    pool = [(t, lab) for lab in labels for t in by_label[lab]]
    out: list[Synthetic] = []
    if not pool:
        return out
    # Examples (up to `singles`) once, then more draws of them in other voices until there are
    # `singles`: with only one draw each, a small team's one-part requests were a tenth of the
    # joins, and the cutter learned that a candidate cut is usually real, which it is not in
    # real traffic.
    chosen = rng.sample(pool, min(singles, len(pool)))
    chosen += [rng.choice(pool) for _ in range(max(0, singles - len(pool)))]
    for n, (t, lab) in enumerate(chosen):
        if n >= len(pool):  # a repeat: only a recast version adds anything new
            out.append(voice(_single(t, lab, by_label, rng), by_label, rng, always=True))
            continue
        out.append(Synthetic(t.strip(), ((0, len(t.strip())),), (lab,)))
        if rng.random() < 0.4:
            out.append(pad(t, lab, rng))
        if rng.random() < 0.05:
            out.append(forwarded(t, lab, rng))
        if rng.random() < 0.5:
            out.append(voice(_single(t, lab, by_label, rng), by_label, rng))
        if lab != HUMAN and rng.random() < CONTEXT_SHARE:
            out.append(with_context(_single(t, lab, by_label, rng), by_label, rng))
    for n, count in ((2, pairs), (3, triples)):
        if len(labels) < n:
            continue
        for _ in range(count):
            picked = rng.sample(labels, n)
            # Envelope text (greetings, context, sign-offs) looks like a person's more often
            # than a second, out-of-scope request rides along with an agent's: joins carry a
            # person's piece a third as often as another label's.
            while HUMAN in picked and len(labels) > n and rng.random() > human_share:
                picked = rng.sample(labels, n)
            pieces = [(rng.choice(list(by_label[lab])), lab) for lab in picked]
            row = listed(pieces, rng) if rng.random() < 0.1 else join(pieces, rng)
            if HUMAN not in picked and rng.random() < CONTEXT_SHARE:
                row = with_context(row, by_label, rng)
            out.append(voice(row, by_label, rng) if rng.random() < 0.5 else row)
    return out
