"""The phrase patterns and word sets a request's references are read with.

Repeats and ellipsis ("do that for CUS-1002 too", "and INV-1003?"), dummy "it", pronouns,
plurals ("both"), ordinals ("the first one"), descriptions ("the June one"), "latest"/"oldest",
and the words of a request that describe a record or ask for something of its own.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ringmaster.stop_words import ENGLISH_STOP_WORDS

if TYPE_CHECKING:  # entities reads this module's patterns
    from ringmaster.graph.references.entities import EntityKind

# Short follow-ups that repeat an earlier request for another record: "do that for CUS-1002
# too", "same for INV-1003", "and for TCK-1004 as well", "sorry, I meant INV-1012".
_REPEAT = re.compile(
    r"\b(too|also|as well|same|do that|do the same|likewise|meant|instead|rather|repeat|again"
    r"|ditto|actually|correction|make it|make that)\b",
    re.I,
)
# A look-up: "show me …", "check …", "pull up …", "how much was …", "… ?"; joined on to what
# came before ("and show me the other two", "also check …", "then pull up …") all the same.
LOOKS_UP = re.compile(
    r"^\W*(?:(?:and|also|then|and then|now|so)\s+)?(?:(?:can|could|would) you\s+|please\s+)?"
    r"(?:show|check|look|pull|find|get|list|see"
    r"|tell me|give me the|remind me|how)\b",
    re.I,
)
_REPEAT_MAX_WORDS = 10
# The words of `_REPEAT` that add a record beside the last one ("also Aisha says the same",
# "CUS-1012 too"), where the others replace it ("I meant", "instead", "make it").
_BESIDE = re.compile(r"\b(too|also|as well|same|likewise|ditto|again)\b", re.I)
# Ellipsis: "and CUS-1005?", "what about INV-1183", "ok, and what about CUS-1005 then?".
_ELLIPSIS = re.compile(r"^\W*(and|n|or|what about|how about|now|then|ok|okay|also)\b", re.I)
_ELLIPSIS_MAX_WORDS = 8
# Words of a repeat that ask for nothing of their own ("please check CUS-1005 too"): a follow-up
# with any other word ("also close TCK-1005") is a request of its own, not a repeat.
_REPEAT_FILLER = {
    "too", "same", "likewise", "meant", "instead", "repeat", "ditto", "actually",
    "correction", "make", "sorry", "oops", "wait", "pls", "please", "ok", "okay", "thanks",
    "thank", "check", "try", "look", "goes", "one", "ones", "yes", "no", "nope",
    # what says the record before was the mistake asks for nothing: "no wait wrong one, meant
    # INV-1212", "typo, INV-1049"
    "wrong", "mistake", "typo",
    # "nvm, the older one", "never mind, INV-1188": the one before set aside for this one
    "nvm", "nevermind", "never", "mind",
}  # fmt: skip
# "it" that refers to nothing: "is it possible", "it's fine", "make it quick".
# A clause that asks about what "it" is ("check whether it is urgent"), not one that says it.
_NOT_ASKED = r"(?<!\bwhether )(?<!\bif )"
# What "it" stands for, said after it: "it's ok to close it", "it is important that she pays".
_EXTRAPOSED = r"(?=\s+(?:to|that|for)\b)"
_DUMMY_IT = re.compile(
    r"\b(is|was) it (possible|ok|okay|fine|true|likely|worth)\b"
    # "tell her it's urgent": what the message says. After "whether" or "if" it is a question of
    # a record ("check whether it is urgent", "see if it's done"), unless what follows says what
    # "it" stands for ("if it's ok to close it", "whether it is important that …").
    # "its" is "it's" typed without the apostrophe ("tell her its done"): before "done" or
    # "fine" it cannot be a possessive, which needs a noun.
    rf"|{_NOT_ASKED}\bit(?:'s|s| is) (possible|ok|okay|fine|urgent|important|likely)\b"
    rf"|\bit(?:'s|s| is) (possible|ok|okay|fine|urgent|important|likely){_EXTRAPOSED}"
    r"|\bmake it (quick|fast|short|brief)\b"
    # "let him know it's done": the work just done, not a record.
    rf"|{_NOT_ASKED}\bit(?:'s|s| is| has been| was) (done|sorted|handled|taken care of|all set)\b"
    r"|\bit (would|will|might|could) (be )?(great|nice|good|helpful|ideal|appreciated|help)\b"
    r"|\bit (seems|looks|appears|sounds)\b"
    r"|\b(appreciate|love|like) it\b"
    r"|\bon its way\b"  # "the export is on its way": coming, not a record's
    r"|\bwhile (?:you'?re|you are|i'?m|we'?re) at it\b"
    # "we're on it": busy with it, an idiom, not a record.
    r"|\b(we'?re|we are|i'?m|i am|they'?re|they are|someone'?s|be|is) on it\b"
    # "tell her we're looking into it": busy with it, said in the message, as "on it".
    r"|\b(we'?re|we are|i'?m|i am|someone'?s|someone is) (looking into|working on) it\b"
    # The draft just written, not a record: "make them shorter", "rewrite it more formally".
    r"|\bmake (it|them) (more|less|a bit|\w+er)\b"
    r"|\b(shorten|lengthen|rewrite|rephrase|reword|translate|polish|proofread|tighten|soften)"
    r" (it|them)\b|\btone (it|them) down\b",
    re.I,
)
# A question about who a record's person is refers to the record: "who is the customer on
# that ticket?", "which customer is that?", "and the last one, who's the customer?" (a clause
# of its own after the record).
_ASKS_WHO = re.compile(
    # "and who's the customer on that one?"
    r"(?:^|[,;—])\W*(?:(?:and|so|ok|okay|also|then|but)\W+)?"
    r"(who|whos|whose|which (customer|client|account|person))\b",
    re.I,
)
_PLURAL = re.compile(
    r"\b(both of them|both of those|both|all of them|all of those|all three of them|all three"
    r"|the two of them|the pair of them|the two|th(?:ose|ese) two|each of them|each one"
    r"|either of (?:them|those|these)"
    # "close those", "who are the customers on those?": "those" standing alone, no noun after
    # it, nor one of them picked out ("any of those", "one of those" are `choices`).
    r"|(?<!\bof )th(?:ose|ese)(?=\s*[?.!,;:)]|\s*$|\s+(?:please|pls|too|as well|now|asap|for me"
    r"|to|as|and|then|up)\b)"
    # "which plan is each on": "each" standing alone, no noun or "of" after it
    r"|each(?=\s+(?:on|in|at|is|was|has|had|owes?|paid|pays)\b|\s*\W*$))\b(?!-)",
    re.I,
)
# How many records a number word says: "the other two", "her last three invoices", "close
# both tickets" (`done`: "both" with the number words).
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5}
# Of `_PLURAL`, those that say two: "both" is never five records.
_TWO = re.compile(r"both|the two|the pair|th(?:ose|ese) two", re.I)


def plural_count(phrase: str) -> int | None:
    """How many records a plural says it means: two for "both", three for "all three"; None
    for "all of them", "each of them"."""
    if _TWO.match(phrase):
        return 2
    return 3 if re.search(r"\bthree\b", phrase, re.I) else None


_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "last": -1, "latter": -1}
_ORDINAL = re.compile(r"\bthe (first|second|third|fourth|last|latter)( one)?\b", re.I)
# "the June one", "the SAML ticket": up to three describing words before "one" or a noun.
# A noun is never the start of an id ("the status of INV-1191" names no invoice by "inv").
_NOT_AN_ID = r"(?!-\d)"
_DESCRIBED = r"\bthe ((?:[\w-]+ ){0,2}[\w-]+) (?:one|{nouns})\b" + _NOT_AN_ID


def nouns_pattern(nouns: Iterable[str]) -> str:
    """A regex group for any of a kind's `nouns` that never matches the start of an id ("inv"
    in "INV-1191")."""
    return "(?:" + "|".join(re.escape(n) for n in nouns) + ")" + _NOT_AN_ID


def possessed(kinds: Iterable[EntityKind]) -> str:
    """A regex for what a possessive owns when it is a record: "'s", then up to three words and
    a record's noun ("'s 502 ticket", "'s contracts"), the words and noun its group 1."""
    nouns = nouns_pattern([n for k in kinds if not k.person for n in k.nouns])
    return rf"'s\s+((?:[\w-]+\s+){{0,3}}?{nouns}s?)\b"


# What only a person is called ("the Varga guy", "the bakery lady"): never a record.
_PERSON_WORDS = ("guy", "lady", "man", "woman", "person", "fellow", "fella", "gal", "dude", "chap")
_NOT_DESCRIBING = {"same", "other", "that", "this", "new", "first", "second", "last", "only"}
_QUESTION_MARK = "do you mean: "
_CORRECTION = re.compile(
    r"^\W*(sorry|no|nope|actually|i meant|meant|rather|oops|typo|wrong|nvm|never\s*mind)\b", re.I
)
# What stands for one record of the thread's: "close it", "refund that one".
_IT = r"(?:it|that one|this one)"
# "em" is "them" typed fast ("bump em to high", "close em both").
_PRONOUN_PERSON = r"\b(they|them|em|their|he|him|his|she|her)\b"
_POSSESSIVE = {"its", "their", "his"}
_PLURAL_PRONOUNS = {"they", "them", "em", "their"}
_EACH = re.compile(r"\b(each|both|all|every|everyone)\b", re.I)


# Words that say nothing about which record is meant ("close the ticket in the morning").
# Not "may" (a month) nor "behind" (a state: "is she behind on any invoices?", a lookup's word
# for the unpaid ones).
_NOT_DESCRIPTIVE = (ENGLISH_STOP_WORDS - {"may", "behind"}) | {
    "one",
    "ones",
    "meant",
    "mean",
    "sorry",
    "please",
    "thanks",
    "thank",
    "ok",
    "okay",
    "yes",
}


# A change asked of a record by the value it is to take, with the verbs that say which way it
# goes ("set … to urgent", "upgrade them to enterprise"); the value is its last word.
_CHANGES = re.compile(
    r"\b(?:set|bump|raise|move|change|mark|upgrade|downgrade|switch|escalate)\b[^.?!]*?\bto\s+\w+",
    re.I,
)
# What a request sets a record to ("bump it to urgent", "mark it as resolved"): a value it is
# given, not a word that says which record is meant.
_SET_TO = re.compile(r"\b(?:to|as|into)\s+[\w-]+", re.I)


# What opens the words of a note, a comment or a message: "add a note saying the customer
# confirmed …" — a noun in there is the note's wording, not a reference to resolve. Only where
# they open: `_WRITTEN` below reads the whole of what is written, with the verb that asks it.
PAYLOAD = re.compile(
    r"\b(?:saying|that says|to say|reading|with the text)\b|\b(?:note|comment|message)\s*:"
    r"|\b(?:note|comment)\s+that\b|[\"“]",
    re.I,
)
# Verbs that send a person a message, whatever tool carries it ("email her", "ping them"): the
# core of each reading of a message to a person (`pronouns._TO_PERSON`, `rewrite._ADDRESSED`,
# `unbound._MESSAGES`), which add the verbs of their own reading. A regex alternation.
MESSAGING = r"e-?mail|notify|message|ping"
# Verbs whose object may be followed by what is said: "email the customer that it's fixed".
TELLING = {"email", "tell", "remind", "notify", "inform", "message", "let", "ask", "write", "mail"}

# What a request writes: the content of a note, message, reply or reason, after "that" with a
# subject of its own ("add a note to the ticket that the refund went out"; not "the ticket
# that mentions the refund", which says which ticket), "saying", a colon or a quote. It is
# what goes on the record, not a word that says which record is meant. "Tell me about the
# invoice that she disputed" asks to be told, and its "that" clause says which invoice.
_WRITTEN = re.compile(
    r"\b(?:notes?|noting|comments?|message|messages|reply|replies|replying|email|e-mail|text|"
    r"answer|reason|say|write|tell(?!\s+(?:me|us)\s+about\b)|telling|mention|mentioning|"
    r"explain|explaining|know)\b"
    r"[^.?!:\"“]*?(?:\bthat\s+(?=(?:i|we|you|he|she|they|it|the|a|an|this|his|her|their|our|"
    r"my|your)\b)|\bsaying\b|\bsays\b|:|[\"“])(?P<content>[^.?!]*)",
    re.I,
)


def unwritten(text: str) -> str:
    """`text` with what it asks to be written blanked out, at the same length (`_WRITTEN`)."""
    return _WRITTEN.sub(
        lambda m: m.group(0)[: m.start("content") - m.start()] + " " * len(m.group("content")),
        text,
    )


def _describing_words(text: str) -> set[str]:
    """The words of `text` that can describe a record ("june", "saml", "open"), no stop words,
    none of what it asks to be written (`unwritten`)."""
    text = unwritten(text)
    words = {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 1}
    # A version or an amount is one word: "the 3.8.1" is not "the 3, 8 and 1".
    words |= set(_DOTTED.findall(text))
    return words - _NOT_DESCRIPTIVE


_DOTTED = re.compile(r"(?<![\w.])\d+(?:\.\d+)+(?![\w.])")


_NEWEST = {"latest", "last", "newest", "newer", "recent", "current"}
# "the bigger one", "the smallest invoice": by the records' amounts.
_LARGER = {"big", "bigger", "biggest", "large", "larger", "largest", "higher", "highest"}
_SMALLER = {"small", "smaller", "smallest", "lower", "lowest", "cheaper", "cheapest"}
# What follows an ordinal that counts the user's own mentions: "the first invoice I mentioned".
_MENTIONED = re.compile(
    r"\s+(?:that\s+|which\s+)?(?:i|we)\s+(?:mentioned|named|asked about|gave you|brought up)\b",
    re.I,
)
_OLDEST = {"oldest", "older", "earliest"}


def _own_words(text: str) -> set[str]:
    """The words of a short follow-up that ask for something (not fillers, not slips of the
    fillers: "actualy" is "actually")."""
    words = _describing_words(text) - _REPEAT_FILLER
    return {w for w in words if not difflib.get_close_matches(w, _REPEAT_FILLER, 1, 0.8)}


# A follow-up that goes on to ask a question of its own of the record ("and the unpaid one,
# when is it due?", "and INV-1212 - how much is it?"): a request of its own, not the last
# request again for another record.
_OWN_QUESTION = re.compile(
    r"[,;:\u2013\u2014-]\s*(?P<question>(?:what|which|who|whose|when|where|why|how|is|are|was"
    r"|were|does|did|has|have|can|could)\s+\w+\s+\w+.*)",
    re.I,
)


def _asks_otherwise(request: str, earlier: str) -> bool:
    """True when `request` goes on to ask a question of its own whose words `earlier` did not
    say ("and INV-1210, when is it due?" after "is INV-1022 paid?"); "and INV-1212, is that
    one paid?" asks the same again."""
    own = _OWN_QUESTION.search(request)
    if own is None:
        return False
    said = set(re.findall(r"[a-z]+", own.group("question").lower())) - _STANDS_IN
    return not said <= set(re.findall(r"[a-z]+", earlier.lower()))


_STANDS_IN = {"it", "that", "this", "one", "the", "a", "they", "them", "still"}

_BARE = re.compile(r"\W*(?:(?:and|or|what about|how about|now|also)\b\W*)?")
_ASKING = re.compile(
    r"^\W*(what|which|who|whose|when|where|why|how|is|are|was|were|does|did|has|have)\b", re.I
)


def _asks(request: str) -> bool:
    """True for a question ("what plan is CUS-1011 on"), not an action ("credit CUS-1011")."""
    return "?" in request or bool(_ASKING.match(request))


# Spoken fillers a voice transcript keeps ("um so like can you uh check …"), and a word or a
# few said twice as the speaker restarts ("is his is his june invoice paid", "the the april
# one"): no part of what is asked.
_FILLER = re.compile(r"\s*\b(?:u+m+|u+h+|u+hm+|e+rm+|h+m+)\b[,.]?(?=\s|$)", re.I)
_SAID_TWICE = re.compile(r"\b((?:[a-z']+\s+){0,2}[a-z']+)\s+\1\b", re.I)
# One word said twice is a restart only where English never doubles it: an article, a
# possessive, a question word, a subject-only pronoun, a conjunction. Others double as written
# ("email her her invoice", "I had had enough", "that that", "what it is is", "log in in the
# portal", "the one I referred to to the team") and are a restart only in a transcript, where
# a filler shows it.
_NEVER_TWICE = frozenset(
    "the a an my his its our their your this these those what which whose i we he she they"
    " and or but".split()
)


def unspoken(text: str) -> str:
    """`text` without a transcript's fillers and restarts; as typed when it has none."""
    out = _FILLER.sub("", text).strip()
    spoken = out != text.strip()

    def once(said: re.Match[str]) -> str:
        words = said[1]
        if spoken or len(words.split()) > 1 or words.lower() in _NEVER_TWICE:
            return words
        return said[0]

    while (said := _SAID_TWICE.sub(once, out)) != out:
        out = said
    return out if out else text
