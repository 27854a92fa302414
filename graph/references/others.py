"""'The other one': of the records named (or listed) together, the one the last turn did not
use; "the other two", "the other tickets": every one left; a question when it is not clear.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ringmaster.graph.references.entities import EntityKind, Resolution, _question, ids_of
from ringmaster.graph.references.owned import owned_in_play
from ringmaster.graph.references.patterns import NUMBER_WORDS
from ringmaster.graph.references.thread import _Thread

# "the other one", "her other tickets", "same for the other": the words for records set apart.
_OTHER_WORDS = re.compile(
    r"\b(?:the|her|his|their) other(?: (one|[a-z]+)\b|(?=\s*(?:[?.!,;]|$)))", re.I
)


def _other(
    text: str, resolutions: list[Resolution], thread: _Thread
) -> tuple[str, list[Resolution]] | str:
    """ "the other one": of the records named (or, when none of its kind was named, listed)
    together, the one the last turn did not use; a question when several are left."""
    # "same for the other": "one" left out at the end of a clause. "her other one" after one
    # of her tickets: the other of hers, as "the other one" reads.
    match = _OTHER_WORDS.search(text)
    if not match or not thread.history:
        return text, resolutions
    used = {e for _, e in (thread.history[-1].get("entities") or {}).get("named", [])}
    word = (match.group(1) or "one").lower()
    # "the other two", "the other tickets": every record left, when that many are.
    many = _OTHERS.get(word, 0 if word.endswith("s") and word != "this" else None)
    # What the turns after a group used ("close the password one", an ops question, then
    # "back to the other ticket"), not only the last turn.
    after: set[str] = set()
    for at in range(len(thread.history) - 2, -1, -1):
        later = thread.history[at + 1].get("entities") or {}
        after |= {e for _, e in later.get("named", [])}
        turn = thread.history[at]
        ents = turn.get("entities") or {}
        for kind in thread.kinds:
            if word not in {"one", *_OTHERS} and word.rstrip("s") not in kind.nouns:
                continue
            # "close the seats one" after "what are CUS-1007's open tickets?": the listing's.
            group = ids_of(ents, kind.name) or ids_of(ents, kind.name, "touched")
            rest = [e for e in group if e not in after]
            if len(group) < 2 or not 0 < len(rest) < len(group):
                continue
            number = int(turn.get("turn", 0))
            if many is not None:
                if many and len(rest) != many:
                    return _count_question(kind, word, group, rest)  # "the other two", one left
                text = text.replace(match.group(0), " and ".join(rest), 1)
                # "the other tickets" when one is left: that one, and the rationale says why.
                tie = _ONLY_ONE_LEFT if len(rest) == 1 else ""
                every = [Resolution(match.group(0), e, kind.name, number, tie=tie) for e in rest]
                return text, [*resolutions, *every]
            if len(rest) > 1:
                return _question(kind, rest)  # three records, one used: which other?
            text = text.replace(match.group(0), rest[0], 1)
            return text, [*resolutions, Resolution(match.group(0), rest[0], kind.name, number)]
    apart = _apart_from_last(word, many, text, match.group(0), resolutions, thread)
    if apart is not None:
        return apart
    # "they're both rate limit ones, close Freya's", "and the other one": of the two records of
    # a kind the last turn named, the one its side effect's calls were not given.
    last = thread.history[-1].get("entities") or {}
    acted = {e for _, e in last.get("called", last.get("acted", []))}
    for kind in thread.kinds:
        if kind.person or (word != "one" and word.rstrip("s") not in kind.nouns):
            continue
        pair = ids_of(last, kind.name)
        rest = [e for e in pair if e not in acted]
        if len(pair) == 2 and len(rest) == 1 and many is None:
            number = int(thread.history[-1].get("turn", 0))
            text = text.replace(match.group(0), rest[0], 1)
            return text, [*resolutions, Resolution(match.group(0), rest[0], kind.name, number)]
    # "whats going on with TCK-1140", "and TCK-1144?", "close TCK-1144", "and reopen the
    # other one": of the two records named one per turn, the one the last turn did not use.
    for kind in {thread.by_name[k] for k, _ in _used_pairs(thread) if k in thread.by_name}:
        if kind.person or (word != "one" and word.rstrip("s") not in kind.nouns):
            continue
        series = thread.one_at_a_time(kind.name)
        rest = [e for e in (series[0] if series else []) if e not in used]
        if series and len(series[0]) == 2 and len(rest) == 1:
            number = thread.turn_naming(rest[0])
            text = text.replace(match.group(0), rest[0], 1)
            return text, [*resolutions, Resolution(match.group(0), rest[0], kind.name, number)]
    # "close the 2fa one", "same w the other" after "open tix for CUS-1001?" whose answer
    # listed nothing: the other of that person's unfinished records of the kind just used.
    for kind in {thread.by_name[k] for k, _ in _used_pairs(thread) if k in thread.by_name}:
        # "the other two" after one of theirs was used: every one left of theirs.
        one_used = len([e for k, e in _used_pairs(thread) if k == kind.name]) == 1
        others = {"one", *_OTHERS} if one_used else {"one"}
        if kind.person or (word not in others and word.rstrip("s") not in kind.nouns):
            continue
        found = owned_in_play(thread, kind)
        rest = [e for e in (found[0] if found else []) if e not in used]
        if found and one_used and many is not None and len(rest) > 1 and many in {0, len(rest)}:
            text = text.replace(match.group(0), " and ".join(rest), 1)
            every = [Resolution(match.group(0), e, kind.name, found[1]) for e in rest]
            return text, [*resolutions, *every]
        if len(rest) > 1:
            return _question(kind, rest)
        if rest and found:
            text = text.replace(match.group(0), rest[0], 1)
            return text, [*resolutions, Resolution(match.group(0), rest[0], kind.name, found[1])]
    if many is not None:
        return _none_other(word, many, thread) or (text, resolutions)
    return text, resolutions


# "the other two": that many; "the other ones": every one left.
_OTHERS = {**NUMBER_WORDS, "ones": 0}
# Why "the other tickets" was read as one record: no more were left.
_ONLY_ONE_LEFT = "the only other one left"


def _apart_from_last(
    word: str,
    many: int | None,
    text: str,
    phrase: str,
    resolutions: list[Resolution],
    thread: _Thread,
) -> tuple[str, list[Resolution]] | str | None:
    """ "pull up CUS-1007 and CUS-1011", "give CUS-1002 a credit", "do that for the other
    customer too": the last turn used one record of the kind, which stood with none named
    before it; the others are those the nearest turn before named of that kind. One is it;
    several are asked (never the first of them guessed); "the other two" of one is that one,
    guessed (so confirmed before a side effect)."""
    last = thread.history[-1].get("entities") or {}
    for kind in thread.kinds:
        if word not in {"one", *_OTHERS} and word.rstrip("s") not in kind.nouns:
            continue
        mine = ids_of(last, kind.name)
        if len(mine) != 1:
            continue
        for at in range(len(thread.history) - 2, max(-1, len(thread.history) - 5), -1):
            ents = thread.history[at].get("entities") or {}
            before = ids_of(ents, kind.name)
            if not before:
                continue
            if mine[0] in before:
                break  # it stood with them: the groups above say which is left
            number = int(thread.history[at].get("turn", 0))
            # "the other two" says how many; "the other one", one.
            fewer = many is not None and many > 1 and len(before) == 1
            if not fewer and (len(before) > 1 if many is None else many and len(before) != many):
                return _question(kind, before)
            text = text.replace(phrase, " and ".join(before), 1)
            tie = _ONLY_ONE_LEFT if many is not None and len(before) == 1 and not fewer else ""
            # "the other two" of one: that one, no "which do you mean: X?" of a single choice;
            # a guess at what was meant, so a side effect on it is confirmed (`confirming`).
            guess = "fewer" if fewer else ""
            every = (
                Resolution(phrase, e, kind.name, number, guessed=guess, tie=tie) for e in before
            )
            return text, [*resolutions, *every]
    return None


def _none_other(word: str, many: int, thread: _Thread) -> str | None:
    """What "the other two" ("the other tickets") can't find when the newest records of the
    kind in play are no more than that and none was set apart ("close the other two" after
    two tickets were named): said, with the records there are, never offered as the others."""
    for entry in reversed(thread.history[-3:]):
        ents = entry.get("entities") or {}
        for kind in thread.kinds:
            if kind.person or word not in _OTHERS and word.rstrip("s") not in kind.nouns:
                continue
            group = ids_of(ents, kind.name) or ids_of(ents, kind.name, "touched")
            if not group:
                continue
            if len(group) > max(many, 2):
                return None  # others there may be: which is for the rules above to ask
            noun = kind.nouns[0] if kind.nouns else kind.name
            count = word if word in NUMBER_WORDS else ""
            there = " and ".join(group)
            return (
                f"There are no other {count + ' ' if count else ''}{noun}s in this conversation: "
                f"it has named {there} only. Which {noun}s do you mean?"
            )
    return None


def _count_question(kind: EntityKind, word: str, group: Sequence[str], rest: Sequence[str]) -> str:
    """The question for "the other two" when the records left of the `group` named together
    are not that many: which are left, and which the request meant (a reply naming them runs
    it, `instead_of_others`). Not "Which ticket do you mean: TCK-1003?", a choice of one."""
    noun = kind.nouns[0] if kind.nouns else kind.name
    left = f"only {rest[0]} is left" if len(rest) == 1 else f"{_and(rest)} are left, not {word}"
    return f"Of {_and(group)}, {left}. Which {noun}s do you mean?"


def _and(ids: Sequence[str]) -> str:
    """ "TCK-1, TCK-2 and TCK-3"."""
    return " and ".join([", ".join(ids[:-1]), ids[-1]] if len(ids) > 1 else ids)


def instead_of_others(asked: str, chosen: Sequence[str]) -> str | None:
    """`asked` ("close the other two") with the records a reply named in place of the others
    it asked for, when `_none_other` found none ("TCK-1003 and TCK-1005"); None when it asked
    for no others."""
    match = _OTHER_WORDS.search(asked)
    if match is None:
        return None
    return asked[: match.start()] + " and ".join(chosen) + asked[match.end() :]


def _used_pairs(thread: _Thread) -> list[tuple[str, str]]:
    """The (kind, id) pairs the last turn named."""
    return [(k, e) for k, e in (thread.history[-1].get("entities") or {}).get("named", [])]
