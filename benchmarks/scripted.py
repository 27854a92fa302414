"""What every benchmark shares: the scripted chat model, its token count, latency and percentile.

`ScriptedChatModel` answers with `script(messages)`, a pure function of the conversation, and
counts its calls and the tokens it is sent and answers with (every message, tool call and tool
schema; one stand-in tokenizer, about four characters a token, for every system alike). Given a
`Latency`, each call also takes the time a provider would: a fixed part per call plus a part per
prompt token and per output token, slept outside the GIL, so parallel calls overlap as they do
against a real provider. Each call's latency is logged, so a benchmark can compute the floor:
the time of the calls a system must make one after another.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import PrivateAttr

from ringmaster.percentiles import percentile as shared_percentile

Script = Callable[[list[BaseMessage]], AIMessage]


def tokens(text: str) -> int:
    """OpenAI's rule of thumb, about four characters a token; the same for every system."""
    return math.ceil(len(text) / 4)


def prompt_tokens(messages: Sequence[BaseMessage], tools: Sequence[Any]) -> int:
    """A prompt's tokens as sent: every message, its tool calls, and the tool schemas."""
    total = 0
    for m in messages:
        content = m.content if isinstance(m.content, str) else json.dumps(m.content)
        total += 4 + tokens(content)
        for call in getattr(m, "tool_calls", None) or []:
            total += 2 + tokens(call["name"]) + tokens(json.dumps(call.get("args", {})))
    return total + sum(tokens(json.dumps(t)) for t in tools)


def output_tokens(message: AIMessage) -> int:
    """An answer's tokens: its text and its tool calls."""
    content = message.content if isinstance(message.content, str) else json.dumps(message.content)
    calls = sum(
        2 + tokens(c["name"]) + tokens(json.dumps(c.get("args", {}))) for c in message.tool_calls
    )
    return tokens(content) + calls


@dataclass(frozen=True)
class Latency:
    """How long a model call takes: fixed per call, plus per prompt and per output token."""

    per_call_ms: float = 0.0
    per_prompt_token_ms: float = 0.0
    per_output_token_ms: float = 0.0

    @property
    def zero(self) -> bool:
        return not (self.per_call_ms or self.per_prompt_token_ms or self.per_output_token_ms)

    def seconds(self, prompt: int, output: int) -> float:
        ms = (
            self.per_call_ms + prompt * self.per_prompt_token_ms + output * self.per_output_token_ms
        )
        return ms / 1000


class ScriptedChatModel(BaseChatModel):
    """A chat model whose answer is `script(messages)`; counts calls and tokens, may take time.

    Thread-safe: a model shared by parallel subtasks counts every call.
    """

    script: Script
    latency: Latency = Latency()
    _lock: Any = PrivateAttr(default_factory=threading.Lock)
    _calls: int = PrivateAttr(default=0)
    _prompt_tokens: int = PrivateAttr(default=0)
    _output_tokens: int = PrivateAttr(default=0)
    _latencies: list[float] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def calls(self) -> int:
        return self._calls

    @property
    def prompt_tokens(self) -> int:
        return self._prompt_tokens

    @property
    def output_tokens(self) -> int:
        return self._output_tokens

    @property
    def latencies(self) -> list[float]:
        """Each call's latency in seconds, in order (zero without a latency model)."""
        with self._lock:
            return list(self._latencies)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        answer = self.script(messages)
        sent = prompt_tokens(messages, kwargs.get("tools") or [])
        out = output_tokens(answer)
        wait = self.latency.seconds(sent, out)
        with self._lock:
            self._calls += 1
            self._prompt_tokens += sent
            self._output_tokens += out
            self._latencies.append(wait)
        if wait > 0:
            time.sleep(wait)  # the provider's time; releases the GIL like a network wait
        return ChatResult(generations=[ChatGeneration(message=answer)])

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        # What a provider's chat model does: format the tools once, send them with each call.
        # `tool_choice` (asked by with_structured_output) needs nothing here: scripts obey.
        kwargs.pop("tool_choice", None)
        kwargs.pop("ls_structured_output_format", None)
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)


def percentile(values: Sequence[float], q: int) -> float:
    """The q-th percentile (1..99) of the values, interpolated (`statistics.quantiles`)."""
    if not 1 <= q <= 99:
        raise ValueError(f"a percentile is between 1 and 99, not {q}")
    return shared_percentile(values, q)


def machine() -> dict[str, Any]:
    """What the machine was doing: the load averages (1, 5, 15 min) and the CPU count, now."""
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
