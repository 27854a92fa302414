"""The one place that reads LangGraph's private run state (`langgraph._internal`), and
LangChain's private helpers.

Inside a node, LangGraph (1.2) has no public way to ask whether the run resumes, nor to read
the whole value an interrupt was resumed with: `interrupt()` returns it to its caller only,
and `HumanInTheLoopMiddleware` (that caller, for an agent's tool approvals) keeps only its
"decisions". `langgraph.constants` keeps neither key public (it deprecates reaching them
through it), and `langgraph.runtime.ExecutionInfo` carries ids and attempts, nothing of a
resume. So the private keys are read here, once: an upgrade that moves them breaks this module
alone, and tests/graph/test_langgraph_internals.py says so. Whether the graph checkpoints is
read here too, by the one key `langgraph.constants` does keep public.

The agent loop answers malformed tool calls as `create_agent` does, with LangChain's own
(private) helper rather than a copy of it; tests/graph/test_llm_agent_loop.py runs it. A
model name's provider is read the way `init_chat_model` reads it, from its private table.
"""

from __future__ import annotations

from typing import Any


def _configurable() -> dict[str, Any] | None:
    """The running graph's `configurable`, or None outside a graph's run."""
    from langgraph.config import get_config

    try:
        config = get_config()
    except RuntimeError:  # not inside a graph's run
        return None
    return config.get("configurable") or {}


def resuming() -> bool:
    """Whether the graph this runs in resumes a run (after an interrupt, a crash or a retry)."""
    from langgraph._internal._constants import CONFIG_KEY_RESUMING

    configurable = _configurable()
    return bool(configurable and configurable.get(CONFIG_KEY_RESUMING))


def resume_values() -> list[Any]:
    """The values this step's interrupts were resumed with, in order (empty before any
    resume), as the step's scratchpad keeps them; called only inside a node."""
    from langgraph._internal._constants import CONFIG_KEY_SCRATCHPAD
    from langgraph.config import get_config

    return list(get_config()["configurable"][CONFIG_KEY_SCRATCHPAD].resume)


def graph_checkpoints() -> bool:
    """Whether the graph this runs in stores checkpoints (False outside a graph's run)."""
    from langgraph.constants import CONFIG_KEY_CHECKPOINTER  # public, unlike the two above

    configurable = _configurable()
    return configurable is not None and configurable.get(CONFIG_KEY_CHECKPOINTER) is not None


def answer_invalid_calls(messages: list[Any]) -> list[Any]:
    """Tool calls the provider sent malformed get an error ToolMessage, as in `create_agent`."""
    from langchain_core.messages import AIMessage

    if not any(isinstance(m, AIMessage) and m.invalid_tool_calls for m in messages):
        return messages
    from langchain.agents.factory import _patch_invalid_tool_calls

    return _patch_invalid_tool_calls(messages)


def chat_model_providers() -> frozenset[str]:
    """The providers `init_chat_model` knows by name."""
    from langchain.chat_models.base import _BUILTIN_PROVIDERS

    return frozenset(_BUILTIN_PROVIDERS)


def parse_chat_model(name: str) -> str:
    """The provider `init_chat_model` gives a model name (ValueError when it cannot tell)."""
    from langchain.chat_models.base import _parse_model

    return str(_parse_model(name, None)[1])
