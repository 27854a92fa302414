"""Cut a request into candidate parts, and tell whether a part refers back to earlier work.

The splitter over-segments on purpose: it cuts at every place a second task *could* start
(list items, sentences, semicolons, "then", "->", "but first", "before that", "and", "also",
"plus", "as well as", "+", "&", chat's "n", " / ", commas, a "pls" in mid-run that opens the next
ask, a "so" before a question or a plea; never inside quotes) and labels each cut as strong
or weak, and whether it orders the work ("then": the part waits for the one before it; "but
first": the one before it waits for the part). It never decides alone whether a cut is real:
"terms and conditions" and "check and fix my login" are cut here and glued back by the planner,
which keeps a cut only when both sides are requests of their own that route confidently to
different labels (see `graph/planner/segmenting.py`). `content_words` tells the planner
whether a part says anything of its own ("Can you help?" and "It's CUS-1028." do not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ringmaster.stop_words import ENGLISH_STOP_WORDS

BoundaryKind = Literal["strong", "weak"]


@dataclass(frozen=True)
class Segment:
    """One candidate part of a request, without the connector words that introduced it."""

    text: str
    boundary: BoundaryKind | None  # how it is cut from the previous segment; None for the first
    sequential: bool = False  # introduced by "then", "after that", "once that's done", ...
    joiner: str = ""  # the original text between the previous segment and this one
    # Introduced by "but first", "before that", ...: to be done before the previous segment,
    # which then waits for it (the order of the text is not the order of the work).
    precedes: bool = False


# A list item's marker: a bullet ("-", "•", an arrow or emoji such as "👉" or "✅"), a number or a
# letter ("1.", "2)", "(a)"), maybe a check box after it ("- [ ] …", "- [x] …").
_BULLET_SYMBOLS = "-*•+\u2190-\u21ff\u2022-\u2023\u25a0-\u27bf\u2b00-\u2bff\U0001f300-\U0001faff"
_LIST_ITEM = re.compile(
    rf"^\s*(?:[{_BULLET_SYMBOLS}]\ufe0f?|\d{{1,2}}[.)]|\(?[a-zA-Z]\))(?:\s+\[[ xX]?\])?\s+"
)


def is_list_item(line: str) -> bool:
    """Whether `line` opens with a list item's marker ("- ", "2) ", "(a) ", "✅ ")."""
    return _LIST_ITEM.match(line) is not None


# "1) foo 2) bar" or "(a) foo, (b) bar" on one line; the numbers (letters) must run 1, 2, 3 …
# (a, b, c …) so "ticket 4821. Then" is no list.
_INLINE_NUMBER = re.compile(r"(?:(?<=\s)|^)(?:\(?(\d{1,2})[.)]|\(([a-h])\))\s+")
# Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|vs|inc|ltd|co|corp|mr|mrs|ms|dr|no|approx|dept|st|p\.s)\.)$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")

_SEQUENCE_WORDS = (
    r"(?:and\s+)?then|after\s+that|afterwards|after\s+this|"
    r"once\s+(?:that|this|it)(?:['’]s|\s+is|\s+has\s+been)\s+(?:done|finished|complete|completed)|"
    r"when\s+(?:that|this|it)(?:['’]s|\s+is)\s+(?:done|finished|complete)|"
    r"next,|finally,"
)
# Order words that put the next part *before* the previous one ("roll back DEP-1 but first check
# the api", "Close TCK-1. Before that, credit them"). "before that" / "before this" only count
# when nothing follows them in the clause ("before that meeting" is a time, not an order word).
_PRECEDE_WORDS = (
    r"but\s+(?:first|before\s+(?:that|this|you\s+do\s+(?:that|this|it)))|"
    r"(?:but\s+)?first\s+though|"
    r"before\s+(?:that|this|you\s+do\s+(?:that|this|it)|doing\s+(?:that|this|so))(?=\s*[,;:.!?]|\s*$)"
)
# Arrows in shorthand ("rb DEP-1 -> statuspage update -> count tickets") read as "then".
_ARROW = r"->|→|=>|⇒"
# A sentence that opens by turning to another matter ("Separately, …", "Second, …", "One more
# thing: …"): the marker goes with the cut, like "then", so the part is what follows it.
# "On top of that, …", "… and on top of that, …": another ask, as "also" (inside a sentence).
_ON_TOP = r"on\s+top\s+of\s+(?:that|this|it)"
NEW_MATTER_WORDS = (
    r"separately|additionally|in\s+addition|second(?:ly)?|third(?:ly)?|lastly|besides|"
    r"unrelated(?:ly)?|on\s+another\s+note|on\s+a\s+separate\s+note|another\s+thing|"
    rf"one\s+more\s+thing|while\s+you(?:['’]re|\s+are)\s+at\s+it|p\.?s\.?|{_ON_TOP}"
)
# A postscript ("P.S. Refund INV-1 too") opens another matter with its own full stop for the
# colon: "P.S." ends no sentence (`_ABBREVIATIONS`), so it stays with the words it introduces.
_POSTSCRIPT = r"p\.\s?s\.(?=\s)"
# "… and while you're at it, …" turns to another matter inside a sentence, as "also" does.
_WHILE_AT_IT = r"while\s+(?:you(?:['’]re|\s+are)|ur|youre|u\s+are)\s+at\s+it"
# Chat asides that turn to another matter: "… btw whats the status of INC-1", "… oh and …".
_ASIDE = r"btw|by\s+the\s+way|oh\s+and(?:\s+also)?|oh\s+also"
# A clause's verb after a comma, maybe after an aside set off by commas ("Our biggest account,
# CUS-1002, is unhappy", "The web app, since the deploy, has been down"): its subject is on the
# other side, so the words after the comma are no request of their own. A question ("roll back
# DEP-1, is web ok?") is one, so it stays a cut.
_PREDICATE = r"(?:[^,.;:!?]{1,40},\s+)?(?:is|are|was|were|has|have|had)(?:n['’]t)?\b[^?]*$"
# Chat shorthand starts a second ask with nothing but its "pls" ("credit CUS-1 $30 for the
# outage pls tell them by email its done"); after a word that frames an ask ("can you pls",
# "just pls") it starts nothing (`_frames_ask`). "n" joins like "and" ("rb DEP-1 n draft a note").
_PLEA = r"(?:pls|plz|please)"
_FRAMES_ASK = frozenset(
    """you u ya ye can could would will just also and n then so now kindly hi hey ok okay team
    all guys folks everyone someone somebody anyone pls plz please to but or if me us not yes
    no""".split()
)
# "so" before a question or a plea starts the next ask ("what do i owe on the car this month so
# what steps do i take to change the oil for it", "… the shop so will you help me rent it"); before
# anything else it goes on with the same one ("so that", "so far", "so i was at walmart"), and after
# "if", "ok" or "and" it opens nothing ("and if so what is it?", "ok so can billing fix it"). Like
# "and", it is only a candidate: whether it starts a second request the planner decides.
_SO = (
    r"(?<!\bif)(?<!\bok)(?<!\bokay)(?<!\band)(?<!\bor)(?<!\bbut)(?<!\bnot)(?<!\beven)"
    r"\s*,?\s+so,?\s+(?=(?:what|what['’]?s|how|when|where|which|who|why|can|could|would|will|"
    r"should|shall|do|does|did|is|are|am|may|please|pls|plz)\b)"
)
# An aside in brackets that adds an ask of three words or more ("Can ops restart the worker (and
# could legal check …)?") is cut before its connector ("paren"); its closing bracket ends the ask.
# One pass over a sentence finds every cut; earlier alternatives win, so "and then" is a
# sequence cut and not an "and" cut, and ", and also" is one cut, not three.
_CUT = re.compile(
    rf"(?P<seq>\s*[,;:]?\s*\b(?:{_SEQUENCE_WORDS})(?!\w),?\s*|\s+(?:{_ARROW})\s+)"
    rf"|(?P<pre>\s*[,;:]?\s*\b(?:{_PRECEDE_WORDS})(?!\w),?\s*)"
    rf"|(?P<topic>^\s*(?:(?:{NEW_MATTER_WORDS})\s*[,:]|{_POSTSCRIPT})\s*)"
    rf"|(?P<paren>\s+[(\[]\s*(?:{_ASIDE}|and\s+also|and|also|plus)\b,?\s+"
    r"(?=(?:[^\s)\]]+\s+){2,}[^)\]]*[)\]]))"
    r"|(?P<semi>\s*;\s*)"
    r"|(?P<dash>\s+[—–]\s+)"
    r"|(?P<slash>\s+/\s+)"
    rf"|(?P<conj>(?<!\boh)\s*,?\s+(?:\b(?:(?:and\s+)?(?:{_WHILE_AT_IT}|{_ON_TOP})|{_ASIDE}"
    r"|and\s+also|as\s+well\s+as|and|also|plus|n)\b"
    r"|[+&]),?\s+)"
    rf"|(?P<so>{_SO})"
    rf"|(?P<plea>\s+{_PLEA}\s+(?=[\w@])(?!(?:and|n|also|plus|then)\b))"
    rf"|(?P<comma>\s*,\s+(?!{_PREDICATE}))",
    re.IGNORECASE,
)
# "between X and Y" (a range, a pair, a comparison): the "and" closes it and starts nothing, when
# one to four words (no "and", no cut) stand between the two ("between 12 and 3 today", "flapping
# between healthy and degraded"). Before this, the cut reached the planner, whose cutter or rules
# kept it now and then: "… between tomorrow and next tuesday" made a subtask of its own.
_BETWEEN_OPEN = re.compile(r"\bbetween(?:\s+(?!and\b)[\w'’.:/-]+){1,4}\s*$", re.IGNORECASE)
_BARE_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def _frames_ask(sentence: str, cut: re.Match[str]) -> bool:
    """Whether `cut` is a "pls" that goes with the words before it rather than starting an ask
    of its own: after a word that frames an ask ("can you pls …", "if not pls …"), a mention
    ("@lea please …"), or a clause's one word, which addresses someone ("Legal please advise",
    "hana: ops pls check it", "and content please draft …")."""
    if cut.lastgroup != "plea":
        return False
    words = re.split(
        r"[,;:!?>&+]|\s[-–—]\s|\b(?:and|n|also|then|but|plus)\b", sentence[: cut.start()]
    )
    last = words[-1].split()
    return len(last) < 2 or last[-1].startswith("@") or last[-1].lower() in _FRAMES_ASK


def _closes_between(sentence: str, cut: re.Match[str]) -> bool:
    """Whether `cut` is the bare "and" of a "between X and Y" (see `_BETWEEN_OPEN`)."""
    return (
        cut.lastgroup == "conj"
        and _BARE_AND.fullmatch(cut.group()) is not None
        and _BETWEEN_OPEN.search(sentence, 0, cut.start()) is not None
    )


_LEADING_CONNECTOR = re.compile(
    rf"\s*(?:(?P<seq>(?:{_SEQUENCE_WORDS}))|(?P<pre>(?:{_PRECEDE_WORDS}))"
    rf"|(?:{_ASIDE}|(?:and\s+)?{_ON_TOP}|and\s+also|and|also|plus|as\s+well\s+as|n(?=\s)))"
    r"(?!\w),?\s*",
    re.IGNORECASE,
)
_TRIM = " \t\n,;:—–-"
# Quoted text ("polish this: 'We are excited, available today.'") is the request's material, not
# more requests: no cut falls inside it. A single quote opens only after a non-word character,
# so the apostrophes of "it's" and "customers' invoices" open nothing.
_QUOTED = re.compile(
    r"\"[^\"\n]+\"|“[^”\n]+”|(?<!\w)‘[^’\n]+’(?!\w)|(?<!\w)'(?=\S)[^\n]*?(?<=\S)'(?!\w)"
)
# A piece without a letter or digit (the "." left after "… once that's done.") is no task.
_WORDLESS = re.compile(r"[\W_]*")


def split_request(text: str) -> list[Segment]:
    """All candidate parts of `text`, in order; a single segment when there is nothing to cut."""
    segments: list[Segment] = []
    blocks = _blocks(text)
    for b, (marker, block) in enumerate(blocks):
        for i, sentence in enumerate(_sentences(block)):
            joiner = " " if i else (_block_joiner(blocks[b - 1][1], marker) if b else "")
            cut = _cut_sentence(sentence, "strong" if segments else None, joiner)
            if not cut and segments:  # a wordless sentence ("!!!") stays with the one before
                last = segments[-1]
                segments[-1] = Segment(last.text + joiner + sentence, *_tail(last))
            segments.extend(cut)
    if not segments:
        return [Segment(text.strip() or text, None)]
    return segments


def _blocks(text: str) -> list[tuple[str, str]]:
    """List items (one per line, or numbered inline), else the text's lines; each with the
    list marker it opened with ("" for a line that is no list item)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if sum(1 for ln in lines if _LIST_ITEM.match(ln)) >= 2:
        blocks: list[tuple[str, str]] = []
        for ln in lines:
            item = _LIST_ITEM.match(ln)
            if item:
                blocks.append((item.group().strip(), ln[item.end() :]))
            elif not blocks:
                blocks.append(("", ln))
            else:  # a continuation line belongs to the item above it
                blocks[-1] = (blocks[-1][0], blocks[-1][1] + " " + ln.strip())
        return blocks
    flat = " ".join(ln.strip() for ln in lines)
    numbers = list(_INLINE_NUMBER.finditer(flat))
    if len(numbers) >= 2 and [_ordinal(m) for m in numbers] == list(range(1, len(numbers) + 1)):
        cuts = [m.start() for m in numbers] + [len(flat)]
        head = flat[: cuts[0]]
        items = [(m.group().strip(), flat[m.end() : cuts[k + 1]]) for k, m in enumerate(numbers)]
        return [b for b in [("", head), *items] if b[1].strip(_TRIM)]
    # A line that ends without punctuation ends a candidate part: chat messages put a second
    # ask on a new line without a full stop ("put CUS-1 on the annual plan\nwrite them a note",
    # "marc: ugh their admin can't log in\npriya: …"). Whether it starts a second request the
    # team's cutter decides, as for a full stop. After punctuation the text runs on as before:
    # its sentences are cut as sentences, and "Hi there,\n\n…" or "Thanks,\nOlga" read on; so
    # do quoted lines ("> …"), which are one earlier message, not a list of asks.
    out: list[tuple[str, str]] = []
    for k, ln in enumerate(lines):
        quoted = k > 0 and ln.lstrip().startswith(">") and lines[k - 1].lstrip().startswith(">")
        if out and (quoted or out[-1][1].rstrip()[-1:] in _RUNS_ON):
            out[-1] = ("", out[-1][1] + " " + ln.strip())
        else:
            out.append(("", ln.strip()))
    return out


_RUNS_ON = tuple(".,;:!?")


def _ordinal(m: re.Match[str]) -> int:
    """An inline list marker's place: 1 for "1)" and "(a)", 2 for "2." and "(b)" …"""
    return int(m.group(1)) if m.group(1) else ord(m.group(2)) - ord("a") + 1


def _block_joiner(previous: str, marker: str) -> str:
    """What joins a block to the one before it: a new line, after a colon when that block
    introduced a list ("Two things:"), so a lead-in can be told from an item, and then the
    item's marker ("\n- ", "\n2) "), so a list item can be told from a line of a paragraph."""
    lead = ":\n" if previous.rstrip().endswith(":") else "\n"
    return lead + marker + " " if marker else lead


def _sentences(block: str) -> list[str]:
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(_mask_quotes(block)):
        if _ABBREVIATIONS.search(block[start : m.start()]):
            continue
        out.append(block[start : m.start()])
        start = m.end()
    out.append(block[start:])
    return [s for s in out if s.strip(_TRIM)]


def _cut_sentence(
    sentence: str, first_boundary: BoundaryKind | None, lead_text: str
) -> list[Segment]:
    """Cut one sentence at connectors; a sentence that opens with "Then" is itself sequential."""
    boundary = first_boundary
    sequential = precedes = False
    out: list[Segment] = []
    prev_end = 0
    masked = _mask_quotes(sentence)
    cuts = [
        m
        for m in _CUT.finditer(masked)
        if not _closes_between(masked, m) and not _frames_ask(masked, m)
    ]
    starts = [0, *(m.end() for m in cuts)]
    ends = [*(m.start() for m in cuts), len(sentence)]
    for m, start, end in zip([*cuts, None], starts, ends, strict=True):
        ps, pe, lead = _piece_span(sentence, start, end)
        sequential = sequential or lead == "seq"
        precedes = precedes or lead == "pre"
        if ps < pe and _WORDLESS.fullmatch(sentence, ps, pe):
            # No task of its own: the piece, and the connector before it, end the last one.
            # With none before it, the next piece's joiner (or the previous sentence) takes it.
            if out:
                last = out[-1]
                out[-1] = Segment(last.text + sentence[prev_end:pe], *_tail(last))
                boundary, sequential, precedes, prev_end = None, False, False, pe
        elif ps < pe:
            joiner = (lead_text if not out else "") + sentence[prev_end:ps]
            out.append(Segment(sentence[ps:pe], boundary, sequential, joiner, precedes))
            boundary, sequential, precedes, prev_end = None, False, False, pe
        if m is None:
            break
        # Cuts with no text between them (", and then") add up: the strongest one counts.
        strong = ("seq", "pre", "semi", "topic")
        kind: BoundaryKind = "strong" if m.lastgroup in strong else "weak"
        boundary = kind if boundary is None else _max(boundary, kind)
        sequential = sequential or m.lastgroup == "seq"
        precedes = precedes or m.lastgroup == "pre"
    if out and first_boundary is None:
        # The request's first part follows nothing, whatever connector it opened with.
        out[0] = Segment(out[0].text, None, False, "")
    return out


def _mask_quotes(text: str) -> str:
    """`text` with every quoted passage's inside blanked to letters, so no cut matches in it."""
    return _QUOTED.sub(lambda m: m.group()[0] + "x" * (len(m.group()) - 2) + m.group()[-1], text)


def _tail(segment: Segment) -> tuple[BoundaryKind | None, bool, str, bool]:
    return segment.boundary, segment.sequential, segment.joiner, segment.precedes


def _piece_span(sentence: str, start: int, end: int) -> tuple[int, int, str | None]:
    """The span of a piece without the connector it opens with ("; also …"), and that
    connector's kind when it orders the work: "seq" ("then …"), "pre" ("before that, …")."""
    start, end = _trimmed(sentence, start, end)
    lead = _LEADING_CONNECTOR.match(sentence, start, end)
    if not lead:
        return start, end, None
    start, end = _trimmed(sentence, lead.end(), end)
    kind = "seq" if lead.group("seq") is not None else "pre" if lead.group("pre") else None
    return start, end, kind


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def _max(a: BoundaryKind, b: BoundaryKind) -> BoundaryKind:
    return "strong" if "strong" in (a, b) else "weak"


# Words that point at something an earlier part produces. "that" and "this" only count when they
# are not a conjunction ("make sure that my …") or a time ("this month").
_REFERENCE = re.compile(
    r"\b(?:it|its|them|those|these|the\s+same|"
    r"the\s+(?:result|results|outcome|findings|numbers|figures|answer|output|summary|data|list)|"
    r"what\s+(?:you|they|it)\s+(?:find|found|get|got|show|shows)|whatever|accordingly|"
    r"if\s+so|if\s+not|if\s+yes|"
    r"that(?!\s+(?:my|our|your|the|we|you|they|he|she|i|it|a|an|all|no|there|everyone|"
    r"this|these|those)\b)|"
    r"this(?!\s+(?:morning|afternoon|evening|week|month|quarter|year|time|weekend)\b))\b",
    re.IGNORECASE,
)


def refers_back(text: str) -> bool:
    """Whether a later part leans on an earlier one ("write it up", "use those numbers")."""
    return _REFERENCE.search(text) is not None


# Ids ("CUS-1028", "INV-1048") and numbers name what a task is about, never the task.
_ID_OR_NUMBER = re.compile(r"\b[A-Za-z]{1,6}-?\d[\w-]*\b|\b\d[\d.,:/-]*\w*\b")
_WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?")
# Words that carry the conversation rather than a task: "can you help?", "what's going on?",
# "thanks", "first, …". With English stop words they make up the parts that have no request
# of their own.
_FILLER = frozenset(
    """hi hey hello thanks thank cheers ok okay sure pls plz please help tell know let need
    want like going happening happened wrong second third lastly just right now rn asap quick
    quickly question wondering ask asking mind possible there's what's it's that's""".split()
)


def content_words(text: str) -> list[str]:
    """The words of `text` that say what to do or about what: no stop words, fillers or ids."""
    words = _WORD.findall(_ID_OR_NUMBER.sub(" ", text.lower()))
    return [w for w in words if w not in ENGLISH_STOP_WORDS and w not in _FILLER and len(w) > 1]
