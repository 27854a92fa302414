"""Possessive pronouns standing alone: "close hers" (her record of those in play), "his too",
and "which invoice of hers" (read as "her invoice").

"hers" is the record in play whose owner she can be: of the newest turn that named or listed a
record of someone she may be, that record; when that turn has several of hers, the question of
which. "his" (standing alone) is read the same with "he", "theirs" with anyone. A request that
is nothing but the possessive ("and hers?" after "what's his plan?") with no record of hers in
play is hers of the last request: the one person she may be, or the question of which.
"""

from __future__ import annotations

import re

from ringmaster.graph.references.entities import Resolution, _question
from ringmaster.graph.references.patterns import nouns_pattern
from ringmaster.graph.references.thread import _Thread

_GENDER = {"hers": "she", "his": "he", "theirs": ""}
# "close hers", "hers, the dashboard is fine", "his too": no noun after it ("his plan").
_ALONE = re.compile(
    r"\b(?<!\bof )(?P<who>hers|his|theirs)\b"
    r"(?=\s*(?:[,.;:!?)]|$)|\s+(?:too|also|as well|please|pls|now|then|and|instead)\b)",
    re.I,
)


def _of_hers(text: str, thread: _Thread) -> str:
    """ "which invoice of hers", "a ticket of his": as "her invoice", "his ticket"."""
    nouns = [n for k in thread.kinds if not k.person for n in k.nouns]
    if not nouns:
        return text
    determiner = {"hers": "her", "his": "his", "theirs": "their"}
    pattern = (
        rf"\b(?:(?:a|an|the|which|what)\s+)?(?P<noun>{nouns_pattern(nouns)}s?)"
        r"\s+of\s+(?P<who>hers|his|theirs)\b"
    )

    def swap(m: re.Match[str]) -> str:
        lead = m.group(0)[: m.start("noun") - m.start()]
        which = "which " if lead.strip().lower() in ("which", "what") else ""
        return f"{which}{determiner[m.group('who').lower()]} {m.group('noun')}"

    return re.sub(pattern, swap, text, flags=re.I)


def _fitting(thread: _Thread, gender: str) -> tuple[list[tuple[str, str]], int] | None:
    """The newest turn's records (named, else listed) whose owner `gender` may be."""
    for turn in reversed(thread.history):
        ents = turn.get("entities") or {}
        pairs = [(k, e) for k, e in ents.get("named", []) + ents.get("touched", [])]
        things = [(k, e) for k, e in pairs if (kind := thread.by_name.get(k)) and not kind.person]
        fit = []
        for k, e in dict.fromkeys(things):
            owner = thread.owned_by(e)
            facts = thread.facts(owner) if owner else None
            if facts is not None and (not gender or facts.pronouns in ("", gender)):
                fit.append((k, e))
        if fit:
            return fit, int(turn.get("turn", 0))
    return None


# "and hers?", "what about his?", "theirs too?": the whole request, a possessive ellipsis.
_ELLIPSIS = re.compile(
    r"^\W*(?:(?:and|what about|how about|same for)\s+)?(?P<who>hers|his|theirs)"
    r"(?:\s+(?:too|also|as well))?\W*$",
    re.I,
)


def _person(thread: _Thread, gender: str) -> tuple[list[tuple[str, str]], int] | None:
    """The people of the newest turn that named or listed one `gender` may be."""
    for turn in reversed(thread.history):
        ents = turn.get("entities") or {}
        pairs = [(k, e) for k, e in ents.get("named", []) + ents.get("touched", [])]
        fit = [
            (k, e)
            for k, e in dict.fromkeys(pairs)
            if (kind := thread.by_name.get(k))
            and kind.person
            and (facts := thread.facts(e)) is not None
            and (not gender or facts.pronouns in ("", gender))
        ]
        if fit:
            return fit, int(turn.get("turn", 0))
    return None


def _hers(text: str, thread: _Thread) -> tuple[str, list[Resolution]] | str:
    """`text` with "hers"/"his"/"theirs" standing alone replaced by the record it stands for,
    or the question to ask when it stands for several."""
    text = _of_hers(text, thread)
    resolutions: list[Resolution] = []
    for match in list(_ALONE.finditer(text)):
        gender = _GENDER[match.group("who").lower()]
        found = _fitting(thread, gender)
        if found is None and _ELLIPSIS.match(text):
            # "what's his plan?" then "and hers?": no record of hers in play, so hers of
            # what the last request asked; the repeat (`followups`) asks it of her.
            people = _person(thread, gender)
            if people is None:
                continue
            if len(people[0]) > 1:
                kinds = {k for k, _ in people[0]}
                kind = thread.by_name.get(kinds.pop()) if len(kinds) == 1 else None
                return _question(kind, [e for _, e in people[0]])
            (kind_name, entity), turn = people[0][0], people[1]
            text = text.replace(match.group(0), f"{entity}'s", 1)
            resolutions.append(Resolution(match.group(0), entity, kind_name, turn))
            continue
        if found is None:
            continue
        records, turn = found
        if len(records) > 1:
            kinds = {k for k, _ in records}
            kind = thread.by_name.get(kinds.pop()) if len(kinds) == 1 else None
            return _question(kind, [e for _, e in records])
        kind_name, entity = records[0]
        text = text.replace(match.group(0), entity, 1)
        resolutions.append(Resolution(match.group(0), entity, kind_name, turn))
    return text, resolutions
