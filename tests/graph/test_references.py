"""Follow-ups resolved against the thread: pronouns, "that customer", "do that for … too"."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from ringmaster.agents.demo import TEAM_FILE
from ringmaster.agents.spec import load_team
from ringmaster.graph.references import (
    RecordFacts,
    asking,
    kinds_from_team,
    resolve,
    turn_entities,
)
from ringmaster.graph.state import Requester
from ringmaster.runner import Runner
from ringmaster.settings import Settings

KINDS = kinds_from_team(load_team(TEAM_FILE).entities)


def turn(number: int, request: str, results: dict[str, Any] | None = None) -> dict[str, Any]:
    """A history entry as the synthesize node writes it."""
    return {
        "turn": number,
        "request": request,
        "entities": turn_entities(KINDS, request, results or {}),
    }


REFUND_RESULT = {
    "t1": {
        "description": "Refund invoice INV-1002 in full",
        "output": {"invoice_id": "INV-1002", "customer_id": "CUS-1002"},
        "actions": [{"name": "issue_refund", "args": {"invoice_id": "INV-1002"}}],
    }
}


def test_it_resolves_to_the_one_record_the_last_turn_named() -> None:
    history = [turn(1, "What's the status of ticket TCK-1001?")]
    out = resolve("add a note to it saying we sent a reset link, and close it", history, KINDS)
    assert out.question is None
    assert out.text == "add a note to TCK-1001 saying we sent a reset link, and close TCK-1001"
    assert {(r.entity, r.turn) for r in out.resolutions} == {("TCK-1001", 1)}


def test_that_customer_is_the_customer_of_the_record_asked_about() -> None:
    history = [
        turn(1, "What's the status of ticket TCK-1001?", {"t1": {"output": {"c": "CUS-1001"}}}),
        turn(2, "Refund invoice INV-1002 in full", REFUND_RESULT),
    ]
    out = resolve("what plan is that customer on?", history, KINDS)
    assert out.text == "what plan is CUS-1002 on?"
    assert [(r.phrase, r.entity, r.kind, r.turn) for r in out.resolutions] == [
        ("that customer", "CUS-1002", "customer", 2)
    ]


def test_do_that_for_another_record_too_repeats_the_earlier_request() -> None:
    history = [turn(1, "What plan is CUS-1001 on?")]
    out = resolve("do that for CUS-1002 too", history, KINDS)
    assert out.text == "What plan is CUS-1002 on?"
    assert out.resolutions[0].entity == "CUS-1002"


def test_an_ambiguous_reference_is_asked_never_guessed() -> None:
    history = [turn(1, "Compare tickets TCK-1001 and TCK-1002")]
    out = resolve("close it", history, KINDS)
    assert out.question == "Which ticket do you mean: TCK-1001 or TCK-1002?"
    assert out.text == "close it" and out.resolutions == []


def test_nothing_to_resolve_leaves_the_request_alone() -> None:
    history = [turn(1, "Refund invoice INV-1002 in full", REFUND_RESULT)]
    for request in (
        "Refund invoice INV-1003 in full, the customer was double charged",  # its own customer
        "is it possible to get a copy of our terms?",  # "it" that refers to nothing
        "How many tickets were opened last week?",
    ):
        out = resolve(request, history, KINDS)
        assert (out.text, out.resolutions, out.question) == (request, [], None)
    assert resolve("close it", [], KINDS).text == "close it"


def test_a_follow_up_on_the_demo_team_acts_on_the_record_it_refers_to(tmp_path: Path) -> None:
    with Runner(Settings(home=tmp_path)) as runner:
        ann = Requester(id="ann", scopes=runner.default_scopes())
        first = runner.submit("What's the status of ticket TCK-1001?", requester=ann)
        second = runner.submit(
            "add a note to it saying we sent a reset link, and close it",
            thread_id=first.thread_id,
            requester=ann,
        )
        events = [e for e in runner.audit.for_thread(first.thread_id) if e.kind == "references"]
    assert second.plan is not None
    [subtask] = second.plan["subtasks"]
    assert subtask["agent"] == "support"
    assert "'it' → TCK-1001 (turn 1)" in subtask["rationale"]
    assert [e.data["resolutions"][0]["entity"] for e in events] == ["TCK-1001"]
    with sqlite3.connect(tmp_path / "demo-company.db") as conn:
        status = conn.execute("SELECT status FROM tickets WHERE id = 'TCK-1001'").fetchone()[0]
        notes = conn.execute(
            "SELECT note FROM ticket_notes WHERE ticket_id = 'TCK-1001' ORDER BY id"
        ).fetchall()
    assert status == "closed"
    assert notes[-1][0] == "Resolution: We sent a reset link."


# A lookup as tools/demo/lookup.py answers it, for three records of the demo database.
FACTS = {
    "TCK-1001": RecordFacts("TCK-1001", "CUS-1001", "Cannot log in after password reset open"),
    "TCK-1058": RecordFacts("TCK-1058", "CUS-1001", "Two-factor code not arriving open"),
    "TCK-1002": RecordFacts("TCK-1002", "CUS-1003", "Charged twice this month open"),
    "INV-1002": RecordFacts("INV-1002", "CUS-1002", "paid 2025-02 February Feb 2025"),
    "INV-1049": RecordFacts("INV-1049", "CUS-1002", "paid 2025-03 March Mar 2025"),
}


def lookup(entity: str) -> RecordFacts | None:
    return FACTS.get(entity)


def asked(number: int, request: str) -> dict[str, Any]:
    """A turn that became a question, as the plan node describes it."""
    out = resolve(request, HISTORY_TWO_TICKETS, KINDS, lookup)
    assert out.question is not None
    return turn(number, request, {"t1": {"description": asking(request, out.question)}})


HISTORY_TWO_TICKETS = [turn(1, "Show me tickets TCK-1001 and TCK-1058")]


def test_a_reply_to_the_question_runs_the_asked_request_with_the_record_picked() -> None:
    history = [*HISTORY_TWO_TICKETS, asked(2, "close it")]
    for reply, picked in [
        ("the two-factor one", ["TCK-1058"]),
        ("TCK-1001", ["TCK-1001"]),
        ("the first one", ["TCK-1001"]),
        ("both", ["TCK-1001", "TCK-1058"]),
    ]:
        out = resolve(reply, history, KINDS, lookup)
        assert out.question is None, reply
        assert out.text == "close " + " and ".join(picked), reply
        assert [(r.entity, r.turn) for r in out.resolutions] == [(e, 2) for e in picked]
    # A reply that picks nothing is a new request, not a guess.
    assert resolve("the SAML one", history, KINDS, lookup).resolutions == []
    # "both" puts the records in for the reference only; the note's own "it" stays as written.
    noted = [*HISTORY_TWO_TICKETS, asked(2, "add a note to it saying it is fixed")]
    out = resolve("both", noted, KINDS, lookup)
    assert out.text == "add a note to TCK-1001 and TCK-1058 saying it is fixed"


def test_owners_come_from_the_lookup() -> None:
    history = [turn(1, "compare TCK-1001 and TCK-1002"), turn(2, "close TCK-1002")]
    out = resolve("what plan is its customer on?", history, KINDS, lookup)
    assert out.text == "what plan is CUS-1003 on?"
    assert [(r.phrase, r.entity, r.turn) for r in out.resolutions] == [
        ("its customer", "CUS-1003", 2)
    ]
    # "who is the customer on it?" asks for the owner: the reference is the ticket.
    out = resolve("who is the customer on it?", history, KINDS, lookup)
    assert [r.entity for r in out.resolutions] == ["TCK-1002"]
    # "show her invoices" after a ticket: its owner.
    out = resolve("show her invoices", history, KINDS, lookup)
    assert out.text == "show CUS-1003's invoices"


def test_a_description_picks_among_the_last_turns_records() -> None:
    history = [turn(1, "show invoices INV-1002 and INV-1049")]
    out = resolve("refund the March one", history, KINDS, lookup)
    assert out.text == "refund INV-1049"
    # Without a lookup nothing describes them: nothing is picked.
    assert resolve("refund the March one", history, KINDS).resolutions == []


def test_corrections_ellipsis_and_plurals() -> None:
    history = [turn(1, "Refund INV-1002 please, charged by mistake")]
    assert resolve("sorry, I meant INV-1049", history, KINDS).text == (
        "Refund INV-1049 please, charged by mistake"
    )
    assert resolve("and INV-1049?", history, KINDS).text == (
        "Refund INV-1049 please, charged by mistake"
    )
    # The words that say the first one was the mistake ask for nothing of their own.
    for slip in ("no wait wrong one, meant INV-1049", "typo, INV-1049 sorry"):
        assert resolve(slip, history, KINDS).text == "Refund INV-1049 please, charged by mistake"
    # A long request that starts with "and" is its own request, not an ellipsis.
    long = "and add a note to TCK-1001 saying we sent the link"
    assert resolve(long, history, KINDS).text == long
    two = [turn(1, "find tickets TCK-1001 and TCK-1058")]
    assert resolve("close both", two, KINDS).text == "close TCK-1001 and TCK-1058"
    three = [*history, turn(2, "do the same for INV-1049")]
    out = resolve("which customer are those invoices for?", three, KINDS)
    assert {r.entity for r in out.resolutions} == {"INV-1002", "INV-1049"}


def test_the_other_one_and_a_persons_described_record() -> None:
    history = [turn(1, "show me TCK-1001 and TCK-1058"), turn(2, "close TCK-1001")]
    out = resolve("now the other one: bump it to urgent", history, KINDS, lookup)
    assert out.text.startswith("now TCK-1058") and out.resolutions[0].entity == "TCK-1058"
    FACTS["CUS-1002"] = RecordFacts("CUS-1002", None, "James Chen", ("INV-1002", "INV-1049"))
    try:
        history = [turn(1, "who is CUS-1002?")]
        out = resolve("refund their March invoice", history, KINDS, lookup)
        assert out.text == "refund INV-1049"
        assert [(r.entity, r.turn) for r in out.resolutions] == [("INV-1049", 1)]
        assert resolve("refund their latest invoice", history, KINDS, lookup).text == (
            "refund INV-1049"
        )
    finally:
        del FACTS["CUS-1002"]


def llm_planned(tmp_path: Path, plans: list[tuple[str, str]]) -> tuple[Runner, Any]:
    """A runner of the demo team whose LLM planner is a scripted model answering `plans`
    (description, agent) in turn; and that model, to read the prompts it was sent."""
    from dataclasses import replace

    from ringmaster.graph.planner.llm import LLMPlanner
    from ringmaster.wiring import build_deps
    from tests.fakes_llm import ScriptedChatModel, plan_answer

    settings = Settings(home=tmp_path)
    deps = build_deps(settings)
    answers = [plan_answer({"description": d, "agent": agent}) for d, agent in plans]
    model = ScriptedChatModel(answers=answers)
    deps = replace(deps, planner=LLMPlanner(deps.registry.team, model, fallback=None))
    return Runner(settings, deps=deps), model


def test_the_llm_planner_sees_the_resolved_request_not_the_conversation(tmp_path: Path) -> None:
    runner, model = llm_planned(
        tmp_path, [("status of TCK-1001", "support"), ("close TCK-1001", "support")]
    )
    with runner:
        ann = Requester(id="ann", scopes=runner.default_scopes())
        first = runner.submit("What's the status of ticket TCK-1001?", requester=ann)
        runner.submit("close it", thread_id=first.thread_id, requester=ann)
    second = "\n".join(str(m.content) for m in model.prompts[1][1:])
    assert "close TCK-1001" in second and "close it" not in second
    assert "What's the status" not in second  # the resolved request, not the whole thread


def test_a_new_request_after_a_question_is_not_taken_for_an_answer() -> None:
    history = [*HISTORY_TWO_TICKETS, asked(2, "close it")]
    out = resolve("what's the status of TCK-1099", history, KINDS, lookup)
    assert out.text == "what's the status of TCK-1099" and out.resolutions == []
    assert resolve("sorry, I meant TCK-1002", history, KINDS, lookup).text == "close TCK-1002"
    assert resolve("TCK-1002", history, KINDS, lookup).text == "close TCK-1002"


def test_that_one_and_the_customer_on_it() -> None:
    history = [turn(1, "look at ticket TCK-1002")]
    assert resolve("is that one still open?", history, KINDS, lookup).text == (
        "is TCK-1002 still open?"
    )
    out = resolve("email the customer on it a reminder", history, KINDS, lookup)
    assert out.text == "email CUS-1003 a reminder"
    assert [r.entity for r in out.resolutions] == ["CUS-1003"]  # the owner, not the ticket


def test_they_beside_a_record_of_another_customer_is_not_the_earlier_customer() -> None:
    # Trial 12: "refund INV-1001, they cancelled" after a turn about CUS-1002 was read as
    # "… CUS-1002 cancelled", and the refund of CUS-1001's invoice stored that as its reason.
    history = [turn(1, "what plan is CUS-1002 on?")]
    out = resolve("close TCK-1001, they confirmed it works", history, KINDS, lookup)
    assert out.question is None
    assert out.text == "close TCK-1001, they confirmed it works"
    assert "CUS-1002" not in {r.entity for r in out.resolutions}


def test_the_llm_planner_is_told_what_each_reference_resolved_to_and_what_was_guessed(
    tmp_path: Path,
) -> None:
    # The planner saw "close TCK-1001" with nothing saying "it" was TCK-1001 of turn 1, nor
    # that "INV-1001" was only a guess for the "INV-101" typed.
    runner, model = llm_planned(
        tmp_path,
        [
            ("status of TCK-1001", "support"),
            ("close TCK-1001", "support"),
            ("status of INV-1001", "billing"),
            ("amount of INV-1001", "billing"),
        ],
    )
    with runner:
        ann = Requester(id="ann", scopes=runner.default_scopes())
        first = runner.submit("What's the status of ticket TCK-1001?", requester=ann)
        runner.submit("close it", thread_id=first.thread_id, requester=ann)
        thread = runner.submit("what's the status of INV-1001?", requester=ann).thread_id
        # A guess with a side effect is asked: the model is never called for it.
        asked = runner.submit("refund INV-101", thread_id=thread, requester=ann)
        assert asked.pending and model.calls == 3
        runner.submit("how much was INV-101 for?", thread_id=thread, requester=ann)
    closing = "\n".join(str(m.content) for m in model.prompts[1][1:])
    assert "'it' is TCK-1001 (ticket, from turn 1)" in closing
    assert "What's the status" not in closing  # the references, not the conversation
    reading = "\n".join(str(m.content) for m in model.prompts[3][1:])
    [line] = [x for x in reading.splitlines() if x.startswith("- 'INV-101' is INV-1001")]
    assert "(invoice, from turn" in line and "guessed from a typo" in line
    assert "never act on it" in reading
    assert "refund" not in reading


def test_a_turns_history_keeps_the_words_typed_when_the_request_was_rewritten(
    tmp_path: Path,
) -> None:
    # A correction is rewritten to the request it corrects ("what's the status of INV-1012?"):
    # the words typed ("no, …") are what tell the next turn the newer invoice was set aside.
    with Runner(Settings(home=tmp_path)) as runner:
        ann = Requester(id="ann", scopes=runner.default_scopes())
        first = runner.submit("what's the status of INV-1153?", requester=ann)
        said = ["and INV-1012?", "no, INV-1012, sorry", "refund it in full"]
        turns = [runner.submit(s, thread_id=first.thread_id, requester=ann) for s in said]
        history = runner.turn_state(first.thread_id, 3).values["history"]
    assert [h.get("typed") for h in history] == [None, "and INV-1012?", "no, INV-1012, sorry"]
    [subtask] = turns[-1].plan["subtasks"]
    assert subtask["agent"] == "billing" and "INV-1012" in subtask["description"]


def test_a_kinds_records_are_read_from_the_catalog_by_its_id_prefix() -> None:
    """One reading of a kind's id prefix ("TCK", "-") for every catalog look-up (mistyped ids,
    people by name, a reply to "Which deployment?", a kind's describing words)."""
    from ringmaster.graph.references.entities import id_prefix, records_of

    kinds = {k.name: k for k in kinds_from_team(load_team(TEAM_FILE).entities)}
    asked: list[str] = []

    def catalog(prefix: str) -> list[str]:
        asked.append(prefix)
        return [f"{prefix}-1001", f"{prefix}-1002"]

    assert id_prefix(kinds["ticket"]) == ("TCK", "-")
    assert records_of(kinds["deployment"], catalog) == ["DEP-1001", "DEP-1002"]
    assert records_of(kinds["ticket"], None) == [] and asked == ["DEP"]
