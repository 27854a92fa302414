"""An edited action's output told as it ran: the reviewer's arguments, not the agent's proposal.

An agent's output describes what it proposed ("amount": "299.00" for a refund it asked a
person to approve). When a reviewer edits the action (to 80.00) and it runs, that output
would go on telling the proposed amount in every view of the result (`run --json`, `thread
show`, the API, the chat), so the act node rewrites the fields that carried an edited
argument's proposed value to the value that ran, and lists each edit under `edited`:
which call, what was proposed, what ran, and who changed it.
"""

from __future__ import annotations

from typing import Any

from ringmaster.graph.nodes.synthesize import arg_text


def _same(key: str, a: Any, b: Any) -> bool:
    """Equal as a person reads them: a proposed "299.00" and an output's "299.00" or 299."""
    return a == b or arg_text(key, a) == arg_text(key, b)


def edits_of(
    actions: list[dict[str, Any]], proposals: list[dict[str, Any]], reviewer: str | None
) -> list[dict[str, Any]]:
    """Every executed action whose arguments differ from its proposal: `{tool, proposed,
    executed, by}`, with only the changed arguments on each side."""
    edits = []
    for i, action in enumerate(actions):
        if action.get("status") != "executed" or i >= len(proposals):
            continue
        proposed = proposals[i].get("args") or {}
        ran = action.get("args") or {}
        changed = [k for k in sorted(set(ran) | set(proposed)) if ran.get(k) != proposed.get(k)]
        if not changed:
            continue
        edits.append(
            {
                "tool": action["tool"],
                "proposed": {k: proposed.get(k) for k in changed},
                "executed": {k: ran.get(k) for k in changed},
                "by": reviewer,
            }
        )
    return edits


def _replace_in(holder: dict[str, Any], key: str, tool: str, old: Any, new: Any) -> None:
    """Replace the proposed value where the output holds several of that argument: a list
    (`invoice_ids` for `invoice_id`), or a mapping (`amounts` {refund, credit}) where exactly
    one entry holds it, or the entry the tool's name names (`refund` of `issue_refund`)."""
    many = holder.get(key + "s")
    if isinstance(many, list):
        holder[key + "s"] = [new if _same(key, v, old) else v for v in many]
    elif isinstance(many, dict):
        hits = [k for k, v in many.items() if _same(key, v, old)]
        named = [k for k in hits if str(k) in tool]
        pick = hits if len(hits) == 1 else named if len(named) == 1 else []
        if pick:
            holder[key + "s"] = {**many, pick[0]: new}


def as_executed(output: dict[str, Any], edits: list[dict[str, Any]]) -> dict[str, Any]:
    """The output with each edited argument's proposed value replaced by the one that ran
    (only where a field held exactly the proposed value; anything else is left as the agent
    wrote it), and the edits listed under `edited`."""
    if not edits:
        return output
    out = dict(output)
    for edit in edits:
        for key, new in edit["executed"].items():
            old = edit["proposed"].get(key)
            if isinstance(out.get(key + "s"), dict):
                # Several actions' values by name (`amounts`): the bare field is one of them
                # (billing's `amount` is the credit's), changed only when it held the edited
                # value and no other entry still holds it (which would make it ambiguous).
                _replace_in(out, key, edit["tool"], old, new)
                left = [v for v in out[key + "s"].values() if _same(key, v, old)]
                if key in out and _same(key, out[key], old) and not left:
                    out[key] = new
            elif key in out and _same(key, out[key], old):
                out[key] = new
            else:
                _replace_in(out, key, edit["tool"], old, new)
    out["edited"] = edits
    return out
