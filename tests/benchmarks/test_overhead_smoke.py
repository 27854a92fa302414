"""Smoke test for benchmarks/overhead.py: both systems run, do the work, and are measured."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage

from benchmarks.overhead import SPECIALISTS, main


def test_overhead_benchmark_runs_both_systems(capsys: pytest.CaptureFixture[str]) -> None:
    # The local-planner row trains a classifier (~12 s); the smoke test leaves it out.
    report = main(["--requests", "2", "--json", "--no-local-planner"])

    doc = json.loads(capsys.readouterr().out)
    systems = {s["system"]: s for s in doc["systems"]}
    ringmaster = systems["ringmaster · scripted planner · python agents"]
    supervisor = systems["create_supervisor · react agents"]
    assert len(systems) == 3
    for figures in systems.values():
        assert figures["requests"] == 2
        assert figures["median_ms"] > 0 and figures["p95_ms"] >= figures["median_ms"]
        assert figures["checkpoint_bytes_per_request"] > 0
        assert figures["file_bytes_per_request"] > 0
        assert figures["checkpoints_per_request"] > 0
    assert ringmaster["model_calls_per_request"] == 1  # the planner's one answer
    # Per specialist a tool call and a final answer, plus 3 handoffs and a final answer.
    assert supervisor["model_calls_per_request"] == 2 * len(SPECIALISTS) + len(SPECIALISTS) + 1
    assert {r["system"] for r in doc["ratios"]} == set(systems) - {supervisor["system"]}
    assert all(r["time"] > 0 and r["time_paired"] > 0 and r["bytes"] > 0 for r in doc["ratios"])

    # The last request's final state: every subtask done by the agent it was routed to.
    rm_state = report.final_states[ringmaster["system"]]
    results = rm_state["results"]
    assert {r["status"] for r in results.values()} == {"done"}
    assert sorted(r["agent"] for r in results.values()) == sorted(s.name for s in SPECIALISTS)
    for s in SPECIALISTS:
        (result,) = [r for r in results.values() if r["agent"] == s.name]
        assert result["output"]["record"] == s.tool(s.find_arg(result["description"]))

    sup_state = report.final_states[supervisor["system"]]
    messages = sup_state["messages"]
    for s in SPECIALISTS:
        answers = [m for m in messages if isinstance(m, AIMessage) and m.name == s.name]
        assert any(m.content == s.answer(s.tool(s.find_arg(doc["request"]))) for m in answers)
    final = messages[-1]
    assert final.name == "supervisor"
    assert all(s.name + ": " in final.content for s in SPECIALISTS)
