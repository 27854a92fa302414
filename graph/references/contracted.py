"""A pronoun typed with its verb contracted ("they're", "it'll", "she's") that a rewrite wrote
as an id keeps its verb, in full and agreeing with the id: "If INV-1102 and INV-1149 are
really unpaid", never "INV-1102 and INV-1149're". Nobody types a verb contracted onto an
id, so the rule holds for every path that puts one in (a pronoun of the thread's, of the
request's own, a group, one person's "they").

"'s" is a verb only where the pronoun was one that cannot own ("it's", "she's", "that one's"):
an id put for "its" or "her" owns what follows ("INV-1144's customer").
"""

from __future__ import annotations

import re

from ringmaster.graph.references.entities import Resolution

# The contraction, and the verb in full for one record and for several.
_FULL = {"re": ("is", "are"), "ve": ("has", "have"), "ll": ("will", "will"), "s": ("is", "are")}
# "it'd been", "they'd paid": "had"; "they'd like": "would".
_HAD_AFTER = re.compile(r"\s+(?:been|[a-z]+ed|got|gone|done|sent|paid)\b", re.I)
# "it's been", "she's paid": "has" before "been" and "got" ("is paid" reads the same).
_HAS_AFTER = re.compile(r"\s+(?:been|got)\b", re.I)
# Pronouns that are subjects, never owners: "it's" is "it is"; "its" is never contracted.
_SUBJECTS = {"it", "they", "he", "she", "em", "that one", "this one", "that", "this"}


def uncontracted(text: str, resolutions: list[Resolution], typed: str) -> str:
    """`text` with each contracted verb after the ids a subject pronoun was written as put in
    full: "INV-1102 and INV-1149 are", "CUS-1003 is", "INV-1144 will". An id's "'s" the
    person `typed` ("CUS-1003's open tickets") is theirs, as typed."""
    subjects = {r.entity for r in resolutions if r.phrase.lower() in _SUBJECTS}
    owners = {r.entity for r in resolutions if r.phrase.lower() not in _SUBJECTS}
    if not subjects:
        return text
    ids = "|".join(re.escape(e) for e in sorted(subjects, key=len, reverse=True))
    pattern = re.compile(
        rf"(?P<ids>\b(?:{ids})(?:(?:,\s*|\s+and\s+|\s*&\s*)(?:{ids}))*)['’](?P<verb>re|ve|ll|d|s)\b",
        re.I,
    )

    def full(m: re.Match[str]) -> str:
        verb = m.group("verb").lower()
        last = re.split(r",\s*|\s+and\s+|\s*&\s*", m.group("ids"))[-1]
        if verb == "s" and (last in owners or m.group(0).lower() in typed.lower()):
            return m.group(0)  # "its" and "it's" both put in: the owner's is as typed
        several = len(re.findall(ids, m.group("ids"))) > 1
        if verb == "d":
            word = "had" if _HAD_AFTER.match(m.string, m.end()) else "would"
        elif verb == "s" and _HAS_AFTER.match(m.string, m.end()):
            word = "has"
        else:
            word = _FULL[verb][several]
        return f"{m.group('ids')} {word}"

    return pattern.sub(full, text)
