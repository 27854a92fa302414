"""Whether a skill can read a subtask's words at all: the demo skills read English, by patterns.

A request in another language ("Rembourser la facture INV-1003 en totalité", "退款 INV-1003")
still names a record the patterns find, so a skill used to answer a look-up of that record as
`done`. Its words are measured against English instead: the team file's own words (its
descriptions, skills and example requests) and common English words. Too few of them, and the
skill asks the requester rather than guess what the request wants.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.repeat_words import REPEAT_PHRASE
from ringmaster.agents.runtime import AgentOutput, AgentTask

_TEAM_FILE = Path(__file__).resolve().parents[1] / "team.yaml"

# Common English words, and the chat shorthand people type, that a team file may lack.
_COMMON = frozenset(
    """a an the and or nor but if then so of to in on at by for from with without about as
    into onto over under after before since until while during between against through per
    i me my mine we us our ours you your yours he him his she her hers they them their theirs
    it its this that these those there here is are was were be been being am do does did done
    doing have has had having can could will would shall should may might must need needs not
    no yes yeah yep nope ok okay please pls plz thanks thank thx ty hi hello hey dear regards
    what which who whom whose when where why how all any each every some both either neither
    more most less least many much few one two three four five first second third last next
    new old now today yesterday tomorrow also too just still again already only even ever
    never always up down out off back away very well really quite asap fyi btw re vs etc
    u ur r n im id ive dont cant wont isnt doesnt didnt hasnt havent wasnt sorry mean meant
    real true false right wrong good bad like want know think see look get got make give take
    tell say said ask help check let go went come same other another else thing way time day
    week month year lot nothing something anything everything nobody somebody anybody everybody
    none someone anyone everyone elsewhere somewhere anywhere everywhere""".split()
)
# Scripts written without spaces between words (Chinese, Japanese, Thai …): each letter counts
# as a word, so "退款" weighs as much as two unread words.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
# Ids, emails, addresses, names and handles ("kim.lee's deploys") are not words of any language.
_NOT_WORDS = re.compile(
    r"\b[A-Za-z]{2,}-\d+\b|\S+@\S+|https?://\S+|\b[A-Z][a-z]+\s+[A-Z][a-z]+(?:'s)?\b"
    r"|\b[a-z]{2,}\.[a-z]{2,}(?:'s)?\b"
)
# Below this share of English words, and with two unread words or more, a request is unread.
# Measured on the dev splits and adversarial.jsonl: the non-English requests there score 0–0.3,
# English ones (terse chat and non-native English too) 0.4 and up.
_ENGLISH_SHARE = 0.4

UNREAD_QUESTION = (
    "this request is not in words this agent can read (it reads English), so nothing was "
    "looked up or proposed. Could you say what you need in English?"
)


@cache
def _english() -> frozenset[str]:
    try:
        team = _TEAM_FILE.read_text(encoding="utf-8")
    except OSError:
        team = ""
    return _COMMON | {w.lower() for w in _WORD.findall(team)}


_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly", "er", "est", "ies", "ied")


def _known(word: str, english: frozenset[str]) -> bool:
    """`word` or its stem is English: "credited", "operating", "normally", "stopped", "replies"."""
    word = word.split("'")[0]
    if word in english:
        return True
    for suffix in _SUFFIXES:
        stem = word.removesuffix(suffix)
        if stem == word or len(stem) < 2:
            continue
        if suffix in ("ies", "ied"):
            stem += "y"
        doubled = stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem
        if {stem, stem + "e", doubled} & english:
            return True
    return False


def unread(text: str) -> bool:
    """True when the words of `text` (ids, emails and names aside) are not English enough for
    a skill to tell what it asks; a text of ids alone is not unread."""
    english = _english()
    known = unknown = 0
    for word in _WORD.findall(_NOT_WORDS.sub(" ", text)):
        low = word.lower()
        if _known(low, english):
            known += 1
        else:
            unknown += max(1, len(_UNSPACED.findall(word)))
    return unknown >= 2 and known < _ENGLISH_SHARE * (known + unknown)


# "do the same for CUS-1019", "same thing for TCK-1071": a repeat that reaches a skill as typed,
# because the resolver (graph/references) could not write it out as the request it repeats. A
# skill sees no earlier request, so it asks what to do rather than do what its other words
# suggest (a credit's repeat was answered with the customer's invoices and reported done).
# Only where a sentence opens with it, after a filler ("Thank you. Please do the same for …"):
# inside a request that says what it wants ("is the price the same for the pro plan?", "refund
# INV-1002 likewise") the words are its own.
_REPEAT = re.compile(
    r"(?:^|[.!?;]\s+)\W*(?:(?:please|pls|and|ok|okay|so|now|then|can you|could you)\W+)*"
    rf"{REPEAT_PHRASE}\b",
    re.IGNORECASE,
)
REPEAT_QUESTION = (
    "this asks to do the same as before without saying what that is, and this agent does not "
    "see earlier requests, so nothing was looked up or proposed. What should be done?"
)


def cannot_read(text: str) -> str | None:
    """The question a skill asks instead of acting on `text`: its words are not English enough
    (`unread`), or it repeats an earlier request without spelling it out; None when it reads."""
    if unread(text):
        return UNREAD_QUESTION
    if _REPEAT.search(text):
        return REPEAT_QUESTION
    return None


def asked_back(
    out: dict[str, Any], task: AgentTask, category: str, question: str = UNREAD_QUESTION
) -> AgentOutput:
    """A skill's answer to a request it cannot read: `out` (its empty output) with `question`,
    which makes the subtask `needs_input` (graph/nodes/act.py) instead of `done`."""
    notes: list[str] = []
    p.ask(out, notes, question)
    out["summary"] = p.summary(notes, task.feedback)
    return AgentOutput(output=out, category=category)
