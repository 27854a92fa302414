"""The demo planner's routing of conversation turns as the resolver leaves them: "send her a
reminder for it" reaches the planner as "send CUS-1012 a reminder for INV-1200", so an id
must not pull a note to a customer away from the agent that writes it (conversations-dev12)."""

from __future__ import annotations

import pytest

from ringmaster.agents.demo import load_demo_team
from ringmaster.graph.planner.local import LocalPlanner


@pytest.fixture(scope="module")
def demo() -> LocalPlanner:
    return LocalPlanner(load_demo_team())  # the shipped model


def _routed(planner: LocalPlanner, text: str) -> list[str | None]:
    return [None if s.escalate else s.agent for s in planner.plan(text).subtasks]


@pytest.mark.parametrize(
    "text",
    [
        "send a reminder for INV-1200",
        "Please send to CUS-1012 a reminder for INV-1200",
        "tell CUS-1021 its done",
        "notify CUS-1024 were on both",
        "remind CUS-1020 abt INV-1207",
    ],
)
def test_a_reminder_or_notice_to_a_record_goes_to_content(demo: LocalPlanner, text: str) -> None:
    assert _routed(demo, text) == ["content"]


@pytest.mark.parametrize(
    ("text", "agent"),
    [("CUS-1031 tix", "support"), ("Which plan is Priya Nakamura on?", "billing")],
)
def test_a_terse_look_up_goes_to_the_agent_that_holds_the_record(
    demo: LocalPlanner, text: str, agent: str
) -> None:
    assert _routed(demo, text) == [agent]
