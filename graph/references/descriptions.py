"""Noun phrases that pick a record: "that ticket", "its customer", "the customer on
TCK-1002", "CUS-1005's unpaid invoice", "the June one", "the first one" — and the slips they
are typed with ("there account", "that custmer"). "The other one" is read in `others`.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ringmaster.graph.references.entities import (
    EntityKind,
    RecordFacts,
    Resolution,
    _question,
    entity_ids,
    ids_of,
    strip_ids,
)
from ringmaster.graph.references.owned import _person
from ringmaster.graph.references.patterns import (
    _ASKS_WHO,
    _DESCRIBED,
    _LARGER,
    _MENTIONED,
    _NEWEST,
    _NOT_DESCRIBING,
    _OLDEST,
    _ORDINAL,
    _ORDINALS,
    _SET_TO,
    _SMALLER,
    NUMBER_WORDS,
    PAYLOAD,
    TELLING,
    _describing_words,
    nouns_pattern,
    possessed,
)
from ringmaster.graph.references.thread import _best_fits, _Thread
from ringmaster.stop_words import ENGLISH_STOP_WORDS

# A note put on a record, followed by what it says: "put a note on the ticket that the export is
# done", "and note on the ticket that billing is chasing". Looked for a few words back.
_NOTING = {"note", "notes", "comment", "comments"}
_NOTING_SPAN = 4


# Of two records, "the later one" and "the earlier one" (only in a describing phrase: "as I
# said earlier" in a request is no pick).
_LATER, _EARLIER = {"later"}, {"earlier"}

_DEMONSTRATIVE = r"\b(that|this|those|these|same|their|its|his|her)\s+([a-z]{5,})\b"
_DESCRIBED_SLIP = r"\b(their|its|his|her)\s+((?:[a-z]+\s+){1,2})([a-z]{5,})\b"


# Whose a record is, said after it ("the ticket of him"): the possessive said before it.
_OWNER_OF = {"him": "his", "her": "her", "them": "their"}


def _mended(text: str, kinds: Sequence[EntityKind]) -> str:
    """`text` with the slips a reference is typed with mended: "there account" and "thier
    account" are "their account", "that custmer" is "that customer", "shes" is "she's", "the
    ticket of him" is "his ticket"."""
    nouns = [n.lower() for k in kinds for n in k.nouns]
    if not nouns:
        return text
    # Only a kind's first noun (and a person's every noun) is mended to: "contact" is a word
    # of its own, not a slip for "contract".
    primary = [n.lower() for k in kinds for n in (k.nouns if k.person else k.nouns[:1])]
    # "there charged twice tkt": describing words may stand between, never "there are 2 …".
    owner = rf"\b(?:there|thier)\s+((?:[a-z]+\s+){{0,2}}){nouns_pattern(nouns)}s?\b"

    def their(m: re.Match[str]) -> str:
        if set(m.group(1).lower().split()) & ENGLISH_STOP_WORDS:
            return m.group(0)
        return "their" + m.group(0)[5:]

    text = re.sub(owner, their, text, flags=re.I)
    text = re.sub(r"\bthier\b", "their", text, flags=re.I)
    # "the first of the list", "the second on the list": the first one, the second one.
    text = re.sub(
        rf"\b(the (?:{'|'.join(_ORDINALS)}))\s+(?:of|on|in|from)\s+(?:the|that|this|your)\s+list\b",
        r"\1 one",
        text,
        flags=re.I,
    )
    # "close the ticket of him", "the invoice of her": a non-native speaker's "his ticket".
    of_whom = rf"\bthe\s+((?:[a-z]+\s+){{0,2}}?{nouns_pattern(nouns)}s?)\s+of\s+(him|her|them)\b"
    text = re.sub(
        of_whom, lambda m: f"{_OWNER_OF[m.group(2).lower()]} {m.group(1)}", text, flags=re.I
    )
    # "and the newest" as the whole request: the newest one, a record picked by when it was
    # made (not "which of his invoices is the oldest?", which asks which that is).
    text = re.sub(
        r"^(\W*(?:(?:and|or|what about|how about|now|also)\s+)?"
        r"the (?:oldest|newest|latest|earliest))(?=\W*$)",
        r"\1 one",
        text,
        flags=re.I,
    )

    # "and how much was May's?", "June's too": the month's record, with its noun left out.
    months = "|".join(m for m in calendar.month_name if m)
    text = re.sub(
        rf"\b({months})'s(?=\s*(?:[?.!,;:]|$)|\s+(?:too|as well|also|then|please|pls)\b)",
        r"the \1 one",
        text,
        flags=re.I,
    )

    # "what plan shes on": "she's" typed without the apostrophe.
    text = re.sub(r"\b(she|he)s\b", r"\1's", text, flags=re.I)

    def mend(word: str) -> str:
        if word.lower() in nouns or word.lower().rstrip("s") in nouns:
            return word
        close = difflib.get_close_matches(word.lower(), primary, 1, 0.9)
        return close[0] if close else word

    def right_after(m: re.Match[str]) -> str:
        word = mend(m.group(2))
        return m.group(0) if word == m.group(2) else f"{m.group(1)} {word}"

    text = re.sub(_DEMONSTRATIVE, right_after, text, flags=re.I)

    # "her open tickt": describing words between whose it is and the noun typed wrong.
    def described(m: re.Match[str]) -> str:
        if set(m.group(2).lower().split()) & ENGLISH_STOP_WORDS:
            return m.group(0)
        return m.group(0)[: m.start(3) - m.start()] + mend(m.group(3))

    return re.sub(_DESCRIBED_SLIP, described, text, flags=re.I)


def _weak_refers(text: str, match: re.Match[str]) -> bool:
    """False for "the customer" that is a note's wording ("… saying the customer confirmed")
    or starts a relative clause ("the customer that bought …"), true for a reference."""
    payload = PAYLOAD.search(text)
    if payload and payload.start() < match.start():
        return False
    if re.match(r"\s+that\s+\w", text[match.end() :], re.I):
        before = re.findall(r"[a-z]+", text[: match.start()].lower())
        if _NOTING & set(before[-_NOTING_SPAN:]):
            return True  # "a note on the ticket that …": the note's words follow the record
        return bool(before) and before[-1] in TELLING
    return True


def _consumed(
    resolutions: list[Resolution], owners: list[Resolution], thread: _Thread
) -> list[Resolution]:
    """`resolutions` and the owner phrases resolved after them: "the customer on that ticket"
    denotes the customer, so the ticket "that ticket" became is no longer a reference."""
    consumed = {e for r in owners for _, e in entity_ids(thread.kinds, r.phrase)}
    return [r for r in resolutions if r.entity not in consumed] + owners


def _owner_phrases(text: str, thread: _Thread) -> tuple[str, list[Resolution]] | str:
    """ "its customer", "the customer on TCK-1002", "TCK-1002's customer": the owner's id."""
    resolutions: list[Resolution] = []
    if _ASKS_WHO.search(text):
        return text, resolutions  # "who is the customer on TCK-1002?" asks for the owner
    for kind in [k for k in thread.kinds if k.person]:
        noun = nouns_pattern(kind.nouns)
        ids = "|".join(k.pattern.pattern for k in thread.kinds if not k.person)
        if not ids:
            continue
        patterns = [
            rf"\bthe {noun} (?:on|of|for|behind|from) (?:\w+ )?(?P<id>{ids})",
            rf"\b(?P<id>{ids})'s {noun}\b",
        ]
        for pattern in patterns:
            for match in list(re.finditer(pattern, text, re.I)):
                owner = thread.owner(match.group("id"), kind.name)
                if owner is None:
                    continue
                text = text.replace(match.group(0), owner, 1)
                turn = thread.turn_naming(match.group("id"))
                resolutions.append(Resolution(match.group(0), owner, kind.name, turn))
        its = rf"\bits {noun}\b"
        if re.search(its, text, re.I):
            latest = thread.latest_named(person=False)
            if latest is None:
                continue
            owners = list(
                dict.fromkeys(o for _, e in latest[0] if (o := thread.owner(e, kind.name)))
            )
            if len(owners) > 1:
                return _question(kind, owners)
            if owners:
                text = re.sub(its, owners[0], text, count=1, flags=re.I)
                resolutions.append(
                    Resolution("its " + kind.nouns[0], owners[0], kind.name, latest[1])
                )
    return text, resolutions


def _described(text: str, thread: _Thread) -> tuple[str, list[Resolution]] | str:
    """ "the June one", "the SAML ticket", "the first one": one of the recent turns' records.

    The newest turn with a record the words describe decides: its one best match, or a
    question when several fit as well (named records before ones only seen in results).
    Ordinals need a list, so they read only a turn with two or more records of the kind.
    """
    if not thread.lookup or not thread.history:
        return text, []
    text, resolutions = _relative(text, thread)
    tagged = _release_candidate(text, thread)
    if isinstance(tagged, str):
        return tagged
    text, resolutions = tagged[0], resolutions + tagged[1]
    unfit: dict[str, EntityKind | None] = {}
    for kind in _ordinal_kinds_first(text, thread):
        nouns = "|".join(re.escape(n) for n in kind.nouns) or "one"
        pattern = _DESCRIBED.replace("{nouns}", nouns)
        for match in list(re.finditer(pattern, text, re.I)):
            phrase = match.group(0)
            ordinal = _ORDINAL.search(phrase)
            if match.group(1).lower().split()[0] in _NOT_DESCRIBING and not ordinal:
                continue
            if kind.person and not ordinal:
                continue  # people by their words are read in `people`; "the first one" here
            if _RULED_OUT.search(text, 0, max(text.find(phrase), 0)):
                continue  # "I meant the invoice one, not the dashboard one": not meant
            # "the first invoice I mentioned": the order the user named them in, turn by turn.
            said = bool(ordinal and _MENTIONED.match(text, match.end()))
            found = _described_one(phrase, kind, bool(ordinal), thread, context=text, said=said)
            if isinstance(found, str):
                return found
            if found is None:
                unfit.setdefault(phrase, None if ordinal else kind)
                continue
            entity, turn, guessed = found
            text = text.replace(phrase, entity, 1)
            resolutions.append(Resolution(phrase, entity, kind.name, turn, guessed=guessed))
        if kind.person:
            continue
        # "the one of March", "the invoice from June", "the one whose card failed": the
        # description after the noun. Only taken when a record fits; words after a noun are
        # often no description at all.
        after = (
            rf"\bthe (?:one|{nouns}) (?P<by>of|from|for|about|with|whose) "
            r"((?:[\w-]+ ){0,2}[\w-]+)"
        )
        for match in list(re.finditer(after, text, re.I)):
            if entity_ids(thread.kinds, match.group(2)):
                continue  # "the invoice for CUS-1003" names its customer
            found = _described_one(match.group(0), kind, False, thread, context=text)
            if isinstance(found, tuple):
                text = text.replace(match.group(0), found[0], 1)
                resolutions.append(
                    Resolution(match.group(0), found[0], kind.name, found[1], guessed=found[2])
                )
            elif match.group("by").lower() == "whose" or not _relational(match.group(2), thread):
                # "a summary of the incident for the month-end pack" after two incidents: the
                # words after the noun describe none of them, so "the incident" is still one
                # of the two, asked (with one in play, it is left as typed). A clause with
                # "whose" always describes: "the one whose card failed" is no relation.
                unfit.setdefault(match.group(0), kind)
        # "sso one status?": "the" left out at the start; taken only when one record fits.
        bare = r"^\W*(?:(?:and|so|ok|also)\s+)?((?:[\w-]+ ){0,2}[\w-]+) one\b"
        start = re.match(bare, text, re.I)
        words = start.group(1).lower().split() if start else []
        # "okay close that one": "that one" points, the words before it describe nothing.
        pointing = bool(words) and words[-1] in ENGLISH_STOP_WORDS | _NOT_DESCRIBING
        # "and her june one too": one of hers, read with whose it is (`owned`).
        pointing = pointing or bool(words) and words[0] in _PEOPLE_WORDS
        if (
            start
            and not pointing
            and not entity_ids(thread.kinds, start.group(1))
            and set(words) - ENGLISH_STOP_WORDS
        ):
            phrase = text[start.start(1) : start.end()]
            found = _described_one(phrase, kind, False, thread, context=text)
            if isinstance(found, tuple):
                text = text[: start.start(1)] + found[0] + text[start.end() :]
                resolutions.append(Resolution(phrase, found[0], kind.name, found[1], found[2]))
    for phrase, unfit_kind in unfit.items():
        # A description no record fits, while the thread has several it could mean ("the
        # blue one" after two deployments): asked, never passed on for a skill to guess.
        question = (
            _fits_none(phrase, unfit_kind, thread, text) if unfit_kind and phrase in text else None
        )
        if question:
            return question
    return text, resolutions


# A version's release-candidate tag said as the noun: "roll back the rc on staging", "is the
# staging release candidate healthy?"; not a word of another noun ("the rc build", "the rc one").
_RC = r"\b(?:the|that|this)\s+((?:[\w-]+\s+){{0,2}}?)(?:rc\d*|release\s+candidate)\b" + (
    r"(?!\s+(?:ones?|builds?|branch\w*|tags?|notes|process|{nouns})\b)"
)


# "the release notes" is a document, whichever release it is about: no deployment.
_NOTES = re.compile(r"\s+notes?\b", re.I)


def release_term_at(text: str, match: re.Match[str]) -> bool:
    """Whether the kind noun "release" of `match` begins a term of its own, not a deployment:
    the tag ("that release candidate", for `_release_candidate` to read) or the document ("the
    release notes", "update the release notes" names no deployment)."""
    if re.compile(_RC.format(nouns="one"), re.I).match(text, match.start()) is not None:
        return True
    return match.group(0).lower().endswith("release") and bool(_NOTES.match(text, match.end()))


def _release_candidate(text: str, thread: _Thread) -> tuple[str, list[Resolution]] | str:
    """ "the rc", said of a record in play whose version carries the tag (lookups describe
    "2.15.0-rc1" by "rc"): that record, as "the rc one" reads it; a question when several fit.
    Left as typed when none does: the tag is the record's word only when one has it."""
    nouns = "|".join(rf"{re.escape(n)}s?" for k in thread.kinds for n in k.nouns) or "one"
    resolutions: list[Resolution] = []
    for match in list(re.finditer(_RC.format(nouns=nouns), text, re.I)):
        for kind in (k for k in thread.kinds if not k.person):
            found = _described_one(f"the {match.group(1)}rc one", kind, False, thread, text)
            if isinstance(found, str):
                return found
            if found is not None:
                text = text.replace(match.group(0), found[0], 1)
                resolutions.append(Resolution(match.group(0), found[0], kind.name, *found[1:]))
                break
    return text, resolutions


# What, right before a description, says the record is not the one meant: "I meant the
# invoice one, not the dashboard one", "the staging one rather than the prod one".
_RULED_OUT = re.compile(r"\b(?:not|rather than|instead of)\s+$", re.I)


# "the one that failed", "the deployment which failed": a one-word relative clause, not one
# that goes on ("the deploy that caused it") or whose word describes nothing ("the one that
# you closed").
_RELATIVE = (
    r"\bthe (one|{nouns}) (?:that|which)(?:'s| is| was| has| had)? ([a-z]+)"
    r"(?=\s*(?:[?.!,;:]|$)|\s+(?:and|but|then|too|also|please|now)\b)"
)


def _relative(text: str, thread: _Thread) -> tuple[str, list[Resolution]]:
    """ "the one that failed" read as "the failed one" would be, when one record fits it;
    left as typed otherwise (the words may describe what no record's facts say)."""
    resolutions: list[Resolution] = []
    for kind in thread.kinds:
        if kind.person or not kind.nouns:
            continue
        pattern = _RELATIVE.replace("{nouns}", nouns_pattern(kind.nouns))
        for match in list(re.finditer(pattern, text, re.I)):
            if match.group(2).lower() in ENGLISH_STOP_WORDS:
                continue
            described = f"the {match.group(2)} {match.group(1)}"
            found = _described_one(described, kind, False, thread, context=text)
            if isinstance(found, tuple) and match.group(0) in text:
                entity, turn, guessed = found
                text = text.replace(match.group(0), entity, 1)
                resolutions.append(Resolution(match.group(0), entity, kind.name, turn, guessed))
    return text, resolutions


def _ordinal_kinds_first(text: str, thread: _Thread) -> list[EntityKind]:
    """The thread's kinds in the order "the first one" is read against them: a change whose
    value only people take ("upgrade the first one to enterprise" after three customers' plans)
    counts people first, not the invoices the last answer listed; then the other kinds a
    record of which has that value (a contract may say "enterprise" too)."""
    kinds = list(thread.kinds)
    if not _ORDINAL.search(text):
        return kinds
    valued = {k.name for k in kinds if thread.takes_value(text, k.name)}
    if any(thread.by_name[name].person for name in valued):
        kinds.sort(key=lambda k: (k.name not in valued, not k.person))
    return kinds


# "the former", "the latter" standing alone, as a subject or an object ("The latter is to be
# refunded", "refund the former", "set the latter to urgent", "roll the former back", "the
# customer on the former that …") or a possessive ("the latter's contract"), not before a
# noun ("the former owner").
_FORMER_LATTER = re.compile(
    r"\bthe (former|latter)\b(?=\s*(?:[,.;:!?]|$)|'s\b|\s+(?:is|was|should|needs?|must|can|could"
    r"|has|will|may|one|please|too|as well|to|back|up|out|off|down|for|and|or|with|now|first"
    r"|instead|again|that|about)\b)",
    re.I,
)


# A possessive whose noun is left out ("and the former's.", "the latter's too").
_ELIDED_AFTER = re.compile(
    r"'s(?=\s*(?:[,.;:!?]|$)|\s+(?:too|also|as well|please|pls|now)\b)", re.I
)


def _former_latter(text: str, thread: _Thread) -> tuple[str, list[Resolution]]:
    """Each "the former"/"the latter": the first or second of the two records the newest turn
    that named any named, or of the two the last turns named one each (nothing when there
    are other than two). After a turn that read "the former"/"the latter" too ("pull up the
    latter's contract", "and the former's."), of the same two, and a possessive with its noun
    left out has the noun that turn's possessive had."""
    found = list(_FORMER_LATTER.finditer(text))
    if not found:
        return text, []
    last = thread.history[-1] if thread.history else {}
    typed = str(last.get("typed") or last.get("request") or "")
    if _FORMER_LATTER.search(typed):
        text = _noun_again(text, found, typed, thread)
        found = list(_FORMER_LATTER.finditer(text))
        thread = replace(thread, history=thread.history[:-1])
    # People named by full name count as named ("James Chen and Tom Becker").
    thread = thread.naming_people()
    latest = thread.latest_named_any()
    if latest is None:
        return text, []
    named, turn = latest
    records = list(dict.fromkeys((k, e) for k, e in named if not thread.by_name[k].person))
    if not records:
        # "What plans are James Chen and Tom Becker on?", "pull up the latter's contract":
        # the two people the turn named and nothing else.
        records = list(dict.fromkeys(named))
    if len(records) == 1:
        # "the auth one - since when?", "and the latency one?", "open an incident for the
        # former": the two records named one per turn, in the order they were named.
        kind = records[0][0]
        series = thread.one_at_a_time(kind)
        if series and len(series[0]) == 2:
            records, turn = [(kind, e) for e in series[0]], series[1]
        else:
            # "set the latter to urgent", then "email the customer on the former": the two
            # named together before the one the turn between acted on.
            records, turn = _pair_with(records[0], thread) or (records, turn)
    if len(records) != 2:
        return text, []
    out: list[Resolution] = []
    for match in reversed(found):  # from the end, so the earlier matches' places hold
        kind, entity = records[0 if match.group(1).lower() == "former" else 1]
        text = text[: match.start()] + entity + text[match.end() :]
        out.append(Resolution(match.group(0), entity, kind, turn))
    return text, out[::-1]


def _noun_again(text: str, found: list[re.Match[str]], typed: str, thread: _Thread) -> str:
    """`text` with the noun its possessives leave out ("and the former's.") put back: the
    noun, with the words before it, of the one possessive of a record's noun in `typed`, the
    turn before ("the latter's contract"); as it is when that turn had no such possessive."""
    had = re.findall(possessed(thread.kinds), typed, re.I)
    if len(set(had)) != 1:
        return text
    for match in reversed(found):
        elided = _ELIDED_AFTER.match(text, match.end(1))
        if elided is not None:
            text = f"{text[: elided.end()]} {had[0]}{text[elided.end() :]}"
    return text


def _pair_with(
    record: tuple[str, str], thread: _Thread
) -> tuple[list[tuple[str, str]], int] | None:
    """The newest earlier turn that named `record` and one other record of its kind, both
    (nothing when that turn named other than two)."""
    kind, entity = record
    for turn in reversed(thread.history[:-1]):
        named = (turn.get("entities") or {}).get("named", [])
        pair = list(dict.fromkeys((k, e) for k, e in named if k == kind))
        if (kind, entity) in pair:
            return (pair, int(turn.get("turn", 0))) if len(pair) == 2 else None
    return None


def _postmodifier(phrase: str, context: str) -> set[str]:
    """The describing words of what the phrase goes on with in the request: "in production"
    of "the api deployment in production"."""
    at = context.find(phrase)
    after = re.match(
        r"\s+(?:in|on|at|for|from|of|with)\s+([\w.-]+)",
        context[at + len(phrase) :] if at >= 0 else "",
    )
    return _describing_words(after.group(1)) if after else set()


# "her last two invoices", "the 3 newest deploys": a listing asked for by how many of the newest
# (or oldest) records, whatever else the answer listed.
_LAST_FEW = re.compile(
    r"\b(last|latest|newest|most recent|recent|first|oldest|earliest)\s+"
    rf"({'|'.join(NUMBER_WORDS)}|\d)\b",
    re.I,
)


def _last_few(pool: list[str], request: str) -> list[str]:
    """Of the records an answer listed, the few the request asked for by age ("her last two
    invoices": the two newest; ids are issued in order); all of them when it asked no such."""
    few = _LAST_FEW.search(request)
    if few is None:
        return pool
    count = NUMBER_WORDS.get(few.group(2).lower()) or int(few.group(2))
    if not 0 < count < len(pool):
        return pool
    newest = few.group(1).lower() not in {"first", "oldest", "earliest"}
    ordered = sorted(pool)
    kept = set(ordered[-count:] if newest else ordered[:count])
    return [e for e in pool if e in kept]


def _top_fits(pool: list[str], request: str, kind: EntityKind, thread: _Thread) -> list[str]:
    """The records of `pool` a request's words describe best (all of them, ties and all), or the
    whole pool when its words describe none; of the few it asked for by age, when it did."""
    pool = _last_few(pool, strip_ids(request, thread.kinds))
    words = _describing_words(strip_ids(request, thread.kinds)) - {n.lower() for n in kind.nouns}
    scores = {e: len(words & thread.described_by(e)) for e in pool}
    best = max(scores.values(), default=0)
    return [e for e in pool if scores[e] == best] if best > 0 else pool


def _by_amount(
    pool: list[str], larger: bool, kind: EntityKind, thread: _Thread, turn: int
) -> tuple[str, int, str] | str | None:
    """ "the bigger one", "the smallest invoice": the record of `pool` with the largest (or
    smallest) amount, a question when two share it, None when the records have no amounts."""
    amounts = {e: f.amount for e in pool if (f := thread.facts(e)) and f.amount is not None}
    if len(amounts) < 2:
        return None
    best = max(amounts.values()) if larger else min(amounts.values())
    top = [e for e, a in amounts.items() if a == best]
    return (top[0], turn, "") if len(top) == 1 else _question(kind, top)


def _relational(words: str, thread: _Thread) -> bool:
    """True unless the words after "the incident for …" are a phrase of their own that names
    no record and no person ("for the month-end pack"): "for that customer", "from her", "of
    the SAML ticket" are relations read elsewhere, "for March" may describe a record."""
    said = re.findall(r"[a-z]+", words.lower())
    nouns = {n.lower() for k in thread.kinds for n in k.nouns}
    # A bare word after it ("the invoice for March") may describe a record the thread has not
    # seen yet; only a phrase of its own ("for the month-end pack") is surely no description.
    own_phrase = bool(said) and said[0] in _OWN_PHRASE
    named = {w.rstrip("s") for w in said} & nouns or set(said) & _PEOPLE_WORDS
    return not own_phrase or bool(named)


# Not patterns._PRONOUN_PERSON, on purpose: a record may be related to the speaker or the
# person spoken to too ("the invoice for me", "the one from you"), where that pattern is a
# pronoun that stands for a record's person (and reads "em", which this never needed).
_PEOPLE_WORDS = {"him", "her", "them", "his", "their", "he", "she", "they", "me", "u", "you"}
_OWN_PHRASE = {"the", "a", "an", "our", "my", "your", "next", "this", "that"}


def _fits_none(
    phrase: str, kind: EntityKind, thread: _Thread, context: str = "", turns: int = 3
) -> str | None:
    """The question to ask when a describing phrase fits no record but the newest turn with
    records of its kind (any kind, for "the … one" and "the one …") had two or more; None
    otherwise. A "one" the request's side effect acts on (`context`) is of the kinds that
    side effect takes, people too ("credit the business plan one" after two customers'
    invoices asks which customer, for a credit takes a customer)."""
    every_noun = {n.lower() for k in thread.kinds for n in k.nouns}
    if not _describing_words(phrase) - every_noun - {"one"}:
        return None
    # "the blue one", "the one whose card failed": of any kind; "the blue invoice": of its own.
    one = phrase.lower().endswith(" one") or phrase.lower().startswith("the one ")
    acted = [k for k in thread.kinds if context and thread.acts_on_live(context, k.name)]
    kinds = (acted or thread.kinds) if one else [kind]
    for turn in list(reversed(thread.history))[:turns]:
        ents = turn.get("entities") or {}
        pairs = [*ents.get("named", []), *ents.get("touched", [])]
        for k in kinds:
            if k.person and k not in acted:
                continue
            records = list(dict.fromkeys(e for name, e in pairs if name == k.name))
            if len(records) >= 2:
                return _question(k, records)
        if any(name == k.name and (not k.person or k in acted) for name, _ in pairs for k in kinds):
            return None  # the newest turn with such a record had one: nothing to choose
    return None


def _title_words(facts: RecordFacts | None) -> set[str]:
    """The words of a record's title ("web production 3.8.1"), lower-case; none unknown."""
    return set(re.findall(r"[\w.-]+", (facts.title if facts else "").lower()))


def _most_like(entity: str, options: list[str], thread: _Thread) -> list[str]:
    """The one of `options` whose title ("web production 3.8.1") shares the most words with
    `entity`'s ("web staging 3.8.1"), when one does; else all of them. Titles, not the words
    that describe a record: a month or a status shared says nothing of which is its
    counterpart."""
    mine = _title_words(thread.facts(entity))
    scores = {e: len(mine & _title_words(thread.facts(e))) for e in options}
    best = max(scores.values(), default=0)
    top = [e for e, n in scores.items() if n == best]
    return top if best > 0 and len(top) == 1 else options


def _counterpart(words: set[str], entity: str, kind: EntityKind, thread: _Thread) -> str | None:
    """The one record of `kind` in the catalog that is `entity` in another place the `words`
    say: its title differs from `entity`'s in one word alone, and the words describe it
    ("the staging one" after DEP-1028, "web production 3.8.1": DEP-1025, "web staging 3.8.1").
    None when no record, or more than one, is: a record that shares the service alone (an rc
    on staging that never went to production) is no counterpart. The catalog is read once a
    turn (`catalog_facts`)."""
    mine = _title_words(thread.facts(entity))
    if not words or not mine:
        return None
    found = [
        e
        for e, facts in thread.catalog_facts(kind.name).items()
        if len((theirs := _title_words(facts)) - mine) == 1
        and len(mine - theirs) == 1
        and thread.fits(words, e) == words
    ]
    return found[0] if len(found) == 1 else None


def _options_picked(turn: Mapping[str, Any], thread: _Thread) -> list[str]:
    """The options of the question the turn before `turn` asked, when `turn` named one of
    them (it was the reply that picked it); none otherwise."""
    at = next((i for i, t in enumerate(thread.history) if t is turn), 0)
    if at == 0:
        return []
    asked = (thread.history[at - 1].get("entities") or {}).get("question") or {}
    options = [e for _, e in asked.get("options", [])]
    named = {e for _, e in (turn.get("entities") or {}).get("named", [])}
    return options if named & set(options) else []


def _described_one(
    phrase: str,
    kind: EntityKind,
    ordinal: bool,
    thread: _Thread,
    context: str = "",
    turns: int = 3,
    said: bool = False,
) -> tuple[str, int, str] | str | None:
    """The record of `kind` a describing phrase picks from the recent turns, a question when
    several fit equally (the rest of the request may still tell them apart: "the api
    deployment in production"), or None when no recent record fits. The third element says
    whether a tie-break picked it ("description"): a guess, confirmed before a side effect."""
    words = _describing_words(phrase) - {n.lower() for n in kind.nouns}
    # The rest of the request may tell two fitting records apart ("the api deployment in
    # production"), but not by the value it sets: "bump the 502 one to urgent" after two 502
    # tickets, one already urgent, still has two candidates.
    rest = _describing_words(_SET_TO.sub(" ", context)) - {n.lower() for n in kind.nouns}
    if said:
        # Every id of the kind the user's requests named, in the order they first named them.
        typed = [
            (e, int(t.get("turn", 0)))
            for t in thread.history
            for k, e in entity_ids(thread.kinds, str(t.get("request") or ""))
            if k == kind.name
        ]
        first = {e: n for e, n in reversed(typed)}
        order = list(dict.fromkeys(e for e, _ in typed))
        picked = thread.pick(phrase, order) if len(order) >= 2 else []
        return (picked[0], first[picked[0]], "") if len(picked) == 1 else None
    counterpart: tuple[str, int, str] | None = None
    for turn in list(reversed(thread.history))[:turns]:
        ents = turn.get("entities") or {}
        named = ids_of(ents, kind.name)
        seen = [e for k, e in ents.get("touched", []) if k == kind.name and e not in named]
        pool = list(dict.fromkeys(named + seen))
        if not named and not ordinal and len(pool) > 2:
            # A listing the turn asked for by description ("api deploys in june?"): what the
            # phrase picks is one of the records that request described best.
            pool = _top_fits(pool, str(turn.get("request") or ""), kind, thread)
        compares = words & (_NEWEST | _OLDEST | _LATER | _EARLIER | _LARGER | _SMALLER)
        if compares and len(named) == 1:
            continue  # "the older one" is one of two named before, never this one again
        if compares and len(named) >= 2:
            pool = named  # of the two the user named, not of what an answer listed besides
        if len(pool) >= 2 and words & (_NEWEST | _OLDEST | _LATER | _EARLIER):
            # "the oldest one", "the newest invoice", "the later one": ids are issued in order.
            chosen = max(pool) if words & (_NEWEST | _LATER) else min(pool)
            return chosen, int(turn.get("turn", 0)), ""
        if len(pool) >= 2 and words & (_LARGER | _SMALLER):
            return _by_amount(pool, bool(words & _LARGER), kind, thread, int(turn.get("turn", 0)))
        if ordinal and len(pool) == 1:
            # "whats going on with TCK-1140", "and TCK-1144?", "close the first one": the
            # records named one per turn are the list the ordinal counts.
            series = thread.one_at_a_time(kind.name)
            if series:
                chosen = thread.pick(phrase, series[0])
                return (chosen[0], series[1], "") if len(chosen) == 1 else None
        if ordinal:
            kinds_named = [k for k, _ in ents.get("named", []) if k != kind.name]
            if not named and any(kinds_named.count(k) >= 2 for k in kinds_named):
                # "credit the first one" after "what plans are CUS-1041 and CUS-1043 on?":
                # the first of the two named, not of the invoices the answer listed.
                return None
            if len(pool) >= 2:
                chosen = thread.pick(phrase, pool)
                return (chosen[0], int(turn.get("turn", 0)), "") if len(chosen) == 1 else None
            continue
        scores = {e: len(thread.fits(words, e)) for e in pool}
        best = max(scores.values(), default=0)
        if best == 0 and len(named) == 1 and counterpart is None:
            # "Who deployed DEP-1028?" answered with that one alone, then "same question for
            # the staging one": its counterpart on staging, which no answer listed, unless an
            # earlier turn had a staging one ("whats on api staging n prod", "prod", then
            # "who shipped the staging one": the one on staging now, not 1028's twin).
            found = _counterpart(words, named[0], kind, thread)
            counterpart = (found, int(turn.get("turn", 0)), "") if found else None
        if best == 0:
            continue
        winners = [e for e, n in scores.items() if n == best]
        if len(winners) > 1:
            # The records a turn named, not those its answer listed, are what the user
            # contrasts ("the staging one" of the two named): no guess.
            winners = [e for e in winners if e in named] or winners
        if len(winners) > 1:
            # "Which deployment: DEP-1030, DEP-1029 or DEP-1028?", "the auth one", "and the
            # web one?": of the options the turn picked from, not of what its answer listed.
            options = _options_picked(turn, thread)
            winners = [e for e in winners if e in options] or winners
        if len(winners) > 1 and len(named) == 1 and named[0] not in winners:
            # "did DEP-1025 (web, staging) go to prod after?", then "roll back the prod one":
            # of what its answer listed, the one most like the record the turn was about (its
            # counterpart in production: same service and version), when one is; else asked.
            winners = _most_like(named[0], winners, thread)
        if len(winners) > 1 and thread.acts_on_live(context, kind.name):
            winners = thread.live(winners)  # "the charged-twice one can be closed": the open one
        guessed = ""
        if len(winners) > 1:
            # Words the phrase goes on with ("the api deployment in production") describe it;
            # other words of the request ("close the low prio one cust changed the email
            # herself", of two low-priority tickets) that tip it make a guess, confirmed
            # before an act.
            own = _best_fits(winners, _postmodifier(phrase, context), thread)
            winners = _best_fits(winners, rest, thread)
            guessed = "description" if len(winners) == 1 and len(own) != 1 else ""
        if len(winners) > 1:
            return _question(kind, winners)
        return winners[0], int(turn.get("turn", 0)), guessed
    if counterpart:
        return counterpart
    person = None if ordinal else _person(thread)
    if person is None:
        return None
    # "the CSV one" after "which tickets does CUS-1004 have open?": one of that customer's;
    # "the charged twice ticket" after two customers were named: one of either's.
    owned = [f.owns for p in person[0] if (f := thread.facts(p))]
    pool = [e for owns in owned for e in owns if kind.pattern.fullmatch(e)]
    scores = {e: len(thread.fits(words, e)) for e in pool}
    best = max(scores.values(), default=0)
    winners = [e for e, n in scores.items() if n == best and best > 0]
    if len(winners) > 1:
        live = [e for e in winners if not (thread.facts(e) or RecordFacts(e)).done]
        if len(live) == 1:
            # The one unfinished among those the words fit: a guess.
            return live[0], person[2], "description"
    if len(winners) > 1:
        return _question(kind, winners)
    return (winners[0], person[2], "") if winners else None
