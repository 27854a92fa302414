"""A review's decision in words, for the views that show a decided item (`ringmaster review
show`, the web item page): what the reviewer decided for each action, and for an edit what it
changed, so a decided item is not read as its proposal ("amount 299.00") alone."""

from __future__ import annotations

from typing import Any

from ringmaster.graph.nodes.synthesize import args_text, edit_changes
from ringmaster.review_queue import ReviewItem


def _line(action: dict[str, Any], d: dict[str, Any]) -> str:
    name, proposed = action.get("name"), action.get("args") or {}
    kind = d.get("type")
    if kind == "approve":
        since = d.get("passed_since_review")  # ringmaster/decisions.py: totals moved since
        return f"approved {name}({args_text(proposed)})" + (
            f", past running totals its review did not show ({since})" if since else ""
        )
    if kind == "edit":
        act = d.get("edited_action") or {}
        edited = act.get("args") or {}
        changed = ", ".join(edit_changes(proposed, edited)) or "nothing"
        ran = f"{act.get('name', name)}({args_text(edited)})"
        over = d.get("edit_needs_approval")  # ringmaster/decisions.py: over the policy
        return f"edited {name} ({changed}) and approved {ran}" + (
            f", itself over the policy ({over})" if over else ""
        )
    if kind == "reject":
        return f"rejected {name}: {d.get('message') or 'no reason given'}"
    if kind == "respond":
        return f"answered in place of {name}: {d.get('message')}"
    return f"{kind} {name}"


def decision_lines(item: ReviewItem) -> list[str]:
    """One line per decided action: `decided by rita: edited issue_refund (amount 299.00 →
    80.00) and approved issue_refund(invoice_id=INV-1002, amount=80.00, …)`; none while
    the item is pending."""
    if not item.decision:
        return []
    actions = item.payload.get("action_requests") or []
    decisions = item.decision.get("decisions") or []
    who = item.decided_by or item.decision.get("reviewer") or "someone"
    return [
        f"decided by {who}: {_line(actions[i] if i < len(actions) else {}, d)}"
        for i, d in enumerate(decisions)
    ]
