"""An LLM agent's own email is read against the demo records before it goes: words the
records do not bear out park a review that quotes both, and nothing reaches the outbox."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from ringmaster.agents.approval_gate import VERDICTS, gate_reason, verdicts_of
from ringmaster.agents.llm_runtime import LLMRuntime
from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.spec import parse_team
from ringmaster.graph.deps import GraphDeps
from ringmaster.tools.base import Tool
from ringmaster.tools.demo import build_demo_tools, claims, ensure_demo_db
from ringmaster.tools.demo.claims import email_against_records
from ringmaster.tools.demo.db import connect
from tests.fakes import ScriptedPlanner, plan_of
from tests.fakes_llm import ScriptedChatModel

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


def setup(template: Path, tmp: Path, *bodies: str) -> tuple[GraphDeps, Path]:
    """Deps whose agent sends one email per body, in one answer, and the demo database."""
    db = tmp / "demo.db"
    shutil.copyfile(template, db)
    calls = [
        {"name": "send_email", "args": email(body), "id": f"call-{i}", "type": "tool_call"}
        for i, body in enumerate(bodies)
    ]
    model = ScriptedChatModel(answers=[AIMessage("", tool_calls=calls), "Sent."])
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


def email(body: str) -> dict[str, str]:
    return {"to": "CUS-1001", "subject": "Your account", "body": body}


def approvals(db: Path) -> list[Any]:
    """Who approved each effect, as the effect's own transaction recorded it."""
    with connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT approved_by FROM effect_callers")]


def set_ticket(db: Path, ticket: str, status: str) -> None:
    with connect(db) as conn:
        conn.execute("UPDATE tickets SET status = ? WHERE id = ?", (status, ticket))


def test_an_email_a_person_approved_is_recorded_approved_though_the_records_changed(
    template: Path, tmp_path: Path, make_run: Any
) -> None:
    """The approval rule read the records again when the approved email ran: TCK-1001 closed
    meanwhile, so the email went as if no person had approved it (approved_by none)."""
    deps, db = setup(template, tmp_path, "Your ticket TCK-1001 is closed.")
    run = make_run(deps)
    run.start("email CUS-1001 about their account", scopes=["support"])
    (intr,) = run.interrupts()
    set_ticket(db, "TCK-1001", "closed")

    result = run.decide(intr, {"type": "approve"})

    assert result["results"]["t1"]["status"] == "done"
    assert [body for _, body in outbox(db)] == ["Your ticket TCK-1001 is closed."]
    assert approvals(db) == ["rev"]  # the reviewer who decided it


def test_an_email_a_person_edited_is_recorded_approved(
    template: Path, tmp_path: Path, make_run: Any
) -> None:
    """The reviewer's edit made the words true; the rule, run again on the edited email, let
    it through, and the record said no person had approved it."""
    deps, db = setup(template, tmp_path, "Your ticket TCK-1001 is closed.")
    run = make_run(deps)
    run.start("email CUS-1001 about their account", scopes=["support"])
    (intr,) = run.interrupts()
    edited = email("TCK-1001 is still open.")

    run.decide(intr, {"type": "edit", "edited_action": {"name": "send_email", "args": edited}})

    assert [body for _, body in outbox(db)] == ["TCK-1001 is still open."]
    assert approvals(db) == ["rev"]  # the reviewer who decided it


def test_a_resumed_gate_asks_only_about_the_calls_the_reviewer_saw(
    template: Path, tmp_path: Path, make_run: Any
) -> None:
    """Two emails in one answer, the second true when made; TCK-1065 reopened before the
    first was approved. The gate, asked again on resume, found two calls for one decision and
    the agent failed; the second is now checked at validation, against the records then."""
    deps, db = setup(
        template, tmp_path, "Your ticket TCK-1001 is closed.", "Your ticket TCK-1065 is closed."
    )
    run = make_run(deps)
    run.start("email CUS-1001 about their account", scopes=["support"])
    (intr,) = run.interrupts()
    assert [a["args"]["body"] for a in intr.value["action_requests"]] == [
        "Your ticket TCK-1001 is closed."
    ]
    set_ticket(db, "TCK-1065", "open")

    run.decide(intr, {"type": "approve"})

    (again,) = run.interrupts()
    assert "TCK-1065 is open, not closed as the email would say" in str(again.value)
    assert outbox(db) == []
    result = run.decide(again, {"type": "reject", "message": "it is open again"})
    assert [body for _, body in outbox(db)] == ["Your ticket TCK-1001 is closed."]
    assert approvals(db) == ["rev"]  # the reviewer who decided it
    assert result["results"]["t1"]["status"] == "done"


def test_the_email_rule_reads_the_records_once_for_an_email_a_person_approves(
    template: Path, tmp_path: Path, make_run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []

    def counted(db: Path, recipients: list[str], subject: str, body: str) -> list[str]:
        reads.append(body)
        return email_against_records(db, recipients, subject, body)

    monkeypatch.setattr(claims, "email_against_records", counted)
    deps, db = setup(template, tmp_path, "Your ticket TCK-1001 is closed.")
    run = make_run(deps)
    run.start("email CUS-1001 about their account", scopes=["support"])
    (intr,) = run.interrupts()
    run.decide(intr, {"type": "approve"})

    assert len(outbox(db)) == 1
    assert reads == ["Your ticket TCK-1001 is closed."]


def test_a_kept_verdict_is_read_and_a_run_stored_without_one_asks_the_rule() -> None:
    asked: list[Any] = []

    def rule(args: Any) -> str | None:
        asked.append(args)
        return "email to 2 recipients" if "," in args["to"] else None

    tool = Tool(name="send_email", description="", fn=print, side_effect=True, needs_approval=rule)
    call = {"id": "call-1", "name": "send_email", "args": {"to": "CUS-1001, CUS-1002"}}
    assert verdicts_of({"send_email": tool}, [call]) == {"call-1": "email to 2 recipients"}
    kept = {VERDICTS: {"call-1": None}}  # say the rule had let it through when it was made

    assert gate_reason(kept, call, tool) is None and len(asked) == 1
    # A run stored before verdicts were kept (an approval pending across an upgrade).
    assert gate_reason({"messages": []}, call, tool) == "email to 2 recipients"
    assert len(asked) == 2


def test_a_ticket_status_the_email_says_is_not_so_is_no_claim() -> None:
    """ "We have not closed TCK-1001 yet" was held as saying TCK-1001 is closed: the reason a
    reviewer read ('TCK-1001 is open, not closed as the email would say') was false."""
    ticket = {"id": "TCK-1001", "status": "open", "customer_id": "CUS-1001"}
    for said in ("We have not closed TCK-1001 yet.", "We'll write again once TCK-1001 is fixed."):
        assert claims.ticket_against(ticket, said, ["CUS-1001"]) == [], said
    # said so, it is a claim; "still" says it is so
    assert claims.ticket_against(ticket, "Good news: TCK-1001 is closed.", ["CUS-1001"]) == [
        "TCK-1001 is open, not closed as the email would say"
    ]
    closed = {**ticket, "status": "closed"}
    assert claims.ticket_against(closed, "TCK-1001 is still open.", ["CUS-1001"]) == [
        "TCK-1001 is closed, not open as the email would say"
    ]
