"""A follow-up routed as the turn before it when it repeats that turn or leans on it and the
planner could not tell (graph/planner/carry.py), on the demo team's shipped model."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from ringmaster.agents.demo import load_demo_team
from ringmaster.evals.conversations import load_conversations, run_conversations
from ringmaster.graph.planner.base import Plan, Subtask
from ringmaster.graph.planner.carry import carried
from ringmaster.graph.planner.local import LocalPlanner
from ringmaster.graph.state import stored_turn
from ringmaster.settings import Settings
from ringmaster.wiring import build_deps

SCOPES = ["support", "billing", "ops", "content", "analytics", "legal"]


@pytest.fixture(scope="module")
def demo() -> LocalPlanner:
    return LocalPlanner(load_demo_team())  # the shipped model


def test_a_follow_up_the_planner_is_unsure_of_goes_where_the_turn_before_went(
    demo: LocalPlanner,
) -> None:
    before = demo.plan("how many refunds did we issue in May?")
    alone = demo.plan("And what about credits?")
    assert before.agents() == {"analytics"} and alone.subtasks[0].unsure  # unsure alone
    plan = carried(alone, "And what about credits?", before)
    [s] = plan.subtasks
    assert (s.agent, s.escalate, s.escalation_reason, s.escalation_kind) == (
        "analytics", False, None, None
    )  # fmt: skip
    assert "the turn before went to analytics" in s.rationale
    assert {a.agent for a in s.alternatives} >= {alone.subtasks[0].agent}  # its own pick kept


def test_a_repeat_goes_where_the_turn_before_went_however_sure_the_planner_was(
    demo: LocalPlanner,
) -> None:
    before = demo.plan("credit CUS-1006 20 dollars for the slow dashboard")
    text = "Please do the same for CUS-1019, who reported the same problem."
    alone = demo.plan(text)
    assert before.agents() == {"billing"} and alone.agents() == {"support"}
    [s] = carried(alone, text, before).subtasks
    assert (s.agent, s.escalate) == ("billing", False)
    # As sure as the route it repeats: the planner alone gave billing 0.01 (shown as 0.00).
    assert s.confidence == before.subtasks[0].confidence > 0.9


def test_a_turn_stored_before_escalation_kinds_is_still_the_turn_before(
    demo: LocalPlanner,
) -> None:
    """A plan stored before `Subtask.escalation_kind` (its reason in words only) loads; an
    escalation of that shape is not known to be unsure, so nothing settles it by context."""
    before = demo.plan("credit CUS-1006 20 dollars for the slow dashboard").model_dump()
    for s in before["subtasks"]:
        del s["escalation_kind"]
    stored, _ = stored_turn(before, {})
    assert stored is not None
    text = "Please do the same for CUS-1019, who reported the same problem."
    assert carried(demo.plan(text), text, Plan.model_validate(stored)).agents() == {"billing"}
    old = Subtask.model_validate(
        {"id": "t1", "description": "and credits?", "agent": "legal", "confidence": 0.48,
         "escalate": True, "escalation_reason": "low confidence: 0.48 < floor 0.50"}
    )  # fmt: skip
    assert old.escalation_kind is None and not old.unsure


@pytest.mark.parametrize(
    ("before", "text"),
    [
        # a request of its own, routed surely: the turn before does not move it
        ("how many refunds did we issue in May?", "and email CUS-1003 the pricing page"),
        # "the same" that repeats nothing
        ("who is CUS-1031?", "is Olivia Garcia, CUS-1032, on the same plan as him?"),
        # out of scope is the planner's own reason, not an unsure route
        ("how many refunds did we issue in May?", "and what's a good lunch spot nearby?"),
    ],
)
def test_a_follow_up_with_a_route_of_its_own_keeps_it(
    demo: LocalPlanner, before: str, text: str
) -> None:
    alone = demo.plan(text)
    assert not alone.subtasks[0].unsure
    assert carried(alone, text, demo.plan(before)) == alone


def test_a_turn_after_several_agents_or_none_is_left_alone(demo: LocalPlanner) -> None:
    alone = demo.plan("And what about credits?")
    several = demo.plan("refund INV-1003 in full and close TCK-1002")
    assert len(several.agents()) == 2
    assert carried(alone, "And what about credits?", several) == alone
    assert carried(alone, "And what about credits?", None) == alone


def test_a_conversation_carries_the_question_to_its_next_turn(tmp_path: Path) -> None:
    data = tmp_path / "conv.jsonl"
    turns = [
        {"text": "how many refunds did we issue in May?", "agents": ["analytics"]},
        {"text": "And what about credits?", "agents": ["analytics"]},
    ]
    data.write_text(json.dumps({"id": "c", "turns": turns}) + "\n", encoding="utf-8")
    report = run_conversations(
        load_conversations(data),
        lambda: build_deps(Settings(home=tmp_path / "h", planner_cache=tmp_path)),
        lambda: nullcontext(InMemorySaver()),
        {"id": "eval", "scopes": SCOPES},
    )
    assert [t.agents for t in report.turns] == [["analytics"], ["analytics"]]
