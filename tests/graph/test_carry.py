"""A follow-up routed as the turn before it when it repeats that turn or leans on it and the
planner could not tell (graph/planner/carry.py), on the demo team's shipped model."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from ringmaster.agents.demo import load_demo_team
from ringmaster.evals.conversations import load_conversations, run_conversations
from ringmaster.graph.nodes.plan import kinds_named, team_kind_owners
from ringmaster.graph.planner.base import Alternative, Plan, Subtask
from ringmaster.graph.planner.carry import (
    answered,
    carried,
    kind_owners,
    only_ids_written,
    owned,
    picked_from_listing,
    worded,
)
from ringmaster.graph.planner.local import LocalPlanner
from ringmaster.graph.references import kinds_from_team
from ringmaster.graph.state import stored_turn
from ringmaster.settings import Settings
from ringmaster.wiring import build_deps

SCOPES = ["support", "billing", "ops", "content", "analytics", "legal"]


@pytest.fixture(scope="module")
def demo() -> LocalPlanner:
    return LocalPlanner(load_demo_team())  # the shipped model


def test_a_follow_up_the_planner_is_unsure_of_goes_where_the_turn_before_went(
    demo: LocalPlanner,
) -> None:
    before = demo.plan("how many refunds did we issue in May?")
    alone = demo.plan("And what about credits?")
    assert before.agents() == {"analytics"} and alone.subtasks[0].unsure  # unsure alone
    plan = carried(alone, "And what about credits?", before)
    [s] = plan.subtasks
    assert (s.agent, s.escalate, s.escalation_reason, s.escalation_kind) == (
        "analytics", False, None, None
    )  # fmt: skip
    assert "the turn before went to analytics" in s.rationale
    assert {a.agent for a in s.alternatives} >= {alone.subtasks[0].agent}  # its own pick kept


def test_a_repeat_goes_where_the_turn_before_went_however_sure_the_planner_was(
    demo: LocalPlanner,
) -> None:
    before = demo.plan("credit CUS-1006 20 dollars for the slow dashboard")
    text = "Please do the same for CUS-1019, who reported the same problem."
    alone = demo.plan(text)
    assert before.agents() == {"billing"} and alone.agents() == {"support"}
    [s] = carried(alone, text, before).subtasks
    assert (s.agent, s.escalate) == ("billing", False)
    # As sure as the route it repeats: the planner alone gave billing 0.01 (shown as 0.00).
    assert s.confidence == before.subtasks[0].confidence > 0.9


def test_a_turn_stored_before_escalation_kinds_is_still_the_turn_before(
    demo: LocalPlanner,
) -> None:
    """A plan stored before `Subtask.escalation_kind` (its reason in words only) loads; an
    escalation of that shape is not known to be unsure, so nothing settles it by context."""
    before = demo.plan("credit CUS-1006 20 dollars for the slow dashboard").model_dump()
    for s in before["subtasks"]:
        del s["escalation_kind"]
    stored, _ = stored_turn(before, {})
    assert stored is not None
    text = "Please do the same for CUS-1019, who reported the same problem."
    assert carried(demo.plan(text), text, Plan.model_validate(stored)).agents() == {"billing"}
    old = Subtask.model_validate(
        {"id": "t1", "description": "and credits?", "agent": "legal", "confidence": 0.48,
         "escalate": True, "escalation_reason": "low confidence: 0.48 < floor 0.50"}
    )  # fmt: skip
    assert old.escalation_kind is None and not old.unsure


@pytest.mark.parametrize(
    ("before", "text"),
    [
        # a request of its own, routed surely: the turn before does not move it
        ("how many refunds did we issue in May?", "and email CUS-1003 the pricing page"),
        # "the same" that repeats nothing
        ("who is CUS-1031?", "is Olivia Garcia, CUS-1032, on the same plan as him?"),
        # out of scope is the planner's own reason, not an unsure route
        ("how many refunds did we issue in May?", "and what's a good lunch spot nearby?"),
    ],
)
def test_a_follow_up_with_a_route_of_its_own_keeps_it(
    demo: LocalPlanner, before: str, text: str
) -> None:
    alone = demo.plan(text)
    assert not alone.subtasks[0].unsure
    assert carried(alone, text, demo.plan(before)) == alone


def test_a_few_words_leaning_on_the_turn_before_go_where_it_went(demo: LocalPlanner) -> None:
    before = demo.plan("how many slow-dashboard tickets did we get in May?")
    alone = demo.plan("and in June?")
    [s] = alone.subtasks
    assert before.agents() == {"analytics"} and s.escalate  # the human label won on two words
    assert s.escalation_reason.startswith("looks out of scope")
    [moved] = carried(alone, "and in June?", before).subtasks
    assert (moved.agent, moved.escalate) == ("analytics", False)
    assert "names only what changes" in moved.rationale
    # "n" is "and" typed fast on a phone.
    alone = demo.plan("n in June?")
    [moved] = carried(alone, "n in June?", before).subtasks
    assert (moved.agent, moved.escalate) == ("analytics", False)


def test_a_question_about_the_last_result_goes_where_it_went(demo: LocalPlanner) -> None:
    before = demo.plan("what's our revenue for May?")
    alone = demo.plan("is it up compared to April?")
    [s] = alone.subtasks
    assert before.agents() == {"analytics"} and s.escalate and s.agent == "analytics"  # unsure
    [moved] = carried(alone, "is it up compared to April?", before).subtasks
    assert (moved.agent, moved.escalate) == ("analytics", False)
    # ranked first, but not by the planner alone: another agent's turn before keeps it unsure
    other = demo.plan("status of TCK-1140")
    assert other.agents() == {"support"}
    assert carried(alone, "is it up compared to April?", other) == alone


def test_a_reply_to_the_question_goes_where_the_asked_request_would(demo: LocalPlanner) -> None:
    asked = demo.plan("how long has it been firing?")
    alone = demo.plan("how long has ALT-1042 been firing?")
    assert asked.subtasks[0].escalate and alone.subtasks[0].escalate  # unsure of both
    [s] = answered(alone, asked).subtasks
    assert (s.agent, s.escalate) == ("ops", False)
    assert "answers the question asked about a request for ops" in s.rationale


def test_a_reply_routed_surely_keeps_its_route(demo: LocalPlanner) -> None:
    # "close that one" alone reads as content's; the reply names the ticket and is support's
    asked, alone = demo.plan("close that one"), demo.plan("close TCK-1140")
    assert asked.agents() == {"content"} and alone.agents() == {"support"}
    assert answered(alone, asked) == alone


NOUNS = {"customer", "invoice", "ticket"}


@pytest.mark.parametrize(
    ("typed", "text", "only_ids"),
    [
        ("email her copies of them both", "email CUS-1021 copies of INV-1067 and INV-1114", True),
        ("email the customer a summary", "email CUS-1035 a summary", True),
        # a count picks records as a pronoun does
        (
            "email him an update on the other two",
            "email CUS-1024 an update on TCK-1145 and TCK-1019",
            True,
        ),
        ("close the first three", "close TCK-1001 and TCK-1002 and TCK-1003", True),
        # a description replaced: its words said which record, and maybe what to do
        ("close the billing email one", "close TCK-1022", False),
        # a repeat written out adds the words of the request it repeats
        ("do the same for TCK-1030", "close TCK-1030 and email CUS-1021", False),
    ],
)
def test_a_rewrite_that_only_wrote_ids_in(typed: str, text: str, only_ids: bool) -> None:
    assert only_ids_written(typed, text, NOUNS) is only_ids


def test_a_rewrite_goes_where_its_words_went_when_the_planner_was_sure_of_them(
    demo: LocalPlanner,
) -> None:
    typed, text = "email her copies of them both", "email CUS-1021 copies of INV-1067 and INV-1114"
    words, written = demo.plan(typed), demo.plan(text)
    assert words.agents() == {"content"} and written.agents() == {"billing"}  # ids pull
    [s] = worded(written, words, text).subtasks
    assert (s.agent, s.description, s.escalate) == ("content", text, False)
    assert "the words typed were sure of content" in s.rationale
    # "the other two" written as two tickets' ids read as support's; the words say content
    typed, text = (
        "email him an update on the other two",
        "email CUS-1024 an update on TCK-1145 and TCK-1019",
    )
    words, written = demo.plan(typed), demo.plan(text)
    assert words.agents() == {"content"} and written.agents() == {"support"}  # ids pull
    assert only_ids_written(typed, text, NOUNS)
    [s] = worded(written, words, text).subtasks
    assert (s.agent, s.description, s.escalate) == ("content", text, False)
    # words the planner was less sure of keep the rewrite's route ("add a note to it": a
    # ticket's note is support's, though the words alone read as content's)
    unsure_words = demo.plan("add a note to it")
    assert unsure_words.subtasks[0].confidence < 0.9
    note = demo.plan("add a note to TCK-1022")
    assert worded(note, unsure_words, "add a note to TCK-1022") == note
    # a cut at words typed stays: "close it and email the customer …" read as one ask alone
    typed = "close it and email the customer that the 502s are fixed"
    text = "close TCK-1005 and email CUS-1007 that the 502s are fixed"
    two = demo.plan(text)
    assert len(two.subtasks) == 2
    assert worded(two, demo.plan(typed), text) == two


def test_a_turn_after_several_agents_or_none_is_left_alone(demo: LocalPlanner) -> None:
    alone = demo.plan("And what about credits?")
    several = demo.plan("refund INV-1003 in full and close TCK-1002")
    assert len(several.agents()) == 2
    assert carried(alone, "And what about credits?", several) == alone
    assert carried(alone, "And what about credits?", None) == alone


@pytest.mark.parametrize(
    ("texts", "agents"),
    [
        (
            ["how many refunds did we issue in May?", "And what about credits?"],
            [["analytics"], ["analytics"]],
        ),
        (
            ["how many slow-dashboard tickets did we get in May?", "and in June?"],
            [["analytics"], ["analytics"]],
        ),
        (
            ["show me INV-1067 and INV-1114", "email the customer copies of them both"],
            [["billing"], ["content"]],
        ),
        (
            ["any alerts firing on the api?", "how long has it been firing?", "the latency one"],
            [["ops"], [], ["ops"]],
        ),
        # The request asked about ranks support first alone (the human label winning); the
        # record picked is an alert, which ops deals with (`owned`).
        (
            ["show firing alerts", "how long has that one been going on?", "the sms one"],
            [["ops"], [], ["ops"]],
        ),
    ],
)
def test_a_conversation_carries_a_follow_up_or_a_reply_to_its_agent(
    tmp_path: Path, texts: list[str], agents: list[list[str]]
) -> None:
    data = tmp_path / "conv.jsonl"
    turns = [{"text": t, "agents": a} for t, a in zip(texts, agents, strict=True)]
    data.write_text(json.dumps({"id": "c", "turns": turns}) + "\n", encoding="utf-8")
    report = run_conversations(
        load_conversations(data),
        lambda: build_deps(Settings(home=tmp_path / "h", planner_cache=tmp_path)),
        lambda: nullcontext(InMemorySaver()),
        {"id": "eval", "scopes": SCOPES},
    )
    assert [t.agents for t in report.turns] == agents


def test_a_follow_up_whose_words_as_typed_lean_goes_where_the_turn_before_went(
    demo: LocalPlanner,
) -> None:
    # "and the critical one?" rewritten to the request it stands for, with the id written in:
    # the rewrite no longer starts with "and", the words typed do.
    before = demo.plan("which alerts are firing on api?")
    rewritten = "ALT-1041 - since when?"
    alone = demo.plan(rewritten)
    assert before.agents() == {"ops"} and alone.subtasks[0].unsure
    assert carried(alone, rewritten, before) == alone
    [moved] = carried(alone, rewritten, before, "and the critical one?").subtasks
    assert (moved.agent, moved.escalate) == ("ops", False)
    assert "leans on it" in moved.rationale
    # Typed words that lean on nothing keep the planner's reading.
    assert carried(alone, rewritten, before, "the critical one - since when?") == alone


def test_a_pick_from_the_last_answers_listing_goes_where_that_turn_went(
    demo: LocalPlanner,
) -> None:
    before = demo.plan("which alerts are firing on api?")
    for rewritten in ("ALT-1041 - since when?", "ALT-1041 - how long?"):
        alone = demo.plan(rewritten)
        [s] = alone.subtasks
        assert s.escalate and s.agent != "ops"  # unsure, or the human label won
        assert carried(alone, rewritten, before) == alone
        [moved] = carried(alone, rewritten, before, picked=True).subtasks
        assert (moved.agent, moved.escalate) == ("ops", False)
        assert "picks a record its answer listed" in moved.rationale
    # A pick the planner placed surely keeps its route.
    sure = demo.plan("email the customer on TCK-1005 that the 502s are fixed")
    assert carried(sure, "", before, picked=True) == sure


def test_picked_from_listing_is_a_record_the_last_answer_listed_among_others() -> None:
    listed = {
        "entities": {
            "named": [["incident", "INC-1012"]],
            "touched": [["alert", "ALT-1041"], ["alert", "ALT-1042"], ["deployment", "DEP-1032"]],
        }
    }
    assert picked_from_listing(["ALT-1042"], listed)
    assert not picked_from_listing(["INC-1012"], listed)  # named by the request
    assert not picked_from_listing(["DEP-1032"], listed)  # the one of its kind listed
    assert not picked_from_listing(["ALT-1042", "TCK-1001"], listed)
    assert not picked_from_listing([], listed) and not picked_from_listing(["ALT-1041"], None)


def test_a_turn_before_that_a_person_was_asked_to_route_carries_nothing_new(
    demo: LocalPlanner,
) -> None:
    # The planner named billing for "is CUS-1003 active?" but sent it to a person: the next
    # turn's typed "what about …" and a pick are no reason to send it to billing.
    before = demo.plan("is CUS-1003 active?")
    rewritten = "is CUS-1005 active?"
    alone = demo.plan(rewritten)
    assert before.subtasks[0].escalate and before.subtasks[0].agent == "billing"
    assert alone.subtasks[0].unsure and alone.subtasks[0].agent == "billing"
    assert carried(alone, rewritten, before, "what about CUS-1005?", picked=True) == alone


@pytest.fixture(scope="module")
def owners(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("owners")
    deps = build_deps(Settings(home=home / "h", planner_cache=home))
    return team_kind_owners(deps, kinds_from_team(deps.registry.team.entities))


def test_a_kind_of_record_is_the_agent_s_whose_tools_deal_with_it_most(
    owners: dict[str, str],
) -> None:
    # Content reads a ticket and lists incidents, analytics reports on tickets: support's and
    # ops' tools deal with them more than all others together. A customer is looked up by
    # support, billing and legal alike: no one agent's.
    assert owners == {
        "ticket": "support",
        "invoice": "billing",
        "deployment": "ops",
        "incident": "ops",
        "document": "legal",
        "alert": "ops",
    }
    tools = [("a", "get_thing", ["thing_id"]), ("b", "list_things", []), ("c", "x", ["thing_id"])]
    assert kind_owners(tools, ["thing"]) == {}  # one of three: not more than the others
    assert kind_owners(tools[:2] + [("a", "close_thing", ["thing_id"])], ["thing"]) == {
        "thing": "a"
    }


def test_a_follow_up_about_one_agent_s_records_goes_to_it_when_the_planner_could_not_tell(
    demo: LocalPlanner, owners: dict[str, str]
) -> None:
    for rewritten, kind, agent in [
        ("how long has ALT-1043 been going", "alert", "ops"),  # the human label won
        ("ALT-1042 - since when?", "alert", "ops"),  # unsure, support first
        ("Pull up DOC-1021.", "document", "legal"),  # unsure, support first
    ]:
        alone = demo.plan(rewritten)
        [s] = alone.subtasks
        assert s.escalate and s.agent != agent
        [moved] = owned(alone, {kind}, owners).subtasks
        assert (moved.agent, moved.escalate, moved.escalation_kind) == (agent, False, None)
        assert f"{kind}s, which {agent} deals with" in moved.rationale
        # Records of no one agent's kind, or of two agents' kinds, say nothing.
        assert owned(alone, {"customer"}, owners) == alone
        assert owned(alone, {kind, "invoice"}, owners) == alone
        assert owned(alone, set(), owners) == alone
    # A route the planner was sure of is kept.
    sure = demo.plan("write a status update for customers about ALT-1041")
    assert not sure.subtasks[0].escalate
    assert owned(sure, {"alert"}, owners) == sure


def test_a_follow_up_about_a_person_s_records_of_a_kind_it_names_goes_to_that_kind_s_agent(
    owners: dict[str, str],
) -> None:
    # "does CUS-1013 have any tix": the customer is whoever's; the tickets it names are
    # support's. A reading of billing's, too close to support's to stand, goes to support.
    unsure = Subtask(
        id="t1",
        description="does CUS-1013 have any tix",
        agent="billing",
        confidence=0.44,
        alternatives=[Alternative(agent="support", score=0.41)],
        escalate=True,
        escalation_reason="ambiguous",
        escalation_kind="ambiguous",
    )
    plan = Plan(subtasks=[unsure], planner="local")
    [moved] = owned(plan, {"customer", "ticket"}, owners).subtasks
    assert (moved.agent, moved.confidence, moved.escalate) == ("support", 0.41, False)
    assert [a.agent for a in moved.alternatives] == ["billing"]  # the planner's pick kept
    assert "tickets, which support deals with" in moved.rationale
    # Tickets and invoices are two agents' records; a customer alone is no one agent's.
    assert owned(plan, {"customer", "ticket", "invoice"}, owners) == plan
    assert owned(plan, {"customer"}, owners) == plan
    # An agent the planner did not rank is not guessed.
    assert owned(plan, {"customer", "alert"}, owners) == plan


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("does she have any tix", {"ticket"}),
        ("her june inv amount and the DOC", {"invoice", "document"}),
        ("status of INV-1191", set()),  # the start of an id is no noun
        ("what's she on", set()),
    ],
)
def test_the_kinds_a_request_names_by_a_noun(text: str, named: set[str]) -> None:
    assert kinds_named(text, kinds_from_team(load_demo_team().entities)) == named


@pytest.mark.parametrize(
    "texts",
    [
        # the request asked about was routed surely (content's "close that one")
        ["show TCK-1003 and TCK-1007", "close that one", "the SAML one"],
        # and unsurely ("how long has it been firing?")
        ["any alerts firing on the api?", "how long has it been firing?", "the latency one"],
    ],
)
def test_a_reply_to_the_question_is_routed_as_the_asked_request_once(
    tmp_path: Path, texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`answered` ran twice on a reply whose asked request was routed surely: before the
    records' agent and again after it."""
    import ringmaster.graph.nodes.plan as plan_node

    asked: list[Plan] = []

    def counted(plan: Plan, asked_plan: Plan) -> Plan:
        asked.append(asked_plan)
        return answered(plan, asked_plan)

    monkeypatch.setattr(plan_node, "answered", counted)
    data = tmp_path / "conv.jsonl"
    turns = [{"text": t, "agents": []} for t in texts]
    data.write_text(json.dumps({"id": "c", "turns": turns}) + "\n", encoding="utf-8")
    run_conversations(
        load_conversations(data),
        lambda: build_deps(Settings(home=tmp_path / "h", planner_cache=tmp_path)),
        lambda: nullcontext(InMemorySaver()),
        {"id": "eval", "scopes": SCOPES},
    )
    assert len(asked) == 1
