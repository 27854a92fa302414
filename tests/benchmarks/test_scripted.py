"""The benchmarks' shared scripted model, latency model and percentile."""

from __future__ import annotations

import statistics

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from benchmarks.scripted import Latency, ScriptedChatModel, percentile, prompt_tokens, tokens


def test_the_model_counts_calls_and_tokens_and_logs_each_calls_latency() -> None:
    answer = AIMessage("", tool_calls=[{"name": "get", "args": {"id": "X-1"}, "id": "c"}])
    latency = Latency(per_call_ms=2.0, per_prompt_token_ms=0.5, per_output_token_ms=0.25)
    model = ScriptedChatModel(script=lambda messages: answer, latency=latency)
    prompt = [HumanMessage("what is the status of X-1?")]

    model.invoke(prompt)
    model.invoke(prompt)

    sent = prompt_tokens(prompt, [])
    out = 2 + tokens("get") + tokens('{"id": "X-1"}')
    assert (model.calls, model.prompt_tokens, model.output_tokens) == (2, 2 * sent, 2 * out)
    expected = (2.0 + 0.5 * sent + 0.25 * out) / 1000
    assert model.latencies == pytest.approx([expected, expected])


def test_a_zero_latency_model_logs_zero() -> None:
    model = ScriptedChatModel(script=lambda messages: AIMessage("hi"))
    model.invoke([HumanMessage("x")])
    assert Latency().zero and model.latencies == [0.0]


def test_percentile_is_statistics_quantiles() -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0, 10.0]
    assert percentile(values, 95) == statistics.quantiles(values, n=100, method="inclusive")[94]
    assert percentile(values, 50) == statistics.median(values)
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError, match="between 1 and 99"):
        percentile(values, 100)
