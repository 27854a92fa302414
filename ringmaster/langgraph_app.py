"""The graph for LangGraph Server and `langgraph dev` (named in the top-level langgraph.json).

The server brings its own checkpointer and interrupt handling, so the graph is compiled
without one; the team, planner and models come from the same settings as `ringmaster serve`.
"""

from __future__ import annotations

from typing import Any

from ringmaster.graph.build import build_graph
from ringmaster.settings import Settings
from ringmaster.wiring import build_deps


def make_graph() -> Any:
    """The run graph over the configured team (the demo team when nothing is set)."""
    return build_graph(build_deps(Settings()))
