"""A pronoun typed with its verb contracted ("they're", "it'll", "she's") that a rewrite wrote
as an id keeps its verb, in full and agreeing with the id: "If INV-1102 and INV-1149 are
really unpaid", never "INV-1102 and INV-1149're". Nobody types a verb contracted onto an
id, so the rule holds for every path that puts one in (a pronoun of the thread's, of the
request's own, a group, one person's "they").

"'s" is left as put ("INV-1144's unpaid", "CUS-1001's on which plan"): it reads as the verb
or as an owner's, where "'re" after an id reads as nothing; writing it out as "is" lost two
turns the planner routed on the id's "'s" (dev20 f02:4, f23:3).
"""

from __future__ import annotations

import re

from ringmaster.graph.references.entities import Resolution

# The contraction, and the verb in full for one record and for several.
_FULL = {"re": ("is", "are"), "ve": ("has", "have"), "ll": ("will", "will")}
# "it'd been", "they'd paid": "had"; "they'd like": "would".
_HAD_AFTER = re.compile(r"\s+(?:been|[a-z]+ed|got|gone|done|sent|paid)\b", re.I)
# Pronouns that are subjects, never owners.
_SUBJECTS = {"it", "they", "he", "she", "em", "that one", "this one", "that", "this"}


def uncontracted(text: str, resolutions: list[Resolution], typed: str) -> str:
    """`text` with each contracted verb after the ids a subject pronoun was written as put in
    full: "INV-1102 and INV-1149 are", "CUS-1003 is", "INV-1144 will"; what the person
    `typed` is left as typed."""
    subjects = {r.entity for r in resolutions if r.phrase.lower() in _SUBJECTS}
    if not subjects:
        return text
    ids = "|".join(re.escape(e) for e in sorted(subjects, key=len, reverse=True))
    pattern = re.compile(
        rf"(?P<ids>\b(?:{ids})(?:(?:,\s*|\s+and\s+|\s*&\s*)(?:{ids}))*)['’](?P<verb>re|ve|ll|d)\b",
        re.I,
    )

    def full(m: re.Match[str]) -> str:
        verb = m.group("verb").lower()
        if m.group(0).lower() in typed.lower():
            return m.group(0)  # as the person typed it
        # "check CUS-1003, they're …": the one id twice is one record.
        several = len({e.upper() for e in re.findall(ids, m.group("ids"), re.I)}) > 1
        if verb == "d":
            word = "had" if _HAD_AFTER.match(m.string, m.end()) else "would"
        else:
            word = _FULL[verb][several]
        return f"{m.group('ids')} {word}"

    return pattern.sub(full, text)
