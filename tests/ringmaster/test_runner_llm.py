"""An approval raised inside an LLM agent (LangChain's HITL middleware) in the review queue."""

from __future__ import annotations

from pathlib import Path

from ringmaster.decisions import Decision, DecisionService
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from tests.graph.test_llm_agents import PAY, setup


def test_in_agent_approval_gets_the_subtask_context(tmp_path: Path, db_url: str | None) -> None:
    deps, ledger, model = setup(tmp_path, PAY)
    with Runner(Settings(home=tmp_path, db_url=db_url), deps=deps) as runner:
        out = runner.submit("pay 50 for a widget")
        (item,) = out.pending
        assert (item.kind, item.subtask_id, item.agent) == ("approval", "t1", "payer")
        ctx = item.payload["context"]
        assert ctx["request"] == "pay 50 for a widget" and "record" in ctx["blocker"]
        assert "amount over 10" in ctx["blocker"]  # why approval is needed
        assert item.payload["action_requests"][0]["args"] == {"amount": 50, "note": "widget"}
        done = DecisionService(runner).decide(item.id, Decision("approve"), "alice")
        outputs = [e.data for e in runner.audit.for_thread(out.thread_id)
                   if e.kind == "agent_output"]  # fmt: skip
    assert done.status == "completed" and done.results["t1"]["status"] == "done"
    assert [r[1] for r in ledger.rows()] == [50] and model.calls == 3
    # The call ran as approved by alice, who decided it (it said 'hitl', for anyone).
    assert [a.get("approved_by") for a in outputs[-1]["proposed_actions"]] == ["alice"]


def test_a_budget_spent_before_a_restart_still_stops_the_run(
    tmp_path: Path, db_url: str | None
) -> None:
    settings = Settings(home=tmp_path, db_url=db_url, max_model_calls=2)
    deps, ledger, first = setup(tmp_path, PAY)
    with Runner(settings, deps=deps) as runner:
        out = runner.submit("pay 50 for a widget")
        (item,) = out.pending
        assert first.calls == 2  # price, then record (stopped for approval)
        thread = out.thread_id

    # A new process: the review is decided there, and the thread resumed with a fresh model.
    deps, ledger, second = setup(tmp_path, ["Recorded 50 for the widget."])
    with Runner(settings, deps=deps, recover_on_start=False) as runner:
        seen = runner.outcome(thread).usage
        assert seen is not None and seen["model_calls"] == 2  # what the other process spent
        assert seen["per_node"]["agent"]["calls"] == 2
        done = DecisionService(runner).decide(item.id, Decision("approve"), "alice")
    assert second.calls == 0  # the third call was refused, not sent
    assert done.status != "completed" and done.results["t1"]["status"] != "done"
    assert done.usage is not None
    assert (done.usage["model_calls"], done.usage["refused_calls"]) == (2, 1)
    assert done.usage["budget"] == {"calls": 2, "tokens": None}
    assert done.usage["thread"]["model_calls"] == 2


def test_without_a_saved_budget_the_same_resume_completes(
    tmp_path: Path, db_url: str | None
) -> None:
    """The control: with a budget of 3 the resumed agent's third call is allowed."""
    settings = Settings(home=tmp_path, db_url=db_url, max_model_calls=3)
    deps, _, _ = setup(tmp_path, PAY)
    with Runner(settings, deps=deps) as runner:
        out = runner.submit("pay 50 for a widget")
        (item,) = out.pending
    deps, ledger, second = setup(tmp_path, ["Recorded 50 for the widget."])
    with Runner(settings, deps=deps, recover_on_start=False) as runner:
        done = DecisionService(runner).decide(item.id, Decision("approve"), "alice")
    assert done.status == "completed" and second.calls == 1
    assert done.usage is not None and done.usage["model_calls"] == 3
    assert [r[1] for r in ledger.rows()] == [50]
