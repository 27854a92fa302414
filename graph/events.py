"""Decision events: nodes report what they decided through LangGraph's custom stream.

The graph owns no store. A node calls `emit(event, actor, **data)`; whoever runs the graph
with `stream_mode="custom"` receives `{"event": kind, "actor": ..., **data}` and may keep it
(the runner writes the audit trail from them). Without a custom stream the call is a no-op.
"""

from __future__ import annotations

from typing import Any

EVENT_KEY = "event"


def decider_actor(decider: str) -> str:
    """The audit actor of a review's decider: `human:NAME` for a person, the decider itself for
    the system (`system:deadline` denying on timeout), which no person decided."""
    return decider if decider.startswith("system:") else f"human:{decider}"


def emit(event: str, actor: str, /, **data: Any) -> None:
    # Imported here: the stores' commands (`ringmaster status`) import this module through the
    # router's `Load` without running a graph, and LangGraph costs them half a second.
    from langgraph.config import get_stream_writer

    try:
        writer = get_stream_writer()
    except RuntimeError:  # called outside a run (a unit test calling a node directly)
        return
    writer({EVENT_KEY: event, "actor": actor, **data})
