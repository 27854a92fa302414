"""A part read with its pronoun resolved from the part next to it.

Cut out of its request, a part that leans on its neighbour ("… my discover card and then list
the steps for applying for it") loses what it is about: "list the steps for applying for it"
routes anywhere. Read with the pronoun replaced by the noun phrase it most likely stands for
(the last one of the part before it; for the request's first part, which has nothing before it,
the first one of the part after it: "can i change it and before that can i get the routing
number for sunflower bank"), it routes where the request means it to. The planner scores both
readings and keeps the one its classifier is surer of (`graph/planner/local.py`), so an "it"
that stands for nothing ("what time is it") keeps its own reading. A condition ("if it isn't,
draft …") is left as it is: it belongs to the part it introduces. An indefinite phrase is one
too: a thing is most often brought in with "a" before "it" picks it up ("can i please get a new
card, and what is the earliest date i can get it").
"""

from __future__ import annotations

import re

from ringmaster.graph.planner.cut_rules import NAMING_WORDS
from ringmaster.graph.planner.splitter import ENGLISH_STOP_WORDS

# "it", "them", and "that" where it ends the part ("i don't need that"), a preposition follows
# it ("read that to me", "book that in green bay") or a modal verb does, "that" the subject
# ("when that will expire", "how soon that can arrive"): elsewhere "that" is as often a
# conjunction or a determiner ("that my card", "that one", "make sure that works").
_PRONOUN = re.compile(
    r"\b(?:it|them)\b|\bthat(?=\s*[.?!]*\s*$|\s+(?:to|in|on|at|for|from|with|into|now)\b"
    r"|\s+(?:will|would|can|could|should|might|must|won['’]t|can['’]t)(?!\w))",
    re.IGNORECASE,
)
# "a"/"an" too: "get a new card … get it" (issue 14, clinc41; gained nothing in an early build).
_DETERMINER = r"(?:my|our|your|the|this|his|her|their|a|an)"
_WORD = r"[a-z][\w'&-]*"
# A condition ("if it isn't, …") belongs to the part it introduces, whatever its pronoun names.
_CONDITION = re.compile(r"^\W*(?:if|unless|in\s+case)\b", re.IGNORECASE)
# A determiner and up to three words after it that are not stop words ("my discover card"); the
# lookahead leaves the words to the next match ("the update on my vacation request").
_NOUN_PHRASE = re.compile(rf"\b{_DETERMINER}(?=((?:\s+{_WORD}){{1,3}}))", re.IGNORECASE)


def noun_phrases(text: str) -> list[str]:
    """The noun phrases of `text` a pronoun could stand for, in order ("my discover card")."""
    out = []
    for m in _NOUN_PHRASE.finditer(text):
        words = m.group(1).split()
        kept: list[str] = []
        for w in words:
            if w.lower() in ENGLISH_STOP_WORDS - NAMING_WORDS:
                break
            kept.append(w)
        if kept:
            out.append(text[m.start() : m.end()] + " " + " ".join(kept))
    return out


def resolved(text: str, neighbour: str, *, before: bool) -> str | None:
    """`text` with its first pronoun replaced by the noun phrase of `neighbour` it most likely
    stands for: the last one when the neighbour comes `before` it, else the first; None when
    `text` has no pronoun, is a condition, or the neighbour has no noun phrase."""
    pronoun = _PRONOUN.search(text)
    if pronoun is None or _CONDITION.match(text):
        return None
    phrases = noun_phrases(neighbour)
    if not phrases:
        return None
    phrase = phrases[-1] if before else phrases[0]
    return text[: pronoun.start()] + phrase.strip() + text[pronoun.end() :]
