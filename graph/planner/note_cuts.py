"""The cuts that leave context as a part of its own, glued back to its neighbour: an FYI note,
a courtesy, a list's lead-in, a subordinate clause that opens a sentence, and an inline reply's
answers that ask nothing (`segmenting.Segmenter` glues by them).

Notes and writing to customers (demo-team-dev6: asks buried in long emails, forwarded threads,
terse chat, non-native English, bullets, asks as questions, "email CUS-1012 about …"). A candidate
part that opens with "FYI" / "heads up" / "cc @ops fyi" and asks nothing ("FYI the customer below
is furious.") is glued to the part after it, or to the one before when it comes last (`note_cuts`,
`no_ask.is_note`); a lead-in to a list ("please find the open items:" / "1. …") is glued to the
first item (`note_cuts`); and a message that says no action is needed and asks nothing goes to a
person whole (`local.LocalPlanner.plan`, `no_ask.asks_nothing`). The demo team's content agent
gained 14 examples of writing to a customer named by id or pronoun about another agent's matter
(the shipped model rebuilt). One-part / multi-part exact set / subtask count / out-of-scope, mean
over cutter seeds 0-2, before -> after all four: dev6 0.822 / 0.708 / 0.698 / 0.667 -> 0.844 /
0.875 / 0.844 / 0.917; dev 0.972 / 0.944 / 0.922 -> 0.972 / 0.944 / 0.889; dev2 0.977 / 0.956 /
0.956 -> 0.966 / 0.944 / 0.934; dev3 0.600 / 0.717 / 0.646 -> 0.653 / 0.707 / 0.636; dev4 0.926 /
0.898 / 0.851 -> 0.889 / 0.889 / 0.868; dev5 0.852 / 0.874 / 0.878 / 0.667 -> 0.842 / 0.828 / 0.833
/ 0.815. The examples move other splits by a row either way (the cutter is retrained on them); the
rules change only the rows they name (the lead-in rule one dev6 row, "Dear team, Following our
call, please find the open items:", routed to support).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ringmaster.graph.planner.cut_rules import Part
from ringmaster.graph.planner.cutter import joiner_kind
from ringmaster.graph.planner.envelope import INLINE_GREETING, is_courtesy


def note_cuts(parts: Sequence[Part], joiners: Sequence[str] = ()) -> set[int]:
    """The cuts that leave context as a part of its own: an FYI note (`Part.note`), glued to
    the part after it (a note introduces what follows) or to the one before when it comes last;
    a courtesy between a part and a connector that turns to another ask ("… exporting data?
    thx. And finally, …"), to the part before it, which it closes (glued forward, it took the
    next ask's connector with it, and the cutter then read the cut before it as a plain
    sentence break and glued both asks);
    a lead-in to a list ("Following our call, please find the open items:" / "1. …"),
    glued to the list's first item; and a subordinate clause that opens a sentence ("Before we
    write anything for the status page, …"), glued to the clause after its comma. `joiners[k]`
    is what stands before `parts[k]`."""
    cuts: set[int] = set()
    if len(parts) < 2:
        return cuts
    for k, part in enumerate(parts):
        if part.note:
            last = k + 1 == len(parts)
            closes = k > 0 and not last and is_courtesy(part.text) and _turns(joiners, k + 1)
            cuts.add(k - 1 if last or closes else k)
    for k in range(1, min(len(parts), len(joiners))):
        if joiner_kind(joiners[k]) == "lead-in":
            cuts.add(k - 1)
        # the clause opens the request, a line or a sentence, and a comma (only) follows it
        opens = k == 1 or "\n" in joiners[k - 1] or parts[k - 2].text.rstrip()[-1:] in ".!?"
        if opens and joiners[k].strip() == "," and _SUBORDINATE.match(parts[k - 1].text):
            cuts.add(k - 1)
    return cuts


# A subordinate clause that opens a sentence, its subject named: "Before we write anything for
# the status page, I need to know …", "Since we switched to Okta last week, nobody can …", "If
# the refund went through, …". It says when, why or on what condition, never what to do: the
# comma after it is no cut, however surely its words route ("status page" to content).
_SUBORDINATE = re.compile(
    # after the greeting the first sentence may run on from ("Hello team,\n\nBefore we …")
    rf"^\W*(?:{INLINE_GREETING})?"
    r"(?:before|after|since|because|as\s+soon\s+as|although|though|while|when|whenever|if|"
    r"unless|until|once)\s+(?:we|i|you|they|he|she|it|the|our|your|their|this|that|there|"
    r"everyone|someone|nobody)\b",
    re.IGNORECASE,
)


def _turns(joiners: Sequence[str], k: int) -> bool:
    """Whether `joiners[k]` turns to another ask ("And finally, ", " Also, ", " oh and ")."""
    return k < len(joiners) and joiner_kind(joiners[k]) in ("also", "and", "then", "new-matter")


def _closes(part: Part, courtesy: Part) -> bool:
    """Whether `courtesy` is a courtesy glued back to `part`, the ask it closes (`note_cuts`)."""
    return courtesy.note and is_courtesy(courtesy.text) and not part.note


def _fold_notes(parts: list[Part]) -> list[Part]:
    """Each note (`Part.note`) folded into the part after it, or into the one before when it
    comes last, which keeps its own scores and reading: rescored with the note, an inline
    reply's answer lost the quoted paragraph it is read under. All notes: all of them, unfolded."""
    out: list[Part] = []
    held: list[str] = []
    for part in parts:
        if part.note:
            held.append(part.text)
            continue
        first = not out
        text = "\n\n".join([*held, part.text])
        held = []
        out.append(replace(part, text=text, first=first, boundary=None if first else "strong"))
    if not out:
        return parts
    if held:
        out[-1] = replace(out[-1], text="\n\n".join([out[-1].text, *held]))
    return out
