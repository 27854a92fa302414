"""The LLM planner and the cascade with a scripted chat model: plans, repair, fallback, budget."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ringmaster.agents.spec import Team, parse_team
from ringmaster.graph.errors import BudgetExceeded
from ringmaster.graph.planner.carry import carried
from ringmaster.graph.planner.cascade import CascadePlanner, estimated_parts
from ringmaster.graph.planner.llm import PLAN_TOOL, LLMPlanner
from tests.fakes import TEAM_YAML, ScriptedPlanner, plan_of
from tests.fakes_llm import ScriptedChatModel, plan_answer, tool_call


@pytest.fixture
def team() -> Team:
    return parse_team(TEAM_YAML)


def planner(
    team: Team, *answers: object, fallback: bool = True
) -> tuple[LLMPlanner, ScriptedChatModel]:
    model = ScriptedChatModel(answers=list(answers))
    local = ScriptedPlanner(plan_of(("whole request", "gamma"))) if fallback else None
    if local is not None:
        local.name = "local"  # type: ignore[misc]
    return LLMPlanner(team, model, fallback=local), model


def test_one_call_returns_the_whole_plan(team: Team) -> None:
    p, model = planner(
        team,
        plan_answer(
            {"description": "a", "agent": "alpha"},
            {"description": "b", "agent": "beta", "depends_on": ["t1"]},
        ),
    )
    plan = p.plan("do a, then b")
    assert plan.planner == "llm"
    assert [(s.agent, s.depends_on) for s in plan.subtasks] == [("alpha", []), ("beta", ["t1"])]
    assert model.calls == p.model_calls == 1
    assert p.tokens > 0
    system = model.prompts[0][0].content
    assert "alpha: does alpha things" in system and "secret" in system


def test_catalogue_shows_only_allowed_agents(team: Team) -> None:
    p, model = planner(team, plan_answer({"description": "a", "agent": "alpha"}))
    p.plan("a", allowed_agents=["alpha", "beta"])
    system = str(model.prompts[0][0].content)
    assert "- alpha:" in system and "- secret:" not in system


@pytest.mark.parametrize(
    ("bad", "complaint"),
    [
        (plan_answer({"description": "a", "agent": "wizard"}), "unknown agent(s) wizard"),
        (
            plan_answer(
                {"description": "a", "agent": "alpha", "depends_on": ["t2"]},
                {"description": "b", "agent": "beta", "depends_on": ["t1"]},
            ),
            "cycle",
        ),
        ("this is not a tool call", "not a valid plan"),
    ],
    ids=["unknown-agent", "cycle", "malformed"],
)
def test_a_bad_answer_is_sent_back_once_with_the_error(
    team: Team, bad: object, complaint: str
) -> None:
    p, model = planner(team, bad, plan_answer({"description": "a", "agent": "alpha"}))
    plan = p.plan("a")
    assert plan.planner == "llm" and plan.subtasks[0].agent == "alpha"
    assert model.calls == 2 and p.repairs == 1
    repair = str(model.prompts[1][-1].content)
    assert complaint in repair and "Answer again" in repair
    # system, request, the bad answer, repair: roles alternate; not a growing transcript.
    assert [m.type for m in model.prompts[1]] == ["system", "human", "ai", "human"]
    # The bad answer is the assistant's turn, and only there: the repair does not repeat it.
    said = [str(m.content) for m in model.prompts[1]]
    answer = said[2]
    assert answer and sum(answer in text for text in said) == 1


def test_two_bad_answers_fall_back_to_the_local_plan_marked(team: Team) -> None:
    bad = plan_answer({"description": "a", "agent": "wizard"})
    p, model = planner(team, bad, bad)
    plan = p.plan("a")
    assert model.calls == 2
    assert plan.planner == "llm→local" and not plan.stand_in  # the model answered: cacheable
    assert plan.subtasks[0].agent == "gamma"
    assert "LLM planner: the model's plan was unusable twice" in plan.subtasks[0].rationale


def test_without_a_fallback_the_request_goes_to_a_human(team: Team) -> None:
    bad = plan_answer({"description": "a", "agent": "wizard"})
    p, _ = planner(team, bad, bad, fallback=False)
    plan = p.plan("a")
    assert plan.planner == "llm→human"
    (s,) = plan.subtasks
    assert s.agent is None and s.escalate and "unknown agent" in (s.escalation_reason or "")


def test_a_failed_call_is_not_repeated_it_falls_back(team: Team) -> None:
    p, model = planner(team, ConnectionError("down"))
    plan = p.plan("a")
    assert model.calls == 1 and plan.planner == "llm→local"
    assert plan.stand_in  # a failed call's fallback: evals do not cache it
    assert "stand_in" not in plan.model_dump()  # a runtime signal, never stored


def test_low_confidence_and_no_agent_escalate(team: Team) -> None:
    p, _ = planner(
        team,
        plan_answer(
            {"description": "a", "agent": "alpha", "confidence": 0.2},
            {"description": "b", "agent": None},
        ),
    )
    plan = p.plan("a and b")
    assert [s.escalate for s in plan.subtasks] == [True, True]
    assert "below" in (plan.subtasks[0].escalation_reason or "")
    assert [s.escalation_kind for s in plan.subtasks] == ["low_confidence", "no_agent"]


def test_a_repeat_the_planner_was_unsure_of_goes_where_the_turn_before_went(team: Team) -> None:
    # Its low confidence is an unsure route like the local planner's, whatever its words.
    p, _ = planner(team, plan_answer({"description": "a", "agent": "alpha", "confidence": 0.2}))
    alone = p.plan("do the same for CUS-1019")
    assert alone.subtasks[0].escalate
    plan = carried(alone, "do the same for CUS-1019", plan_of(("credit CUS-1006", "beta")))
    assert plan.agents() == {"beta"} and not plan.subtasks[0].escalate
    assert plan.subtasks[0].confidence == 0.9  # the turn before's: this planner ranks no other


def test_a_spent_budget_is_not_a_model_failure(team: Team) -> None:
    p, _ = planner(team, BudgetExceeded("spent"))
    with pytest.raises(BudgetExceeded):
        p.plan("a")


def test_cascade_calls_the_model_only_when_the_local_plan_is_unsure(team: Team) -> None:
    def local_plan(request: str):  # type: ignore[no-untyped-def]
        if "unsure" in request:
            plan = plan_of((request, "alpha"))
            return plan.model_copy(
                update={"subtasks": [plan.subtasks[0].model_copy(update={"confidence": 0.4})]}
            )
        return plan_of((request, "alpha"))

    local = ScriptedPlanner(local_plan)
    local.name = "local"  # type: ignore[misc]
    model = ScriptedChatModel(answers=[plan_answer({"description": "x", "agent": "beta"})] * 2)
    cascade = CascadePlanner(local, LLMPlanner(team, model), min_confidence=0.7)
    assert cascade.plan("do the alpha thing").planner == "cascade:local"
    assert model.calls == 0
    assert cascade.plan("an unsure thing").planner == "cascade:llm"
    assert "confidence 0.40" in (cascade.last_reason or "")
    # One subtask locally, but three sentences: it looks multi-part.
    cascade.plan("Do the alpha thing. Then check beta. Also gamma please.")
    assert "looks like 3 parts" in (cascade.last_reason or "")
    assert model.calls == 2 and cascade.model_calls == 2
    assert cascade.local_share == pytest.approx(1 / 3)


def test_the_resolved_references_go_after_the_request_and_the_cascade_passes_them(
    team: Team,
) -> None:
    context = "- 'it' is TCK-1 (ticket, from turn 1)"
    p, model = planner(team, plan_answer({"description": "close TCK-1", "agent": "alpha"}))
    p.plan("close TCK-1", context=context)
    [_, asked] = model.prompts[0]
    assert str(asked.content).startswith("close TCK-1\n\n") and context in str(asked.content)
    assert context not in str(model.prompts[0][0].content)  # not in the (cached) system prompt

    local = ScriptedPlanner(
        lambda r: plan_of((r, "alpha")).model_copy(
            update={
                "subtasks": [
                    plan_of((r, "alpha")).subtasks[0].model_copy(update={"confidence": 0.4})
                ]
            }
        )
    )
    local.name = "local"  # type: ignore[misc]
    model = ScriptedChatModel(answers=[plan_answer({"description": "x", "agent": "beta"})])
    CascadePlanner(local, LLMPlanner(team, model)).plan("close TCK-1", context=context)
    assert context in str(model.prompts[0][1].content)


def test_estimated_parts() -> None:
    assert estimated_parts("Refund invoice INV-1 please") == 1
    assert estimated_parts("terms and conditions of the contract") == 1
    assert estimated_parts("Check ticket TCK-1? Also, is INV-2 paid? And is api healthy?") == 3
    assert estimated_parts("count the tickets, then write a summary about it") == 2


def test_the_plan_schema_sent_is_compact(team: Team) -> None:
    p, model = planner(team, plan_answer({"description": "a", "agent": "alpha"}))
    p.plan("a")
    (tool,) = model.tools[0]
    assert tool["function"]["name"] == PLAN_TOOL
    sent = json.dumps(tool)
    assert "description" not in sent and "default" not in sent and "title" not in sent
    item = tool["function"]["parameters"]["properties"]["parts"]["items"]
    assert item["required"] == ["task", "agent", "conf"]  # why and after may be left out


def test_short_and_long_field_names_map_back_to_the_plan(team: Team) -> None:
    short = tool_call(
        PLAN_TOOL,
        {
            "parts": [
                {"task": "a", "agent": "alpha", "conf": 0.9},
                {"task": "b", "agent": "beta", "conf": 0.8, "after": [1]},
            ]
        },
    )
    long = tool_call(
        PLAN_TOOL,
        {
            "subtasks": [
                {"id": "x", "description": "a", "agent": "alpha", "confidence": 0.9},
                {
                    "id": "y",
                    "description": "b",
                    "agent": "beta",
                    "confidence": 0.8,
                    "depends_on": ["x"],
                    "rationale": "r",
                },
            ]
        },
    )
    for answer, ids in ((short, ["t1", "t2"]), (long, ["x", "y"])):
        p, _ = planner(team, answer)
        plan = p.plan("a then b")
        assert plan.planner == "llm"
        assert [(s.id, s.description, s.agent, s.depends_on) for s in plan.subtasks] == [
            (ids[0], "a", "alpha", []),
            (ids[1], "b", "beta", [ids[0]]),
        ]


def test_a_missing_field_is_sent_back_by_its_short_name(team: Team) -> None:
    bad = tool_call(PLAN_TOOL, {"parts": [{"agent": "alpha", "conf": 0.9}]})
    p, model = planner(team, bad, plan_answer({"description": "a", "agent": "alpha"}))
    assert p.plan("a").planner == "llm" and p.repairs == 1
    assert "task" in str(model.prompts[1][-1].content)


def test_a_planning_call_starts_no_thread(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    # include_raw=True parses in a RunnableParallel: a thread pool and threads on every call.
    import threading

    started: list[str] = []
    start = threading.Thread.start

    def counted(self: threading.Thread) -> None:
        started.append(self.name)
        start(self)

    p, model = planner(team, plan_answer({"description": "a", "agent": "alpha"}))
    monkeypatch.setattr(threading.Thread, "start", counted)
    plan = p.plan("a")
    assert plan.planner == "llm" and plan.subtasks[0].agent == "alpha"
    assert started == [] and model.calls == 1


def test_a_structured_output_not_in_sequence_is_called_whole(team: Team) -> None:
    from langchain_core.messages import AIMessage
    from langchain_core.runnables import RunnableLambda

    answer = {"parts": [{"task": "a", "agent": "alpha", "conf": 0.9}]}

    class Whole:  # a provider whose structured output is one runnable, not model | parser
        calls = 0

        def with_structured_output(self, schema: Any, **kw: Any) -> Any:
            def run(messages: Any) -> Any:
                Whole.calls += 1
                raw = AIMessage("", usage_metadata=USAGE)
                return {"raw": raw, "parsed": answer, "parsing_error": None}

            if not kw.get("include_raw"):
                return RunnableLambda(lambda m: answer)
            return RunnableLambda(run)

    plan = LLMPlanner(team, Whole(), model_name="whole").plan("a")
    assert plan.planner == "llm" and plan.subtasks[0].agent == "alpha" and Whole.calls == 1


USAGE = {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5}
