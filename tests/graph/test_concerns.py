"""An output whose agent doubts it waits for a person, whatever its tools' limits say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ringmaster.agents.runtime import AgentTask
from ringmaster.tools.base import ToolBox
from tests.fakes import ScriptedAgent, ScriptedPlanner, make_deps, plan_of, proposing

DOUBT = "the request says it was charged twice, but the invoice has 1 successful charge(s)"


def doubting(amount: int, concerns: list[Any]) -> Any:
    """An agent proposing a small effect while its evidence records `concerns`."""
    propose = proposing(amount)

    def answer(task: AgentTask, tools: ToolBox) -> dict[str, Any]:
        out = propose(task, tools)
        out["evidence"] = {"checks": ["the amount is within the invoice"], "concerns": concerns}
        return out

    return answer


def test_a_small_effect_the_agent_doubts_waits_for_a_person(tmp_path: Path, make_run: Any) -> None:
    agent = ScriptedAgent(doubting(5, [DOUBT]))  # 5 is under the tool's approval limit (10)
    deps, ledger = make_deps(tmp_path, ScriptedPlanner(plan_of(("pay", "beta"))), {"beta": agent})
    run = make_run(deps)
    result = run.start()
    (intr,) = run.interrupts()
    context = intr.value["context"]
    assert context["kind"] == "approval" and DOUBT in context["blocker"]
    assert context["gated"] == [0]
    assert context["recommended"] == {"decision": "reject", "reason": DOUBT}
    assert DOUBT in result["results"]["t1"]["summary"]  # what the requester reads meanwhile
    assert result["results"]["t1"]["status"] == "awaiting_review"
    assert ledger.rows() == []  # nothing ran on the agent's doubt
    done = run.decide(intr, {"type": "approve"})  # a person may still decide it goes ahead
    assert done["results"]["t1"]["status"] == "done"
    assert [r[1] for r in ledger.rows()] == [5]


def test_without_a_concern_a_small_effect_still_runs(tmp_path: Path, make_run: Any) -> None:
    for concerns in ([], ["  "]):  # none recorded, or an empty one
        agent = ScriptedAgent(doubting(5, concerns))
        (tmp_path / str(len(concerns))).mkdir()
        deps, ledger = make_deps(
            tmp_path / str(len(concerns)),
            ScriptedPlanner(plan_of(("pay", "beta"))),
            {"beta": agent},
        )
        run = make_run(deps, thread=f"t-{len(concerns)}")
        assert run.start()["results"]["t1"]["status"] == "done"
        assert run.interrupts() == [] and len(ledger.rows()) == 1
