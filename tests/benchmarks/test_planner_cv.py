"""benchmarks/planner_cv.py: a team file's own examples as rows, and why a row was missed."""

from __future__ import annotations

from pathlib import Path

from benchmarks.planner_cv import folds_of, miss_cause, team_rows
from ringmaster.graph.planner.base import EscalationKind, Subtask

TEAM = """\
name: tiny
agents:
  - name: alarm
    description: Alarms.
    examples: [set an alarm, wake me at six, cancel my alarm]
    runtime: {kind: python, entry: ringmaster.evals.echo_agent:echo}
  - name: weather
    description: The weather.
    examples: [will it rain, how hot is it today]
    runtime: {kind: python, entry: ringmaster.evals.echo_agent:echo}
human_examples: [tell me a joke]
"""


def test_team_rows_are_its_examples_with_human_ones_as_oos(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(TEAM, encoding="utf-8")
    rows = team_rows(path)
    assert [(r.text, r.label) for r in rows] == [
        ("set an alarm", "alarm"),
        ("wake me at six", "alarm"),
        ("cancel my alarm", "alarm"),
        ("will it rain", "weather"),
        ("how hot is it today", "weather"),
        ("tell me a joke", "oos"),
    ]
    folds = folds_of(rows, 2)
    assert sorted(r.text for f in folds for r in f) == sorted(r.text for r in rows)


def _sub(
    agent: str | None, reason: str | None = None, i: int = 1, kind: EscalationKind | None = None
) -> Subtask:
    return Subtask(
        id=f"t{i}",
        description="x",
        agent=agent,
        confidence=0.5,
        rationale="",
        escalate=reason is not None,
        escalation_reason=reason,
        escalation_kind=kind,
    )


def test_miss_cause_names_the_check_that_escalated() -> None:
    assert miss_cause([_sub("weather")], top_right=False) == "misrouted"
    assert miss_cause([_sub("alarm"), _sub("weather", i=2)], top_right=True) == "split"
    low = "low confidence: 0.19 < floor 0.20"
    floored = _sub("alarm", low, kind="low_confidence")
    assert miss_cause([floored], top_right=True) == "escalated:floor:top-right"
    tie = "ambiguous: a 0.37 vs b 0.37, margin 0.01 < 0.02"
    tied = _sub(None, tie, kind="ambiguous")
    assert miss_cause([tied], top_right=False) == "escalated:margin:top-wrong"
    far = "unlike any agent's examples: nearest similarity 0.10 < 0.15"
    unlike = _sub(None, far, kind="unfamiliar")
    assert miss_cause([unlike], top_right=False) == "escalated:similarity:top-wrong"
    # The kind says which check, whatever the reason's words.
    reworded = _sub(None, "far from every example", kind="unfamiliar")
    assert miss_cause([reworded], top_right=False) == "escalated:similarity:top-wrong"
