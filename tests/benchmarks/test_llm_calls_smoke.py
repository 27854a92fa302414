"""benchmarks/llm_calls.py runs, its JSON has the shape benchmarks/readme.py renders, and its
call counts (exact, not timed) stay at the issue's targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import llm_calls, readme

ROW = {
    "system": str,
    "requests": int,
    "model_calls": float,
    "prompt_tokens": float,
    "output_tokens": float,
    "median_ms": float,
    "p95_ms": float,
}


def test_llm_calls_benchmark(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--requests", "2", "--json", "--planner-cache", str(tmp_path / "cache")]
    llm_calls.main(argv)
    doc = json.loads(capsys.readouterr().out)

    assert doc["benchmark"] == "llm_calls" and doc["command"].endswith(" ".join(argv))
    for when in ("before", "after"):
        assert len(doc["machine"][when]["load"]) == 3
    for row in doc["rows"]:
        assert all(isinstance(row[k], (int, float) if t is float else t) for k, t in ROW.items())
        assert row["requests"] == 2
    assert len(doc["verdicts"]) == len(doc["rows"]) - 1
    for v in doc["verdicts"]:
        assert {"target", "value", "limit", "met", "text"} <= set(v)

    block = f"{readme.begin('llm_calls')}\nold\n{readme.end('llm_calls')}"
    rendered = readme.update(block, doc)
    assert doc["command"] in rendered and "| system | calls/req |" in rendered

    rows = {r["system"]: r for r in doc["rows"]}
    assert rows["create_supervisor · react agents"]["model_calls"] == 10
    assert rows["ringmaster · llm planner · llm agents"]["model_calls"] == 7
    assert rows["ringmaster · llm planner · answer_direct"]["model_calls"] == 4
    defaults = rows["ringmaster · llm planner · llm agents"]
    rounds = rows["ringmaster · llm planner · llm agents · tool_rounds 5"]
    assert rounds["model_calls"] == 7
    # Prompt tokens are counted from what is sent, so they repeat exactly: hold the targets.
    base = rows["create_supervisor · react agents"]["prompt_tokens"]
    assert defaults["prompt_tokens"] <= llm_calls.TOKENS_TARGET * base
    assert defaults["prompt_tokens"] < rounds["prompt_tokens"]  # answers go without schemas
    assert rows["ringmaster · llm planner · answer_direct"]["prompt_tokens"] <= 0.3 * base
    cascade = rows.get("ringmaster · cascade · llm agents")
    if cascade is not None and cascade["planned_locally"] == 1.0:
        assert cascade["model_calls"] == 6
    for name, row in rows.items():
        if name.startswith("ringmaster"):
            assert row["prompt_tokens"] < base
