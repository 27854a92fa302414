"""Release notes tell a rolled-back release as rolled back: they had left it out (only
`succeeded` deployments were read) and told the rollback that replaced it as a release
("api 2.13.2 is live since <the rollback's day>"; "2.13.2 replaced it" of 2.13.2 itself)."""

from __future__ import annotations

from typing import Any

import pytest

from ringmaster.agents.demo import demo_registry
from ringmaster.agents.registry import AgentRegistry
from tests.agents.test_demo_team import run


@pytest.fixture(scope="module")
def rolled(tmp_path_factory: pytest.TempPathFactory) -> tuple[AgentRegistry, dict[str, Any]]:
    """The demo with api's production deployment rolled back, and the rollback's result."""
    registry = demo_registry(tmp_path_factory.mktemp("demo") / "demo.db")
    done = registry.tools.get("rollback_deployment").fn(
        idempotency_key="r", service="api", environment="production"
    )
    return registry, done


def _deployment(registry: AgentRegistry, deployment_id: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = registry.tools.get("list_deployments").fn(
        service="api", environment="production", limit=500
    )
    return next(d for d in rows if d["id"] == deployment_id)


@pytest.mark.parametrize(
    "ask",
    [
        "draft release notes for this month's api deploys",
        "write release notes for api",
        "release notes for api {from_version}",
    ],
)
def test_release_notes_say_a_rolled_back_release_was_rolled_back(
    rolled: tuple[AgentRegistry, dict[str, Any]], ask: str
) -> None:
    registry, done = rolled
    old, new = done["from_version"], done["to_version"]
    went = _deployment(registry, done["rolled_back_deployment_id"])["deployed_at"][:10]
    back = _deployment(registry, done["deployment_id"])["deployed_at"][:10]
    body = run(registry, "content", ask.format(**done)).output["body"]
    assert (
        f"- api {old} went out on {went} and was rolled back to {new} on {back}; {new} is live "
        "again." in body
    ), body
    # The rollback is no release of its own, and the version rolled back is not live.
    assert f"api {new} is live since" not in body and f"{old} is live" not in body
    assert f"{new} replaced it on {back}" not in body


def test_release_notes_of_a_period_with_only_the_rollback_say_it_was_one(
    rolled: tuple[AgentRegistry, dict[str, Any]],
) -> None:
    registry, done = rolled
    back = _deployment(registry, done["deployment_id"])["deployed_at"][:10]
    body = run(registry, "content", "release notes for today's api deploys").output["body"]
    old, new = done["from_version"], done["to_version"]
    assert f"- api was rolled back from {old} to {new} on {back}; {new} is live again." in body
    assert f"api {new} is live since" not in body
