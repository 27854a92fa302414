"""Routing figures of the local planner on its dev set (tests/graph/data/planner_dev.jsonl).

The dev set is ours to tune on; the held-out eval set in evals/datasets is not. A row is
`{"text", "agents", "escalate"}`: the agents the plan should route to (escalated subtasks count
as none) and whether any subtask should go to a person.

    .venv/bin/python -m tests.graph.planner_dev_report [DEV_FILE]   (default planner_dev.jsonl)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ringmaster.agents.spec import load_team
from ringmaster.graph.planner.base import Plan, Planner

DEV_SET = Path(__file__).parent / "data" / "planner_dev.jsonl"
DEMO_TEAM = Path(__file__).parents[2] / "agents" / "demo" / "team.yaml"


@dataclass(frozen=True)
class DevRow:
    text: str
    agents: frozenset[str]
    escalate: bool

    @property
    def kind(self) -> str:
        if self.escalate:
            return "oos"
        return "one" if len(self.agents) == 1 else "multi"


@dataclass(frozen=True)
class DevFigures:
    """Exact-set accuracy per kind of row, and escalation rates."""

    one_part: float  # in-scope one-agent rows: routed set == gold, nothing escalated
    multi_part: float  # in-scope multi-agent rows, same rule
    oos_recall: float  # rows with an out-of-scope part: something escalated
    oos_exact: float  # ... and the routed set is exactly the in-scope part's agents
    false_escalation: float  # in-scope rows where something was escalated
    misses: tuple[str, ...]


def load_rows(path: Path = DEV_SET) -> list[DevRow]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            rows.append(DevRow(raw["text"], frozenset(raw["agents"]), bool(raw["escalate"])))
    return rows


def escalated(plan: Plan) -> bool:
    return any(s.escalate or s.agent is None for s in plan.subtasks)


def evaluate(planner: Planner, rows: Iterable[DevRow]) -> DevFigures:
    hits: dict[str, list[bool]] = {"one": [], "multi": [], "oos": [], "oos_exact": [], "fe": []}
    misses: list[str] = []
    for row in rows:
        plan = planner.plan(row.text)
        up = escalated(plan)
        exact = plan.agents() == row.agents and up == row.escalate
        if row.kind == "oos":
            hits["oos"].append(up)
            hits["oos_exact"].append(exact)
        else:
            hits[row.kind].append(exact)
            hits["fe"].append(up)
        if not exact:
            got = [(s.agent, s.escalate) for s in plan.subtasks]
            misses.append(f"{row.kind}: {row.text!r} want {sorted(row.agents)} got {got}")

    def rate(xs: list[bool]) -> float:
        return sum(xs) / len(xs) if xs else 0.0

    return DevFigures(
        one_part=rate(hits["one"]),
        multi_part=rate(hits["multi"]),
        oos_recall=rate(hits["oos"]),
        oos_exact=rate(hits["oos_exact"]),
        false_escalation=rate(hits["fe"]),
        misses=tuple(misses),
    )


def main() -> None:
    from ringmaster.graph.planner.local import LocalPlanner

    planner = LocalPlanner(load_team(DEMO_TEAM))
    rows = load_rows(Path(sys.argv[1]) if len(sys.argv) > 1 else DEV_SET)
    f = evaluate(planner, rows)
    counts = {k: sum(r.kind == k for r in rows) for k in ("one", "multi", "oos")}
    out = sys.stdout
    out.write(f"one-part exact   {f.one_part:.3f}  (n={counts['one']})\n")
    out.write(f"multi-part exact {f.multi_part:.3f}  (n={counts['multi']})\n")
    out.write(f"OOS recall       {f.oos_recall:.3f}  (n={counts['oos']})\n")
    out.write(f"OOS exact        {f.oos_exact:.3f}\n")
    out.write(f"false escalation {f.false_escalation:.3f}  (in-scope rows)\n")
    for miss in f.misses:
        out.write(f"  miss {miss}\n")


if __name__ == "__main__":
    main()
