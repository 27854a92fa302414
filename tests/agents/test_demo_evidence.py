"""Issue 12: the demo agents answer from evidence, say the period they used and what they did
not find, and never answer about one company with another's document."""

from __future__ import annotations

import re

import pytest

from ringmaster.agents.demo import demo_registry
from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.runtime import Handoff
from tests.agents.test_demo_team import assert_valid, run


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> AgentRegistry:
    return demo_registry(tmp_path_factory.mktemp("demo") / "demo.db")


def test_analytics_compares_the_months_it_was_asked_about(registry: AgentRegistry) -> None:
    out = run(registry, "analytics", "What was our revenue in May 2025 compared with April?")
    assert_valid(registry.spec("analytics"), out)
    o = out.output
    assert o["metric"] == "revenue_comparison"
    may, april = (p["period"]["start"][:7] for p in o["data"]["periods"])
    assert (may, april) == ("2025-05", "2025-04")
    summary = o["summary"]
    assert "May 2025" in summary and "April 2025" in summary
    billed = [p["billed"] for p in o["data"]["periods"]]
    assert all(b in summary for b in billed) and o["value"] in summary


def test_analytics_states_the_period_it_used(registry: AgentRegistry) -> None:
    out = run(registry, "analytics", "revenue in May 2025")
    assert "period: 1–31 May 2025" in out.output["summary"]
    out = run(registry, "analytics", "how many tickets were opened in the last 30 days")
    assert out.output["period"]["start"][:10] == "2025-05-16"
    assert out.output["period"]["end"][:10] == "2025-06-15"
    assert "period: the last 30 days (16 May – 15 June 2025)" in out.output["summary"]


@pytest.mark.parametrize(
    "ask",
    ["Summarise our contract with Initech", "What does the Acme agreement say about termination?"],
)
def test_legal_does_not_answer_with_another_companys_document(
    registry: AgentRegistry, ask: str
) -> None:
    out = run(registry, "legal", ask)
    assert_valid(registry.spec("legal"), out)
    assert out.output["documents"] == [] and "excerpts" not in out.output
    assert "was found" in out.output["summary"] and "DOC-" not in out.output["summary"]


def test_legal_still_finds_the_company_it_has(registry: AgentRegistry) -> None:
    out = run(registry, "legal", "What does our contract with Becker Logistics say about renewal?")
    assert [d["id"] for d in out.output["documents"]] == ["DOC-1021"]


@pytest.mark.parametrize(
    ("agent", "ask", "who"),
    [
        ("support", "Look up customer bob@nowhere.example", "bob@nowhere.example"),
        ("support", "Look up customer CUS-9999", "CUS-9999"),
        ("billing", "what does jane@nowhere.example owe", "jane@nowhere.example"),
    ],
)
def test_a_look_up_that_finds_nothing_says_so(
    registry: AgentRegistry, agent: str, ask: str, who: str
) -> None:
    out = run(registry, agent, ask)
    assert f"no customer matching {who} was found" in out.output["summary"]
    assert "knowledge base" not in out.output["summary"]


def test_a_status_update_after_a_rollback_still_reads_the_open_incident(
    registry: AgentRegistry,
) -> None:
    """A rollback handed over does not close the incident: live health is read all the same."""
    rollback = Handoff(
        subtask_id="s-0",
        agent="ops",
        description="roll back api in production",
        summary="rolled back",
        output={
            "effects": [
                {
                    "tool": "rollback_deployment",
                    "result": {
                        "service": "api",
                        "from_version": "2.15.0",
                        "to_version": "2.14.0",
                        "environment": "production",
                    },
                }
            ]
        },
    )
    ask = "Draft a status update saying the api incident is resolved"
    out = run(registry, "content", ask, handoffs=(rollback,)).output
    assert not out["title"].startswith("Resolved") and "resolved" not in out["body"]
    assert "We rolled api back from version 2.15.0 to 2.14.0" in out["body"]
    open_ids = re.findall(r"Incident (INC-\d+)", out["body"])
    assert open_ids and f"{open_ids[0]} is still open" in out["summary"]
