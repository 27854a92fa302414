"""An approval raised inside an LLM agent (LangChain's HITL middleware) in the review queue."""

from __future__ import annotations

from pathlib import Path

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
        assert item.payload["action_requests"][0]["args"] == {"amount": 50, "note": "widget"}
        done = runner.decide(item.id, {"decisions": [{"type": "approve"}]}, "alice")
    assert done.status == "completed" and done.results["t1"]["status"] == "done"
    assert [r[1] for r in ledger.rows()] == [50] and model.calls == 3
