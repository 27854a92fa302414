"""A reviewer's decision, from an API body or a web form, as the review queue's value.

Checked here before the queue sees it, so a mistake is a 422 with a sentence and the item stays
pending: an edit names an existing action and gives a JSON object, a routing edit names an
agent of the team, a rejection may say why, an answer must say something. The queue checks the
decision kinds each action allows (`check_response`) in the same call that records it.
"""

from __future__ import annotations

import json
from typing import Any

from ringmaster.api.schemas import ActionEdit, DecisionIn
from ringmaster.errors import InvalidDecision
from ringmaster.graph.nodes.review import ROUTE_ACTION
from ringmaster.review_queue import ReviewItem

MAX_ARGS_CHARS = 20_000


def decisions_for(item: ReviewItem, body: DecisionIn, agents: set[str]) -> dict[str, Any]:
    """`{"decisions": [...], "reason": ...}` with one decision per action of the item."""
    actions: list[dict[str, Any]] = item.payload.get("action_requests", [])
    kind = body.decision
    if kind == "approve":
        decisions: list[dict[str, Any]] = [{"type": "approve"} for _ in actions]
    elif kind == "reject":
        reason = (body.reason or "").strip() or "rejected by a reviewer"
        decisions = [{"type": "reject", "message": reason} for _ in actions]
    elif kind == "respond":
        message = (body.message or "").strip()
        if not message:
            raise InvalidDecision("a respond decision needs a message")
        decisions = [{"type": "respond", "message": message} for _ in actions]
    else:
        decisions = _edits(actions, body.edits or [], agents)
    response: dict[str, Any] = {"decisions": decisions}
    if kind == "reject":
        response["reason"] = decisions[0]["message"] if decisions else body.reason
    return response


def _edits(
    actions: list[dict[str, Any]], edits: list[ActionEdit], agents: set[str]
) -> list[dict[str, Any]]:
    if not edits:
        raise InvalidDecision("an edit needs at least one entry in `edits`")
    decisions: list[dict[str, Any]] = [{"type": "approve"} for _ in actions]
    seen: set[int] = set()
    for edit in edits:
        if not 0 <= edit.action < len(actions):
            raise InvalidDecision(
                f"edits: action {edit.action} does not exist (the item has {len(actions)})"
            )
        if edit.action in seen:
            raise InvalidDecision(f"edits: action {edit.action} is edited twice")
        seen.add(edit.action)
        if len(json.dumps(edit.args, default=str)) > MAX_ARGS_CHARS:
            raise InvalidDecision(f"edits: the arguments are over {MAX_ARGS_CHARS:,} characters")
        name = actions[edit.action]["name"]
        if name == ROUTE_ACTION and edit.args.get("agent") not in agents:
            raise InvalidDecision(
                f"edits: route to one of the team's agents ({', '.join(sorted(agents))}), "
                f"not {edit.args.get('agent')!r}"
            )
        decisions[edit.action] = {
            "type": "edit",
            "edited_action": {"name": name, "args": edit.args},
        }
    return decisions


def parse_args_text(text: str, action: int) -> dict[str, Any]:
    """A web form's arguments box: a JSON object, or InvalidDecision saying what is wrong."""
    if len(text) > MAX_ARGS_CHARS:
        raise InvalidDecision(f"action {action}: the arguments are over {MAX_ARGS_CHARS:,} chars")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidDecision(
            f"action {action}: the arguments are not valid JSON ({exc.msg}, line {exc.lineno})"
        ) from None
    if not isinstance(value, dict):
        raise InvalidDecision(f"action {action}: the arguments must be a JSON object")
    return value
