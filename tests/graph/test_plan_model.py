"""A plan is subtasks forming a DAG, or the supervisor's own reply with no subtask."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ringmaster.graph.planner.base import Plan, Subtask

SUBTASK = Subtask(id="t1", description="status of TCK-1001", agent="support", confidence=0.9)


def test_a_reply_is_a_plan_of_no_subtask() -> None:
    plan = Plan(planner="supervisor", reply="You're welcome.", rationale="a pleasantry")
    assert (plan.subtasks, plan.agents(), plan.reply) == ([], set(), "You're welcome.")


@pytest.mark.parametrize(
    "fields",
    [{}, {"subtasks": [SUBTASK], "reply": "You're welcome."}],
    ids=["neither", "both"],
)
def test_a_plan_has_subtasks_or_a_reply(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="subtasks or the supervisor's reply"):
        Plan(planner="x", **fields)  # type: ignore[arg-type]
