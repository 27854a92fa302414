"""The run graph with scripted planner and agents: parallelism, handoffs, validation, reviews."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from langgraph.types import Command

from ringmaster.agents.runtime import AgentOutput, AgentTask
from ringmaster.tools.base import ToolBox
from tests.fakes import ScriptedAgent, ScriptedPlanner, counts, make_deps, ok, plan_of, proposing


def test_independent_subtasks_overlap_in_time(tmp_path: Path, make_run: Any) -> None:
    # Each agent answers only once all three are inside their calls: run one after another,
    # they break the barrier (its timeout is a hang guard) and fail. A sleep instead raced the
    # thread pool's start-up on a loaded machine.
    together = threading.Barrier(3, timeout=60)

    def answer(task: AgentTask, tools: ToolBox) -> dict[str, Any]:
        together.wait()
        return ok()(task, tools)

    agents = {n: ScriptedAgent(answer) for n in ("alpha", "beta", "gamma")}
    planner = ScriptedPlanner(plan_of(("a", "alpha"), ("b", "beta"), ("c", "gamma")))
    deps, _ = make_deps(tmp_path, planner, agents)
    result = make_run(deps).start()
    assert {r["status"] for r in result["results"].values()} == {"done"}
    spans = [a.spans[0] for a in agents.values()]
    # All three were running at one moment: the latest start precedes the earliest end.
    assert max(s for s, _ in spans) < min(e for _, e in spans)


def test_dependent_subtask_waits_and_gets_handoff(tmp_path: Path, make_run: Any) -> None:
    alpha = ScriptedAgent(lambda t, tb: {"summary": "found 42 widgets", "value": "42"}, delay=0.1)
    gamma = ScriptedAgent(ok())
    planner = ScriptedPlanner(
        plan_of(("count widgets", "alpha"), ("write about it", "gamma"), deps={"t2": ["t1"]})
    )
    deps, _ = make_deps(tmp_path, planner, {"alpha": alpha, "gamma": gamma})
    result = make_run(deps).start()
    (task,) = gamma.tasks
    (handoff,) = task.handoffs
    assert handoff.subtask_id == "t1" and handoff.agent == "alpha"
    assert handoff.summary == "found 42 widgets" and handoff.output["value"] == "42"
    assert gamma.spans[0][0] >= alpha.spans[0][1]  # started after its dependency ended
    assert result["results"]["t2"]["status"] == "done"


def test_retry_gets_validator_feedback(tmp_path: Path, make_run: Any) -> None:
    def answer(task: AgentTask, tools: ToolBox) -> dict[str, Any]:
        if task.feedback is None:
            return {"summary": "forgot the value"}
        return {"summary": "fixed", "value": "1"}

    alpha = ScriptedAgent(answer)
    deps, _ = make_deps(tmp_path, ScriptedPlanner(plan_of(("a", "alpha"))), {"alpha": alpha})
    result = make_run(deps).start()
    assert [t.attempt for t in alpha.tasks] == [1, 2]
    assert "value" in (alpha.tasks[1].feedback or "")
    assert result["results"]["t1"]["status"] == "done"


def test_failures_go_retry_then_fallback_then_human(tmp_path: Path, make_run: Any) -> None:
    bad = lambda t, tb: {"summary": "card 4111-1111-1111-1111", "value": "x"}  # noqa: E731
    alpha, beta = ScriptedAgent(bad), ScriptedAgent(lambda t, tb: {"summary": "no value"})
    deps, _ = make_deps(
        tmp_path, ScriptedPlanner(plan_of(("a", "alpha"))), {"alpha": alpha, "beta": beta}
    )
    run = make_run(deps)
    run.start()
    assert counts(alpha)["t1"] == 2  # alpha.max_attempts
    assert counts(beta)["t1"] == 1  # its fallback, beta.max_attempts
    (intr,) = run.interrupts()
    ctx = intr.value["context"]
    assert ctx["kind"] == "validation_failed"
    assert [a["agent"] for a in ctx["prior_attempts"]] == ["alpha", "alpha", "beta"]
    assert "forbidden" in ctx["prior_attempts"][0]["problems"][0]
    result = run.decide(intr, {"type": "respond", "message": "handled by hand"})
    assert result["results"]["t1"]["status"] == "answered"
    assert result["results"]["t1"]["summary"] == "handled by hand"


def test_approval_gates_side_effect_and_approve_runs_it_once(tmp_path: Path, make_run: Any) -> None:
    beta = ScriptedAgent(proposing(50))
    deps, ledger = make_deps(tmp_path, ScriptedPlanner(plan_of(("pay", "beta"))), {"beta": beta})
    run = make_run(deps)
    run.start()
    (intr,) = run.interrupts()
    assert intr.value["action_requests"][0]["name"] == "record"
    assert intr.value["action_requests"][0]["args"]["amount"] == 50
    assert intr.value["review_configs"][0]["allowed_decisions"] == [
        "approve",
        "edit",
        "reject",
        "respond",
    ]
    assert ledger.rows() == []  # nothing before approval
    result = run.decide(intr, {"type": "approve"})
    assert result["results"]["t1"]["status"] == "done"
    assert [r[1] for r in ledger.rows()] == [50]
    assert result["results"]["t1"]["actions"][0]["status"] == "executed"


def test_small_side_effect_needs_no_approval(tmp_path: Path, make_run: Any) -> None:
    deps, ledger = make_deps(
        tmp_path, ScriptedPlanner(plan_of(("pay", "beta"))), {"beta": ScriptedAgent(proposing(5))}
    )
    run = make_run(deps)
    result = run.start()
    assert run.interrupts() == []
    assert result["results"]["t1"]["status"] == "done" and len(ledger.rows()) == 1


def test_edit_and_reject_decisions(tmp_path: Path, make_run: Any) -> None:
    deps, ledger = make_deps(
        tmp_path,
        ScriptedPlanner(plan_of(("pay", "beta"), ("pay", "gamma"))),
        {"beta": ScriptedAgent(proposing(50)), "gamma": ScriptedAgent(proposing(70))},
    )
    run = make_run(deps)
    run.start()
    first, second = sorted(run.interrupts(), key=lambda i: i.value["context"]["subtask_id"])
    run.decide(
        first,
        {"type": "edit", "edited_action": {"name": "record", "args": {"amount": 30, "note": "e"}}},
    )
    result = run.decide(second, {"type": "reject", "message": "too much"})
    assert [(r[1], r[2]) for r in ledger.rows()] == [(30, "e")]
    assert result["results"]["t2"]["actions"][0]["status"] == "rejected"
    assert result["results"]["t2"]["status"] == "rejected"  # every action rejected
    t1 = result["results"]["t1"]
    assert t1["status"] == "done" and t1["actions"][0]["args"] == {"amount": 30, "note": "e"}


def test_low_confidence_routing_asks_a_human_who_picks_the_agent(
    tmp_path: Path, make_run: Any
) -> None:
    gamma = ScriptedAgent(ok())
    deps, _ = make_deps(tmp_path, ScriptedPlanner(plan_of(("unclear", None))), {"gamma": gamma})
    run = make_run(deps)
    run.start()
    (intr,) = run.interrupts()
    assert intr.value["context"]["kind"] == "routing"
    assert "approve" not in intr.value["review_configs"][0]["allowed_decisions"]  # no guess
    result = run.decide(
        intr,
        {"type": "edit", "edited_action": {"name": "route_subtask", "args": {"agent": "gamma"}}},
    )
    assert len(gamma.tasks) == 1 and result["results"]["t1"]["agent"] == "gamma"


@pytest.mark.parametrize("by_id", [True, False], ids=["resume-by-id", "resume-without-id"])
def test_invalid_resume_value_is_refused_and_the_review_stays(
    tmp_path: Path, make_run: Any, by_id: bool
) -> None:
    deps, ledger = make_deps(
        tmp_path, ScriptedPlanner(plan_of(("pay", "beta"))), {"beta": ScriptedAgent(proposing(50))}
    )
    run = make_run(deps)
    run.start()
    (intr,) = run.interrupts()

    def answer(value: Any) -> dict[str, Any]:
        resume = {run.interrupts()[0].id: value} if by_id else value
        return run.app.invoke(Command(resume=resume), run.config, durability="sync")

    answer({"decisions": [{"type": "aprove"}], "reviewer": "rev"})
    # Refused: nothing ran, nothing was decided, and the review asks again, saying why.
    assert ledger.rows() == []
    (again,) = run.interrupts()
    assert again.value["context"] == intr.value["context"]
    assert "aprove" in again.value["refused"]
    assert "refused" in again.value["action_requests"][0]["description"]
    values = run.app.get_state(run.config).values
    assert values["results"]["t1"]["status"] == "awaiting_review"
    # A valid answer to it goes through (LangChain's per_call shape: one bare decision).
    result = answer({"type": "approve"})
    assert result["results"]["t1"]["status"] == "done"
    assert len(ledger.rows()) == 1


def test_always_human_agent_holds_output_for_release(tmp_path: Path, make_run: Any) -> None:
    secret = ScriptedAgent(lambda t, tb: AgentOutput(output={"summary": "draft"}, category="x"))
    deps, _ = make_deps(tmp_path, ScriptedPlanner(plan_of(("p", "secret"))), {"secret": secret})
    run = make_run(deps)
    run.start(scopes=["admin"])
    (intr,) = run.interrupts()
    assert intr.value["context"]["kind"] == "human_category"
    assert intr.value["action_requests"][0]["name"] == "release_output"
    result = run.decide(
        intr,
        {
            "type": "edit",
            "edited_action": {"name": "release_output", "args": {"summary": "reviewed draft"}},
        },
    )
    assert result["results"]["t1"]["summary"] == "reviewed draft"


def test_planner_never_reaches_outside_requester_scopes(tmp_path: Path, make_run: Any) -> None:
    secret = ScriptedAgent(ok())
    deps, _ = make_deps(tmp_path, ScriptedPlanner(plan_of(("p", "secret"))), {"secret": secret})
    run = make_run(deps)
    run.start(scopes=[])  # no admin scope
    (intr,) = run.interrupts()
    assert intr.value["context"]["kind"] == "routing"
    assert secret.tasks == []
    # Even a reviewer cannot route it to an agent the requester may not reach.
    result = run.decide(
        intr,
        {"type": "edit", "edited_action": {"name": "route_subtask", "args": {"agent": "secret"}}},
    )
    assert result["results"]["t1"]["status"] == "rejected" and secret.tasks == []


def test_planner_failure_goes_to_a_human(tmp_path: Path, make_run: Any) -> None:
    def boom(request: str) -> Any:
        raise RuntimeError("model down")

    deps, _ = make_deps(tmp_path, ScriptedPlanner(boom), {})
    run = make_run(deps)
    run.start()
    (intr,) = run.interrupts()
    assert "model down" in intr.value["context"]["blocker"]


def test_failed_dependency_skips_dependents(tmp_path: Path, make_run: Any) -> None:
    deps, _ = make_deps(
        tmp_path,
        ScriptedPlanner(plan_of(("pay", "beta"), ("after", "gamma"), deps={"t2": ["t1"]})),
        {"beta": ScriptedAgent(proposing(50))},
    )
    run = make_run(deps)
    run.start()
    (intr,) = run.interrupts()
    result = run.decide(intr, {"type": "reject", "message": "no"})
    assert result["results"]["t1"]["status"] == "rejected"
    assert result["results"]["t2"]["status"] == "skipped"
    assert "answer" in result
    assert "[t2 gamma: skipped] not started: it depends on t1" in result["answer"]


def test_a_review_does_not_hold_up_work_that_does_not_need_it(
    tmp_path: Path, make_run: Any
) -> None:
    gamma = ScriptedAgent(ok())
    planner = ScriptedPlanner(
        plan_of(("pay", "beta"), ("count", "alpha"), ("write", "gamma"), deps={"t3": ["t2"]})
    )
    deps, ledger = make_deps(
        tmp_path, planner, {"beta": ScriptedAgent(proposing(50)), "gamma": gamma}
    )
    run = make_run(deps)
    run.start()
    (intr,) = run.interrupts()
    assert intr.value["context"]["subtask_id"] == "t1"
    # t3 depends on t2 only: it ran while t1 waits for its reviewer.
    assert [t.subtask_id for t in gamma.tasks] == ["t3"]
    state = run.app.get_state(run.config).values["results"]
    assert state["t3"]["status"] == "done" and state["t1"]["status"] == "awaiting_review"
    result = run.decide(intr, {"type": "approve"})
    assert {r["status"] for r in result["results"].values()} == {"done"}
    assert len(ledger.rows()) == 1 and len(gamma.tasks) == 1


def test_without_ids_reviews_come_one_at_a_time_in_agent_inbox_shapes(
    tmp_path: Path, make_run: Any
) -> None:
    gamma = ScriptedAgent(ok())
    deps, ledger = make_deps(
        tmp_path,
        ScriptedPlanner(plan_of(("unclear", None), ("pay", "beta"))),
        {"beta": ScriptedAgent(proposing(50)), "gamma": gamma},
    )
    # As LangGraph Server runs it: clients answer without interrupt ids.
    run = make_run(deps, parallel_reviews=False)
    run.start()
    (routing,) = run.interrupts()  # the other review waits its turn
    assert routing.value["context"]["subtask_id"] == "t1"

    def answer(*decisions: dict[str, Any]) -> dict[str, Any]:
        resume = Command(resume={"decisions": list(decisions)})
        return run.app.invoke(resume, run.config, durability="sync")

    # Agent Inbox's edit: the action it showed, with the reviewer's args.
    answer({"type": "edit", "args": {"action": "route_subtask", "args": {"agent": "gamma"}}})
    assert len(gamma.tasks) == 1
    (approval,) = run.interrupts()
    assert approval.value["context"]["subtask_id"] == "t2"
    # Agent Inbox's "response" on a HITL interrupt: a rejection, the reason in args.
    result = answer({"type": "reject", "args": "not this month"})
    assert result["results"]["t1"]["agent"] == "gamma"
    assert result["results"]["t1"]["status"] == "done"
    assert result["results"]["t2"]["status"] == "rejected"
    assert result["results"]["t2"]["actions"][0]["message"] == "not this month"
    assert ledger.rows() == []
    assert result["messages"][-1].content == result["answer"]


def test_a_fallback_outside_the_requesters_scopes_does_not_run(
    tmp_path: Path, make_run: Any
) -> None:
    from ringmaster.agents.registry import AgentRegistry
    from ringmaster.agents.runtime import PythonRuntime
    from ringmaster.graph.deps import GraphDeps

    bad = lambda t, tb: {"summary": "no value"}  # noqa: E731
    alpha, beta = ScriptedAgent(bad), ScriptedAgent(ok())
    deps, _ = make_deps(tmp_path, ScriptedPlanner(plan_of(("a", "alpha"))), {})
    team = deps.registry.team
    scoped = [
        a.model_copy(update={"scopes": [a.name]}) if a.name in ("alpha", "beta") else a
        for a in team.agents
    ]
    team = team.model_copy(update={"agents": scoped})
    registry = AgentRegistry.build(
        team,
        deps.registry.tools,
        overrides={"alpha": PythonRuntime(alpha), "beta": PythonRuntime(beta)},
    )
    run = make_run(GraphDeps(registry=registry, planner=deps.planner))
    run.start(scopes=["alpha"])  # alpha's fallback beta is outside these scopes
    assert counts(alpha)["t1"] == 2 and beta.tasks == []
    (intr,) = run.interrupts()
    assert intr.value["context"]["kind"] == "validation_failed"
    # With beta in scope, the same failure falls back to it.
    beta_run = make_run(GraphDeps(registry=registry, planner=deps.planner), thread="t-2")
    assert beta_run.start(scopes=["alpha", "beta"])["results"]["t1"]["agent"] == "beta"


def test_the_plan_sends_its_first_subtasks_and_the_last_dispatch_answers(
    tmp_path: Path, make_run: Any, checkpointer: Any
) -> None:
    # Dispatch marks subtasks whose dependencies failed; before any subtask ran (the plan
    # clears the turn's results) it has nothing to do, so it costs no step and no checkpoint.
    # When nothing is left to run, dispatch writes the answer itself: no synthesize step.
    planner = ScriptedPlanner(plan_of(("a", "alpha"), ("b", "gamma"), deps={"t2": ["t1"]}))
    deps, _ = make_deps(
        tmp_path, planner, {"alpha": ScriptedAgent(ok()), "gamma": ScriptedAgent(ok())}
    )
    run = make_run(deps)
    steps = [
        next(iter(update))
        for update in run.app.stream(
            {"request": "a then b", "requester": {"id": "tester"}, "turn": 1, "results": None},
            run.config,
            stream_mode="updates",
            durability="sync",
        )
    ]
    assert steps == ["plan", "work", "dispatch", "work", "dispatch"]
    (count,) = checkpointer.conn.execute(
        "SELECT COUNT(*) FROM checkpoints WHERE thread_id = 't-1' AND checkpoint_ns = ''"
    ).fetchone()
    assert count == len(steps) + 2  # the input, the start step, then one per step
    answer = run.app.get_state(run.config).values["answer"]
    assert answer.startswith("[t1 alpha: done]") and "\n[t2 gamma: done]" in answer


def test_an_agent_that_asks_back_ends_its_subtask_as_needs_input(
    tmp_path: Path, make_run: Any
) -> None:
    """An output carrying a `question` (and no action) is a question to the requester, not a
    done; what depends on it does not start on a guess."""
    alpha = ScriptedAgent(
        lambda t, tb: {
            "summary": "which one? none was named",
            "value": "",
            "question": "which one?",
        }
    )
    gamma = ScriptedAgent(ok())
    planner = ScriptedPlanner(
        plan_of(("look it up", "alpha"), ("write about it", "gamma"), deps={"t2": ["t1"]})
    )
    deps, _ = make_deps(tmp_path, planner, {"alpha": alpha, "gamma": gamma})
    result = make_run(deps).start()
    assert result["results"]["t1"]["status"] == "needs_input"
    assert result["results"]["t1"]["summary"] == "which one? none was named"
    assert result["results"]["t2"]["status"] == "skipped" and gamma.tasks == []
    assert "[t1 alpha: needs_input] which one? none was named" in result["answer"]
