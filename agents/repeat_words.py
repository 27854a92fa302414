"""The words by which a message says it repeats the request before it, for whoever reads them.

"do the same for CUS-1019", "same thing for TCK-1071", "ditto", "likewise", "do that for INV-3
too": the planner routes such a turn as the turn before (graph/planner/carry.py), and a demo
skill that sees one unresolved asks what to do (agents/demo/skills/language.py). Each anchors
the phrase its own way; the phrase is one.
"""

from __future__ import annotations

REPEAT_PHRASE = (
    r"(?:do the same|same (?:for|thing|here|again)|ditto|likewise|do that (?:for|too|as well))"
)
