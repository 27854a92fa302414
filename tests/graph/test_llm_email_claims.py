"""An LLM agent's own email is read against the demo records before it goes: words the
records do not bear out park a review that quotes both, and nothing reaches the outbox."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from ringmaster.agents.llm_runtime import LLMRuntime
from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.spec import parse_team
from ringmaster.graph.deps import GraphDeps
from ringmaster.tools.demo import build_demo_tools, ensure_demo_db
from ringmaster.tools.demo.db import connect
from tests.fakes import ScriptedPlanner, plan_of
from tests.fakes_llm import ScriptedChatModel, tool_call

TEAM = """
name: mail
agents:
  - name: mailer
    description: writes to customers
    tools: [send_email]
    runtime: {kind: llm}
"""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_demo_db(tmp_path_factory.mktemp("template") / "demo.db")


def outbox(db: Path) -> list[Any]:
    with connect(db) as conn:
        return [tuple(r) for r in conn.execute("SELECT id, body FROM outbox")]


def setup(template: Path, tmp: Path, body: str) -> tuple[GraphDeps, Path]:
    db = tmp / "demo.db"
    shutil.copyfile(template, db)
    email = {"to": "CUS-1001", "subject": "Your account", "body": body}
    model = ScriptedChatModel(answers=[tool_call("send_email", email), "Sent."])
    team = parse_team(TEAM)
    registry = AgentRegistry.build(
        team, build_demo_tools(ensure_demo_db(db)), llm_runtime=lambda s: LLMRuntime(s, model)
    )
    planner = ScriptedPlanner(plan_of(("email CUS-1001 about their account", "mailer")))
    return GraphDeps(registry=registry, planner=planner), db


@pytest.mark.parametrize(
    ("body", "record"),
    [
        (
            "We refunded 500 USD on INV-1001.",
            "no refund or credit of 500 is recorded on INV-1001 (recorded: none)",
        ),
        ("Your ticket TCK-1001 is closed.", "TCK-1001 is open, not closed as the email would say"),
    ],
)
def test_an_unsupported_email_from_an_llm_agent_parks_a_review_and_sends_nothing(
    template: Path, tmp_path: Path, make_run: Any, body: str, record: str
) -> None:
    deps, db = setup(template, tmp_path, body)
    run = make_run(deps)
    run.start("email CUS-1001 about their account", scopes=["support"])
    (intr,) = run.interrupts()
    (request,) = intr.value["action_requests"]
    assert request["name"] == "send_email"
    assert f"the email says '{body}', but {record}" in request["description"]
    assert outbox(db) == []


def test_an_email_the_records_bear_out_goes_without_a_review(
    template: Path, tmp_path: Path, make_run: Any
) -> None:
    deps, db = setup(template, tmp_path, "Your ticket TCK-1065 is closed.")  # it is
    result = make_run(deps).start("email CUS-1001 about their account", scopes=["support"])
    assert result["results"]["t1"]["status"] == "done"
    assert [body for _, body in outbox(db)] == ["Your ticket TCK-1065 is closed."]
