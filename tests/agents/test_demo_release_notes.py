"""Release notes tell a rolled-back release as rolled back: they had left it out (only
`succeeded` deployments were read) and told the rollback that replaced it as a release
("api 2.13.2 is live since <the rollback's day>"; "2.13.2 replaced it" of 2.13.2 itself).
Release notes of nothing that shipped say so: they had listed "Improvements and bug fixes."."""

from __future__ import annotations

from typing import Any

import pytest

from ringmaster.agents.demo import demo_registry
from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.runtime import AgentTask
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


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> AgentRegistry:
    return demo_registry(tmp_path_factory.mktemp("demo") / "demo.db")


def _production(registry: AgentRegistry, **args: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = registry.tools.get("list_deployments").fn(
        environment="production", **{"limit": 500, **args}
    )
    return rows


def test_release_notes_of_a_version_never_deployed_say_it_never_went_out(
    registry: AgentRegistry,
) -> None:
    shipped = {d["version"] for d in _production(registry, service="api")}
    major = max(int(v.split(".")[0]) for v in shipped) + 1
    version = f"{major}.0.0"
    out = run(registry, "content", f"release notes for api {version}").output
    assert out["body"] == f"Nothing to announce: api {version} never went out to production."
    assert out["summary"].startswith(
        f"no release notes were drafted: api {version} never went out to production"
    )
    # Asked to send them, nothing is proposed: there is nothing to tell.
    sent = run(registry, "content", f"send release notes for api {version} to all customers")
    assert sent.proposed_actions == [] and "nothing was sent" in sent.output["summary"]


def test_release_notes_of_a_period_with_no_deployment_say_nothing_went_out(
    registry: AgentRegistry,
) -> None:
    service, words, said = next(
        (s, words, said)
        for s in ("api", "web", "auth")
        for words, period, said in [
            ("today's", "today", "today"),
            ("last year's", "last_year", "in last calendar year"),
        ]
        if not _production(registry, service=s, period=period)
    )
    out = run(registry, "content", f"draft release notes for {words} {service} deploys").output
    assert out["body"] == (
        f"Nothing to announce: no {service} release went out to production {said}."
    )
    assert "Improvements and bug fixes" not in out["body"]
    assert out["summary"].startswith("no release notes were drafted")


def test_release_notes_of_every_service_name_each_releases_own(registry: AgentRegistry) -> None:
    """With no service named, every service's releases had been told as the first one's
    ("api 4.3.0 is live since …" of auth's 4.3.0)."""
    body = run(registry, "content", "write release notes").output["body"]
    newest = _production(registry, limit=3)
    assert len({d["service"] for d in newest}) > 1
    for d in newest:
        if d["status"] != "failed" and d.get("kind") != "rollback":
            assert f"- {d['service']} {d['version']} " in body, body


def test_release_notes_whose_deployments_cannot_be_read_say_so(registry: AgentRegistry) -> None:
    """A requester without the scope list_deployments needs: the draft holds a placeholder,
    and the summary had said "no facts were handed over, so the draft keeps details general"
    of a look-up that failed."""
    task = AgentTask(
        thread_id="t-1",
        subtask_id="s-1",
        description="write release notes for api",
        expected="",
        scopes=("support",),
    )
    toolbox = registry.toolbox("content", frozenset(task.scopes))
    out = registry.runtime("content").run(task, toolbox).output
    assert "could not be looked up" in out["body"]
    assert "the deployments could not be looked up" in out["summary"]
    assert "keeps details general" not in out["summary"]
