"""A draft whose subject is a pronoun ("a blog post about it", after a follow-up) is titled
by what the pronoun stands for, or generically: it had been titled "It"."""

from __future__ import annotations

import pytest

from ringmaster.agents.demo import demo_registry
from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.runtime import Handoff
from tests.agents.test_demo_team import run


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> AgentRegistry:
    return demo_registry(tmp_path_factory.mktemp("demo") / "demo.db")


@pytest.mark.parametrize(
    "request_text",
    ["draft a blog post about it", "write a social post about that", "email the customer about it"],
)
def test_a_draft_about_a_pronoun_is_not_titled_by_it(
    registry: AgentRegistry, request_text: str
) -> None:
    """A draft whose subject is "it" (a follow-up) was titled "It": its title says what "it"
    stands for when the work before gives it, and is generic when nothing does."""
    alone = run(registry, "content", request_text).output["title"]
    assert alone == "An update from our team"
    ops = run(registry, "ops", "roll back the api deployment in production")
    handoff = Handoff("t1", "ops", "roll back the api", ops.output["summary"], ops.output)
    title = run(registry, "content", request_text, handoffs=(handoff,)).output["title"]
    incident = ops.output["incidents"][0]
    assert title == incident["title"]
