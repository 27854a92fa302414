"""Model calls and tokens, counted per node and per run by a callback handler, with a budget.

The runner passes one `UsageMeter` in the run's `callbacks`; LangChain hands it to every chat
model called inside the graph (planner, agents, judge), whichever thread the node runs on.
Each call is attributed to the LangGraph node it ran in (`langgraph_node` in its metadata).
With a `Budget`, the call that would go over it is refused before it is sent: the handler
raises `BudgetExceeded` (`raise_error = True`), and the node turns that into an escalation.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult

from ringmaster.graph.errors import BudgetExceeded


@dataclass(frozen=True)
class Budget:
    """Most model calls and tokens one request may spend; None is no limit."""

    max_calls: int | None = None
    max_tokens: int | None = None


def usage_of(result: LLMResult) -> tuple[int, int]:
    """(input, output) tokens of a model result, from usage metadata or the provider's report."""
    for gens in result.generations:
        for gen in gens:
            meta = getattr(getattr(gen, "message", None), "usage_metadata", None)
            if meta:
                return int(meta.get("input_tokens", 0)), int(meta.get("output_tokens", 0))
    usage = (result.llm_output or {}).get("token_usage") or {}
    return int(usage.get("prompt_tokens", 0) or 0), int(usage.get("completion_tokens", 0) or 0)


def node_of(metadata: dict[str, Any]) -> str:
    """The ringmaster node a model call ran in: plan, agent, validate …

    A call inside an agent's own graph (an LLM agent's `model` node) counts for the ringmaster
    node that ran the agent, read from the checkpoint namespace (`work:…|agent:…|model:…`).
    """
    names = [
        p.split(":", 1)[0] for p in str(metadata.get("langgraph_checkpoint_ns", "")).split("|")
    ]
    names = [n for n in names if n and n != "work"]
    return names[0] if names else str(metadata.get("langgraph_node") or "outside")


class UsageMeter(BaseCallbackHandler):
    """Counts model calls and tokens per node; refuses calls past the budget."""

    raise_error = True  # a refused call must stop the model call, not be logged and ignored
    run_inline = True

    def __init__(self, budget: Budget | None = None) -> None:
        self.budget = budget or Budget()
        self._lock = threading.Lock()
        self._node_of: dict[UUID, str] = {}
        self.calls: dict[str, int] = defaultdict(int)
        self.input_tokens: dict[str, int] = defaultdict(int)
        self.output_tokens: dict[str, int] = defaultdict(int)
        self.refused = 0

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any] | None, budget: Budget | None) -> UsageMeter:
        """A meter that goes on from a `snapshot()` (a request resumed in another process)."""
        meter = cls(budget)
        for node, u in ((snapshot or {}).get("per_node") or {}).items():
            meter.calls[node] = int(u.get("calls", 0))
            meter.input_tokens[node] = int(u.get("input_tokens", 0))
            meter.output_tokens[node] = int(u.get("output_tokens", 0))
        meter.refused = int((snapshot or {}).get("refused_calls", 0))
        return meter

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    @property
    def total_tokens(self) -> int:
        return sum(self.input_tokens.values()) + sum(self.output_tokens.values())

    def _start(self, run_id: UUID, metadata: dict[str, Any] | None) -> None:
        node = node_of(metadata or {})
        with self._lock:
            b = self.budget
            if (b.max_calls is not None and self.total_calls >= b.max_calls) or (
                b.max_tokens is not None and self.total_tokens >= b.max_tokens
            ):
                self.refused += 1
                raise BudgetExceeded(
                    f"the request's model budget is spent ({self.total_calls} calls, "
                    f"{self.total_tokens} tokens; limits: {b.max_calls} calls, "
                    f"{b.max_tokens} tokens)"
                )
            self._node_of[run_id] = node
            self.calls[node] += 1

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self._start(run_id, metadata)

    def on_llm_start(
        self,
        serialized: dict[str, Any],
        prompts: list[str],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self._start(run_id, metadata)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        tokens_in, tokens_out = usage_of(response)
        with self._lock:
            node = self._node_of.pop(run_id, "outside")
            self.input_tokens[node] += tokens_in
            self.output_tokens[node] += tokens_out

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            self._node_of.pop(run_id, None)

    def snapshot(self) -> dict[str, Any]:
        """Calls and tokens, in total and per node, as plain data."""
        with self._lock:
            nodes = sorted(set(self.calls) | set(self.input_tokens))
            return {
                "model_calls": self.total_calls,
                "input_tokens": sum(self.input_tokens.values()),
                "output_tokens": sum(self.output_tokens.values()),
                "tokens": self.total_tokens,
                "refused_calls": self.refused,
                "budget": {"calls": self.budget.max_calls, "tokens": self.budget.max_tokens},
                "per_node": {
                    n: {
                        "calls": self.calls.get(n, 0),
                        "input_tokens": self.input_tokens.get(n, 0),
                        "output_tokens": self.output_tokens.get(n, 0),
                    }
                    for n in nodes
                },
            }
