"""A review in a line: the call it holds and the rules it passes, counted, not recited.

A refund over every limit used to be summed up by its whole blocker ("issue_refund: policy: …
a person must approve it" up to four times), cut at 500 characters mid-word. The graph tags
each reason it holds a call for (`context.rules`: graph/nodes/validate.py and act.py), so the
line says the call and names or counts its rules ("issue_refund 299.00 on INV-1002: refund of
299.00 is above the 100.00 limit and 2 running totals"); the reasons in full stay in the
payload, for `review show` and the item page.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from ringmaster.graph.escalation_words import OUT_OF_SCOPE
from ringmaster.graph.review_actions import WHOLE_ACTIONS

# A summary with no rules to count (a routing or validation review) is its blocker, cut here.
MOST = 200

# A record id as the demo's and most teams' tools take one: INV-1002, CUS-1002.
_RECORD = re.compile(r"^[A-Z][A-Z0-9]*-[A-Z0-9]+$")

# Rule kinds counted rather than said: what one and several of them are called. The rest are
# said in their own short words: the agent's first concern (what a reviewer weighs first; any
# others are counted), an approval rule ("refund of 299.00 is above the 100.00 limit"), a
# category always held, a record taken but not named (which one, and as what).
_COUNTED = {
    "more concerns": ("another agent concern", "more agent concerns"),
    "total": ("a running total", "running totals"),
}


def cut(text: str, most: int) -> str:
    """`text` in at most `most` characters, cut at a word and marked " …" where it was cut."""
    return textwrap.shorten(text, most, placeholder=" …") if len(text) > most else text


def call_text(name: str, args: dict[str, Any]) -> str:
    """A tool call as a person reads it: "issue_refund 299.00 on INV-1002"."""
    amount = args.get("amount")
    records = [v for v in args.values() if isinstance(v, str) and _RECORD.match(v)]
    said = f"{name} {amount}" if amount not in (None, "") else name
    return f"{said} on {', '.join(dict.fromkeys(records))}" if records else said


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def rules_text(rules: list[dict[str, Any]]) -> str:
    """The rules a call passes: the ones a tool or agent words briefly said, the rest counted."""
    concerns = [r for r in rules if r.get("kind") == "concern"]
    kinds = [("more concerns" if r in concerns[1:] else r.get("kind")) for r in rules]
    said = [str(r.get("text")) for r, k in zip(rules, kinds, strict=True) if k not in _COUNTED]
    parts = list(dict.fromkeys(t for t in said if t))
    for kind, (one, many) in _COUNTED.items():
        n = kinds.count(kind)
        if n:
            parts.append(one if n == 1 else f"{n} {many}")
    return _and(parts) if parts else ""


def summarize(payload: dict[str, Any]) -> str:
    """An item in a line: why a person is asked, and the tools it would call that the reason
    does not already name. Not its kind (every listing shows it beside the summary) nor the
    names of actions on a run or output as a whole (`route_subtask`: the kind says it)."""
    ctx = payload.get("context", {})
    calls = [a for a in payload.get("action_requests", []) if a["name"] not in WHOLE_ACTIONS]
    rules = ctx.get("rules")
    if rules and calls:
        shown = [call_text(a["name"], a.get("args") or {}) for a in calls]
        head = "; ".join(dict.fromkeys(shown[:2]))
        if len(shown) > 2:
            head += f" and {len(shown) - 2} more"
        why = rules_text(rules)
        return cut(f"{head}: {why}" if why else head, MOST)
    why = str(ctx.get("blocker") or "").strip() or str(ctx.get("kind") or "review")
    if ctx.get("kind") == "routing":  # read by the requester too: their words, not figures
        if (ctx.get("subtask") or {}).get("escalation_kind") == "out_of_scope":
            why = OUT_OF_SCOPE
    unnamed = [a["name"] for a in calls if not re.search(rf"\b{re.escape(a['name'])}\b", why)]
    if unnamed:
        why += f" (calls {', '.join(dict.fromkeys(unnamed))})"
    return cut(why, MOST)
