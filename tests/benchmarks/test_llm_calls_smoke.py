"""benchmarks/llm_calls.py runs, and its call counts stay at the issue's targets."""

from __future__ import annotations

from pathlib import Path

from benchmarks import llm_calls


def test_call_counts(tmp_path: Path) -> None:
    rows = {r.system: r for r in llm_calls.run(2, planner_cache=tmp_path / "cache")}
    assert rows["create_supervisor · react agents"].model_calls == 10
    assert rows["ringmaster · llm planner · llm agents"].model_calls == 7
    assert rows["ringmaster · llm planner · answer_direct"].model_calls == 4
    defaults = rows["ringmaster · llm planner · llm agents"]
    rounds = rows["ringmaster · llm planner · llm agents · tool_rounds 5"]
    assert rounds.model_calls == 7
    # Prompt tokens are counted from what is sent, so they repeat exactly: hold the targets.
    base = rows["create_supervisor · react agents"].prompt_tokens
    assert defaults.prompt_tokens <= llm_calls.TOKENS_TARGET * base
    assert defaults.prompt_tokens < rounds.prompt_tokens  # the answer calls go without schemas
    assert rows["ringmaster · llm planner · answer_direct"].prompt_tokens <= 0.3 * base
    cascade = rows.get("ringmaster · cascade · llm agents")
    if cascade is not None and cascade.planned_locally == 1.0:
        assert cascade.model_calls == 6
    for name, row in rows.items():
        if name.startswith("ringmaster"):
            assert row.prompt_tokens < rows["create_supervisor · react agents"].prompt_tokens
