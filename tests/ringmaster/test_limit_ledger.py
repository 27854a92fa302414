"""Issue 12: the policy's cumulative limits hold for any tool, not only the demo's own.

A tool that keeps no totals of its own (here the fakes' `record`, writing to its own SQLite
file) is checked and counted in ringmaster's ledger in one transaction before it runs, so
split calls across runs and concurrent calls cannot pass a limit without a person.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ringmaster.agents.policy import apply_policy, check_policy, parse_policy
from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.runtime import PythonRuntime
from ringmaster.agents.spec import parse_team
from ringmaster.graph.checkpoint import open_checkpointer
from ringmaster.graph.deps import GraphDeps
from ringmaster.limit_ledger import SqlLimitLedger
from ringmaster.review_summary import summarize
from ringmaster.settings import Settings
from ringmaster.tables import limit_ledger, make_engine
from ringmaster.tools.base import CallContext, CumulativeLimit, Tool, ToolRegistry
from ringmaster.tools.errors import ApprovalRequired
from tests.fakes import TEAM_YAML, Ledger, ScriptedAgent, ScriptedPlanner, ok, plan_of, proposing
from tests.graph.conftest import Run

PER_REQUESTER = CumulativeLimit(
    tools=frozenset({"record"}), per="requester", window=timedelta(hours=24), over=Decimal("12")
)


@pytest.fixture
def engine(tmp_path: Path, db_url: str | None) -> Iterator[Any]:
    eng = make_engine(Settings(home=tmp_path, db_url=db_url).app_db_url)
    yield eng
    eng.dispose()


def deps_with(
    tmp: Path, tool: Tool, ledger: SqlLimitLedger | None, amount: int = 5, answer: Any = None
) -> tuple[GraphDeps, Any]:
    tools = ToolRegistry()
    tools.register(tool)
    team = parse_team(TEAM_YAML)
    agents = {"beta": PythonRuntime(ScriptedAgent(answer or proposing(amount)))}
    for name in team.names():
        agents.setdefault(name, PythonRuntime(ScriptedAgent(ok())))
    registry = AgentRegistry.build(team, tools, overrides=agents)
    planner = ScriptedPlanner(plan_of(("pay", "beta")))
    return GraphDeps(registry=registry, planner=planner, ledger=ledger), planner


def test_a_tool_of_ones_own_is_held_once_split_calls_add_up(tmp_path: Path, engine: Any) -> None:
    record = Ledger(tmp_path / "ledger.db")
    limited = dataclasses.replace(record.tool(), limits=(PER_REQUESTER,))
    deps, _ = deps_with(tmp_path, limited, SqlLimitLedger(engine))
    with open_checkpointer(f"sqlite:///{tmp_path / 'cp.db'}") as saver:
        runs = [Run(deps, saver, thread=f"t-{i}") for i in range(3)]
        # 5 each, under the per-call approval rule (10): two fit under 12, the third does not.
        first, second = runs[0].start(), runs[1].start()
        assert first["results"]["t1"]["status"] == "done"
        assert second["results"]["t1"]["status"] == "done"
        runs[2].start()
        (held,) = runs[2].interrupts()
        blocker = held.value["context"]["blocker"]
        assert "over the limit of 12" in blocker and "15" in blocker
        assert summarize(held.value) == "record 5: a running total"  # held by the act node
        assert len(record.rows()) == 2  # the held call did not run
        # A person approves: it runs once and is counted.
        done = runs[2].decide(held, {"type": "approve"})
    assert done["results"]["t1"]["status"] == "done"
    assert len(record.rows()) == 3
    with engine.connect() as conn:
        rows = conn.execute(select(limit_ledger.c.approved_by)).all()
    assert sorted(str(r.approved_by) for r in rows) == ["None", "None", "rev"]


def test_a_review_names_the_ledger_totals_the_call_would_pass(tmp_path: Path, engine: Any) -> None:
    """Over its tool's approval rule (10) and past the per-requester total (12) at once: the
    review named the rule alone, and once approved the call ran past the total unchecked, the
    reviewer never told. Now the review names the total, read without writing; approved, the
    call runs and the ledger records it with who approved it."""
    record = Ledger(tmp_path / "ledger.db")
    limited = dataclasses.replace(record.tool(), limits=(PER_REQUESTER,))
    ledger = SqlLimitLedger(engine)
    small, _ = deps_with(tmp_path, limited, ledger)
    big, _ = deps_with(tmp_path, limited, ledger, amount=20)
    with open_checkpointer(f"sqlite:///{tmp_path / 'cp.db'}") as saver:
        assert Run(small, saver, thread="t-small").start()["results"]["t1"]["status"] == "done"
        run = Run(big, saver, thread="t-big")
        run.start()
        (held,) = run.interrupts()
        blocker = held.value["context"]["blocker"]
        assert blocker == (
            "record: amount over 10; "
            "record: policy: record would reach 25.00 for requester tester within 24 h "
            "(5.00 before this), over the limit of 12.00; a person must approve it"
        )
        # A listing's line names the call and counts the totals; the reasons stay in full.
        assert summarize(held.value) == "record 20: amount over 10 and a running total"
        with engine.connect() as conn:  # the preview wrote nothing
            assert len(conn.execute(select(limit_ledger)).all()) == 1
        done = run.decide(held, {"type": "approve"})
    assert done["results"]["t1"]["status"] == "done"
    with engine.connect() as conn:
        rows = conn.execute(select(limit_ledger.c.amounts, limit_ledger.c.approved_by)).all()
    assert sorted((r.amounts["amount"], str(r.approved_by)) for r in rows) == [
        ("20", "rev"),
        ("5", "None"),
    ]


def test_calls_held_in_one_answer_are_counted_together_in_the_ledger(
    tmp_path: Path, engine: Any
) -> None:
    """One answer proposes 11 twice, each over the rule (10) and each within the requester's
    12 alone: the review said neither passes it, yet approved, both ran past it. The second
    is now checked with the first counted before it (nothing recorded); approved, both run."""

    def twice(task: Any, tools: Any) -> dict[str, Any]:
        for n in (1, 2):
            tools.propose("record", description=f"record 11 ({n})", amount=11, note=f"{n}")
        return {"summary": "will record 11 twice", "value": "22"}

    record = Ledger(tmp_path / "ledger.db")
    limited = dataclasses.replace(record.tool(), limits=(PER_REQUESTER,))
    deps, _ = deps_with(tmp_path, limited, SqlLimitLedger(engine), answer=twice)
    with open_checkpointer(f"sqlite:///{tmp_path / 'cp.db'}") as saver:
        run = Run(deps, saver)
        run.start()
        (held,) = run.interrupts()
        assert held.value["context"]["blocker"] == (
            "record: amount over 10; record: amount over 10; "
            "record: policy: record would reach 22.00 for requester tester within 24 h "
            "(11.00 before this), over the limit of 12.00; a person must approve it"
        )
        with engine.connect() as conn:  # the preview wrote nothing
            assert conn.execute(select(limit_ledger)).all() == []
        done = run.decide(held, {"type": "approve"}, {"type": "approve"})
    assert done["results"]["t1"]["status"] == "done"
    assert [amount for _, amount, _ in record.rows()] == [11, 11]


def test_a_call_under_its_rule_and_its_totals_raises_nothing(tmp_path: Path, engine: Any) -> None:
    record = Ledger(tmp_path / "ledger.db")
    limited = dataclasses.replace(record.tool(), limits=(PER_REQUESTER,))
    deps, _ = deps_with(tmp_path, limited, SqlLimitLedger(engine))
    with open_checkpointer(f"sqlite:///{tmp_path / 'cp.db'}") as saver:
        run = Run(deps, saver)
        assert run.start()["results"]["t1"]["status"] == "done"
        assert run.interrupts() == []


def test_without_a_ledger_a_limited_tool_is_refused(tmp_path: Path) -> None:
    record = Ledger(tmp_path / "ledger.db")
    limited = dataclasses.replace(record.tool(), limits=(PER_REQUESTER,))
    deps, _ = deps_with(tmp_path, limited, None)
    with open_checkpointer(f"sqlite:///{tmp_path / 'cp.db'}") as saver:
        result = Run(deps, saver).start()
    (action,) = result["results"]["t1"]["actions"]
    assert action["status"] == "error" and "no ledger" in action["error"]
    assert record.rows() == []  # fail closed: nothing ran


def ctx(requester: str = "mallory", approved_by: str | None = None) -> CallContext:
    limit = CumulativeLimit(
        tools=frozenset({"pay"}), per="customer", window=timedelta(hours=1), over=Decimal("150")
    )
    return CallContext(
        requester=requester, agent="billing", approved_by=approved_by, limits=(limit,)
    )


def test_concurrent_split_calls_cannot_both_pass(engine: Any) -> None:
    """Two requesters racing 100.00 each to one customer under a 150.00 limit: one waits."""
    ledger = SqlLimitLedger(engine)
    for round_ in range(6):
        customer = f"CUS-{round_}"
        gate = threading.Barrier(2)
        outcomes: list[str] = []

        def pay(
            who: str,
            customer: str = customer,
            gate: threading.Barrier = gate,
            outcomes: list[str] = outcomes,
        ) -> None:
            gate.wait()
            try:
                ledger.reserve(
                    "pay",
                    f"{customer}:{who}",
                    {"customer_id": customer, "amount": "100.00"},
                    ctx(who),
                )
                outcomes.append("passed")
            except ApprovalRequired:
                outcomes.append("held")

        threads = [threading.Thread(target=pay, args=(who,)) for who in ("alice", "bob")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["held", "passed"], (round_, outcomes)


def test_the_ledger_counts_each_call_once_and_forgets_failed_ones(engine: Any) -> None:
    ledger = SqlLimitLedger(engine)
    args = {"customer_id": "CUS-1", "amount": "100.00"}
    ledger.reserve("pay", "k1", args, ctx())
    ledger.reserve("pay", "k1", args, ctx())  # a re-run of the same call: counted once
    with pytest.raises(ApprovalRequired, match="would reach 200.00 for customer CUS-1"):
        ledger.reserve("pay", "k2", args, ctx("bob"))
    ledger.release("k1")  # its tool raised: the effect did not happen
    ledger.reserve("pay", "k2", args, ctx("bob"))
    # A person's approval lets a call past the limit, and it still counts for the next.
    ledger.reserve("pay", "k3", args, ctx("carol", approved_by="rev"))
    with pytest.raises(ApprovalRequired):
        ledger.reserve("pay", "k4", {"customer_id": "CUS-1", "amount": "0.01"}, ctx())
    # Not a number, or no customer named: fail closed.
    with pytest.raises(ApprovalRequired):
        ledger.reserve("pay", "k5", {"customer_id": "CUS-2", "amount": "lots"}, ctx())
    with pytest.raises(ApprovalRequired, match="names no customer"):
        ledger.reserve("pay", "k6", {"amount": "1.00"}, ctx())


def test_a_call_past_several_limits_names_each_with_its_total(engine: Any) -> None:
    """Per customer and per invoice at once (a second refund on one invoice passes both): the
    refusal named the first limit alone, and the reviewer never saw the other."""
    per = [
        CumulativeLimit(frozenset({"pay"}), per, timedelta(hours=24), Decimal(over))
        for per, over in (("customer", "150"), ("invoice", "120"), ("requester", "1000"))
    ]
    ledger = SqlLimitLedger(engine)
    args = {"customer_id": "CUS-1", "invoice_id": "INV-1", "amount": "100.00"}
    ledger.reserve("pay", "k1", args, CallContext("ann", "billing", limits=tuple(per)))
    with pytest.raises(ApprovalRequired) as held:
        ledger.reserve("pay", "k2", args, CallContext("ann", "billing", limits=tuple(per)))
    said = str(held.value)
    assert "would reach 200.00 for customer CUS-1" in said and "limit of 150.00" in said
    assert "would reach 200.00 for invoice INV-1" in said and "limit of 120.00" in said
    assert "requester" not in said  # 200.00 is within that one


def test_a_tool_of_ones_own_must_name_what_it_is_totalled_by(tmp_path: Path) -> None:
    record = Ledger(tmp_path / "ledger.db")
    tools = ToolRegistry()
    tools.register(record.tool())
    policy = parse_policy(
        'cumulative: [{tools: [record], per: customer, window: 1h, over: "10"},'
        ' {tools: [record], per: requester, window: 1h, over: "10"}]'
    )
    team = parse_team(TEAM_YAML)
    assert check_policy(policy, team, tools) == [
        "cumulative.0: record has no argument 'customer_id' to total per customer"
    ]
    ok_policy = parse_policy(
        'cumulative: [{tools: [record], per: requester, window: 1h, over: "10"}]'
    )
    _, applied = apply_policy(ok_policy, team, tools)
    assert applied.get("record").limits and not applied.get("record").keeps_totals


def test_an_edit_names_the_ledger_totals_the_edited_call_would_pass(
    tmp_path: Path, engine: Any
) -> None:
    """A reviewer lowers a held call of 20 to 9, under its rule (10); with 5 counted before,
    it still takes the requester's total past 12. The edited call runs approved, past the
    ledger's check: the decision names the total, read without writing."""
    from datetime import UTC, datetime

    from ringmaster.decisions import Checks, Decision, Edit, build_response
    from ringmaster.review_queue import ReviewItem

    limited = dataclasses.replace(Ledger(tmp_path / "ledger.db").tool(), limits=(PER_REQUESTER,))
    tools = ToolRegistry()
    tools.register(limited)
    ledger = SqlLimitLedger(engine)
    ledger.reserve("record", "k1", {"amount": 5}, CallContext("tester", limits=(PER_REQUESTER,)))
    item = ReviewItem(
        id="i1", thread_id="t", turn=1, subtask_id="t1", kind="approval", agent="beta",
        category=None, priority="normal", requester="tester", status="pending", summary="",
        payload={
            "action_requests": [{"name": "record", "args": {"amount": 20}}],
            "review_configs": [{"action_name": "record", "allowed_decisions": ["edit"]}],
            "context": {},
        },
        decision=None, decided_by=None, claimed_by=None, created_at=datetime.now(UTC),
        decided_at=None, resumed_at=None,
    )  # fmt: skip
    edit = Decision("edit", (Edit(0, {"amount": 9}),))
    [decided] = build_response(item, edit, Checks(tools=tools, ledger=ledger))["decisions"]
    assert decided["edit_needs_approval"] == (
        "policy: record would reach 14.00 for requester tester within 24 h (5.00 before "
        "this), over the limit of 12.00; a person must approve it"
    )
    with engine.connect() as conn:  # the check wrote nothing
        assert len(conn.execute(select(limit_ledger)).all()) == 1
