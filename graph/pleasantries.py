"""A message that is only a pleasantry ("thanks!", "ok, great", "hi there") asks nothing: the
supervisor answers it in a line and raises no work and no review (graph/nodes/plan.py). So
does a bare "yes" or "no" that no question waits for (the words: graph/yes_no.py).

Only a message made of nothing else counts: "thanks! what's the status of TCK-1001?" is the
request it carries, and a word this list does not know makes the message a request as before.
"""

from __future__ import annotations

import re

from ringmaster.graph.yes_no import NO, YES, alternation

# Thanks said on its own, as people type it: the one list a pleasantry and the planner's
# courtesies (graph/planner/envelope.py: a sign-off, an opening or closing courtesy, a part
# that only thanks) read. A regex alternation, "Many thanks" and "thank  you" as typed.
# "ty" in lower case only: "Ty is out today." opens with a name, not a thanks.
THANKS = r"(?:(?:many|big|huge)\s+)?thank(?:s|\s+you|\s+u)|thanx|thx|(?-i:ty)|tysm|cheers"

NOTHING_ASKED = "Nothing I asked is waiting for a yes or no."
# A yes or no while a question that wants a pick is open ("Which ticket do you mean: …?").
WANTS_A_PICK = "That question wants a pick, not a yes or no:"
# Each kind: the reply, and a regex alternation of its phrases. The first kind a message holds
# gives the reply.
_DECLINING = alternation(("no thanks", "no thank you", "never mind", "nevermind"))
_KINDS: list[tuple[str, str]] = [
    # Declining, with nothing to answer or call off: the runner withdraws unfinished work on
    # "never mind" first, and "no thanks" to a question is its answer (graph/nodes/plan.py).
    ("Noted.", _DECLINING),
    (
        "You're welcome.",
        THANKS + "|" + alternation(
            ("much appreciated", "appreciate it", "i appreciate it", "appreciated")
        ),
    ),
    (
        "Goodbye.",
        alternation(
            ("bye", "goodbye", "good bye", "see you", "see ya", "later", "good night", "take care")
        ),
    ),
    (
        "Hello. What would you like done?",
        alternation((
            "hi", "hello", "hey", "hiya", "howdy", "good morning", "good afternoon",
            "good evening", "morning", "greetings",
        )),
    ),
    (
        "Noted.",
        alternation((
            "ok", "okay", "k", "kk", "great", "perfect", "awesome", "cool", "nice", "got it",
            "sounds good", "all good", "good", "lovely", "brilliant", "excellent", "fantastic",
            "alright", "all right", "wonderful", "amazing", "noted", "understood",
            "no worries", "no problem", "sure thing",
        )),
    ),
    # A bare yes or no that answers nothing: an answer to the last turn's question ("yes" to
    # "Did you mean INV-1001 …?") is read before this (graph/nodes/plan.py).
    (NOTHING_ASKED, alternation(YES + NO)),
]  # fmt: skip
# Words that go with a pleasantry without asking anything.
_FILLER = (
    "so much", "very much", "a lot", "a bunch", "again", "all", "team", "everyone", "guys",
    "folks", "there", "then", "ringmaster", "for that", "for the help", "for your help",
    "for everything", "that's", "that is", "thats", "it", "this", "really", "so", "very", "oh",
    "and", "please", "that works", "works", "for now", "man", "mate", "buddy",
)  # fmt: skip
_EMOJI = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]")


_ANY = "|".join([*(phrases for _, phrases in _KINDS), alternation(_FILLER)])
_ONLY = re.compile(rf"(?:(?:{_ANY})\b[\s,.!:;)(-]*)+", re.IGNORECASE)


def pleasantry_reply(text: str) -> str | None:
    """The short reply to `text` when it is only a pleasantry, else None."""
    bare = _EMOJI.sub(" ", text).strip(" \t\n.,!?:;)(-~*").lower()
    if not bare:  # an emoji alone ("👍") acknowledges; punctuation alone says nothing
        return "Noted." if _EMOJI.search(text) else None
    if len(bare) > 80:
        return None
    if _ONLY.fullmatch(bare + " ") is None and _ONLY.fullmatch(bare) is None:
        return None
    for reply, phrases in _KINDS:
        if re.search(rf"(?<![\w'])(?:{phrases})(?![\w'])", bare):
            return reply
    return None  # only filler words ("so", "then"): not a pleasantry either


def only_pleasantry(text: str) -> bool:
    """True when `text` is only a pleasantry that leaves a question asked earlier open
    ("thanks", a stray "yes"); one that declines ("no thanks", "never mind") ends it."""
    if pleasantry_reply(text) is None:
        return False
    bare = text.strip().lower()
    return re.search(rf"(?<![\w'])(?:{_DECLINING})(?![\w'])", bare) is None
