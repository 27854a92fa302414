"""Smoke test for benchmarks/overhead.py: every system runs and does the work, and the JSON has
the shape benchmarks/readme.py renders (its figures are not checked: they are measurements)."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage

from benchmarks import readme
from benchmarks.overhead import main, verdict
from benchmarks.systems import (
    HEADLINE,
    PYTHON_AGENTS,
    REACT_INSIDE,
    SUPERVISOR,
    floor_seconds,
)
from benchmarks.workload import SPECIALISTS

FIGURES = {
    "system": str,
    "equal_work": bool,
    "note": str,
    "requests": int,
    "median_ms": float,
    "p95_ms": float,
    "cpu_median_ms": float,
    "checkpoint_bytes_per_request": float,
    "file_bytes_per_request": float,
    "checkpoints_per_request": float,
    "writes_per_request": float,
    "model_calls_per_request": float,
    "prompt_tokens_per_request": float,
    "output_tokens_per_request": float,
}
LATENCY = {
    "system": str,
    "equal_work": bool,
    "requests": int,
    "wall_median_ms": float,
    "wall_p95_ms": float,
    "floor_median_ms": float,
    "overhead_median_ms": float,
    "overhead_share": float,
}


def has_shape(row: dict[str, object], shape: dict[str, type]) -> bool:
    return all(isinstance(row[k], (int, float) if t is float else t) for k, t in shape.items())


def test_overhead_benchmark_runs_every_system(capsys: pytest.CaptureFixture[str]) -> None:
    # The local-planner rows train a classifier (~12 s); the smoke test leaves them out.
    argv = ["--requests", "2", "--latency-requests", "2", "--latency-ms", "1", "--json"]
    report = main([*argv, "--no-local-planner"])

    doc = json.loads(capsys.readouterr().out)
    assert doc["benchmark"] == "overhead"
    assert doc["command"].endswith(
        "-m benchmarks.overhead " + " ".join(argv) + " --no-local-planner"
    )
    for when in ("before", "after"):
        assert len(doc["machine"][when]["load"]) == 3 and doc["machine"][when]["cpus"] >= 1
    assert doc["latency_model"] == {
        "per_call_ms": 1.0,
        "per_prompt_token_ms": 0.05,
        "per_output_token_ms": 0.0,
    }
    systems = {s["system"]: s for s in doc["systems"]}
    assert list(systems) == [HEADLINE, REACT_INSIDE, PYTHON_AGENTS, SUPERVISOR]
    assert all(has_shape(s, FIGURES) and s["requests"] == 2 for s in systems.values())
    assert [s for s, f in systems.items() if f["equal_work"]] == [
        HEADLINE,
        REACT_INSIDE,
        SUPERVISOR,
    ]
    latency = {r["system"]: r for r in doc["latency"]}
    assert list(latency) == [HEADLINE, REACT_INSIDE, SUPERVISOR]
    assert all(has_shape(r, LATENCY) and r["requests"] == 2 for r in latency.values())
    # Counted, not timed: each agent's tool call and answer on both sides; the supervisor's
    # three handoffs and its answer against ringmaster's one planning call.
    assert systems[SUPERVISOR]["model_calls_per_request"] == 2 * len(SPECIALISTS) + 4
    assert systems[HEADLINE]["model_calls_per_request"] == 1 + 2 * len(SPECIALISTS)
    assert systems[REACT_INSIDE]["model_calls_per_request"] == 1 + 2 * len(SPECIALISTS)
    assert systems[PYTHON_AGENTS]["model_calls_per_request"] == 1

    verdicts = doc["verdicts"]
    assert [v["limit"] for v in verdicts] == [0.2, 0.5, 0.35, 0.1]  # no cascade: no local planner
    for v in verdicts:
        assert set(v) == {"target", "value", "limit", "met", "text"}
        assert v["met"] == (v["value"] <= v["limit"])
        assert ("NOT met" in v["text"]) != v["met"]

    # The README block is rendered from this document, and only that block is rewritten.
    old = f"intro\n{readme.begin('overhead')}\nold figures\n{readme.end('overhead')}\nafter\n"
    new = readme.update(old, doc)
    assert new.startswith("intro\n") and new.endswith("after\n") and "old figures" not in new
    assert doc["command"] in new and "| system | median ms |" in new and "| wall ms |" in new
    assert all(v["text"] in new for v in verdicts)

    # The last request's final states: every subtask done by its agent; the supervisor's answer.
    for name in (HEADLINE, REACT_INSIDE, PYTHON_AGENTS):
        results = report.final_states[name]["results"]
        assert {r["status"] for r in results.values()} == {"done"}
        assert sorted(r["agent"] for r in results.values()) == sorted(s.name for s in SPECIALISTS)
    messages = report.final_states[SUPERVISOR]["messages"]
    final = messages[-1]
    assert isinstance(final, AIMessage) and final.name == "supervisor"
    assert all(s.name + ": " in final.content for s in SPECIALISTS)


def test_the_floor_is_the_calls_made_one_after_another() -> None:
    calls = [[0.3], [0.3, 0.2], [0.3, 0.4], [0.1]]
    assert floor_seconds("sequential", calls) == pytest.approx(1.6)
    assert floor_seconds("plan_then_parallel", calls) == pytest.approx(0.3 + 0.7)
    assert floor_seconds("plan_then_parallel", [[], [0.3], [0.5]]) == pytest.approx(0.5)


def test_a_verdict_is_decided_on_the_figure_it_reports() -> None:
    # A ratio of 0.50004 reported as 0.5 was "NOT met" against a limit of 0.5 (CI, stop 23).
    at_limit = verdict("ratio", 0.50004, 0.5)
    assert (at_limit["value"], at_limit["met"]) == (0.5, True)
    assert at_limit["text"] == "ratio: 0.500 (target <= 0.5): met"
    over = verdict("ratio", 0.5006, 0.5)
    assert (over["value"], over["met"]) == (0.501, False)
    assert over["text"] == "ratio: 0.501 (target <= 0.5): NOT met"


def test_readme_refuses_what_is_not_a_benchmarks_output() -> None:
    with pytest.raises(ValueError, match="not a benchmark's --json output"):
        readme.update("text", {"rows": []})
    with pytest.raises(ValueError, match="has no block for overhead"):
        readme.update("no markers here", {"benchmark": "overhead"})
