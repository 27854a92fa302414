"""A reference's candidates are every record of its kind the thread still has in play, and a
turn with more than one (and no word that picks one) is asked, never acted on: records a
follow-up put side by side with no work done on them, and the record an action typed without
its object ("roll back") acts on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ringmaster.agents.demo import TEAM_FILE
from ringmaster.agents.spec import load_team
from ringmaster.graph.references import (
    RecordFacts,
    acts_from_tools,
    asking,
    entity_ids,
    kinds_from_team,
    resolve,
    turn_entities,
)
from ringmaster.settings import Settings
from tests.graph.references_kit import ACTS

KINDS = kinds_from_team(load_team(TEAM_FILE).entities)


def turn(number: int, request: str, ran: str | None = None) -> dict[str, Any]:
    """A history entry as the synthesize node writes it; `ran`: a tool that ran on the
    request's records."""
    results: dict[str, Any] = {}
    if ran:
        args = {f"{k}_id": e for k, e in entity_ids(KINDS, request)}
        action = {"tool": ran, "args": args, "status": "executed"}
        results = {"t1": {"description": request, "actions": [action]}}
    return {"turn": number, "request": request, "entities": turn_entities(KINDS, request, results)}


def test_a_question_however_typed_leaves_both_records_in_play() -> None:
    # "whats TCK-1110 about" has no question mark and no question word the resolver knows;
    # "and TCK-1142?" asked it again: "close it" is either ticket.
    history = [turn(1, "whats TCK-1110 about"), turn(2, "whats TCK-1142 about")]
    out = resolve("close it", history, KINDS)
    assert out.question is not None and out.resolutions == []
    assert "TCK-1110" in out.question and "TCK-1142" in out.question


def test_a_report_of_the_same_for_another_person_leaves_both_in_play() -> None:
    for ran in (None, "open_ticket"):  # a ticket opened for Maria unasked does not finish her
        history = [
            turn(1, "Maria Lopez CUS-1001 says she's locked out, is her account suspended?", ran),
            turn(2, "also Aisha at CUS-1003 says the same"),
        ]
        out = resolve("open a ticket for her about the lockout", history, KINDS)
        assert out.question is not None and out.resolutions == [], ran
        assert "CUS-1001" in out.question and "CUS-1003" in out.question


def test_an_action_that_ran_again_for_another_record_moves_the_thread_on() -> None:
    history = [
        turn(1, "credit CUS-1006 $15 for the outage", "apply_credit"),
        turn(2, "credit CUS-1011 $15 for the outage", "apply_credit"),
    ]
    out = resolve("email them about the credit", history, KINDS)
    assert out.question is None and [r.entity for r in out.resolutions] == ["CUS-1011"]


def test_a_turn_keeps_which_records_a_side_effect_ran_on() -> None:
    request = "close TCK-1005"
    done = {
        "t1": {
            "description": request,
            "actions": [
                {"tool": "close_ticket", "args": {"ticket_id": "TCK-1005"}, "status": "executed"}
            ],
        }
    }
    failed = {
        "t1": {
            "description": request,
            "actions": [
                {"tool": "close_ticket", "args": {"ticket_id": "TCK-1005"}, "status": "error"}
            ],
        }
    }
    assert turn_entities(KINDS, request, done)["acted"] == [["ticket", "TCK-1005"]]
    assert turn_entities(KINDS, request, failed)["acted"] == []


def test_the_customer_before_an_amount_is_a_reference() -> None:
    # "the customer $10" is no id after the noun ("the customer CUS-1002" would be).
    history = [turn(1, "what do CUS-1037 and CUS-1043 owe")]
    out = resolve("credit the customer $10 for the hassle", history, KINDS)
    assert out.question is not None and out.resolutions == []
    assert "CUS-1037" in out.question and "CUS-1043" in out.question


TOOLS = [
    ("rollback_deployment", ["service", "environment"]),
    ("close_ticket", ["ticket_id", "resolution"]),
    ("issue_refund", ["invoice_id", "amount", "reason"]),
    ("open_ticket", ["customer_id", "subject"]),
    ("send_email", ["to", "subject", "body"]),
]


def test_a_tools_kind_is_the_id_it_takes_else_the_kind_its_name_says() -> None:
    acts = {a.kind: set(a.words) for a in acts_from_tools(TOOLS, KINDS)}
    assert acts == {
        # what a tool's name says in other words too: "revert it", "resolve that"
        "deployment": {"rollback", "revert", "undo", "backout", "pullback"},
        "ticket": {"close", "resolve"},
        "invoice": {"issue", "refund"},
        "customer": {"open"},
    }  # send_email acts on no kind of record


def test_an_action_without_its_object_asks_among_several_and_acts_on_one() -> None:
    acts = acts_from_tools(TOOLS, KINDS)
    two = [turn(1, "DEP-1032 vs DEP-1033 diff?")]
    for request in ("roll back", "rollback pls"):
        out = resolve(request, two, KINDS, acts=acts)
        assert out.question is not None and out.resolutions == [], request
        assert "DEP-1032" in out.question and "DEP-1033" in out.question
    one = [turn(1, "DEP-1032 healthy?")]
    out = resolve("rollback pls", one, KINDS, acts=acts)
    assert out.question is None and [r.entity for r in out.resolutions] == ["DEP-1032"]
    assert "DEP-1032" in out.text
    # The reply to the question runs it with the record picked.
    asked = resolve("roll back", two, KINDS, acts=acts)
    entry = {
        "turn": 2,
        "request": "roll back",
        "entities": {
            "question": {
                "request": "roll back",
                "options": [["deployment", "DEP-1032"], ["deployment", "DEP-1033"]],
            }
        },
    }
    assert asked.question
    out = resolve("DEP-1033", [*two, entry], KINDS, acts=acts)
    assert out.question is None and "DEP-1033" in out.text and "roll back" in out.text


def test_an_action_with_words_of_its_own_is_not_an_implied_reference() -> None:
    acts = acts_from_tools(TOOLS, KINDS)
    two = [turn(1, "DEP-1032 vs DEP-1033 diff?")]
    for request in ("roll back the api in staging", "write a note about the rollback", "close"):
        out = resolve(request, two, KINDS, acts=acts)
        assert out.question is None and out.resolutions == [], request


def test_the_demo_teams_side_effects_each_act_on_their_kind(tmp_path: Path) -> None:
    from ringmaster.graph.nodes.plan import team_acts
    from ringmaster.wiring import build_deps

    deps = build_deps(Settings().model_copy(update={"home": tmp_path}))
    acts = {w: a.kind for a in team_acts(deps, KINDS) for w in a.words}
    assert acts["rollback"] == "deployment" and acts["close"] == "ticket"
    assert acts["refund"] == "invoice" and acts["credit"] == "customer"


def test_the_other_at_the_end_of_a_clause_is_the_other_one() -> None:
    history = [
        turn(1, "show me TCK-1043 and TCK-1126"),
        turn(2, "close TCK-1043", "close_ticket"),
    ]
    for request in ("same for the other", "do the same for the other?"):
        out = resolve(request, history, KINDS)
        assert out.question is None and [r.entity for r in out.resolutions] == ["TCK-1126"]


def test_a_pronoun_no_record_stands_for_is_one_of_the_kind_its_verb_acts_on() -> None:
    # "does CUS-1020 have open tickets?" answered with a count: "close it" is her open one.
    acts = acts_from_tools(TOOLS, KINDS)
    history = [turn(1, "does CUS-1020 hav any open tix")]
    one = {
        "CUS-1020": RecordFacts("CUS-1020", owns=("TCK-1052", "TCK-1078")),
        "TCK-1052": RecordFacts("TCK-1052", "CUS-1020", "closed", done=True),
        "TCK-1078": RecordFacts("TCK-1078", "CUS-1020", "open"),
    }
    out = resolve("close it thx", history, KINDS, one.get, acts)
    assert out.question is None and out.text == "close TCK-1078 thx"
    two = {**one, "TCK-1052": RecordFacts("TCK-1052", "CUS-1020", "open")}
    out = resolve("close it thx", history, KINDS, two.get, acts)
    assert out.question is not None and out.resolutions == []
    assert "TCK-1052" in out.question and "TCK-1078" in out.question


def test_a_pronoun_its_verb_cannot_act_on_is_the_verbs_kind_or_asked() -> None:
    # "it" would be the invoice last named, but the team closes tickets, not invoices.
    acts = acts_from_tools(TOOLS, KINDS)
    history = [
        turn(1, "What is the status of ticket TCK-1003?"),
        turn(2, "Refund 20.00 on invoice INV-1012, goodwill", "issue_refund"),
    ]
    out = resolve("close it", history, KINDS, acts=acts)
    assert out.question is None and out.text == "close TCK-1003"
    assert [(r.entity, r.turn) for r in out.resolutions] == [("TCK-1003", 1)]
    out = resolve("close it", history[1:], KINDS, acts=acts)  # no ticket in the thread
    assert out.question is not None and out.resolutions == [] and "ticket" in out.question
    # A pronoun that fits its verb is left as it was resolved.
    out = resolve("refund it", history[1:], KINDS, acts=acts)
    assert out.question is None and [r.entity for r in out.resolutions] == ["INV-1012"]


def test_it_past_a_turn_about_no_record_is_the_record_its_act_works_on() -> None:
    # "is TCK-1078 still open?", "what does the business plan cost?" (no record), "add a note
    # to it …": the ticket two turns back, the one record a note goes on; after two tickets,
    # which one is asked.
    price = turn(2, "unrelated, but what does the business plan cost?")
    request = "ok, add a note to it saying the key was rotated"
    out = resolve(request, [turn(1, "is TCK-1078 still open?"), price], KINDS, acts=ACTS)
    assert out.question is None and [r.entity for r in out.resolutions] == ["TCK-1078"]
    assert out.text == "ok, add a note to TCK-1078 saying the key was rotated"
    two = [turn(1, "are TCK-1078 and TCK-1019 still open?"), price]
    out = resolve(request, two, KINDS, acts=ACTS)
    assert out.question is not None and out.resolutions == []


def test_an_act_on_it_after_a_listing_asks_among_the_unfinished_records_it_can_act_on() -> None:
    # "which of CUS-1031's tickets are still unresolved?" listed four closed and two open:
    # "close it" asks between the two unfinished ones, and after the reply picked one, "the
    # other one" is the other of those two.
    listed = "TCK-1009 TCK-1013 TCK-1023 TCK-1043 TCK-1093 TCK-1126"
    facts = {e: RecordFacts(e, "CUS-1031", "closed", done=True) for e in listed.split()}
    facts["TCK-1043"] = RecordFacts("TCK-1043", "CUS-1031", "SSO login fails with SAML error")
    facts["TCK-1126"] = RecordFacts("TCK-1126", "CUS-1031", "API returns 502 errors open")
    history = [turn(1, "which of CUS-1031's tickets are still unresolved?", listed)]
    out = resolve("close it", history, KINDS, facts.get, ACTS)
    assert out.question == "Which ticket do you mean: TCK-1043 or TCK-1126?"
    history += [
        {
            "turn": 2,
            "request": "close it",
            "entities": turn_entities(
                KINDS, "close it", {"t": {"description": asking("close it", out.question)}}
            ),
        },
        turn(3, "close TCK-1126"),
    ]
    out = resolve(
        "and the other one, add a note saying we wait on the IdP admin",
        history,
        KINDS,
        facts.get,
        ACTS,
    )
    assert out.question is None and [r.entity for r in out.resolutions] == ["TCK-1043"]
    # A question about it still offers every record the listing showed.
    assert "TCK-1009" in (
        resolve("what is it about?", history[:1], KINDS, facts.get).question or ""
    )


def test_the_other_two_are_every_record_left_of_the_three() -> None:
    # dev11 s05: three of CUS-1024's tickets, "the app crash one" closed, then "email him an
    # update on the other two": the two left, not a question about one of them.
    history = [
        turn(1, "set TCK-1019 and TCK-1133 and TCK-1145 to high"),
        turn(2, "close TCK-1133 fixed in new release"),
    ]
    for request in ["email him an update on the other two", "close the other tickets"]:
        out = resolve(request, history, KINDS, acts=ACTS)
        assert out.question is None, request
        assert {"TCK-1019", "TCK-1145"} <= {r.entity for r in out.resolutions}, request
    # "the other three" when two are left is asked.
    assert resolve("close the other three", history, KINDS, acts=ACTS).question is not None


def test_the_other_two_when_only_two_were_named_says_there_are_none() -> None:
    """ "close the other two" when the conversation named two tickets in all: no two are
    "other", so the question says so and offers neither of the two as the others."""
    for history in (
        [turn(1, "what's the state of TCK-1021 and TCK-1040?")],
        [turn(1, "what's the state of TCK-1021 and TCK-1040?"), turn(2, "bump both to urgent")],
    ):
        for request in ("and resolve the other two", "escalate the other tickets too"):
            out = resolve(request, history, KINDS, acts=ACTS)
            assert out.resolutions == [] and out.question is not None, request
            assert "no other" in out.question and "do you mean:" not in out.question, request
            assert "TCK-1021 and TCK-1040" in out.question, request


def test_the_other_four_reads_its_number_as_the_other_two_does() -> None:
    """One map of number words for every count a reference says ("the other four", "her last
    four invoices", "both"): "four" had been no count to `others`."""
    history = [
        turn(1, "bump TCK-1011, TCK-1012, TCK-1013, TCK-1014 and TCK-1015 to high"),
        turn(2, "close TCK-1013, it's a duplicate"),
    ]
    out = resolve("and reopen the other four", history, KINDS, acts=ACTS)
    assert out.question is None
    assert {r.entity for r in out.resolutions} == {"TCK-1011", "TCK-1012", "TCK-1014", "TCK-1015"}
    assert resolve("and reopen the other five", history, KINDS, acts=ACTS).question is not None
