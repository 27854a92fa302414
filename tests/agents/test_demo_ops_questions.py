"""The ops skill on questions about records that exist: incidents said to be open (a state,
not a new incident) and a deployment named by id."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ringmaster.agents.demo import demo_registry
from ringmaster.agents.registry import AgentRegistry
from tests.agents.test_demo_team import db_path, registry, run

__all__ = ["registry"]


@pytest.mark.parametrize(
    "text",
    [
        "Do we have an open incident on the api right now?",
        "any open incidents on auth?",
        "Is the still open sev2 incident on api being worked on?",
    ],
)
def test_open_as_the_state_of_incidents_opens_none(registry: AgentRegistry, text: str) -> None:
    """ "an open incident" names incidents that exist; read as the verb, the question
    proposed a new incident (and the next turn's "that incident" had two to choose from)."""
    out = run(registry, "ops", text)
    assert out.proposed_actions == []
    assert "proposed" not in out.output["summary"]
    assert all(i["status"] != "resolved" for i in out.output["incidents"])


@pytest.mark.parametrize(
    "text",
    ["open an incident on web, checkout is failing", "please open a sev3 incident for auth"],
)
def test_open_as_the_verb_still_proposes_one(registry: AgentRegistry, text: str) -> None:
    out = run(registry, "ops", text)
    assert [a.tool for a in out.proposed_actions] == ["create_incident"]


@pytest.mark.parametrize(
    ("text", "deployment", "deployer"),
    [
        ("who shipped DEP-1009?", "DEP-1009", "raj.patel"),
        ("When was DEP-1016 deployed, and by whom?", "DEP-1016", "kim.lee"),
    ],
)
def test_a_deployment_asked_about_by_id_is_the_one_answered(
    registry: AgentRegistry, text: str, deployment: str, deployer: str
) -> None:
    """A question about one deployment named by id listed the newest deployments of every
    service, and a health report, without the one asked about."""
    out = run(registry, "ops", text).output
    assert [d["id"] for d in out["deployments"]] == [deployment]
    assert deployer in out["summary"]


@pytest.mark.parametrize(
    "text", ["what's INC-1004 about?", "tell me about inc-1004", "Is INC-1004 resolved yet?"]
)
def test_an_incident_asked_about_by_id_is_the_one_answered(
    registry: AgentRegistry, text: str
) -> None:
    """A question about one incident named by id got a health report of every service, which
    named neither that incident's title nor its status."""
    out = run(registry, "ops", text).output
    assert [i["id"] for i in out["incidents"]] == ["INC-1004"]
    assert "health" not in out
    incident = out["incidents"][0]
    assert incident["title"] in out["summary"]
    assert incident["status"] in out["summary"]


def test_an_incident_id_it_does_not_know_is_asked_about(registry: AgentRegistry) -> None:
    out = run(registry, "ops", "what happened in INC-9099?").output
    assert out["incidents"] == []
    assert "INC-9099" in out["question"]


@pytest.mark.parametrize(
    "text", ["newest web deploy to staging", "what were the last 3 auth deployments?"]
)
def test_each_deployment_listed_is_named_by_its_id(registry: AgentRegistry, text: str) -> None:
    """A listing of deployments gave service, version and day but no DEP id, so a person had
    nothing to name one back by ("roll back DEP-…")."""
    out = run(registry, "ops", text).output
    assert out["deployments"]
    for d in out["deployments"][:5]:
        assert d["id"] in out["summary"]


def test_an_older_incident_named_by_id_is_found_past_the_newest_ones(tmp_path: Path) -> None:
    """An incident named by id is looked up by its id: found among the newest 500 (and the
    newest 100 for the deploy behind it), one older than them was said not to exist."""
    registry = demo_registry(tmp_path / "demo.db")
    ran = registry.tools.get("current_versions").fn
    oldest = next(  # the oldest incident some production deployment was running under
        i
        for i in reversed(registry.tools.get("list_incidents").fn(limit=500))
        if ran(service=i["service"], environment="production", at=i["started_at"])[0][
            "deployment_id"
        ]
    )
    with sqlite3.connect(db_path(registry)) as conn:
        conn.executemany(
            "INSERT INTO incidents VALUES (?, 'web', 'Slow pages', 'sev4', 'resolved', "
            "'Slow pages.', '2025-06-20T10:00:00+00:00', '2025-06-20T11:00:00+00:00')",
            [(f"INC-{5000 + n}",) for n in range(500)],
        )
    out = run(registry, "ops", f"what's {oldest['id']} about?").output
    assert [i["id"] for i in out["incidents"]] == [oldest["id"]]
    assert "question" not in out and oldest["title"] in out["summary"]
    caused = run(registry, "ops", f"which deploy caused {oldest['id']}?").output
    assert [i["id"] for i in caused["incidents"]] == [oldest["id"]]
    assert f"was running when {oldest['id']}" in caused["summary"]
