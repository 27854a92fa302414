"""The response schema of a review interrupt: the shapes it takes and what it refuses."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from ringmaster.graph.nodes.review_answer import answer_schema, as_response


def packet(*names: str, allowed: list[str] | None = None) -> dict[str, Any]:
    allowed = allowed or ["approve", "edit", "reject", "respond"]
    return {
        "action_requests": [{"name": n, "args": {"x": 1}, "description": n} for n in names],
        "review_configs": [{"action_name": n, "allowed_decisions": allowed} for n in names],
        "context": {"kind": "approval"},
    }


def read(p: dict[str, Any], value: Any) -> dict[str, Any]:
    return as_response(answer_schema(p).model_validate(value))


def test_langchain_batched_answer_passes_with_reviewer_and_extras() -> None:
    out = read(packet("a"), {"decisions": [{"type": "approve"}], "reviewer": "ana", "reason": "ok"})
    assert out == {"decisions": [{"type": "approve"}], "reviewer": "ana", "reason": "ok"}


def test_per_call_single_decision_is_one_decision() -> None:
    out = read(packet("a"), {"type": "reject", "message": "no"})
    assert out["decisions"] == [{"type": "reject", "message": "no"}]


def test_agent_inbox_edit_and_reject_shapes() -> None:
    edit = {"type": "edit", "args": {"action": "a", "args": {"x": 2}}}
    out = read(packet("a"), {"decisions": [edit]})
    assert out["decisions"] == [{"type": "edit", "edited_action": {"name": "a", "args": {"x": 2}}}]
    out = read(packet("a"), {"decisions": [{"type": "reject", "args": "too much"}]})
    assert out["decisions"] == [{"type": "reject", "message": "too much"}]
    # Agent Inbox's accept carries the action it showed; approving needs nothing from it.
    out = read(packet("a"), {"decisions": [{"type": "approve", "args": {"action": "a"}}]})
    assert out["decisions"] == [{"type": "approve"}]


@pytest.mark.parametrize(
    ("p", "value", "says"),
    [
        (packet("a"), {"decisions": [{"type": "aprove"}]}, "aprove"),
        (packet("a", allowed=["edit", "reject"]), {"type": "approve"}, "approve"),
        (packet("a", "b"), {"decisions": [{"type": "approve"}]}, "at least 2"),
        (packet("a"), {"type": "respond", "message": "  "}, "message"),
        (packet("a"), {"type": "edit", "args": "not an action"}, "edited_action"),
        (packet("a"), ["approve"], "valid dictionary"),
    ],
    ids=["typo", "not-allowed", "too-few", "blank-respond", "edit-without-args", "not-a-dict"],
)
def test_bad_answers_are_refused_with_a_reason(p: dict[str, Any], value: Any, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        answer_schema(p).model_validate(value)


def test_the_schema_clients_see_lists_only_the_allowed_decisions() -> None:
    schema = answer_schema(packet("a", allowed=["edit", "respond", "reject"])).model_json_schema()
    kinds = {
        d["properties"]["type"]["const"]
        for d in schema["$defs"].values()
        if "type" in d.get("properties", {})
    }
    assert kinds == {"edit", "respond", "reject"}
    assert schema["properties"]["decisions"]["minItems"] == 1
    assert schema["properties"]["decisions"]["maxItems"] == 1
